"""Surface variety for generated requests: frames (polite, terse, chatty), casing, typos, punctuation.

Noise never touches the words a gold plan copies (names, files, places, notes) nor time words, so the
plan stays exactly right for the noisy request; ``protected_words`` computes that set from the plan.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from edgecall.text import fold  # the form in which entity checks and dedup compare text

if TYPE_CHECKING:
    from .scenarios import Ctx

FRAMES = (
    "{q}", "please {q}", "can you {q}?", "{q}, please", "could you {q}?", "hey, {q}", "I need you to {q}",
    "{q}, thanks", "pls {q}", "{q}", "I'd like you to {q}", "would you {q}?", "quick one: {q}", "{q} thx",
    "hi! {q}", "go ahead and {q}", "kindly {q}", "{q} asap", "when you get a chance, {q}", "{q}",
    "yo {q}", "can you please {q}?", "{q}. thank you!", "ok so {q}", "{q}",
    "could you please {q}?", "can u {q}", "{q} pls", "I want you to {q}", "{q}",
    "hey assistant, {q}", "would you mind if you {q}?", "{q}, cheers", "plz {q}", "{q}",
    "I was wondering if you could {q}", "do me a favour and {q}", "{q} - thanks!", "hiya, {q}", "{q}",
    "if you can, {q}", "need you to {q}", "{q} when you have a sec", "right, {q}", "{q}",
    "hello, could you {q}?", "please could you {q}?", "{q}, ta", "morning! {q}", "{q}",
    "can you help me and {q}?", "I'd appreciate it if you could {q}", "{q}, if you don't mind", "um, {q}", "{q}",
    "mind if I ask you to {q}?", "please go ahead and {q}", "{q}... thanks", "one more thing: {q}", "{q}",
    "would you be able to {q}?", "could u {q}", "{q} please and thank you", "hey there, {q}", "{q}",
)

TIME_WORDS = {
    "today", "tomorrow", "tonight", "morning", "afternoon", "evening", "noon", "midday", "night", "week", "weekend",
    "month", "hour", "hours", "minutes", "minute", "half", "quarter", "day", "days", "next", "this", "end", "past",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "actually", "not",
    "no", "walking", "driving", "transit", "train", "bus", "foot", "car", "cc", "priority", "important", "urgent",
    "low", "medium", "high", "attach", "attached", "attaching", "calendar", "zoom", "email", "text", "sms",
    "tmrw", "tmr", "fortnight", "whole", "entire", "all", "until", "from", "between", "lasting", "duration",
    "number", "phone", "mobile", "address", "directions", "route", "summary", "link", "note", "reminder",
    "before", "ahead", "earlier", "long", "min", "separately", "both", "each",
}

TYPO_PRONE = frozenset({"email", "phone", "mobile", "number", "address", "calendar", "directions", "route", "summary",
                        "reminder", "attach", "attached", "attaching"})
"""Intent words people do mistype ("emial kofi", "calender"): a typo may land on them (it never lands on the other
words above, whose misspelling would change a time, a priority or a negation), so the planner learns to read the intent
through it instead of taking the mistyped word for part of a name."""

TERSE_STARTS = ("directions", "route", "map ", "calendar:", "new ", "tl;dr", "fwd", "sms ", "todo", "add an event")
"""Clauses that read as commands/noun phrases: "can you directions to..." is not English, so they get terse frames."""
TERSE_FRAMES = {"{q}", "pls {q}", "{q}, thanks", "{q} thx", "quick one: {q}", "{q} asap", "{q}, please", "ok so {q}",
                "{q} pls", "{q}, cheers", "{q} - thanks!", "right, {q}", "{q}, ta", "morning! {q}", "um, {q}",
                "{q}... thanks", "one more thing: {q}", "hey there, {q}", "hey assistant, {q}", "hiya, {q}"}
IMPERATIVE_STARTS = frozenset("""text txt message sms send let tell shoot drop inform notify ping nudge write get email
mail e-mail compose draft fire put new reply answer respond hit forward fwd pass share loop bring schedule set add book
invite create plan arrange organise organize make block pencil reserve save note start generate open line remind
set alert give remember stick take jot record append update extend tack display read show pull find locate
map look zoom center search navigate route take guide plot lead dig fetch grab launch summarize summarise sum boil
condense digest skim go check attach store keep paste lookup e-mail meet""".split())
"""First words of plain imperative clauses; anything else (a noun phrase, "can you ...", "don't let me forget ...":
"could you don't" is not English) gets a terse frame."""
QUESTION_STARTS = ("what", "where", "how", "do i", "which", "who", "is ", "are ")
"""Requests that are questions ("what's Ana's number?") take only frames that keep them questions."""
QUESTION_FRAMES = {"{q}", "hey, {q}", "quick one: {q}", "hi! {q}", "yo {q}", "ok so {q}", "hey assistant, {q}",
                   "hiya, {q}", "right, {q}", "morning! {q}", "um, {q}", "one more thing: {q}", "hey there, {q}",
                   "{q} thx", "{q}... thanks", "{q} - thanks!"}

_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


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
                  if len(m.group()) >= 5 and fold(m.group()) not in protected
                  and (fold(m.group()) not in TIME_WORDS or fold(m.group()) in TYPO_PRONE)
                  and "'" not in m.group()]
    if not candidates:
        return text
    m = rng.choice(candidates)
    return text[:m.start()] + _typo(m.group(), rng) + text[m.end():]


ABBREVIATIONS = {"you": "u", "please": "pls", "text": "txt", "message": "msg", "thanks": "thx", "tomorrow": "tmrw",
                 "minutes": "mins", "because": "cos", "about": "abt", "your": "ur",
                 "tonight": "tonite", "summarize": "summarise", "organize": "organise", "calendar": "calender",
                 "email": "mail", "appointment": "appt", "meeting": "mtg", "with": "w/", "before": "b4",
                 "people": "ppl", "number": "no.", "the": "teh"}
"""Chat-style shortenings and common misspellings; they never touch words a plan copies."""


def abbreviate(text: str, protected: set[str], rng: random.Random) -> str:
    """Replace one to three words by their chat form ("you" -> "u", "tomorrow" -> "tmrw")."""
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if w.lower() in ABBREVIATIONS and w.lower() not in protected]
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
        words[i] = ABBREVIATIONS[words[i].lower()]
    return " ".join(words)


_ARTICLE = re.compile(r"\b(?:the|a|an) (?=([^\W\d_]+))", re.IGNORECASE)


def drop_articles(text: str, protected: set[str]) -> str:
    """Telegraphic style ("send email to Bo, attach report"): articles go unless a plan word or time word follows."""
    def keep(m: re.Match[str]) -> str:
        nxt = fold(m.group(1))
        return m.group(0) if nxt in protected or nxt in TIME_WORDS or m.group(0).lower().strip() in protected else ""
    return _ARTICLE.sub(keep, text)


def _capitalise_sentences(text: str) -> str:
    text = text[0].upper() + text[1:]
    return re.sub(r"([.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def surface(text: str, ctx: Ctx, protected: set[str]) -> str:
    """Frame the clause(s), then vary casing, typos and final punctuation."""
    rng = ctx.rng
    low = text.lower()
    if low.startswith(QUESTION_STARTS):
        allowed: set[str] | None = QUESTION_FRAMES
    elif (low.startswith(TERSE_STARTS) or low.endswith("?") or "?" in low[:60]
          or low.split(" ", 1)[0] not in IMPERATIVE_STARTS):
        allowed = TERSE_FRAMES
    else:
        allowed = None
    frame = ctx.template("frame", FRAMES, allow=(lambda f: f in allowed) if allowed is not None else None)
    q = frame.format(q=text)
    if rng.random() < 0.12:
        q = add_typo(q, protected, rng)
    if rng.random() < 0.15:
        q = abbreviate(q, protected, rng)
    if rng.random() < 0.06:
        q = drop_articles(q, protected)
    style = rng.random()
    if style < 0.12:
        q = q.lower()
    elif style < 0.14:
        q = q.lower().replace(",", "")
    else:
        q = _capitalise_sentences(q)
    if q[-1] not in ".?!:" and rng.random() < 0.6:
        q += "."
    q = re.sub(r"\b([Aa]) (?!one|uni|use|eu)([aeiouAEIOU])", r"\1n \2", q)
    q = re.sub(r"\b([Aa]) (hour|honest)", r"\1n \2", q)
    return re.sub(r"\s+", " ", q).strip()
