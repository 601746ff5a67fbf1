"""The Tool RAG ablation (TinyAgent Table 3): no Tool RAG / embedding top-k / the classifier, same planner.

For each configuration, the real planner (give `--model smollm2-135m` for the untuned long-prompt planner: long
prompt, 4 retrieved examples, grammar on) plans every selected request; tools are never executed. Printed per set:
tool recall (gold plan tools the selection kept), average tools offered, mean prompt tokens, tokens to evaluate
(prompt tokens minus the longest prefix shared with one of the 8 previous prompts of that configuration: what the
KV cache and prefix snapshots spare; the first request is left out), success (the paper's DAG metric), argument
accuracy among successes, time to first task p50 and plan latency p50 (warm process, prefix cache on).

    edgecall data generate --out data/generated
    EDGECALL_THREADS=1 python benchmarks/bench_toolrag_ablation.py --model smollm2-135m --dev-step 2 --heldout 40 \
        --out reports/toolrag
    python benchmarks/bench_toolrag_ablation.py --smoke

The embedding top-k selector needs a top-k artifact (`--topk`; `benchmarks/data/toolrag-topk3.npz` is built by
`--build-topk MODEL2VEC_DIR` from MiniLM distilled with model2vec) and is skipped without one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from edgecall.app import build_llm, build_planner, build_toolset, served_prompt_format
from edgecall.config import load_settings
from edgecall.dataset import load_examples
from edgecall.evaluation import evaluate_example, summarize
from edgecall.planner import get_prompt_format
from edgecall.retrieval import ToolClassifier, default_classifier

TOPK_DEFAULT = Path(__file__).parent / "data" / "toolrag-topk3.npz"


def fresh_tokens(tokenize, prompt: str, seen: list[list[int]]) -> tuple[int, int]:
    """(prompt tokens, tokens llama.cpp must evaluate when it reuses the longest prefix shared with one of the 8
    previous prompts, as its KV cache and prefix snapshots do); `seen` collects the prompts."""
    from edgecall.llm.llamacpp import common_prefix_len

    toks = tokenize(prompt)
    reuse = max((common_prefix_len(toks, s) for s in seen[-8:]), default=0)
    seen.append(toks)
    return len(toks), len(toks) - reuse


def run_config(name, planner, sets, out_dir: Path | None) -> None:
    tokenize = planner.llm._engine.tokenize
    for set_name, examples in sets.items():
        results, recall_hit, recall_tot, offered, fresh, seen = [], 0, 0, [], [], []
        t0 = time.perf_counter()
        for ex in examples:
            gold = {t.tool for t in ex.gold.tasks} - {"join"}
            selected = planner.selected_tools(ex.query)
            names = set(selected.names()) if selected is not None else set(planner.tools.names())
            recall_hit += len(gold & names)
            recall_tot += len(gold)
            offered.append(len(names))
            fresh.append(fresh_tokens(tokenize, planner.prompt(ex.query, now=ex.now), seen)[1])
            results.append(evaluate_example(planner, ex))
        s = summarize(results)
        print(f"| {name} | {set_name} | {len(examples)} | {recall_hit / recall_tot:.3f} | "
              f"{sum(offered) / len(offered):.2f} | {s['prompt_tokens_mean']:.0f} | "
              f"{sum(fresh[1:]) / max(len(fresh) - 1, 1):.0f} | {s['success_rate']:.1%} | "
              f"{s['arg_accuracy']:.1%} | {s['ttft_p50_s'] or 0:.2f} s | {s['latency_p50_s'] or 0:.2f} s | "
              f"{time.perf_counter() - t0:.0f} s |", flush=True)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            with (out_dir / f"{name.replace(' ', '_')}-{set_name}.jsonl").open("w") as fh:
                for r in results:
                    fh.write(json.dumps(r.to_dict()) + "\n")


def prompt_cost(name, planner, sets) -> None:
    """Without generating: tool recall, offered tools, prompt tokens, and the tokens llama.cpp must evaluate when it
    reuses the longest prefix shared with any earlier prompt (its KV cache and snapshots do about that). Load-free,
    unlike wall-clock latency on a shared machine."""
    tokenize = planner.llm._engine.tokenize
    for set_name, examples in sets.items():
        seen: list[list[int]] = []
        hit = tot = 0
        offered, total, fresh = [], [], []
        for ex in examples:
            gold = {t.tool for t in ex.gold.tasks} - {"join"}
            selected = planner.selected_tools(ex.query)
            names = set(selected.names()) if selected is not None else set(planner.tools.names())
            hit, tot = hit + len(gold & names), tot + len(gold)
            offered.append(len(names))
            n_total, n_fresh = fresh_tokens(tokenize, planner.prompt(ex.query, now=ex.now), seen)
            total.append(n_total)
            fresh.append(n_fresh)
        n = len(examples)
        print(f"| {name} | {set_name} | {n} | {hit / tot:.3f} | {sum(offered) / n:.2f} | {sum(total) / n:.0f} | "
              f"{sum(fresh[1:]) / max(n - 1, 1):.0f} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", default="data/dev.jsonl")
    ap.add_argument("--dev-step", type=int, default=1, help="every N-th dev request (1: all 190; 0: none)")
    ap.add_argument("--dev-offset", type=int, default=0,
                    help="start at this dev request (with --dev-step 2: 0 and 1 are the two halves)")
    ap.add_argument("--dev-limit", type=int, default=0, help="only the first N dev requests (after --dev-step; 0: all)")
    ap.add_argument("--heldout", type=int, default=40, help="first N requests of test_heldout (0: skip)")
    ap.add_argument("--data", default="data/generated", help="folder with test_heldout.jsonl")
    ap.add_argument("--model", default=None, help="planner preset (default: the configured default)")
    ap.add_argument("--topk", type=Path, default=TOPK_DEFAULT, help="embedding top-k artifact")
    ap.add_argument("--build-topk", type=Path, help="model2vec folder: (re)build the --topk artifact from it")
    ap.add_argument("--configs", default="none,topk,classifier")
    ap.add_argument("--out", type=Path, help="folder for per-example results (JSONL)")
    ap.add_argument("--tokens-only", action="store_true", help="no generation: recall, tools, prompt tokens and "
                    "tokens to evaluate after prefix reuse, on every selected request")
    ap.add_argument("--toolrag-model", type=Path, help="classifier artifact (default: the packaged one)")
    ap.add_argument("--smoke", action="store_true", help="CI size: 2 dev requests, no held-out set")
    args = ap.parse_args(argv)
    settings = load_settings(model=args.model)
    llm = build_llm(settings)
    tools = build_toolset(settings, llm)
    if args.build_topk:
        from edgecall.retrieval.toolrag_static import StaticEmbeddings, embedding_topk

        embedding_topk(StaticEmbeddings(args.build_topk), tools, 3).save(args.topk)
    dev = load_examples(args.dev)[args.dev_offset :: args.dev_step] if args.dev_step > 0 else []
    dev = dev[: args.dev_limit] if args.dev_limit > 0 else dev
    sets = {"dev": dev[:2] if args.smoke else dev} if dev else {}
    if args.heldout and not args.smoke:
        sets["test_heldout"] = load_examples(Path(args.data) / "test_heldout.jsonl", limit=args.heldout)
    selectors = {"none": None, "classifier": default_classifier(args.toolrag_model)}
    if args.topk.is_file():
        selectors["topk"] = ToolClassifier.load(args.topk)
    fmt = get_prompt_format(served_prompt_format(settings))
    examples = f"{settings.retrieved_examples} retrieved examples" if fmt.uses_examples else "no examples"
    print(f"planner {settings.model}, {fmt.name} prompt, grammar {settings.grammar}, {examples}")
    if args.tokens_only:
        print("| Tool RAG | set | n | tool recall | avg tools | prompt tokens | tokens to evaluate (prefix reused) |")
        print("|---|---|---|---|---|---|---|")
        for name in args.configs.split(","):
            if name in selectors:
                planner = build_planner(settings, tools, llm)
                planner.tool_selector = selectors[name]
                prompt_cost({"topk": "embedding top-3"}.get(name, name), planner, sets)
        return 0
    print("| Tool RAG | set | n | tool recall | avg tools | prompt tokens | tokens to evaluate | success | "
          "args (of successes) | first task p50 | plan latency p50 | wall |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.configs.split(","):
        if name not in selectors:
            print(f"(skipped {name}: no artifact)")
            continue
        planner = build_planner(settings, tools, llm)
        planner.tool_selector = selectors[name]
        run_config({"topk": "embedding top-3"}.get(name, name), planner, sets, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
