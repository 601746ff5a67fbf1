"""Surface variety for generated requests: frames (polite, terse, chatty), casing, typos, punctuation.

Noise never touches the words a gold plan copies (names, files, places, notes) nor time words, so the
plan stays exactly right for the noisy request; ``protected_words`` computes that set from the plan.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scenarios import Ctx

FRAMES = (
    "{q}", "please {q}", "can you {q}?", "{q}, please", "could you {q}?", "hey, {q}", "I need you to {q}",
    "{q}, thanks", "pls {q}", "{q}", "I'd like you to {q}", "would you {q}?", "quick one: {q}", "{q} thx",
    "hi! {q}", "go ahead and {q}", "kindly {q}", "{q} asap", "when you get a chance, {q}", "{q}",
    "yo {q}", "can you please {q}?", "{q}. thank you!", "ok so {q}", "{q}",
)

TIME_WORDS = {
    "today", "tomorrow", "tonight", "morning", "afternoon", "evening", "noon", "midday", "night", "week", "weekend",
    "month", "hour", "hours", "minutes", "minute", "half", "quarter", "day", "days", "next", "this", "end", "past",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "actually", "not",
    "no", "walking", "driving", "transit", "train", "bus", "foot", "car", "cc", "priority", "important", "urgent",
    "low", "medium", "high", "attach", "attached", "attaching", "calendar", "zoom", "email", "text", "sms",
}

TERSE_STARTS = ("directions", "route", "map ", "calendar:", "new ", "tl;dr", "fwd", "sms ", "todo", "add an event")
"""Clauses that read as commands/noun phrases: "can you directions to..." is not English, so they get terse frames."""
TERSE_FRAMES = {"{q}", "pls {q}", "{q}, thanks", "{q} thx", "quick one: {q}", "{q} asap", "{q}, please", "ok so {q}"}

_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def fold(text: str) -> str:
    """Lower case without accents: the form in which entity checks and dedup compare text."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def join_names(items: Sequence[str], rng: random.Random) -> str:
    """"A", "A and B", "A, B and C" (sometimes with an Oxford comma or "&")."""
    if len(items) == 1:
        return items[0]
    last_sep = rng.choice((" and ", " and ", " & ", ", and ")) if len(items) > 2 else rng.choice((" and ", " & "))
    return ", ".join(items[:-1]) + last_sep + items[-1]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def protected_words(steps: Sequence[tuple[str, tuple[Any, ...]]]) -> set[str]:
    """Every word of every string argument (folded): typos must not land on them."""
    words: set[str] = set()
    for _, args in steps:
        for s in _strings(list(args)):
            words.update(w.lower() for w in _WORD_RE.findall(fold(s)))
    return words


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == 1:  # drop a letter
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]  # double a letter


def add_typo(text: str, protected: set[str], rng: random.Random) -> str:
    """One realistic typo in a long-enough word that carries no plan entity and no time meaning."""
    candidates = [m for m in _WORD_RE.finditer(text)
                  if len(m.group()) >= 5 and fold(m.group()) not in protected and fold(m.group()) not in TIME_WORDS
                  and "'" not in m.group()]
    if not candidates:
        return text
    m = rng.choice(candidates)
    return text[:m.start()] + _typo(m.group(), rng) + text[m.end():]


def _capitalise_sentences(text: str) -> str:
    text = text[0].upper() + text[1:]
    return re.sub(r"([.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def surface(text: str, ctx: Ctx, protected: set[str]) -> str:
    """Frame the clause(s), then vary casing, typos and final punctuation."""
    rng = ctx.rng
    terse = text.lower().startswith(TERSE_STARTS)
    frame = ctx.template("frame", FRAMES, allow=(lambda f: f in TERSE_FRAMES) if terse else None)
    q = frame.format(q=text)
    if rng.random() < 0.12:
        q = add_typo(q, protected, rng)
    style = rng.random()
    if style < 0.1:
        q = q.lower()
    else:
        q = _capitalise_sentences(q)
    if q[-1] not in ".?!:" and rng.random() < 0.6:
        q += "."
    q = re.sub(r"\b([Aa]) (?!one|uni|use|eu)([aeiouAEIOU])", r"\1n \2", q)
    return re.sub(r"\s+", " ", q).strip()
