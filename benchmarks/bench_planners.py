"""Untuned vs fine-tuned planner (issue 9's benchmark): quality on hand-written and generated requests, speed, memory.

Variants (each in its own warm process, 2 llama.cpp threads unless EDGECALL_THREADS says otherwise):

- untuned:          the base model (the packaged SmolLM2-135M unless --base names another preset or GGUF file),
                    long prompt (tools, rules, 4 retrieved examples), plan grammar on
- fine-tuned:       the fine-tuned planner (the base with the LoRA adapter), in the prompt format it was trained in
                    (the preset's, or the one `edgecall export` recorded in --adapter), no grammar
- fine-tuned+gbnf:  the same with the plan grammar

For each variant and dataset it prints success (the paper's DAG metric), argument accuracy (among successes),
validity, p50/p90 time to first task and plan latency, mean prompt tokens, and the process's peak RSS. Run:

    python benchmarks/bench_planners.py --adapter runs/planner-default/adapter.gguf      # dev + generated splits
    python benchmarks/bench_planners.py --sets dev --limit 50                              # smaller
    python benchmarks/bench_planners.py --generated data/generated-v2 --sets test_heldout --skip 800 --limit 200  # a selection slice
    python benchmarks/bench_planners.py --smoke                                            # CI size
    python benchmarks/bench_planners.py --generated data/generated-v2 --save reports/planners  # per-request rows
    python benchmarks/bench_planners.py --base gemma3-270m --adapter gemma.gguf --sets dev     # another base

Without --adapter the fine-tuned variants are the `edgecall-planner` preset as `edgecall run` serves it: the shipped
adapter merged into the base (Q8_0, made once into the model cache). With --adapter they are the base model with
that adapter applied by llama.cpp at run time (what a freshly trained adapter is scored as; `--adapter shipped`
names the packaged one, to compare the two ways of serving it). Generated splits come from
`edgecall data generate --out data/generated` (or `--generated DIR`: another generator version's splits).
`--save DIR` writes every request's result (prediction, gold, confusion, timings) to
`DIR/<variant>.<set>.jsonl`, what `benchmarks/data_classes.py errors` reads. Local models decode speculatively
(`speculative` in the settings); `EDGECALL_SPECULATIVE=0` measures plain decoding. Figures depend on the machine and
its load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SET_NAMES = ("dev", "test", "test_heldout")
DEFAULT_BASE = "smollm2-135m"  # the shipped edgecall-planner adapter's base


def set_path(name: str, generated: Path) -> Path:
    """dev is hand-written (data/dev.jsonl); test and test_heldout are the generator's splits in `generated`."""
    return ROOT / "data" / "dev.jsonl" if name == "dev" else generated / f"{name}.jsonl"

VARIANTS = {
    "untuned": {"prompt_format": "long", "grammar": True, "tuned": False},
    "fine-tuned": {"prompt_format": None, "grammar": False, "tuned": True},
    "fine-tuned+gbnf": {"prompt_format": None, "grammar": True, "tuned": True},
}
"""A tuned variant's prompt format (None) is its adapter's: see `tuned_format`."""
COLUMNS = [("variant", "variant"), ("set", "set"), ("n", "n"), ("success", "success_rate"),
           ("args", "arg_accuracy"), ("valid", "valid_rate"), ("ttft p50", "ttft_p50_s"), ("ttft p90", "ttft_p90_s"),
           ("plan p50", "latency_p50_s"), ("plan p90", "latency_p90_s"), ("prompt tok", "prompt_tokens"),
           ("peak RSS MB", "peak_rss_mb")]


SHIPPED = "edgecall-planner"  # the preset whose merged model the fine-tuned variants measure by default


def shipped_adapter() -> Path:
    from edgecall.llm.presets import get_preset

    path = get_preset(SHIPPED).adapter_path()
    assert path is not None
    return path


def tuned_format(adapter: str | None) -> str | None:
    """The prompt format a fine-tuned variant is served in: the one `edgecall export` recorded in `adapter`
    (`edgecall.prompt_format`; compact in files older than the record), else None, which is the settings' or the
    preset's (`EDGECALL_PROMPT_FORMAT` scores a candidate copied over the packaged adapter in its own format)."""
    if adapter is None:
        return None
    from edgecall.training.export import gguf_adapter_record

    return gguf_adapter_record(Path(adapter), "edgecall.prompt_format") or "compact"


def child(variant: str, sets: list[str], limit: int | None, adapter: str | None, generated: Path,
          save: Path | None, base: str = DEFAULT_BASE, skip: int = 0) -> list[dict[str, Any]]:
    """Evaluate one variant on the sets in this (warm) process; one summary row per set."""
    from edgecall.app import build_llm, build_planner, build_toolset
    from edgecall.config import load_settings
    from edgecall.dataset import load_examples
    from edgecall.evaluation.runner import run_evaluation, summarize

    spec = VARIANTS[variant]
    model = SHIPPED if spec["tuned"] and adapter is None else base
    fmt = tuned_format(adapter) if spec["tuned"] else spec["prompt_format"]
    settings = load_settings(model=model, grammar=spec["grammar"], prompt_format=fmt,
                             adapter=Path(adapter) if spec["tuned"] and adapter else None, tool_rag=False)
    llm = build_llm(settings)
    planner = build_planner(settings, build_toolset(settings, llm), llm)
    planner.plan("warm-up: open the note Groceries", now=datetime(2024, 6, 3, 9))
    rows = []
    for name in sets:
        examples = load_examples(set_path(name, generated), limit=skip + limit if limit else None)[skip:]
        results = run_evaluation(planner, examples)
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            with (save / f"{variant}.{name}.jsonl").open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r.to_dict()) + "\n" for r in results)
        summary = summarize(results)
        rows.append({"variant": variant, "set": name, **summary, "prompt_tokens": summary["prompt_tokens_mean"],
                     "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    return rows


def cell(key: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if key.endswith("_rate") or key == "arg_accuracy":
        return f"{100 * value:.1f}%"
    if key.endswith("_s"):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.0f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adapter", help="GGUF LoRA adapter applied at run time, or 'shipped' for the packaged one "
                                      "(default: the edgecall-planner preset, served merged)")
    ap.add_argument("--base", default=DEFAULT_BASE,
                    help=f"base model preset or GGUF file of every variant (default: {DEFAULT_BASE})")
    ap.add_argument("--sets", default="dev,test,test_heldout", help="comma-separated: dev, test, test_heldout")
    ap.add_argument("--limit", type=int, help="first N requests of each set")
    ap.add_argument("--skip", type=int, default=0,
                    help="skip the first N requests of each set (with --limit: a slice disjoint from the usual "
                         "first rows, to choose a setting on without touching the reported ones)")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: " + ", ".join(VARIANTS))
    ap.add_argument("--smoke", action="store_true", help="CI size: dev only, 2 requests")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON lines too")
    ap.add_argument("--generated", type=Path, default=ROOT / "data" / "generated",
                    help="folder of the generated test/test_heldout splits (default: data/generated)")
    ap.add_argument("--save", type=Path, help="write each request's result to SAVE/<variant>.<set>.jsonl")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.skip < 0:
        ap.error("--skip must be 0 or more")
    sets = ["dev"] if args.smoke else [s for s in args.sets.split(",") if s]
    limit = 2 if args.smoke else args.limit
    for name in sets:
        if name not in SET_NAMES:
            ap.error(f"unknown set {name!r}; choose from {', '.join(SET_NAMES)}")
        if not set_path(name, args.generated).is_file():
            ap.error(f"{set_path(name, args.generated)} is missing; make it with: "
                     f"edgecall data generate --out {args.generated}")
    if args.child:
        print(json.dumps(child(args.child, sets, limit, args.adapter, args.generated, args.save, args.base,
                               args.skip)))
        return 0
    adapter = str(shipped_adapter()) if args.adapter == "shipped" else args.adapter
    variants = [v for v in args.variants.split(",") if v]
    for v in variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v!r}; choose from {', '.join(VARIANTS)}")
    if adapter is None and args.base != DEFAULT_BASE and any(VARIANTS[v]["tuned"] for v in variants):
        ap.error(f"no adapter: pass --adapter (from `edgecall export`); the shipped {SHIPPED} is for {DEFAULT_BASE} "
                 "only")
    env = {**os.environ, "EDGECALL_THREADS": os.environ.get("EDGECALL_THREADS", "2")}
    rows: list[dict[str, Any]] = []
    for variant in variants:
        cmd = [sys.executable, __file__, "--child", variant, "--sets", ",".join(sets),
               "--generated", str(args.generated), "--base", args.base]
        if args.save:
            cmd += ["--save", str(args.save)]
        if limit:
            cmd += ["--limit", str(limit)]
        if args.skip:
            cmd += ["--skip", str(args.skip)]
        if adapter:
            cmd += ["--adapter", str(adapter)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            return done.returncode
        rows.extend(json.loads(done.stdout.strip().splitlines()[-1]))
    tuned = f"{args.base} + adapter {adapter} at run time" if adapter else f"{SHIPPED} (merged)"
    from edgecall.config import load_settings

    speculative = "on" if load_settings().speculative else "off (EDGECALL_SPECULATIVE=0)"
    print(f"untuned: {args.base}; fine-tuned: {tuned}; threads: {env['EDGECALL_THREADS']}; "
          f"speculative decoding: {speculative}; generated splits: {args.generated}")
    print("| " + " | ".join(title for title, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        print("| " + " | ".join(cell(key, row.get(key)) for _, key in COLUMNS) + " |")
        if args.json:
            print(json.dumps(row))
    print("\nsuccess by plan steps (tool calls before join):")
    for row in rows:
        steps = ", ".join(f"{k}: {100 * v['success_rate']:.0f}% of {v['n']}" for k, v in row.get("by_steps", {}).items())
        print(f"  {row['variant']} / {row['set']}: {steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
