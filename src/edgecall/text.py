"""Text normal forms shared by the store, the dataset checks and the metrics (one definition of "the same name")."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["best_matches", "fold"]

T = TypeVar("T")


def fold(text: str) -> str:
    """Case- and accent-insensitive form with collapsed whitespace: "  Sofía  RUIZ" -> "sofia ruiz".

    Contact lookup, the check that a name was said in the request, and argument scoring all compare names this
    way, so a name the store finds is a name the checks accept and the metric counts as equal.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("ı", "i").split())


def best_matches(
    query: str, items: Iterable[T], names: Callable[[T], Iterable[str]], *, words: Callable[[str], list[str]] = str.split
) -> list[T]:
    """The items whose name best matches `query`, compared folded (several means ambiguous).

    Levels, best first: a name equals the query; every query word starts a word of a name; the query occurs inside
    a name. Only the best non-empty level counts, so "Dana" is not ambiguous with "Danalyn" if a Dana exists.
    Contacts (name and nicknames) and notes (file stem) are looked up by this one rule.
    """
    q = fold(query)
    if not q:
        return []
    query_words = q.split()
    levels: list[list[T]] = [[], [], []]
    for item in items:
        folded = [fold(n) for n in names(item)]
        if q in folded:
            levels[0].append(item)
        elif any(all(any(t.startswith(w) for t in words(n)) for w in query_words) for n in folded):
            levels[1].append(item)
        elif any(q in n for n in folded):
            levels[2].append(item)
    return next((level for level in levels if level), [])
