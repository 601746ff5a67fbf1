"""Which in-context examples help a small planner? Fixed examples vs retrieved ones.

Runs the real planner (grammar on) over every fifth dev example with four example settings and
prints the DAG-match success and the mean prompt length of each:

    EDGECALL_THREADS=1 python benchmarks/bench_examples.py --n 30
    python benchmarks/bench_examples.py --smoke
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from edgecall.app import build_toolset, example_retriever
from edgecall.assistant.prompt import EXAMPLES, PLANNING_RULES
from edgecall.config import load_settings
from edgecall.dataset import row_now
from edgecall.llm import load_llm
from edgecall.plan import parse_plan, plans_match
from edgecall.planner import Planner


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="data/dev.jsonl")
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--smoke", action="store_true", help="CI size: 2 examples")
    args = ap.parse_args(argv)
    lines = Path(args.data).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()][::5][: 2 if args.smoke else args.n]
    llm = load_llm(args.model)
    tools = build_toolset(load_settings(), None)
    configs = {
        "12 fixed": {"examples": EXAMPLES},
        "12 fixed + 3 retrieved": {"examples": EXAMPLES, "retriever": example_retriever(), "n_retrieved": 3},
        "4 retrieved": {"retriever": example_retriever(), "n_retrieved": 4},
        "6 retrieved": {"retriever": example_retriever(), "n_retrieved": 6},
    }
    print("examples | success | mean_prompt_tokens | seconds")
    for name, kw in configs.items():
        planner = Planner(llm, tools, rules=PLANNING_RULES, **kw)
        ok, tokens, t0 = 0, [], time.perf_counter()
        for row in rows:
            now = row_now(row)
            out = planner.plan(row["query"], now=now)
            tokens.append(out.prompt_tokens or 0)
            ok += out.plan is not None and plans_match(out.plan, parse_plan(row["plan"]))
        print(f"{name} | {ok}/{len(rows)} | {sum(tokens) // len(tokens)} | {time.perf_counter() - t0:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
