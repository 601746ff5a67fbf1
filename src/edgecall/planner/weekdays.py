"""Weekdays in a request, grounded to dates before the planner sees it.

A 135M-parameter planner cannot count days: asked for "Friday" on a Monday it guesses a nearby date, and that was
its most common wrong argument (a third of them on held-out requests). It does copy dates it is shown. So the
``compact-dated`` prompt writes each weekday's date beside it ("lunch on Friday (2024-06-07)"), by the calendar
rules the generator's gold plans follow (below), and `unmark` takes those dates back out of the plan's text
arguments, where the model sometimes copies them with the words around them ("the release slipped to Friday").

The rules, shared with the data generator (`edgecall.data.timeexpr`):
- "Friday", "on Friday", "next Friday": the first Friday strictly after today (on a Friday: in 7 days);
- "this Friday": the coming Friday, today included;
- "last Friday", or a weekday followed by a date ("Friday, June 14", "Friday the 14th"): left alone, the request
  says what it means or names the past.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTH_WORDS = "|".join([*calendar.month_name[1:], *calendar.month_abbr[1:]])
_NAMED = "|".join(WEEKDAYS)
_WEEKDAY = re.compile(
    rf"\b(?:(?P<which>this|next|last|past|previous)\s+)?(?P<day>{_NAMED})(?P<poss>'s)?\b"
    rf"(?!,?\s+(?:the\s+)?\d|,?\s+(?:{_MONTH_WORDS})\b|\s*\(\d{{4}}-\d\d-\d\d\))",
    re.IGNORECASE,
)
_MARK = re.compile(rf"\b((?:{_NAMED})(?:'s)?) \(\d{{4}}-\d\d-\d\d\)", re.IGNORECASE)


def next_weekday(today: date, weekday: int) -> date:
    """The first ``weekday`` (0=Monday) strictly after ``today``: "next Monday" on a Monday is a week later."""
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def this_weekday(today: date, weekday: int) -> date:
    """The coming ``weekday`` on or after ``today`` ("this Friday")."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def mark_weekdays(query: str, now: datetime) -> str:
    """`query` with " (YYYY-MM-DD)" after each weekday it means in the future (see the module docstring)."""

    def mark(m: re.Match[str]) -> str:
        which = (m["which"] or "").lower()
        if which in ("last", "past", "previous"):
            return m[0]
        weekday = WEEKDAYS.index(m["day"].capitalize())
        day = (this_weekday if which == "this" else next_weekday)(now.date(), weekday)
        return f"{m[0]} ({day:%Y-%m-%d})"

    return _WEEKDAY.sub(mark, query)


def unmark(value: Any) -> Any:
    """`value` (an argument: a string, or a list of them) without the dates `mark_weekdays` wrote beside
    weekdays: "slipped to Friday (2024-06-07)" is "slipped to Friday" again. Other values pass through."""
    if isinstance(value, str):
        return _MARK.sub(r"\1", value)
    if isinstance(value, list):
        return [unmark(v) for v in value]
    return value
