"""Parsing of the planner's date strings ("YYYY-MM-DD HH:MM:SS", all-day "YYYY-MM-DD").

Small models drift (a "T" separator, missing seconds), so anything ISO 8601 is accepted;
everything else is a :class:`ToolError` that quotes the value and the expected format,
which the joiner can turn into a replan.
"""

from __future__ import annotations

from datetime import date, datetime

from edgecall.tools import ToolError

MIN_YEAR, MAX_YEAR = 1900, 9000
"""Dates a personal assistant can mean. Outside them, adding an hour (year 9999) or converting to
UTC (year 1) overflows Python's datetime, and no calendar app shows such an event anyway."""


def _in_range(parsed: datetime, value: str, field: str) -> datetime:
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ToolError(f"{field} {value!r} is out of range; expected a year between {MIN_YEAR} and {MAX_YEAR}")
    return parsed


def parse_datetime(value: str, field: str) -> datetime:
    """Parse a date-time argument; a bare date means midnight of that day."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ToolError(
            f"{field} {value!r} is not a date; expected 'YYYY-MM-DD HH:MM:SS'"
        ) from None
    return _in_range(parsed, value, field)


def parse_date(value: str, field: str) -> date:
    """Parse an all-day date argument; a date-time is cut to its day."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ToolError(f"{field} {value!r} is not a date; expected 'YYYY-MM-DD'") from None
    return _in_range(parsed, value, field).date()


def same_zone(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Give a naive time the other one's UTC offset, so the two can be compared and stored.

    "2024-06-04 14:00:00+05:30" to "2024-06-04 15:00:00" means 15:00 in the same zone; comparing
    an aware with a naive datetime raises TypeError.
    """
    if start.tzinfo is not None and end.tzinfo is None:
        end = end.replace(tzinfo=start.tzinfo)
    elif end.tzinfo is not None and start.tzinfo is None:
        start = start.replace(tzinfo=end.tzinfo)
    return start, end
