"""In-context example retrieval: show the planner solved requests that look like this one.

TinyAgent retrieves similar solved examples for the prompt; a small model then mostly has
to adapt a plan of the right shape instead of inventing one. Similarity is BM25 (bm25s,
numpy only) over the request's words with entity-like words masked, because the bank's
names, places and file names are synthetic and must not decide which example is shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import bm25s

from ..dataset import Example

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
        self._bm25 = bm25s.BM25()
        corpus = [_content_words(e.query) or ["_"] for e in self.examples]
        self._bm25.index(bm25s.tokenize([" ".join(c) for c in corpus], stopwords=None, show_progress=False),
                         show_progress=False)

    def top_k(self, query: str, k: int = 3) -> list[Example]:
        words = " ".join(_content_words(query)) or query.lower()
        tokens = bm25s.tokenize([words], stopwords=None, show_progress=False)
        k = min(k, len(self.examples))
        try:
            idx, _scores = self._bm25.retrieve(tokens, k=k, show_progress=False)
        except (ValueError, IndexError):  # no query word is in the vocabulary
            return self.examples[:k]
        return [self.examples[int(i)] for i in idx[0]]
