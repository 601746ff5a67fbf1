"""Calendar events and reminders as iCalendar files.

``calendar/<Calendar name>.ics`` holds VEVENTs (with ATTENDEEs) and
``reminders/<List name>.ics`` holds VTODOs (priority, due date or all-day due date): one
standard ``.ics`` per calendar / reminder list, importable by GNOME Calendar, Thunderbird,
Evolution or any CalDAV sync tool.  Times are floating (local wall-clock) as the planner
writes them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar

from edgecall.assistant.store._io import StoreError, safe_name, update_file

PRODID = "-//edgecall//personal assistant//EN"


def parse_calendar(data: bytes, path: Path) -> icalendar.Calendar:
    """Parse an .ics file, naming the file in the error if it is not iCalendar."""
    try:
        cal = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise StoreError(f"calendar file {path} is not valid iCalendar: {exc}") from None
    if cal.name != "VCALENDAR":
        raise StoreError(f"calendar file {path} holds a {cal.name}, not a VCALENDAR")
    return cal


def new_calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


class IcsFolder:
    """A folder of named ``.ics`` files, one per calendar or reminder list."""

    def __init__(self, folder: Path, default: str) -> None:
        self.folder = folder
        self.default = default

    def path_for(self, name: str) -> Path:
        """The file of calendar ``name`` ("" = default), reusing an existing file case-insensitively."""
        wanted = safe_name(name.strip() or self.default, "calendar")
        if self.folder.is_dir():
            for existing in self.folder.glob("*.ics"):
                if existing.stem.casefold() == wanted.casefold():
                    return existing
        return self.folder / f"{wanted}.ics"

    def add(self, name: str, component: icalendar.cal.Component) -> Path:
        """Append ``component`` to calendar ``name`` under the file's lock; returns the file."""
        path = self.path_for(name)

        def change(old: bytes | None) -> bytes:
            cal = parse_calendar(old, path) if old is not None else new_calendar(path.stem)
            cal.add_component(component)
            data: bytes = cal.to_ical()  # typed Any by icalendar
            return data

        update_file(path, change)
        return path

    def read(self, name: str) -> icalendar.Calendar:
        path = self.path_for(name)
        if not path.exists():
            raise StoreError(f"calendar file {path} does not exist")
        return parse_calendar(path.read_bytes(), path)


def ical_time(value: date | datetime) -> date | datetime:
    """A time icalendar writes correctly: aware times in UTC ("...Z"), naive ones floating.

    icalendar writes a fixed offset such as +05:30 as ``TZID=UTC+05:30`` with no VTIMEZONE,
    which calendar apps reject or misread; UTC needs no VTIMEZONE.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def _stamp(component: icalendar.cal.Component) -> None:
    component.add("uid", f"{uuid.uuid4()}@edgecall")
    component.add("dtstamp", datetime.now(UTC))


class Calendar(IcsFolder):
    def add_event(
        self,
        *,
        title: str,
        start: datetime,
        end: datetime,
        location: str = "",
        attendees: list[str] | tuple[str, ...] = (),
        notes: str = "",
        calendar: str = "",
        organizer: str | None = None,
    ) -> Path:
        if not title.strip():
            raise StoreError("an event needs a title")
        event = icalendar.Event()
        _stamp(event)
        event.add("summary", title.strip())
        event.add("dtstart", ical_time(start))
        event.add("dtend", ical_time(end))
        if location.strip():
            event.add("location", location.strip())
        if notes.strip():
            event.add("description", notes.strip())
        if organizer:
            event.add("organizer", f"mailto:{organizer}")
        for email in attendees:
            event.add(
                "attendee",
                f"mailto:{email}",
                parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"},
            )
        return self.add(calendar, event)


class Reminders(IcsFolder):
    def add_todo(
        self, name: str, due: date | datetime | None, notes: str, list_name: str, priority: int
    ) -> Path:
        if not name.strip():
            raise StoreError("a reminder needs a name")
        todo = icalendar.Todo()
        _stamp(todo)
        todo.add("summary", name.strip())
        todo.add("status", "NEEDS-ACTION")
        if due is not None:
            todo.add("due", ical_time(due))  # a date (not datetime) is written as VALUE=DATE: all-day
        if notes.strip():
            todo.add("description", notes.strip())
        if priority:
            todo.add("priority", priority)
        return self.add(list_name, todo)
