"""A tiny phrase grammar for generated requests, and the *frame* of a request.

Templates carry inline alternatives so one template yields many sentences: ``"[text|txt|message] {to}
[that |saying |]{msg}"`` picks one word or phrase per bracket (brackets nest; an empty alternative makes
the part optional) before the ``{slots}`` are filled.  Template *lists* are split into seen and held-out
members by :func:`held_out_index`; train/val/test draw seen templates only and test_heldout held-out ones,
so held-out requests are phrased in ways training never shows.

The *frame* of a request is what is left when the words the gold plan copies (names, messages, files,
places...) are masked and digits are folded: "Text Ana that I'm late" and "Text Bo that I'm early" share
the frame ``text X that X``.  It is computed from a (query, plan) pair alone, so the same measure applies
to generated data and to hand-written sets, and generation uses it to keep train and test_heldout frames
apart.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from typing import Any

from .surface import _strings, fold

__all__ = ["expand", "frame_key", "held_out_index", "plan_words"]


def held_out_index(i: int) -> bool:
    """Every fifth option of a list is held out (for test_heldout only)."""
    return i % 5 == 4


def _split_alternatives(body: str) -> list[str]:
    """Split ``a|b[c|d]|e`` on the top-level bars only."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def expand(template: str, rng: random.Random) -> str:
    """Resolve every ``[a|b|...]`` group (innermost choices included) with ``rng``; slots stay as they are."""
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch != "[":
            out.append(ch)
            i += 1
            continue
        depth, j = 1, i + 1
        while depth:
            if template[j] == "[":
                depth += 1
            elif template[j] == "]":
                depth -= 1
            j += 1
        out.append(expand(rng.choice(_split_alternatives(template[i + 1:j - 1])), rng))
        i = j
    return "".join(out)


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_DIGITS = re.compile(r"\d+")


def plan_words(args: Iterable[Any]) -> set[str]:
    """Folded words of every string argument of a plan (the words the plan copies from the request)."""
    words: set[str] = set()
    for s in _strings(list(args)):
        if s.startswith("$") and s[1:].isdigit():
            continue
        words.update(_WORD.findall(fold(s)))
    return words


def frame_key(query: str, copied: set[str]) -> str:
    """The request with plan-copied words masked as ``X`` (runs collapsed) and digits as ``0``."""
    out: list[str] = []
    for w in _WORD.findall(_DIGITS.sub("0", fold(query))):
        token = "X" if w in copied else w
        if token == "X" and out and out[-1] == "X":
            continue
        out.append(token)
    return " ".join(out)
