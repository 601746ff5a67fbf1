"""Parsing of the planner's date strings ("YYYY-MM-DD HH:MM:SS", all-day "YYYY-MM-DD").

Small models drift (a "T" separator, missing seconds), so anything ISO 8601 is accepted;
everything else is a :class:`ToolError` that quotes the value and the expected format,
which the joiner can turn into a replan.
"""

from __future__ import annotations

from datetime import date, datetime

from edgecall.tools import ToolError


def parse_datetime(value: str, field: str) -> datetime:
    """Parse a date-time argument; a bare date means midnight of that day."""
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ToolError(
            f"{field} {value!r} is not a date; expected 'YYYY-MM-DD HH:MM:SS'"
        ) from None


def parse_date(value: str, field: str) -> date:
    """Parse an all-day date argument; a date-time is cut to its day."""
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        raise ToolError(f"{field} {value!r} is not a date; expected 'YYYY-MM-DD'") from None
