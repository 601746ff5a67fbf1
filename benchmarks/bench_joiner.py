"""Which joiner should be the default? Rule joiner vs the paper's LLM joiner, measured.

Gold plans from a dataset are executed for real on a fresh demo profile (no planner involved),
then each joiner decides. A decision is correct when:
  * every step succeeded  -> Finish, and the answer contains the final step's result;
  * a step failed          -> Finish (these failures are not fixable by replanning: unknown
                              contacts, missing files), and the answer names the failure.
It prints the correct-decision rate and the mean decision latency of each joiner.

    python benchmarks/bench_joiner.py --data data/dev.jsonl --limit 40
    python benchmarks/bench_joiner.py --smoke
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from edgecall.app import build_toolset
from edgecall.assistant.demo import init_demo
from edgecall.config import load_settings
from edgecall.llm import load_llm
from edgecall.plan import PlanError, parse_plan
from edgecall.runtime import Executor, Finish, LLMJoiner, RuleJoiner


def correct(decision: object, results: dict) -> bool:
    if not isinstance(decision, Finish) or not decision.answer.strip():
        return False
    failed = [r for r in results.values() if not r.ok]
    if failed:
        return any(r.tool.replace("_", " ") in decision.answer or (r.error or "")[:30] in decision.answer for r in failed)
    last = max(results)
    return str(results[last].value).strip()[:40] in decision.answer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="data/dev.jsonl")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--smoke", action="store_true", help="CI size: 4 examples")
    args = ap.parse_args(argv)
    limit = 4 if args.smoke else args.limit
    rows = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        init_demo(Path(tmp) / "demo")
        settings = load_settings(assistant={"data_dir": Path(tmp) / "demo"})
        tools = build_toolset(settings, None)
        joiners = {"rule": RuleJoiner(), "llm": LLMJoiner(load_llm(args.model))}
        scores: dict[str, list[bool]] = {k: [] for k in joiners}
        times: dict[str, list[float]] = {k: [] for k in joiners}
        for row in rows[:limit]:
            try:
                plan = parse_plan(row["plan"], tools)
            except PlanError:
                continue
            results = asyncio.run(Executor(tools, timeout=30).run(plan.tasks))
            for name, joiner in joiners.items():
                t0 = time.perf_counter()
                decision = joiner.decide(row["query"], plan, results, can_replan=True)
                times[name].append(time.perf_counter() - t0)
                scores[name].append(correct(decision, results))
    print("joiner | n | correct_decisions | mean_latency_s")
    for name in joiners:
        n = len(scores[name])
        print(f"{name} | {n} | {sum(scores[name]) / n:.2f} | {statistics.mean(times[name]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
