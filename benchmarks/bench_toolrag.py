"""Tool RAG candidates: which classifier picks the needed tools best, with how many tools, how fast?

Trains each candidate on the generated train split (thresholds calibrated on val) and measures, on the
hand-written data/dev.jsonl and the generated test_heldout:

* tool recall (gold plan tools that were selected / gold plan tools) at a fixed average number of selected
  tools (a global logit offset is searched so every candidate selects the same number on average; the
  comparison the issue asks for), and at the shipped policy;
* selection latency p50 (one request at a time, warm process) and artifact size and load time.

Candidates: ``ngram`` (hashed word/char n-grams + logistic regression), ``static`` (model2vec static
embeddings distilled from the packaged MiniLM + logistic regression), ``hybrid`` (both), and ``llama``
(the planner model's own mean-pooled embeddings through llama.cpp, trained on a subset: it is slow).

    edgecall data generate --out data/generated
    python benchmarks/bench_toolrag.py --data data/generated --static /path/to/model2vec-folder --llama
    python benchmarks/bench_toolrag.py --smoke

``--measure ART [ART ...]`` instead measures trained artifacts (e.g. the packaged one) as shipped: recall and
average tools offered by `ToolClassifier.select` (thresholds, min/max tools, co-occurrence, fallback, named tools),
the tools missed, p50 select latency, size and load time; ``--misses`` lists the dev misses.

    python benchmarks/bench_toolrag.py --measure src/edgecall/retrieval/models/toolrag-assistant.npz \
        --heldout data/generated/test_heldout.jsonl --misses
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from edgecall.assistant.tools import assistant_toolset
from edgecall.dataset import load_rows
from edgecall.retrieval.toolrag import ToolClassifier
from edgecall.retrieval.toolrag_train import plan_tools, train_classifier


def gold_sets(rows):
    return [plan_tools(r["plan"]) for r in rows]


def recall_at(probs: np.ndarray, thresholds: np.ndarray, gold: list[set[int]], avg: float) -> tuple[float, float]:
    """Recall when a global logit offset makes the mean selection size `avg` (at least one tool each)."""
    logit = np.log(np.clip(probs, 1e-9, 1 - 1e-9) / np.clip(1 - probs, 1e-9, 1))
    tlogit = np.log(thresholds / (1 - thresholds))

    def select(offset: float) -> np.ndarray:
        chosen = logit + offset >= tlogit
        chosen[np.arange(len(probs)), probs.argmax(axis=1)] = True
        return chosen

    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if select(mid).sum(axis=1).mean() < avg:
            lo = mid
        else:
            hi = mid
    chosen = select(hi)
    hit = sum(len([t for t in g if chosen[i, t]]) for i, g in enumerate(gold))
    return hit / sum(len(g) for g in gold), float(chosen.sum(axis=1).mean())


def measure(name: str, clf: ToolClassifier, sets: dict, avg: float) -> None:
    path = Path(tempfile.mkdtemp()) / f"{name}.npz"
    clf.save(path)
    t0 = time.perf_counter()
    clf = ToolClassifier.load(path)
    clf.scores("warm up")
    load_s = time.perf_counter() - t0
    cells = []
    for rows in sets.values():
        index = {t: i for i, t in enumerate(clf.tools)}
        gold = [{index[t] for t in g} for g in gold_sets(rows)]
        lat, probs = [], []
        for r in rows:
            t1 = time.perf_counter()
            sel = clf.select(r["query"])
            lat.append(time.perf_counter() - t1)
            probs.append([sel.scores[t] for t in clf.tools])
        rec, n = recall_at(np.array(probs), np.array([clf.thresholds[t] for t in clf.tools]), gold, avg)
        # the shipped policy (thresholds, min/max tools, co-occurrence, fallback)
        hit = tot = ntools = 0
        for r, g in zip(rows, gold_sets(rows)):
            s = set(clf.select(r["query"]).selected)
            hit, tot, ntools = hit + len(g & s), tot + len(g), ntools + len(s)
        cells.append(f"{rec:.3f} @ {n:.2f} | {hit / tot:.3f} @ {ntools / len(rows):.2f} | "
                     f"{np.median(lat) * 1000:.2f} ms")
    size = os.path.getsize(path) / 1e6
    print(f"| {name} | " + " | ".join(cells) + f" | {size:.1f} MB | {load_s:.2f} s |", flush=True)


def measure_artifact(path: Path, sets: dict, misses: bool) -> None:
    """One table row per set: the artifact's shipped policy, as the planner uses it."""
    order = assistant_toolset().names()
    t0 = time.perf_counter()
    clf = ToolClassifier.load(path)
    clf.scores("warm up")
    load_s = time.perf_counter() - t0
    for name, rows in sets.items():
        hit = tot = ntools = 0
        lat, missed = [], []
        for r in rows:
            gold = plan_tools(r["plan"])
            t1 = time.perf_counter()
            sel = clf.select(r["query"], order)
            lat.append(time.perf_counter() - t1)
            chosen = set(sel.selected)
            hit, tot, ntools = hit + len(gold & chosen), tot + len(gold), ntools + len(chosen)
            missed += [(t, sel.scores.get(t, 0.0), sel.thresholds.get(t, 0.0), r["query"]) for t in sorted(gold - chosen)]
        print(f"| {path.name} | {name} | {len(rows)} | {hit / tot:.4f} | {tot - hit} of {tot} | {ntools / len(rows):.2f} "
              f"| {np.median(lat) * 1000:.2f} ms | {os.path.getsize(path) / 1e6:.2f} MB | {load_s:.2f} s |", flush=True)
        if misses and name == "dev":
            for tool, score, threshold, query in missed:
                print(f"    missed {tool} (score {score:.3f}, threshold {threshold:.3f}): {query}")


def llama_candidate(train, val, tools, n_train: int):
    """Mean-pooled SmolLM2 embeddings + logistic regression (benchmark only: it needs the model at plan time)."""
    import llama_cpp
    from sklearn.linear_model import LogisticRegression

    from edgecall.llm.presets import preset_path
    from edgecall.retrieval.toolrag_train import _labels

    llm = llama_cpp.Llama(str(preset_path("smollm2-135m")), embedding=True, pooling_type=1, n_ctx=256,
                          n_threads=int(os.environ.get("EDGECALL_THREADS", "2")), verbose=False)

    def emb(texts):
        return np.array([llm.embed(t, normalize=True) for t in texts], dtype=np.float32)

    x = emb([r["query"] for r in train[:n_train]])
    y = _labels(train[:n_train], tools, "training")
    heads = [LogisticRegression(C=10, max_iter=2000).fit(x, y[:, j]) for j in range(len(tools))]

    class Llama:
        def scores(self, q):
            e = emb([q])
            return {t: float(h.predict_proba(e)[0, 1]) for t, h in zip(tools, heads)}

    return Llama()


def measure_llama(model, tools, sets, avg):
    cells = []
    for rows in sets.values():
        gold = [{tools.index(t) for t in g} for g in gold_sets(rows)]
        lat, probs = [], []
        for r in rows:
            t1 = time.perf_counter()
            s = model.scores(r["query"])
            lat.append(time.perf_counter() - t1)
            probs.append([s[t] for t in tools])
        rec, n = recall_at(np.array(probs), np.full(len(tools), 0.5), gold, avg)
        cells.append(f"{rec:.3f} @ {n:.2f} | - | {np.median(lat) * 1000:.2f} ms")
    print("| llama (smollm2 embeddings) | " + " | ".join(cells) + " | (the planner GGUF) | - |", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="data/generated", help="folder with train.jsonl, val.jsonl, test_heldout.jsonl")
    ap.add_argument("--dev", default="data/dev.jsonl")
    ap.add_argument("--static", help="model2vec folder (distilled MiniLM) for the static and hybrid candidates")
    ap.add_argument("--llama", action="store_true", help="also the planner-embedding candidate (slow)")
    ap.add_argument("--llama-train", type=int, default=3000)
    ap.add_argument("--avg", type=float, default=3.0, help="average tools for the recall comparison")
    ap.add_argument("--smoke", action="store_true", help="CI size: generate 400 rows, n-gram candidate only")
    ap.add_argument("--measure", nargs="+", type=Path, metavar="ART", help="measure these artifacts instead")
    ap.add_argument("--heldout", type=Path, help="with --measure: the test_heldout JSONL (default: --data's)")
    ap.add_argument("--misses", action="store_true", help="with --measure: list the tools missed on dev")
    args = ap.parse_args(argv)
    tools = assistant_toolset().names()
    if args.measure:
        sets = {"dev": load_rows(Path(args.dev)),
                "test_heldout": load_rows(args.heldout or Path(args.data) / "test_heldout.jsonl")}
        print("| artifact | set | n | tool recall | missed | avg tools offered | p50 select | size | load |")
        print("|---|---|---|---|---|---|---|---|---|")
        for path in args.measure:
            measure_artifact(path, sets, args.misses)
        return 0
    if args.smoke:
        from edgecall.data.generate import generate_splits

        rep = generate_splits(assistant_toolset(), seed=7, sizes={"train": 400, "val": 100, "test": 0,
                                                                 "test_heldout": 50})
        train, val, heldout = rep.rows["train"], rep.rows["val"], rep.rows["test_heldout"]
        dev = load_rows(Path(args.dev))[:50]
    else:
        data = Path(args.data)
        train, val = load_rows(data / "train.jsonl"), load_rows(data / "val.jsonl")
        heldout, dev = load_rows(data / "test_heldout.jsonl"), load_rows(Path(args.dev))
    sets = {"dev": dev, "test_heldout": heldout}
    print(f"train {len(train)}, val {len(val)}; recall @ mean tools (offset searched for {args.avg}) | "
          "shipped policy recall @ mean tools | p50 select latency, per set")
    print("| candidate | dev recall @ tools | dev policy | dev p50 | heldout recall @ tools | heldout policy "
          "| heldout p50 | size | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    measure("ngram", train_classifier(train, val, tools, c=1.0, calibration="val").classifier, sets, args.avg)
    if args.static:
        from edgecall.retrieval.toolrag_static import StaticEmbeddings

        st = StaticEmbeddings(args.static)
        measure("static (MiniLM model2vec)", train_classifier(train, val, tools, c=1.0, static=st, calibration="val",
                                                              use_ngram=False).classifier, sets, args.avg)
        measure("hybrid (ngram + static)", train_classifier(train, val, tools, c=1.0, static=st, calibration="val").classifier,
                sets, args.avg)
    if args.llama:
        measure_llama(llama_candidate(train, val, tools, args.llama_train), tools, sets, args.avg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
