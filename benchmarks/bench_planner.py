"""Planner speed and reliability for the packaged models (issue 2's benchmark).

For each model it prints, over a fixed set of requests: prompt tokens, time to first task,
plan latency and decode tokens/s, with and without the prefix KV cache, with and without
speculative decoding (`edgecall.llm.draft`); and the parse and valid rates with and without
the plan grammar. Run:

    python benchmarks/bench_planner.py                # the default planner and both packaged base models
    python benchmarks/bench_planner.py --smoke        # CI size: the default planner, two requests

Figures depend on the machine; the with/without ratios in one run are what to compare.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime

from edgecall.app import build_planner, build_toolset
from edgecall.config import load_settings
from edgecall.llm import DEFAULT_PRESET, load_llm

NOW = datetime(2024, 6, 3, 9, 0, 0)
REQUESTS = [
    "Text Maria that I'm running late",
    "What's Dana's email address?",
    "Email Sid and Lutfi the budget.xlsx file and say it's the final version",
    "Summarize Minutes.pdf and save it in a note called Minutes summary",
    "Remind me to call the dentist tomorrow at 10am",
    "Show me how to walk from the Ferry Building to Coit Tower",
    "Set up a zoom call with Sofía on Thursday at 3pm about the launch and email her the link",
    "Reply to this email saying Thursday works for me",
]


def run_config(model: str, requests: list[str], *, grammar: bool, prefix_cache: bool, speculative: bool) -> dict:
    settings = load_settings(model=model, grammar=grammar)
    llm = load_llm(model, prefix_cache=prefix_cache, n_ctx=settings.n_ctx, speculative=speculative)
    planner = build_planner(settings, build_toolset(settings, None), llm)
    planner.plan("warm-up: open the note Groceries", now=NOW)  # load weights; fill the cache when enabled
    rows = []
    for q in requests:
        t0 = time.perf_counter()
        out = planner.plan(q, now=NOW)
        rows.append(
            {
                "query": q,
                "prompt_tokens": out.prompt_tokens,
                "completion_tokens": out.completion_tokens,
                "ttft_s": out.ttft_s,
                "total_s": time.perf_counter() - t0,
                "parsed": out.parsed,
                "valid": out.valid,
            }
        )
    n = len(rows)
    ttfts = [r["ttft_s"] for r in rows if r["ttft_s"] is not None]
    toks = sum(r["completion_tokens"] or 0 for r in rows)
    secs = sum(r["total_s"] for r in rows)
    return {
        "model": model,
        "grammar": grammar,
        "prefix_cache": prefix_cache,
        "speculative": speculative,
        "n": n,
        "prompt_tokens": statistics.mean(r["prompt_tokens"] or 0 for r in rows),
        "ttft_p50_s": statistics.median(ttfts) if ttfts else None,
        "latency_p50_s": statistics.median(r["total_s"] for r in rows),
        "tokens_per_s": toks / secs if secs else None,
        "parse_rate": sum(r["parsed"] for r in rows) / n,
        "valid_rate": sum(r["valid"] for r in rows) / n,
    }


def fmt(v: object) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=[DEFAULT_PRESET, "smollm2-135m", "gemma3-270m"])
    ap.add_argument("--smoke", action="store_true", help="CI size: first model, two requests")
    ap.add_argument("--json", action="store_true", help="print one JSON line per configuration")
    args = ap.parse_args(argv)
    models = args.models[:1] if args.smoke else args.models
    requests = REQUESTS[:2] if args.smoke else REQUESTS
    # (grammar, prefix_cache, speculative): the default first, then each switched off alone
    configs = [(True, True, True), (True, False, True), (True, True, False), (False, True, True)]
    results = []
    for model in models:
        for grammar, cache, speculative in configs:
            res = run_config(model, requests, grammar=grammar, prefix_cache=cache, speculative=speculative)
            results.append(res)
            if args.json:
                print(json.dumps(res))
    cols = ["model", "grammar", "prefix_cache", "speculative", "n", "prompt_tokens", "ttft_p50_s", "latency_p50_s", "tokens_per_s",
            "parse_rate", "valid_rate"]
    print(" | ".join(cols))
    for r in results:
        print(" | ".join(fmt(r[c]) for c in cols))
    for model in models:
        mine = [r for r in results if r["model"] == model and r["grammar"]]
        on = next(r for r in mine if r["prefix_cache"] and r["speculative"])
        off = next(r for r in mine if not r["prefix_cache"])
        plain = next(r for r in mine if not r["speculative"])
        if on["ttft_p50_s"] and off["ttft_p50_s"]:
            print(f"{model}: prefix cache speeds time-to-first-task {off['ttft_p50_s'] / on['ttft_p50_s']:.1f}x")
        print(f"{model}: speculative decoding speeds plan latency {plain['latency_p50_s'] / on['latency_p50_s']:.2f}x "
              f"(p50; decode {on['tokens_per_s']:.0f} vs {plain['tokens_per_s']:.0f} tokens/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
