"""Calendar events (VEVENT with ATTENDEE) and reminders (VTODO), parsed back with icalendar."""

from __future__ import annotations

from datetime import date, datetime

import icalendar
import pytest

from edgecall.tools import ToolError


def _events(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return [c for c in cal.walk("VEVENT")]


def test_event_with_invitees_location_and_notes(store, tools, call):
    out = call(
        tools, "create_calendar_event", "Roadmap", "2024-06-04 14:00:00", "2024-06-04 15:30:00",
        "Room 4", ["sid.jha@example.com", "Lutfi"], "Bring numbers", "Work",
    )
    path = store.root / "calendar" / "Work.ics"
    assert str(path) in out
    (ev,) = _events(path)
    assert str(ev["summary"]) == "Roadmap"
    assert ev.decoded("dtstart") == datetime(2024, 6, 4, 14, 0)
    assert ev.decoded("dtend") == datetime(2024, 6, 4, 15, 30)
    assert str(ev["location"]) == "Room 4" and str(ev["description"]) == "Bring numbers"
    attendees = [str(a) for a in ev.get("attendee")]
    assert attendees == ["mailto:sid.jha@example.com", "mailto:lutfi.erdogan@example.com"]
    assert ev["uid"]


def test_default_calendar_and_60_minute_default(store, tools, call):
    call(tools, "create_calendar_event", "Call mom", "2024-06-05 18:00:00", "", "", [], "", "")
    events = _events(store.root / "calendar" / "Calendar.ics")
    ev = [e for e in events if str(e["summary"]) == "Call mom"][0]
    assert ev.decoded("dtend") == datetime(2024, 6, 5, 19, 0)
    assert len(events) == 2  # the demo's product meeting is still there


def test_calendar_name_matches_existing_file_case_insensitively(store, tools, call):
    call(tools, "create_calendar_event", "x", "2024-06-05 18:00:00", "", "", [], "", "calendar")
    assert [p.name for p in (store.root / "calendar").glob("*.ics")] == ["Calendar.ics"]


@pytest.mark.parametrize(
    "start,end,match",
    [
        ("tomorrow at 3", "", r"start_date 'tomorrow at 3' is not a date; expected 'YYYY-MM-DD HH:MM:SS'"),
        ("2024-06-05 18:00:00", "2024-06-05 17:00:00", "is not after start_date"),
    ],
)
def test_bad_dates(tools, call, start, end, match):
    with pytest.raises(ToolError, match=match):
        call(tools, "create_calendar_event", "x", start, end, "", [], "", "")


def test_unknown_invitee_writes_nothing(store, tools, call):
    before = (store.root / "calendar" / "Calendar.ics").read_bytes()
    with pytest.raises(ToolError, match="no contact matches 'Gandalf'"):
        call(tools, "create_calendar_event", "x", "2024-06-05 18:00:00", "", "", ["Gandalf"], "", "")
    assert (store.root / "calendar" / "Calendar.ics").read_bytes() == before


def test_corrupt_calendar_is_reported_and_left_alone(store, tools, call):
    path = store.root / "calendar" / "Calendar.ics"
    path.write_text("BEGIN:VCALENDAR\nthis is garbage", encoding="utf-8")
    with pytest.raises(ToolError, match=r"Calendar.ics is not valid iCalendar"):
        call(tools, "create_calendar_event", "x", "2024-06-05 18:00:00", "", "", [], "", "")
    assert path.read_text(encoding="utf-8") == "BEGIN:VCALENDAR\nthis is garbage"


def test_all_day_reminder_with_priority_and_list(store, tools, call):
    out = call(tools, "create_reminder", "Pay rent", "2024-06-07", "transfer", "Home", 1, True)
    assert "Home.ics" in out
    cal = icalendar.Calendar.from_ical((store.root / "reminders" / "Home.ics").read_bytes())
    assert str(cal["x-wr-calname"]) == "Home"
    (todo,) = cal.walk("VTODO")
    assert todo.decoded("due") == date(2024, 6, 7)
    assert b"DUE;VALUE=DATE:20240607" in todo.to_ical()
    assert int(todo["priority"]) == 1 and str(todo["description"]) == "transfer"
    assert str(todo["status"]) == "NEEDS-ACTION"


def test_timed_reminder_in_default_list(store, tools, call):
    call(tools, "create_reminder", "Call Dana", "2024-06-04 17:30:00", "", "", 0, False)
    cal = icalendar.Calendar.from_ical((store.root / "reminders" / "Reminders.ics").read_bytes())
    todo = [t for t in cal.walk("VTODO") if str(t["summary"]) == "Call Dana"][0]
    assert todo.decoded("due") == datetime(2024, 6, 4, 17, 30)
    assert "priority" not in todo


def test_reminder_errors(tools, call):
    with pytest.raises(ToolError, match="priority 12 is out of range"):
        call(tools, "create_reminder", "x", "", "", "", 12, False)
    with pytest.raises(ToolError, match="due_date 'Friday' is not a date"):
        call(tools, "create_reminder", "x", "Friday", "", "", 0, True)


def test_parallel_events_in_one_plan_are_all_kept(store, tools):
    """The executor runs independent tasks in threads: ten events written at once."""
    import asyncio

    from edgecall.plan import parse_plan
    from edgecall.runtime import Executor

    lines = [f'{i}. create_calendar_event("Slot {i}", "2024-06-1{i % 10} 09:00:00", "", "", [], "", "Busy")' for i in range(1, 11)]
    plan = parse_plan("\n".join([*lines, "11. join()<END_OF_PLAN>"]), tools)
    results = asyncio.run(Executor(tools).run(plan.tasks))
    assert all(r.ok for r in results.values()), [r.error for r in results.values()]
    assert sorted(str(e["summary"]) for e in _events(store.root / "calendar" / "Busy.ics")) == sorted(f"Slot {i}" for i in range(1, 11))
