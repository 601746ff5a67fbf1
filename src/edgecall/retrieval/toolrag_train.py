"""Training the Tool RAG classifier from (request, plan) rows: the labels are the tools the plan calls.

scikit-learn fits one L2-regularised logistic regression per tool on the features of `toolrag` (the same
functions build the training matrix and the plan-time vector, so they cannot drift). Thresholds are then
calibrated per tool on scores the finished classifier's kind gives (its pooling included): the highest threshold
that keeps `target_recall` of that tool's positives, capped at 0.5 (never stricter than a plain classifier).

Which scores (``calibration``): a generated validation split shares its sentence templates with train, so the
finished classifier scores its positives near 1 and every threshold lands on the cap; it says nothing about a
request phrased in a way training never saw, which is what users write. ``templates`` calibrates instead on
*out-of-template* scores: the generator tags every row with the templates it was built from (``template``, e.g.
``email_file:13+sms_quoted:12+frame:27``); each template is assigned to one of ``folds`` folds (crc32 of seed and
name, so the same data and seed give the same folds), and for each fold a head trained on the rows that use none of
its templates scores the rows that use one. A tool whose evidence generalises poorly to new phrasings gets low
out-of-template scores and so a low threshold. The shipped head is still trained on all rows.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .toolrag import ToolClassifier, ToolRAGError, _sigmoid, ngram_counts, ngram_vector

__all__ = [
    "CALIBRATIONS",
    "TrainReport",
    "calibrate_thresholds",
    "plan_tools",
    "resolve_calibration",
    "template_folds",
    "template_parts",
    "train_classifier",
]

CALIBRATIONS = ("auto", "templates", "val")
"""``auto``: ``templates`` when every training row names its templates (generated data), else ``val``."""


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


def template_parts(row: dict[str, Any]) -> list[str]:
    """The templates a generated row was built from: its intent templates and its frame (``a:1+b:2+frame:3``)."""
    template = row.get("template")
    if not isinstance(template, str) or not template.strip():
        return []
    return [part.strip() for part in template.split("+") if part.strip()]


def template_folds(rows: Sequence[dict[str, Any]], folds: int, seed: int) -> np.ndarray:
    """(rows x folds) booleans: row i uses a template of fold k. Deterministic in (templates, folds, seed).

    A row is *held out* in every fold one of its templates belongs to, and trains the heads of the other folds.
    """
    if folds < 2:
        raise ToolRAGError(f"out-of-template calibration needs at least 2 folds, got {folds}")
    held = np.zeros((len(rows), folds), dtype=bool)
    for i, row in enumerate(rows):
        parts = template_parts(row)
        if not parts:
            raise ToolRAGError(f"training row {i + 1} has no 'template' (rows from `edgecall data generate` have "
                               "one); calibrate on a validation split instead (--calibrate val)")
        for part in parts:
            held[i, zlib.crc32(f"{seed}:{part}".encode()) % folds] = True
    return held


def _fit_heads(x: Any, y: np.ndarray, tools: Sequence[str], c: float,
               log: Callable[[str], None]) -> tuple[np.ndarray, np.ndarray]:
    """One L2 logistic regression per tool (liblinear: deterministic); a constant score for a constant label."""
    from sklearn.linear_model import LogisticRegression

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
    return weights, bias


@dataclass
class TrainReport:
    classifier: ToolClassifier
    seconds: float
    train_rows: int
    val_rows: int
    features: int
    calibration: str = "val"
    calibration_rows: int = 0
    calibration_probs: np.ndarray | None = None
    """The scores the thresholds were calibrated on (rows x tools), with `calibration_labels`: recalibrating for
    another target recall needs no retraining."""
    calibration_labels: np.ndarray | None = None


def resolve_calibration(calibration: str, train_rows: Sequence[dict[str, Any]]) -> str:
    """``auto`` -> ``templates`` when every training row names its templates, else ``val``."""
    if calibration not in CALIBRATIONS:
        raise ToolRAGError(f"unknown calibration {calibration!r}; known: {', '.join(CALIBRATIONS)}")
    if calibration == "auto":
        return "templates" if train_rows and all(template_parts(r) for r in train_rows) else "val"
    return calibration


def train_classifier(
    train_rows: Sequence[dict[str, Any]],
    val_rows: Sequence[dict[str, Any]],
    tools: Sequence[str],
    *,
    target_recall: float = 0.995,
    min_tools: int = 1,
    max_tools: int | None = 8,
    fallback_below: float = 0.2,
    expand_above: float = 0.9,
    c: float = 10.0,
    min_df: int = 2,
    static: Any = None,
    use_ngram: bool = True,
    pooling: str = "request",
    calibration: str = "auto",
    folds: int = 3,
    seed: int = 0,
    meta: dict[str, Any] | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> TrainReport:
    """Fit the classifier on `train_rows`; calibrate its thresholds on `val_rows` or out of template (see above).

    `static` is an optional `StaticEmbeddings` (see `toolrag_static`) whose pooled embeddings join the n-gram
    features; its head is folded into a per-token table so plan time needs no embedding matrix. `val_rows` may be
    empty with ``templates`` calibration.
    """
    try:
        import sklearn  # noqa: F401
    except ModuleNotFoundError:
        raise ToolRAGError("training the Tool RAG classifier needs scikit-learn: pip install 'edgecall[train]' (or pip install scikit-learn)") from None
    from scipy.sparse import csr_matrix, hstack

    calibration = resolve_calibration(calibration, train_rows)
    if not train_rows:
        raise ToolRAGError("no training rows")
    if calibration == "val" and not val_rows:
        raise ToolRAGError("no validation rows to calibrate thresholds on")
    if not use_ngram and static is None:
        raise ToolRAGError("no features: enable n-grams or give static embeddings")
    start = time.perf_counter()
    tools = list(tools)
    y = _labels(train_rows, tools, "training")
    yv = _labels(val_rows, tools, "validation")
    held = template_folds(train_rows, folds, seed) if calibration == "templates" else None
    texts = [r["query"] for r in train_rows]
    vocab, idf = _ngram_vocab(texts, min_df) if use_ngram else (np.zeros(0, np.uint32), np.zeros(0, np.float32))
    log(f"{len(vocab)} n-gram features from {len(texts)} rows")
    x = _ngram_matrix(texts, vocab, idf)
    n_ngram = x.shape[1]
    if static is not None:
        x = hstack([x, csr_matrix(static.pooled(texts))]).tocsr()
    counts = y.sum(axis=0).astype(np.float32)
    cooccur = (y.T.astype(np.float32) @ y.astype(np.float32)) / np.maximum(counts, 1)[:, None]
    np.fill_diagonal(cooccur, 0.0)

    def build(weights: np.ndarray, bias: np.ndarray, info: dict[str, Any]) -> ToolClassifier:
        ngram = {"vocab": vocab, "idf": idf, "weights": weights[:n_ngram]} if use_ngram else None
        static_part = static.fold(weights[n_ngram:]) if static is not None else None
        return ToolClassifier(tools, bias, thresholds={t: 0.5 for t in tools}, ngram=ngram, static=static_part,
                              min_tools=min_tools, max_tools=max_tools, fallback_below=fallback_below,
                              cooccur=cooccur, expand_above=expand_above, pooling=pooling, meta=info)

    def probs(clf: ToolClassifier, rows: Sequence[str]) -> np.ndarray:
        # what plan time computes (pooling included), not the training matrix's view of the rows
        return np.array([_sigmoid(clf.logits(text)) for text in rows], dtype=np.float32).reshape(len(rows), len(tools))

    weights, bias = _fit_heads(x, y, tools, c, log)
    info = {**(meta or {}), "train_rows": len(train_rows), "val_rows": len(val_rows), "target_recall": target_recall,
            "c": c, "min_df": min_df, "calibration": calibration}
    if held is not None:
        info.update(folds=folds, seed=seed)
    clf = build(weights, bias, info)
    if held is None:
        cal_probs, cal_y = probs(clf, [r["query"] for r in val_rows]), yv
    else:
        # out-of-template scores; a row held out in several folds keeps, per tool, its mean score
        total = np.zeros(y.shape, dtype=np.float64)
        n_held = np.zeros(len(train_rows), dtype=np.int64)
        for k in range(folds):
            fit, out = ~held[:, k], held[:, k]
            if not fit.any() or not out.any():
                continue
            w_k, b_k = _fit_heads(x[np.flatnonzero(fit)], y[fit], tools, c, lambda _m: None)
            total[out] += probs(build(w_k, b_k, {}), [texts[i] for i in np.flatnonzero(out)])
            n_held[out] += 1
            log(f"fold {k + 1}/{folds}: head on {int(fit.sum())} rows scored {int(out.sum())} out-of-template rows")
        scored = n_held > 0
        cal_probs = (total[scored] / n_held[scored, None]).astype(np.float32)
        cal_y = y[scored]
    if len(cal_probs) == 0:
        raise ToolRAGError("no rows to calibrate thresholds on (every fold held out every template)")
    clf.thresholds = calibrate_thresholds(cal_probs, cal_y, tools, target_recall=target_recall)
    return TrainReport(clf, time.perf_counter() - start, len(train_rows), len(val_rows), x.shape[1],
                       calibration, len(cal_probs), cal_probs, cal_y)
