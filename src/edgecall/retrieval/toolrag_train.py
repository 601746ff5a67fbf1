"""Training the Tool RAG classifier from (request, plan) rows: the labels are the tools the plan calls.

scikit-learn fits one L2-regularised logistic regression per tool on the features of `toolrag` (the same
functions build the training matrix and the plan-time vector, so they cannot drift). Thresholds are then
calibrated per tool on a validation split, on the scores the finished classifier gives (its pooling included):
the highest threshold that keeps `target_recall` of that tool's validation positives, capped at 0.5 (never
stricter than a plain classifier).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .toolrag import ToolClassifier, ToolRAGError, _sigmoid, ngram_counts, ngram_vector

__all__ = ["TrainReport", "calibrate_thresholds", "plan_tools", "train_classifier"]


def plan_tools(plan: str) -> set[str]:
    """The tools a plan calls (join excluded)."""
    from ..plan import JOIN, PlanError, parse_plan

    try:
        parsed = parse_plan(plan, require_join=False)
    except PlanError as exc:
        raise ToolRAGError(f"a training plan does not parse: {exc}") from None
    return {t.tool for t in parsed.tasks if t.tool != JOIN}


def _labels(rows: Sequence[dict[str, Any]], tools: Sequence[str], where: str) -> np.ndarray:
    index = {t: i for i, t in enumerate(tools)}
    y = np.zeros((len(rows), len(tools)), dtype=np.int8)
    for r, row in enumerate(rows):
        for name in plan_tools(row["plan"]):
            if name not in index:
                raise ToolRAGError(f"{where} row {r + 1}: plan calls {name!r}, which is not in the toolset")
            y[r, index[name]] = 1
    return y


def _ngram_vocab(texts: Sequence[str], min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Feature hashes seen in at least `min_df` training texts, with smoothed idf (as scikit-learn's)."""
    df: dict[int, int] = {}
    for text in texts:
        for h in ngram_counts(text)[0].tolist():
            df[h] = df.get(h, 0) + 1
    vocab = np.array(sorted(h for h, c in df.items() if c >= min_df), dtype=np.uint32)
    n = len(texts)
    idf = np.array([np.log((1 + n) / (1 + df[int(h)])) + 1 for h in vocab], dtype=np.float32)
    return vocab, idf


def _ngram_matrix(texts: Sequence[str], vocab: np.ndarray, idf: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for text in texts:
        cols, values = ngram_vector(text, vocab, idf)
        indices.append(cols)
        data.append(values)
        indptr.append(indptr[-1] + len(cols))
    return csr_matrix(
        (np.concatenate(data) if data else [], np.concatenate(indices) if indices else [], indptr),
        shape=(len(texts), len(vocab)), dtype=np.float32,
    )


def calibrate_thresholds(
    probs: np.ndarray, y: np.ndarray, tools: Sequence[str], *, target_recall: float, cap: float = 0.5,
    floor: float = 0.01,
) -> dict[str, float]:
    """Per tool: the largest threshold keeping `target_recall` of its positives (0.5 cap, `floor` minimum)."""
    out = {}
    for j, name in enumerate(tools):
        pos = np.sort(probs[y[:, j] == 1, j])
        if len(pos) == 0:
            out[name] = cap
            continue
        k = int(np.floor((1 - target_recall) * len(pos)))
        out[name] = float(min(cap, max(floor, pos[min(k, len(pos) - 1)] * 0.999)))
    return out


@dataclass
class TrainReport:
    classifier: ToolClassifier
    seconds: float
    train_rows: int
    val_rows: int
    features: int


def train_classifier(
    train_rows: Sequence[dict[str, Any]],
    val_rows: Sequence[dict[str, Any]],
    tools: Sequence[str],
    *,
    target_recall: float = 0.999,
    min_tools: int = 3,
    max_tools: int | None = 8,
    fallback_below: float = 0.2,
    expand_above: float = 0.9,
    c: float = 10.0,
    min_df: int = 2,
    static: Any = None,
    use_ngram: bool = True,
    pooling: str = "request",
    meta: dict[str, Any] | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> TrainReport:
    """Fit the classifier on `train_rows`, calibrate thresholds on `val_rows`.

    `static` is an optional `StaticEmbeddings` (see `toolrag_static`) whose pooled embeddings join the n-gram
    features; its head is folded into a per-token table so plan time needs no embedding matrix.
    """
    try:
        from sklearn.linear_model import LogisticRegression
    except ModuleNotFoundError:
        raise ToolRAGError("training the Tool RAG classifier needs scikit-learn: pip install 'edgecall[train]' (or pip install scikit-learn)") from None
    from scipy.sparse import csr_matrix, hstack

    if not train_rows:
        raise ToolRAGError("no training rows")
    if not val_rows:
        raise ToolRAGError("no validation rows to calibrate thresholds on")
    start = time.perf_counter()
    tools = list(tools)
    y = _labels(train_rows, tools, "training")
    yv = _labels(val_rows, tools, "validation")
    texts = [r["query"] for r in train_rows]
    vtexts = [r["query"] for r in val_rows]
    if not use_ngram and static is None:
        raise ToolRAGError("no features: enable n-grams or give static embeddings")
    vocab, idf = _ngram_vocab(texts, min_df) if use_ngram else (np.zeros(0, np.uint32), np.zeros(0, np.float32))
    log(f"{len(vocab)} n-gram features from {len(texts)} rows")
    x = _ngram_matrix(texts, vocab, idf)
    n_ngram = x.shape[1]
    if static is not None:
        x = hstack([x, csr_matrix(static.pooled(texts))]).tocsr()
    weights = np.zeros((x.shape[1], len(tools)), dtype=np.float32)
    bias = np.zeros(len(tools), dtype=np.float32)
    for j, name in enumerate(tools):
        col = y[:, j]
        if col.min() == col.max():  # a tool always or never used: a constant score
            bias[j] = 8.0 if col[0] else -8.0
            log(f"{name}: {'every' if col[0] else 'no'} training plan uses it; constant score")
            continue
        model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
        model.fit(x, col)
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    ngram = {"vocab": vocab, "idf": idf, "weights": weights[:n_ngram]} if use_ngram else None
    static_part = static.fold(weights[n_ngram:]) if static is not None else None
    info = {**(meta or {}), "train_rows": len(train_rows), "val_rows": len(val_rows), "target_recall": target_recall,
            "c": c, "min_df": min_df}
    counts = y.sum(axis=0).astype(np.float32)
    cooccur = (y.T.astype(np.float32) @ y.astype(np.float32)) / np.maximum(counts, 1)[:, None]
    np.fill_diagonal(cooccur, 0.0)
    clf = ToolClassifier(tools, bias, thresholds={t: 0.5 for t in tools}, ngram=ngram, static=static_part,
                         min_tools=min_tools, max_tools=max_tools, fallback_below=fallback_below, cooccur=cooccur,
                         expand_above=expand_above, pooling=pooling, meta=info)
    # calibrate on what plan time computes (pooling included), not on the training matrix's view of val
    vprobs = np.array([_sigmoid(clf.logits(text)) for text in vtexts])
    clf.thresholds = calibrate_thresholds(vprobs, yv, tools, target_recall=target_recall)
    return TrainReport(clf, time.perf_counter() - start, len(train_rows), len(val_rows), x.shape[1])
