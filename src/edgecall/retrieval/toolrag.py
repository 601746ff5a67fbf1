"""Tool RAG: pick the tools a request needs before planning.

Why: a planner prompt that lists every tool is long (slow to evaluate on a CPU) and offers a small model
tools it should not call. TinyAgent's Tool RAG (a 16-way sigmoid classifier) cut its prompt in half and
raised success; a plain embedding top-3 retriever did worse than no retrieval. So the selection here is a
*classifier* trained from (request, plan) rows whose labels are the plan's tools, with per-tool thresholds
calibrated for a target recall, because a missed tool is a failed plan while an extra tool costs only a
few prompt tokens.

The model is linear (one sigmoid per tool) over features that need nothing but numpy at plan time:

* ``ngram``: hashed word unigrams/bigrams and character 3-5-grams of each word (TF-IDF, L2-normalised).
  The hash ids the training data contained, their idf and their weights are stored; nothing else.
* ``static`` (optional): token embeddings distilled from a sentence encoder (model2vec), mean-pooled.
  Mean pooling is linear, so the trained head is folded into a per-token table of tool logits
  (vocabulary x tools) at training time; plan time is a tokenizer call and a table lookup.

Pooling (``clauses``, optional; measured no better than ``request`` on dev, see docs/results.md): a request of several clauses ("open the X note, email it to
Y, and set a reminder...") is scored as a whole *and* clause by clause, and each tool keeps its highest logit.
The features are L2-normalised over the whole request, so in a long request every clause's evidence is diluted
by the others' and a tool named in one clause of four can fall below its threshold; a clause scored alone keeps
its full weight. The thresholds are calibrated on the same pooled scores.

An artifact is one ``.npz`` file (loaded with ``allow_pickle=False``: it holds arrays and one JSON string,
never code). `ToolClassifier.select` turns scores into a selection with the safety rules a planner needs:
a tool the request names is never dropped, a minimum and maximum number of tools, and a fallback to every
tool when the classifier does not recognise the request at all.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import ToolRAGError

__all__ = [
    "ARTIFACT_FORMAT",
    "ToolClassifier",
    "ToolRAGError",
    "ToolSelection",
    "ToolSelector",
    "default_classifier",
    "default_classifier_path",
    "explicit_tools",
]

ARTIFACT_FORMAT = "edgecall-toolrag/1"
NGRAM_SIZES = (3, 4, 5)
POOLINGS = ("request", "clauses")
_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Where one intent of a request ends and the next begins: sentence and clause punctuation, a dash between
# words, and the connectives people chain requests with. "and" is one of them: it also splits lists of people
# ("Olu and Femi"), which costs nothing because the whole request is scored too.
_CLAUSE_RE = re.compile(
    r"[.;:!?\n]+(?:\s|$)|,|\s[-\u2013\u2014]+\s|\b(?:and then|then|also|plus|after that|next|and)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ToolSelection:
    """The tools offered to the planner for one request, with why each was chosen.

    `reasons[tool]` is one of ``classifier`` (score above its threshold), ``explicit`` (the request names
    it), ``min_tools`` (topped up to the minimum), ``fallback`` (low confidence: every tool) or
    ``cooccur`` (plans calling a selected tool almost always call this one too, e.g. get_phone_number with
    send_sms), ``untrained`` (the toolset has it but the classifier never saw it, so it cannot rule it out).
    """

    selected: list[str]
    scores: dict[str, float]
    thresholds: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    fallback: bool = False

    def to_json(self) -> dict[str, Any]:
        """The `edgecall tools --explain --json` object."""
        return {"selected": list(self.selected), "scores": {t: round(s, 6) for t, s in self.scores.items()}}


class ToolSelector(Protocol):
    """What the planner needs from Tool RAG (a `ToolClassifier`, or anything that selects tools)."""

    def check_tools(self, available: Iterable[str]) -> None: ...

    def select(self, query: str, available: Sequence[str] | None = None) -> ToolSelection: ...


# -- features --------------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text).lower())


def ngram_keys(text: str) -> list[str]:
    """Word unigrams and bigrams and per-word character n-grams: robust to typos ("txt", "emial") and
    inflections without a tokenizer or stemmer."""
    words = _words(text)
    keys = [f"w:{w}" for w in words]
    keys += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    for w in words:
        padded = f" {w} "
        for n in NGRAM_SIZES:
            keys += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return keys


def ngram_counts(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique feature hashes, their counts) of a text; crc32 is stable across processes."""
    hashes = np.fromiter((zlib.crc32(k.encode("utf-8")) for k in ngram_keys(text)), dtype=np.uint32)
    return np.unique(hashes, return_counts=True)


def ngram_vector(text: str, vocab: np.ndarray, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column indices into `vocab` and TF-IDF values (sublinear tf, L2-normalised) of the known features.

    Training builds its matrix with this same function, so plan time sees exactly the training features.
    """
    hashes, counts = ngram_counts(text)
    if len(vocab) == 0 or len(hashes) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    pos = np.searchsorted(vocab, hashes)
    pos = np.minimum(pos, len(vocab) - 1)
    known = vocab[pos] == hashes
    cols = pos[known]
    values = (1.0 + np.log(counts[known].astype(np.float32))) * idf[cols]
    norm = float(np.linalg.norm(values))
    if norm > 0:
        values = values / norm
    return cols.astype(np.int64), values.astype(np.float32)


def clauses(text: str) -> list[str]:
    """The request's clauses that hold a word (see `_CLAUSE_RE`); one clause means the request itself."""
    parts = [part.strip() for part in _CLAUSE_RE.split(text)]
    return [part for part in parts if _words(part)]


def explicit_tools(query: str, tools: Iterable[str]) -> list[str]:
    """Tools the request names: ``send_sms`` or ``send sms`` as whole words, any case.

    A user who names a tool wants it offered whatever the classifier thinks.
    """
    text = unicodedata.normalize("NFKC", query).lower()
    found = []
    for name in tools:
        spaced = re.escape(name.lower()).replace("_", "[_ ]")
        if re.search(rf"(?<![a-z0-9_]){spaced}(?![a-z0-9_])", text):
            found.append(name)
    return found


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))
    return out


# -- the classifier ------------------------------------------------------------------------------------------


class ToolClassifier:
    """A trained multi-label tool classifier with its selection policy; see the module docstring.

    Build one with `edgecall train toolrag` (`retrieval.toolrag_train.train_classifier`) or `load` an artifact.
    """

    def __init__(
        self,
        tools: Sequence[str],
        bias: np.ndarray,
        *,
        thresholds: dict[str, float],
        ngram: dict[str, np.ndarray] | None = None,
        static: dict[str, Any] | None = None,
        min_tools: int = 1,
        max_tools: int | None = None,
        fallback_below: float = 0.0,
        cooccur: np.ndarray | None = None,
        expand_above: float = 1.1,
        pooling: str = "request",
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.tools = list(tools)
        if not self.tools:
            raise ToolRAGError("a tool classifier needs at least one tool")
        if len(set(self.tools)) != len(self.tools):
            raise ToolRAGError(f"duplicate tool names in classifier: {self.tools}")
        n = len(self.tools)
        self.bias = np.asarray(bias, dtype=np.float32).reshape(n)
        missing = [t for t in self.tools if t not in thresholds]
        if missing:
            raise ToolRAGError(f"no threshold for tool(s) {missing}")
        self.thresholds = {t: float(thresholds[t]) for t in self.tools}
        self.ngram = ngram
        if ngram is not None and ngram["weights"].shape != (len(ngram["vocab"]), n):
            raise ToolRAGError("n-gram weights do not match the vocabulary and tools")
        self.static = static
        self._tokenizer: Any = None
        if static is not None and static["table"].shape[1] != n:
            raise ToolRAGError("static token table does not match the tools")
        if ngram is None and static is None:
            raise ToolRAGError("a tool classifier needs n-gram or static features")
        if min_tools < 0 or (max_tools is not None and max_tools < max(min_tools, 1)):
            raise ToolRAGError(f"need 0 <= min_tools <= max_tools, got {min_tools} and {max_tools}")
        self.min_tools = min_tools
        self.max_tools = max_tools
        self.fallback_below = fallback_below
        self.cooccur = None if cooccur is None else np.asarray(cooccur, dtype=np.float32)
        if self.cooccur is not None and self.cooccur.shape != (n, n):
            raise ToolRAGError("co-occurrence matrix does not match the tools")
        self.expand_above = expand_above
        if pooling not in POOLINGS:
            raise ToolRAGError(f"unknown pooling {pooling!r}; known: {', '.join(POOLINGS)}")
        self.pooling = pooling
        self.meta = dict(meta or {})

    @property
    def kind(self) -> str:
        return "+".join(k for k, v in (("ngram", self.ngram), ("static", self.static)) if v is not None)

    # -- scoring ----------------------------------------------------------------------------------------------
    def logits(self, query: str) -> np.ndarray:
        """Per-tool logits: of the whole request, or with ``clauses`` pooling the highest of the whole request's
        and each clause's."""
        out = self._text_logits(query)
        if self.pooling == "clauses":
            parts = clauses(query)
            if len(parts) > 1:
                out = np.max([out, *(self._text_logits(part) for part in parts)], axis=0)
        return out

    def _text_logits(self, query: str) -> np.ndarray:
        out = self.bias.astype(np.float32).copy()
        if self.ngram is not None:
            cols, values = ngram_vector(query, self.ngram["vocab"], self.ngram["idf"])
            if len(cols):
                out += values @ self.ngram["weights"][cols].astype(np.float32)
        if self.static is not None:
            ids = self.static_ids(query)
            if len(ids):
                out += self.static["table"][ids].mean(axis=0)
        return out

    def static_ids(self, query: str) -> np.ndarray:
        """Token ids for the static table (special and unknown tokens dropped, as in training)."""
        assert self.static is not None
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_str(self.static["tokenizer"])
        ids = np.asarray(self._tokenizer.encode(query, add_special_tokens=False).ids, dtype=np.int64)
        drop = self.static.get("drop_ids")
        if drop is not None and len(ids):
            ids = ids[~np.isin(ids, drop)]
        return ids[ids < len(self.static["table"])]

    def scores(self, query: str) -> dict[str, float]:
        """Probability per tool that the request's plan calls it."""
        probs = _sigmoid(self.logits(query))
        return {t: float(p) for t, p in zip(self.tools, probs)}

    # -- selection --------------------------------------------------------------------------------------------
    def check_tools(self, available: Iterable[str]) -> None:
        """Raise when the artifact classifies tools the toolset does not have (a classifier for other tools)."""
        have = set(available)
        unknown = [t for t in self.tools if t not in have]
        if unknown:
            raise ToolRAGError(
                f"the Tool RAG classifier knows tool(s) {', '.join(unknown)} that the toolset does not have; "
                "retrain it for this toolset with `edgecall train toolrag --toolset ...`"
            )

    def select(self, query: str, available: Sequence[str] | None = None) -> ToolSelection:
        """The tools to offer for `query`, in `available`'s order (the toolset's, so prompts stay stable).

        `available` are the enabled tools: a trained tool that is not among them is never offered (a disabled
        app), and an available tool the classifier never saw is always offered (it cannot be ruled out).
        """
        if not query or not query.strip():
            raise ToolRAGError("empty request: there is nothing to select tools for")
        order = list(available) if available is not None else self.tools
        enabled = set(order)
        scores = {t: p for t, p in self.scores(query).items() if t in enabled}  # disabled tools never offered
        reasons: dict[str, str] = {}
        for t in order:
            if t not in scores:
                reasons[t] = "untrained"
            elif scores[t] >= self.thresholds[t]:
                reasons[t] = "classifier"
        if self.cooccur is not None:  # a selected tool brings the tools its plans (almost) always call too
            index = {t: i for i, t in enumerate(self.tools)}
            for t in [t for t in reasons if t in index]:
                for j in np.flatnonzero(self.cooccur[index[t]] >= self.expand_above):
                    if self.tools[j] in enabled:
                        reasons.setdefault(self.tools[j], "cooccur")
        fallback = max(scores.values(), default=0.0) < self.fallback_below
        if fallback:
            reasons = {t: reasons.get(t, "fallback") for t in order}
        else:
            ranked = sorted(scores, key=lambda t: -scores[t])
            for t in ranked:
                if sum(r != "untrained" for r in reasons.values()) >= self.min_tools:
                    break
                reasons.setdefault(t, "min_tools")
            if self.max_tools is not None:
                chosen = [t for t in ranked if t in reasons]
                for t in chosen[self.max_tools:]:
                    del reasons[t]
        for t in explicit_tools(query, order):
            reasons.setdefault(t, "explicit")
        selected = [t for t in order if t in reasons]
        thresholds = {t: self.thresholds[t] for t in scores}
        return ToolSelection(selected, scores, thresholds, {t: reasons[t] for t in selected}, fallback)

    # -- artifact ---------------------------------------------------------------------------------------------
    def to_meta(self) -> dict[str, Any]:
        return {
            **self.meta,
            "format": ARTIFACT_FORMAT,
            "tools": self.tools,
            "thresholds": self.thresholds,
            "min_tools": self.min_tools,
            "max_tools": self.max_tools,
            "fallback_below": self.fallback_below,
            "expand_above": self.expand_above,
            "pooling": self.pooling,
            "features": {"ngram": self.ngram is not None, "static": self.static is not None},
            "ngram_sizes": list(NGRAM_SIZES),
        }

    def save(self, path: str | Path) -> Path:
        """Write the artifact (one compressed .npz, no pickled objects) atomically."""
        path = Path(path)
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(self.to_meta()).encode("utf-8"), dtype=np.uint8),
            "bias": self.bias,
        }
        if self.cooccur is not None:
            arrays["cooccur"] = self.cooccur
        if self.ngram is not None:
            arrays["ngram_vocab"] = self.ngram["vocab"].astype(np.uint32)
            arrays["ngram_idf"] = self.ngram["idf"].astype(np.float32)
            arrays["ngram_weights"] = self.ngram["weights"].astype(np.float16)
        if self.static is not None:
            arrays["static_table"] = self.static["table"].astype(np.float16)
            arrays["static_tokenizer"] = np.frombuffer(self.static["tokenizer"].encode("utf-8"), dtype=np.uint8)
            arrays["static_drop_ids"] = np.asarray(self.static.get("drop_ids", []), dtype=np.int64)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as allow_pickle
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> ToolClassifier:
        """Read an artifact written by `save`; anything else is a `ToolRAGError` naming the file."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except FileNotFoundError:
            raise ToolRAGError(f"{path}: no such Tool RAG artifact (train one with `edgecall train toolrag`)") from None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
            raise ToolRAGError(f"{path}: not a readable Tool RAG artifact ({exc})") from None
        try:
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
        except (KeyError, UnicodeDecodeError, json.JSONDecodeError):
            raise ToolRAGError(f"{path}: not a Tool RAG artifact (no metadata)") from None
        if not isinstance(meta, dict) or meta.get("format") != ARTIFACT_FORMAT:
            got = meta.get("format") if isinstance(meta, dict) else None
            raise ToolRAGError(f"{path}: artifact format {got!r} is not {ARTIFACT_FORMAT!r}; retrain it")
        try:
            ngram = static = None
            if meta["features"]["ngram"]:
                ngram = {"vocab": arrays["ngram_vocab"], "idf": arrays["ngram_idf"],
                         "weights": arrays["ngram_weights"].astype(np.float32)}
            if meta["features"]["static"]:
                static = {"table": arrays["static_table"].astype(np.float32),
                          "tokenizer": arrays["static_tokenizer"].tobytes().decode("utf-8"),
                          "drop_ids": arrays["static_drop_ids"]}
            keep = {k: v for k, v in meta.items() if k not in {"tools", "thresholds", "min_tools", "max_tools",
                                                                "fallback_below", "expand_above", "features",
                                                                "format", "pooling"}}
            return cls(
                meta["tools"], arrays["bias"], thresholds=meta["thresholds"], ngram=ngram, static=static,
                min_tools=int(meta["min_tools"]), max_tools=meta["max_tools"],
                fallback_below=float(meta["fallback_below"]), cooccur=arrays.get("cooccur"),
                expand_above=float(meta.get("expand_above", 1.1)), pooling=str(meta.get("pooling", "request")),
                meta=keep,
            )
        except ToolRAGError as exc:
            raise ToolRAGError(f"{path}: {exc}") from None
        except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
            raise ToolRAGError(f"{path}: incomplete Tool RAG artifact ({type(exc).__name__}: {exc})") from None

    def with_policy(self, **changes: Any) -> ToolClassifier:
        """A copy with other selection settings (min_tools, max_tools, fallback_below, thresholds, pooling)."""
        kw: dict[str, Any] = dict(thresholds=self.thresholds, ngram=self.ngram, static=self.static,
                                  min_tools=self.min_tools, max_tools=self.max_tools,
                                  fallback_below=self.fallback_below, cooccur=self.cooccur,
                                  expand_above=self.expand_above, pooling=self.pooling, meta=self.meta)
        kw.update(changes)
        return ToolClassifier(self.tools, self.bias, **kw)


def default_classifier_path() -> Path:
    """The packaged classifier for the 16 assistant tools."""
    return Path(__file__).with_name("models") / "toolrag-assistant.npz"


@lru_cache(maxsize=4)
def _load_cached(path: str) -> ToolClassifier:
    return ToolClassifier.load(path)


def default_classifier(path: str | Path | None = None) -> ToolClassifier:
    """The classifier at `path` (default: the packaged one), loaded once per process."""
    return _load_cached(str(Path(path) if path else default_classifier_path()))
