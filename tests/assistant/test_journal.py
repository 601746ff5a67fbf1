"""The run journal and undo: real tools on a real demo store, compared byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edgecall.assistant.store import Store
from edgecall.assistant.store._io import write_observer
from edgecall.assistant.store.journal import JOURNAL_DIR, RunJournal, journal_run, undo_last_run


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) of the store, except the journal and lock files."""
    out: dict[str, bytes | None] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if rel == JOURNAL_DIR or rel.startswith(JOURNAL_DIR + "/") or p.name == ".edgecall.lock":
            continue
        out[rel] = None if p.is_dir() else p.read_bytes()
    return out


def changed(a: dict[str, bytes | None], b: dict[str, bytes | None]) -> set[str]:
    return {k for k in a.keys() | b.keys() if a.get(k, b"<absent>") != b.get(k, b"<absent>")}


def test_undo_restores_every_file_of_a_run_byte_for_byte(demo_dir, tools, call):
    before = snapshot(demo_dir)
    with journal_run(demo_dir, "a busy request"):
        call(tools, "create_note", "Packing list", "passport, charger", "Travel")  # new folder + file
        call(tools, "append_note_content", "Groceries", "oat milk", "")  # an existing file appended
        call(tools, "create_calendar_event", "Dentist", "2024-06-12 09:00:00", "", "", [], "", "")
        call(tools, "create_reminder", "Call mum", "", "", "Family", 0, False)  # a new list file
        call(tools, "create_reminder", "Buy stamps", "", "", "Family", 0, False)  # the same file twice
        call(tools, "compose_new_email", ["maria.garcia@example.com"], [], "Hi", "see you", [])
        call(tools, "send_sms", ["Maria"], "Running late")  # queued: local, undoable
    after = snapshot(demo_dir)
    assert {"notes/Travel", "notes/Travel/Packing list.md", "notes/Notes/Groceries.md",
            "calendar/Calendar.ics", "reminders/Family.ics", "sms/outbox.jsonl"} <= changed(before, after)
    assert any(k.startswith("mail/.Drafts/cur/") for k in changed(before, after))

    report = undo_last_run(demo_dir)

    assert report is not None and report.request == "a busy request"
    assert snapshot(demo_dir) == before  # created files and folders gone, changed files restored
    assert "notes/Notes/Groceries.md" in report.restored and "notes/Travel/Packing list.md" in report.removed
    assert report.conflicts == [] and report.sent == []
    assert undo_last_run(demo_dir) is None  # nothing left to undo


def test_each_undo_walks_one_run_back(demo_dir, tools, call):
    original = snapshot(demo_dir)
    with journal_run(demo_dir, "first"):
        call(tools, "append_note_content", "Groceries", "eggs", "")
    after_first = snapshot(demo_dir)
    with journal_run(demo_dir, "lookups only"):
        call(tools, "get_phone_number", "Maria")  # read-only: leaves no journal
    with journal_run(demo_dir, "second"):
        call(tools, "append_note_content", "Groceries", "flour", "")

    assert undo_last_run(demo_dir).request == "second"
    assert snapshot(demo_dir) == after_first
    assert undo_last_run(demo_dir).request == "first"
    assert snapshot(demo_dir) == original
    assert undo_last_run(demo_dir) is None
    assert len(list((demo_dir / JOURNAL_DIR).iterdir())) == 3  # two runs and the undo lock, no empty run


def test_a_file_edited_after_the_run_is_reported_not_clobbered(demo_dir, tools, call):
    note = demo_dir / "notes/Notes/Groceries.md"
    with journal_run(demo_dir, "add eggs"):
        call(tools, "append_note_content", "Groceries", "eggs", "")
        call(tools, "create_reminder", "Call mum", "", "", "Family", 0, False)
    note.write_text(note.read_text() + "\nmy own line\n")
    edited = note.read_bytes()

    report = undo_last_run(demo_dir)

    assert note.read_bytes() == edited
    assert report.conflicts == ["notes/Notes/Groceries.md: changed after the run; left as it is"]
    assert report.removed == ["reminders/Family.ics"]


@pytest.mark.parametrize("order", [["a1", "b1", "a2", "b2"], ["a1", "b1", "a2"]])
def test_interleaved_runs_never_undo_each_other(demo_dir, order):
    """Runs A and B take turns writing the outbox: undoing either must never drop the other's messages."""
    store = Store(demo_dir)
    original = (demo_dir / "sms/outbox.jsonl").read_bytes() if (demo_dir / "sms/outbox.jsonl").exists() else None
    journals = {"a": RunJournal(demo_dir, "A"), "b": RunJournal(demo_dir, "B")}
    for text in order:
        token = write_observer.set(journals[text[0]])
        try:
            store.sms.send(["+1 555 0100"], text)
        finally:
            write_observer.reset(token)
    for journal in journals.values():
        journal.close()
    outbox = (demo_dir / "sms/outbox.jsonl").read_bytes()

    first = undo_last_run(demo_dir)
    second = undo_last_run(demo_dir)

    assert first.request == "B" and first.conflicts == ["sms/outbox.jsonl: also changed by the run 'A' since; left as it is"]
    assert second.request == "A" and second.conflicts == ["sms/outbox.jsonl: also changed by the run 'B' since; left as it is"]
    assert (demo_dir / "sms/outbox.jsonl").read_bytes() == outbox  # every message kept
    assert original is None or outbox.startswith(original)


def test_sent_messages_are_reported_as_not_undoable(demo_dir, toolset_for, call, tmp_path):
    log = tmp_path / "sent.txt"
    script = f"import sys; open({str(log)!r}, 'a').write(sys.argv[1] + '|' + sys.argv[2] + '\\n')"
    tools = toolset_for(demo_dir, sms_command=(sys.executable, "-c", script, "{number}", "{message}"))
    before = snapshot(demo_dir)
    with journal_run(demo_dir, "text Maria"):
        call(tools, "send_sms", ["Maria"], "Running late")
    report = undo_last_run(demo_dir)
    assert report.sent == ["SMS to +1 510 555 0101 with " + f"{sys.executable}: 'Running late'"]
    assert snapshot(demo_dir) == before  # the outbox line is gone; the SMS itself is not
    assert log.read_text() == "+1 510 555 0101|Running late\n"


CONCURRENT = """
import sys
from edgecall.assistant.store import Store
from edgecall.assistant.store.journal import journal_run

root, tag = sys.argv[1], sys.argv[2]
store = Store(root)
with journal_run(root, tag):
    for i in range(20):
        store.notes.append(f"Log {tag}", f"{tag}-{i}", "Runs")
        store.sms.send(["+1 555 0100"], f"{tag}-{i}")
"""


def test_concurrent_runs_keep_whole_journals(demo_dir):
    before = snapshot(demo_dir)
    procs = [
        subprocess.Popen([sys.executable, "-c", CONCURRENT, str(demo_dir), tag], stderr=subprocess.PIPE, text=True)
        for tag in ("A", "B")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    runs = sorted((demo_dir / JOURNAL_DIR).glob("*/run.json"))
    assert len(runs) == 2
    for run in runs:
        entries = [json.loads(p.read_text()) for p in sorted(run.parent.glob("[0-9]*.json"))]
        files = [e for e in entries if e["kind"] == "file"]
        assert sorted(e["path"] for e in files) == sorted(
            [f"notes/Runs/Log {json.loads(run.read_text())['request']}.md", "sms/outbox.jsonl"]
        )
        assert all(len(e["writes"]) == 20 for e in files)
        assert (run.parent / "end.json").exists()

    reports = [undo_last_run(demo_dir), undo_last_run(demo_dir)]
    after = snapshot(demo_dir)
    # Each run's own note is gone. Each run's part of the shared outbox is either undone entirely or, when
    # another run wrote there after it began (interleaved, or a later run's kept writes), reported and kept
    # entirely: never half undone. Which run conflicts depends on how the two processes were scheduled.
    assert not any(k.startswith("notes/Runs") for k in after)
    conflicted = {c.split(":")[0] for r in reports for c in r.conflicts}
    assert conflicted <= {"sms/outbox.jsonl"}
    if not conflicted:
        assert after == before
        return
    outbox = demo_dir / "sms/outbox.jsonl"
    messages = [json.loads(x)["message"] for x in outbox.read_text().splitlines()] if outbox.exists() else []
    for report in reports:
        assert report is not None
        mine = {f"{report.request}-{i}" for i in range(20)}
        if "sms/outbox.jsonl" in report.kept:
            assert mine <= set(messages)
        else:
            assert not mine & set(messages)


def test_a_run_still_going_is_not_undone(demo_dir, tools, call):
    with journal_run(demo_dir, "slow request"):
        call(tools, "append_note_content", "Groceries", "eggs", "")
        with pytest.raises(Exception, match="'slow request'.*is still going"):
            undo_last_run(demo_dir)
    assert undo_last_run(demo_dir).request == "slow request"


def test_old_journals_are_pruned(demo_dir, tools, call, monkeypatch):
    from edgecall.assistant.store import journal

    monkeypatch.setattr(journal, "KEEP_RUNS", 2)
    for n in range(4):
        with journal_run(demo_dir, f"run {n}"):
            call(tools, "append_note_content", "Groceries", f"item {n}", "")
    kept = sorted(json.loads(p.read_text())["request"] for p in (demo_dir / JOURNAL_DIR).glob("*/run.json"))
    assert kept == ["run 2", "run 3"]
    assert undo_last_run(demo_dir).request == "run 3"


CRASH = """
import os, sys
from edgecall.assistant.store import Store
from edgecall.assistant.store.journal import journal_run

with journal_run(sys.argv[1], "crashed request"):
    Store(sys.argv[1]).notes.append("Groceries", "eggs", "")
    os._exit(9)  # killed mid-run: no end marker is written
"""


def test_a_run_whose_process_died_can_be_undone(demo_dir):
    before = snapshot(demo_dir)
    proc = subprocess.run([sys.executable, "-c", CRASH, str(demo_dir)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    assert snapshot(demo_dir) != before
    [run] = (demo_dir / JOURNAL_DIR).glob("*/run.json")
    assert not (run.parent / "end.json").exists()
    assert undo_last_run(demo_dir).request == "crashed request"
    assert snapshot(demo_dir) == before
