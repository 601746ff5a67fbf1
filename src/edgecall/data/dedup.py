"""Exact and near-duplicate detection for requests.

*Exact*: the same request after folding case and accents, dropping punctuation and collapsing spaces.
*Near*: the same set of content words once politeness, filler and frame words are removed, so "Please text
Maria that I'm late" and "hey, text maria that i'm late thx" collide.  Keys, not pairwise similarity, keep
this linear in the dataset size (20k+ rows in a fraction of a second).
"""

from __future__ import annotations

import re

from .surface import fold

FILLER = frozenset("""please pls plz can could would you hey hi yo ok so thanks thank thx kindly quick one i need
like to go ahead and asap when get a chance the an me for mind just also then plus""".split())

_NON_WORD = re.compile(r"[^\w@+]+")


def exact_key(query: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(query)).split())


def near_key(query: str) -> str:
    words = [w for w in exact_key(query).split() if w not in FILLER]
    return " ".join(sorted(set(words)))


class Deduper:
    """Remembers keys seen so far; ``check`` says whether a new request is new, a duplicate or a near one."""

    def __init__(self) -> None:
        self.exact: set[str] = set()
        self.near: set[str] = set()

    def check(self, query: str) -> str | None:
        """None if new (and remember it), else "duplicate" or "near_duplicate"."""
        e, n = exact_key(query), near_key(query)
        if e in self.exact:
            return "duplicate"
        if n in self.near:
            return "near_duplicate"
        self.exact.add(e)
        self.near.add(n)
        return None
