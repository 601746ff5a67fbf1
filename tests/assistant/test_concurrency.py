"""Two real processes writing the same calendar, note and outbox at once lose nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import icalendar

N = 25
WRITER = f"""
import sys
from datetime import datetime, timedelta
from edgecall.assistant.store import Store

store, tag = Store(sys.argv[1]), sys.argv[2]
for i in range({N}):
    start = datetime(2024, 6, 10, 9) + timedelta(hours=i)
    store.calendar.add_event(title=f"{{tag}}-{{i}}", start=start, end=start + timedelta(minutes=30))
    store.notes.append("Log", f"{{tag}}-{{i}}", "")
    store.sms.send(["+1 555 0100"], f"{{tag}}-{{i}}")
"""


def test_two_processes_lose_nothing(tmp_path):
    root = tmp_path / "data"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(root), tag], stderr=subprocess.PIPE, text=True)
        for tag in ("A", "B")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err

    expected = {f"{tag}-{i}" for tag in "AB" for i in range(N)}
    cal = icalendar.Calendar.from_ical((root / "calendar" / "Calendar.ics").read_bytes())
    titles = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert sorted(titles) == sorted(expected)

    note = (root / "notes" / "Notes" / "Log.md").read_text(encoding="utf-8")
    assert note.startswith("# Log\n")
    paragraphs = [p.strip() for p in note.split("\n\n")[1:]]
    assert sorted(paragraphs) == sorted(expected)

    sms = [json.loads(line)["message"] for line in (root / "sms" / "outbox.jsonl").read_text().splitlines()]
    assert sorted(sms) == sorted(expected)
    assert not list(root.rglob("*.tmp"))  # no temp file left behind
