"""Parse time of 1, 10, 100 and 1,000 KB plans: linear parsing means ~10x per step.

(A single call is refused past MAX_STEP_CHARS, 128 KiB, so the long-call shape stops at 100 KB.)

Three shapes per size: many one-line steps, one call continued over many lines (was
quadratic: 6.5 s at 2,000 lines), and the same text fed to the streaming parser as one
huge chunk and as 16-character chunks (one 586 KB chunk once took 81 s). Prints the best
of --repeat runs in milliseconds and the ratio to the previous size.

    python benchmarks/bench_parse.py
    python benchmarks/bench_parse.py --smoke     # CI size: 1 and 10 KB, one run
"""

from __future__ import annotations

import argparse
import time

from edgecall.plan import PlanError, PlanStreamParser, parse_plan


def many_steps(kb: int) -> str:
    lines, size, i = [], 0, 0
    while size < kb * 1024:
        i += 1
        line = f'{i}. create_note("note {i}", "text of note {i} with some words", "")\n'
        lines.append(line)
        size += len(line)
    return "".join(lines) + f"{i + 1}. join()<END_OF_PLAN>"


def one_long_call(kb: int) -> str:
    items, size = [], 0
    while size < kb * 1024:
        item = f'  "recipient-{len(items)}@example.com",\n'
        items.append(item)
        size += len(item)
    return "1. compose_new_email([\n" + "".join(items) + '], [], "hi", "body", [])\n2. join()'


def stream(text: str, size: int) -> None:
    parser = PlanStreamParser()
    for i in range(0, len(text), size):
        parser.feed(text[i : i + size])
    parser.close()


SHAPES = {
    "steps (batch)": (many_steps, parse_plan),
    "long call (batch)": (one_long_call, parse_plan),
    "steps (1 chunk)": (many_steps, lambda t: stream(t, len(t))),
    "long call (1 chunk)": (one_long_call, lambda t: stream(t, len(t))),
    "steps (16-char chunks)": (many_steps, lambda t: stream(t, 16)),
}


def best_of(fn, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,10,100,1000", help="plan sizes in KB")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="CI size: 1 and 10 KB, one run")
    args = ap.parse_args(argv)
    sizes = [1, 10] if args.smoke else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.smoke else args.repeat
    print(f"{'shape':24}" + "".join(f"{f'{kb} KB':>16}" for kb in sizes))
    for name, (make, parse) in SHAPES.items():
        cells, prev = [], None
        for kb in sizes:
            try:
                took = best_of(parse, make(kb), repeat)
            except PlanError as exc:  # one call over MAX_STEP_CHARS is refused, not parsed
                cells.append("refused" if "longer than" in str(exc) else "error")
                prev = None
                continue
            ratio = f" ({took / prev:4.1f}x)" if prev else ""
            cells.append(f"{took * 1000:8.1f} ms{ratio}")
            prev = took
        print(f"{name:24}" + "".join(f"{c:>16}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
