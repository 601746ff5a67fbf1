"""Store edge cases from the robustness probe: each is a clear tool error or handled correctly."""

from __future__ import annotations

import mailbox
import os
import time
from datetime import UTC, datetime

import icalendar
import pytest

from edgecall.assistant.store._io import safe_name, update_file
from edgecall.tools import ToolError


@pytest.mark.parametrize("name", ["é" * 200, "🙂" * 100, "a" * 400])
def test_long_unicode_names_fit_the_255_byte_file_name_limit(store, tools, call, name):
    out = call(tools, "create_note", name, "text", "")
    assert "Created note" in out
    written = [p for p in (store.root / "notes" / "Notes").iterdir() if p.name.startswith(name[:5])]
    assert len(written) == 1 and len(written[0].name.encode()) <= 255
    assert call(tools, "open_note", name, "").startswith(f"# {name}")
    call(tools, "create_calendar_event", "x", "2024-06-04 14:00:00", "", "", [], "", name)  # calendar name too


def test_safe_name_cuts_bytes_on_a_character_boundary():
    cut = safe_name("€" * 300, "note")
    assert len(cut.encode()) <= 180 and cut == "€" * 60
    assert safe_name("a\x1b[2Jb\x07", "note") == "a [2Jb"


@pytest.mark.parametrize(
    ("start", "end", "fragment"),
    [
        ("9999-12-31 23:30:00", "", "out of range"),
        ("0001-01-01 00:00:00", "0001-01-01 01:00:00", "out of range"),
    ],
)
def test_extreme_dates_are_tool_errors(tools, call, start, end, fragment):
    with pytest.raises(ToolError, match=fragment):
        call(tools, "create_calendar_event", "x", start, end, "", [], "", "")
    with pytest.raises(ToolError, match=fragment):
        call(tools, "get_zoom_meeting_link", "x", start, 30, [])


def test_mixed_aware_and_naive_times_and_offsets_are_written_as_utc(store, tools, call):
    call(tools, "create_calendar_event", "Sync", "2024-06-04 14:00:00+05:30", "2024-06-04 15:00:00", "", [], "", "")
    raw = (store.root / "calendar" / "Calendar.ics").read_bytes()
    assert b"TZID" not in raw  # no TZID without a VTIMEZONE
    cal = icalendar.Calendar.from_ical(raw)
    ev = [e for e in cal.walk("VEVENT") if str(e["summary"]) == "Sync"][0]
    assert ev.decoded("dtstart") == datetime(2024, 6, 4, 8, 30, tzinfo=UTC)
    assert ev.decoded("dtend") == datetime(2024, 6, 4, 9, 30, tzinfo=UTC)  # the naive end read in the same offset
    call(tools, "create_reminder", "Pay", "2024-06-04 09:00:00-07:00", "", "", 0, False)
    todo_raw = (store.root / "reminders" / "Reminders.ics").read_bytes()
    assert b"TZID" not in todo_raw and b"20240604T160000Z" in todo_raw


def test_an_encoded_subject_hiding_crlf_can_be_replied_to_and_forwarded(store, tools, call):
    raw = (
        b"From: Eve <eve@example.com>\nTo: me@example.com\n"
        b"Subject: =?utf-8?q?Invoice=0D=0ABcc=3A_attacker=40evil=2Eexample?=\n"
        b"Message-ID: <crlf@example.com>\nDate: Mon, 03 Jun 2030 09:00:00 +0000\n\npay now\n"
    )
    mailbox.Maildir(store.root / "mail", create=False).add(raw)  # as a mail client delivers it: bytes
    store.mail.select("<crlf@example.com>")
    assert "Saved draft reply" in call(tools, "reply_to_email", [], "No.", [])
    assert "Saved draft forward" in call(tools, "forward_email", ["sid.jha@example.com"], [], "", [])
    drafts = store.mail.drafts()
    subjects = sorted(str(d["Subject"]) for d in drafts if "Invoice" in str(d["Subject"]))
    assert subjects == ["Fwd: Invoice Bcc: attacker@evil.example", "Re: Invoice Bcc: attacker@evil.example"]
    assert all(d["Bcc"] is None for d in drafts)


def test_open_note_refuses_a_link_out_of_the_notes_folder(store, tools, call, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is hunter2")
    folder = store.root / "notes" / "Notes"
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, folder / "Leak.md")
    with pytest.raises(ToolError, match="outside the notes folder"):
        call(tools, "open_note", "Leak", "")
    with pytest.raises(ToolError, match="outside the notes folder"):
        call(tools, "append_note_content", "Leak", "more", "")
    assert secret.read_text() == "the password is hunter2"
    os.symlink(tmp_path, store.root / "notes" / "Outside")
    (tmp_path / "Other.md").write_text("# Other\n\nsecret")
    with pytest.raises(ToolError, match="outside the notes folder"):
        call(tools, "open_note", "Other", "Outside")


def test_stale_temp_files_of_a_crashed_writer_are_cleaned_safely(store):
    folder = store.root / "sms"
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / ".outbox.jsonl.abc123.tmp"
    fresh = folder / ".outbox.jsonl.def456.tmp"  # a writer that may still be running
    other = folder / ".notes.txt.abc123.tmp"  # another file's temp: not ours to judge
    for p in (stale, fresh, other):
        p.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    update_file(folder / "outbox.jsonl", lambda b: (b or b"") + b"{}\n")
    assert not stale.exists() and fresh.exists() and other.exists()
