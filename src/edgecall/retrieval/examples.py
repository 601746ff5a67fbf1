"""In-context example retrieval: show the planner solved requests that look like this one.

TinyAgent retrieves similar solved examples for the prompt; a small model then mostly has
to adapt a plan of the right shape instead of inventing one. Similarity is BM25 (bm25s,
numpy only) over the request's words with entity-like words masked, because the bank's
names, places and file names are synthetic and must not decide which example is shown.
bm25s (and the scipy it loads, ~25 MB) is imported when an index is built: the fine-tuned planner's compact
prompt retrieves no examples, and its process should not carry them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np

from ..dataset import Example as Example

WORD_RE = re.compile(r"[A-Za-zÀ-ÿ']+|\d+")
FILE_RE = re.compile(r"[\w\-]+\.(pdf|docx?|xlsx?|pptx?|txt|csv|md|png|jpe?g|zip|key|pages)\b", re.IGNORECASE)
QUOTED_RE = re.compile(r'"[^"]*"|“[^”]*”|\'[^\']{12,}\'')
STOP = {"the", "a", "an", "to", "and", "of", "for", "in", "on", "at", "my", "me", "please", "i", "it", "is", "that"}


def _content_words(text: str) -> list[str]:
    """Lowercased intent words: file names become their kind, quoted content, numbers and
    capitalised words after the first (names, places, titles) are dropped."""
    text = FILE_RE.sub(lambda m: " pdf file " if m.group(1).lower() == "pdf" else " file ", text)
    text = QUOTED_RE.sub(" ", text)
    words = WORD_RE.findall(text)
    out = []
    for i, w in enumerate(words):
        if w.isdigit() or (i > 0 and w[:1].isupper()):
            continue
        lw = w.lower()
        if lw not in STOP:
            out.append(lw)
    return out


class ExampleRetriever:
    """BM25 index over example requests; `top_k` returns the most similar solved examples."""

    def __init__(self, examples: Sequence[Example]) -> None:
        if not examples:
            raise ValueError("an example retriever needs at least one example")
        self.examples = list(examples)
        self._tools: list[frozenset[str]] | None = None  # per example, computed on the first filtered query
        import bm25s

        self._bm25 = bm25s.BM25()
        corpus = [_content_words(e.query) or ["_"] for e in self.examples]
        self._bm25.index(bm25s.tokenize([" ".join(c) for c in corpus], stopwords=None, show_progress=False),
                         show_progress=False)

    def top_k(self, query: str, k: int = 3, *, tools: Collection[str] | None = None) -> list[Example]:
        """The `k` most similar examples; with `tools` (a Tool RAG selection), only examples whose plans call
        nothing else, as TinyAgent did, so the prompt never shows a tool the planner is not offered.
        Falls back to all examples when no example fits the selection."""
        import bm25s

        mask = self._mask(tools)
        words = " ".join(_content_words(query)) or query.lower()
        tokens = bm25s.tokenize([words], stopwords=None, show_progress=False)
        pool = self.examples if mask is None else [e for e, keep in zip(self.examples, mask) if keep]
        k = min(k, len(pool))
        try:
            idx, _scores = self._bm25.retrieve(tokens, k=k, show_progress=False, weight_mask=mask)
        except (ValueError, IndexError):  # no query word is in the vocabulary
            return pool[:k]
        found = [self.examples[int(i)] for i in idx[0] if mask is None or mask[int(i)]]
        if len(found) < k:  # a masked-out document can fill a slot when few allowed ones score above zero
            found += [e for e in pool if e not in found][: k - len(found)]
        return found

    def _mask(self, tools: Collection[str] | None) -> np.ndarray | None:
        if tools is None:
            return None
        if self._tools is None:
            self._tools = [_plan_tools(e.plan) for e in self.examples]
        allowed = set(tools)
        mask = np.array([t <= allowed for t in self._tools], dtype=np.float32)
        return mask if mask.any() else None


_TOOL_CALL_RE = re.compile(r"^\s*\d+\.\s*([A-Za-z_]\w*)\(", re.MULTILINE)


def _plan_tools(plan: str) -> frozenset[str]:
    """Tool names a (canonically rendered) bank plan calls; join excluded."""
    return frozenset(_TOOL_CALL_RE.findall(plan)) - {"join"}
