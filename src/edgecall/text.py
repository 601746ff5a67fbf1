"""Text normal forms shared by the store, the dataset checks and the metrics (one definition of "the same name")."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


def fold(text: str) -> str:
    """Case- and accent-insensitive form with collapsed whitespace: "  Sofía  RUIZ" -> "sofia ruiz".

    Contact lookup, the check that a name was said in the request, and argument scoring all compare names this
    way, so a name the store finds is a name the checks accept and the metric counts as equal.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("ı", "i").split())
