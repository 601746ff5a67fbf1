"""Fuzz the plan parser: every input must give a plan or a PlanError, each within 0.1 s.

Generates hostile plan text with the hypothesis strategies of tests/plan/plan_fuzz.py (deep
nesting and operator chains, huge numbers and long calls, broken Unicode, odd literals,
mutated plans), parses each one in batch and through the streaming parser in random chunks,
and prints how many gave a plan, a PlanError or anything else, and the slowest inputs.

    python benchmarks/fuzz_plans.py               # 100,000 inputs
    python benchmarks/fuzz_plans.py --smoke       # CI size: 2,000 inputs
Exit status 1 if any input raised something other than PlanError. Inputs over --max-s are
timed again (a shared machine has hiccups) and both counts are printed; time never fails CI.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "plan"))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from plan_fuzz import deep, long, mutated, odd_literals, parse_both, unicode

FAMILIES = {"deep": deep(), "long": long(), "unicode": unicode(), "odd": odd_literals, "mutated": mutated()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000, help="number of generated inputs")
    ap.add_argument("--smoke", action="store_true", help="CI size: 2,000 inputs")
    ap.add_argument("--max-s", type=float, default=0.1, help="slowest allowed parse of one input (batch + stream)")
    args = ap.parse_args(argv)
    n = 2_000 if args.smoke else args.n
    counts: collections.Counter[str] = collections.Counter()
    per_family: collections.Counter[str] = collections.Counter()
    escapes: list[tuple[str, str]] = []
    slow: list[tuple[float, str, int]] = []
    worst: list[float] = [0.0]
    tagged = st.one_of(*(s.map(lambda text, k=k: (k, text)) for k, s in FAMILIES.items()))

    @given(tagged, st.lists(st.integers(1, 4096), min_size=1, max_size=6))
    @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case: tuple[str, str], sizes: list[int]) -> None:
        family, text = case
        per_family[family] += 1
        t0 = time.perf_counter()
        try:
            parse_both(text, sizes)
            counts["plan or PlanError"] += 1
        except Exception as exc:
            counts["other exception"] += 1
            escapes.append((type(exc).__name__, repr(text[:80])))
        took = time.perf_counter() - t0
        worst[0] = max(worst[0], took)
        if took > args.max_s:
            t1 = time.perf_counter()
            parse_both(text, sizes)
            slow.append((took, family, len(text), time.perf_counter() - t1))

    t0 = time.perf_counter()
    run()
    total = sum(per_family.values())
    print(f"inputs: {total:,} in {time.perf_counter() - t0:.1f}s  ({', '.join(f'{k} {v:,}' for k, v in per_family.items())})")
    print(f"plan or PlanError: {counts['plan or PlanError']:,}")
    print(f"other exceptions: {counts['other exception']:,}")
    for name, text in escapes[:10]:
        print(f"  {name}: {text}")
    again = sum(1 for *_, retook in slow if retook > args.max_s)
    print(f"slowest input: {worst[0] * 1000:.1f} ms; over {args.max_s:g}s: {len(slow)} ({again} again when rerun)")
    for took, family, size, retook in sorted(slow, reverse=True)[:10]:
        print(f"  {took:.3f}s (rerun {retook:.3f}s) {family} ({size:,} chars)")
    return 1 if escapes else 0


if __name__ == "__main__":
    raise SystemExit(main())
