"""Does a better generator help the untuned default planner? Retrieval banks built from different data files.

The default planner (SmolLM2-135M, grammar on, 4 retrieved examples) copies the nearest solved examples, so the
example bank's coverage of request kinds shows up directly in its success. Each FILE gives a bank of its first
``--size`` rows; every fifth dev example is planned once per bank:

    EDGECALL_THREADS=1 python benchmarks/bench_bank.py old/train.jsonl new/train.jsonl --n 38
    python benchmarks/bench_bank.py new/train.jsonl --smoke
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from edgecall.app import build_toolset
from edgecall.assistant.prompt import PLANNING_RULES
from edgecall.config import load_settings
from edgecall.dataset import Example, load_rows, row_now
from edgecall.llm import load_llm
from edgecall.plan import parse_plan, plans_match
from edgecall.planner import Planner
from edgecall.retrieval import ExampleRetriever


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("banks", nargs="+", type=Path, help="JSONL files whose first --size rows form a bank")
    ap.add_argument("--data", type=Path, default=Path("data/dev.jsonl"))
    ap.add_argument("--n", type=int, default=38)
    ap.add_argument("--size", type=int, default=4000)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--smoke", action="store_true", help="CI size: 2 examples")
    args = ap.parse_args(argv)
    rows = load_rows(args.data)[::5][: 2 if args.smoke else args.n]
    llm = load_llm(args.model)
    tools = build_toolset(load_settings(), None)
    print("bank | success | by steps (ok/total) | seconds")
    for path in args.banks:
        bank = [Example(r["query"], r["plan"], row_now(r)) for r in load_rows(path)[: args.size]]
        planner = Planner(llm, tools, rules=PLANNING_RULES, retriever=ExampleRetriever(bank), n_retrieved=4)
        ok, by_steps, t0 = 0, {}, time.perf_counter()
        for row in rows:
            gold = parse_plan(row["plan"])
            out = planner.plan(row["query"], now=row_now(row))
            hit = out.plan is not None and plans_match(out.plan, gold)
            ok += hit
            k = min(len(gold.tasks), 4)
            done, total = by_steps.get(k, (0, 0))
            by_steps[k] = (done + hit, total + 1)
        steps = ", ".join(f"{k}{'+' if k == 4 else ''}: {a}/{b}" for k, (a, b) in sorted(by_steps.items()))
        print(f"{path} | {ok}/{len(rows)} | {steps} | {time.perf_counter() - t0:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
