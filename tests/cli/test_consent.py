"""Consent, progress and undo, used as a person would: real processes, a real pseudo-terminal,
a real `sms_command` that records each invocation, the demo store and the packaged model."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

EDGECALL = [sys.executable, "-m", "edgecall.cli"]
NOW = "2024-06-03 09:00:00"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\r")
QUESTION = "Do it?"
SMS_PLAN = '1. get_phone_number("Maria")\n2. send_sms(["$1"], "Running late")\n3. create_note("Trip", "passport", "")\n4. join()\n'
RECORDER = "import sys\nwith open(sys.argv[1], 'a') as f:\n    f.write(sys.argv[2] + '|' + sys.argv[3] + '\\n')\n"


def env_for(config: Path | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "EDGECALL_CONFIG": str(config) if config else "/nonexistent-edgecall-config.toml",
        "COLUMNS": "200",
        "TERM": "xterm",
        "EDGECALL_TASK_TIMEOUT": "600",  # sub-agent writes can pass the 60 s tool budget on a loaded machine
    }


def cli(*args: str, config: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """A run without a terminal (stdin is not a TTY either)."""
    return subprocess.run(
        [*EDGECALL, *args], capture_output=True, text=True, timeout=timeout, env=env_for(config),
        stdin=subprocess.DEVNULL, check=False,
    )


def in_pty(*args: str, config: Path | None = None, answer: str | None = None, timeout: float = 600) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal; type `answer` when the consent question shows. Returns (rc, screen text)."""
    master, slave = os.openpty()
    proc = subprocess.Popen([*EDGECALL, *args], stdin=slave, stdout=slave, stderr=slave, env=env_for(config))
    os.close(slave)
    out = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
                if answer is not None and not answered and QUESTION.encode() in out:
                    os.write(master, answer.encode() + b"\r")
                    answered = True
            elif proc.poll() is not None:
                break
        else:
            pytest.fail(f"edgecall {' '.join(args)} did not finish in {timeout}s:\n{ANSI.sub('', out.decode(errors='replace'))}")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    return proc.returncode, ANSI.sub("", out.decode(errors="replace"))


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "profile"
    out = cli("demo", "init", "--data-dir", str(root))
    assert out.returncode == 0, out.stderr
    return root


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo_template, tmp_path / "profile"))


@pytest.fixture
def sms_log(tmp_path: Path) -> Path:
    return tmp_path / "sms-sent.log"


@pytest.fixture
def sms_config(tmp_path: Path, sms_log: Path) -> Path:
    """A config whose sms_command really runs: a script that records every invocation."""
    script = tmp_path / "send_sms.py"
    script.write_text(RECORDER)
    config = tmp_path / "config.toml"
    command = [sys.executable, str(script), str(sms_log), "{number}", "{message}"]
    config.write_text(f"[assistant]\nsms_command = {json.dumps(command)}\n")
    return config


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.txt"
    path.write_text(SMS_PLAN)
    return path


def outbox(demo: Path) -> list[dict]:
    path = demo / "sms" / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder of the store, except lock files and the journal itself."""
    return {
        p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.name != ".edgecall.lock" and ".journal" not in p.relative_to(root).parts
    }


# -- consent ---------------------------------------------------------------------------------


def test_answering_no_sends_nothing(demo, sms_config, sms_log, plan_file):
    rc, screen = in_pty("execute", "--plan", str(plan_file), "--data-dir", str(demo), config=sms_config, answer="n")
    assert QUESTION in screen
    assert 'send_sms(["+1 510 555 0101"], "Running late")' in screen  # the act with its real arguments
    assert "This cannot be undone: send an SMS to +1 510 555 0101" in screen
    assert "declined by the user" in screen and rc == 1
    assert not sms_log.exists() and outbox(demo) == []
    assert (demo / "notes/Notes/Trip.md").exists()  # the undoable rest of the plan still ran


def test_answering_yes_sends(demo, sms_config, sms_log, plan_file):
    rc, screen = in_pty("execute", "--plan", str(plan_file), "--data-dir", str(demo), config=sms_config, answer="y")
    assert QUESTION in screen and rc == 0, screen
    assert sms_log.read_text() == "+1 510 555 0101|Running late\n"
    assert [r["status"] for r in outbox(demo)] == ["sent"]


def test_yes_flag_skips_the_question(demo, sms_config, sms_log, plan_file):
    rc, screen = in_pty("execute", "--plan", str(plan_file), "--data-dir", str(demo), "--yes", config=sms_config)
    assert QUESTION not in screen and rc == 0, screen
    assert sms_log.read_text() == "+1 510 555 0101|Running late\n"


def test_confirm_false_setting_skips_the_question(demo, sms_config, sms_log, plan_file):
    sms_config.write_text("confirm = false\n" + sms_config.read_text())
    out = cli("execute", "--plan", str(plan_file), "--data-dir", str(demo), config=sms_config)
    assert out.returncode == 0, out.stderr
    assert sms_log.read_text() == "+1 510 555 0101|Running late\n"


def test_without_a_terminal_it_refuses_instead_of_hanging(demo, sms_config, sms_log, plan_file):
    out = cli("execute", "--plan", str(plan_file), "--data-dir", str(demo), "--json", config=sms_config, timeout=120)
    assert out.returncode == 1
    assert "no terminal to ask on; rerun with --yes, or set confirm = false" in out.stderr
    result = {r["idx"]: r for r in json.loads(out.stdout)["results"]}
    assert result[2]["status"] == "declined" and "no terminal to ask on" in result[2]["error"]
    assert not sms_log.exists() and outbox(demo) == []


def test_local_acts_need_no_question(demo, plan_file):
    """Without an sms_command the SMS only goes to the local outbox: undoable, so nobody is asked."""
    out = cli("execute", "--plan", str(plan_file), "--data-dir", str(demo))
    assert out.returncode == 0, out.stderr
    assert QUESTION not in out.stdout + out.stderr
    assert [r["status"] for r in outbox(demo)] == ["queued"]


def test_run_with_the_model_waits_for_consent(demo, sms_config, sms_log):
    """The whole path: the packaged model plans the SMS, the terminal asks, "no" sends nothing."""
    rc, screen = in_pty(
        "run", "Send an SMS to Maria saying I am running late", "--data-dir", str(demo), "--now", NOW,
        config=sms_config, answer="n",
    )
    assert "loading the model edgecall-planner" in screen  # progress from the first moment
    assert QUESTION in screen and "send an SMS to +1 510 555 0101" in screen, screen
    assert "declined by the user" in screen and rc == 1
    assert not sms_log.exists() and outbox(demo) == []


# -- progress --------------------------------------------------------------------------------


def test_progress_is_plain_lines_without_a_terminal(demo):
    """(With --json there is none: see test_undo_after_a_model_run_and_what_it_cannot_undo.)"""
    plain = cli("plan", "Send an SMS to Maria saying hi", "--now", NOW)
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr.splitlines() == [
        "loading the model edgecall-planner…",
        "planning: the model reads the prompt and writes the plan…",
    ]
    assert "send_sms" in plain.stdout


# -- undo ------------------------------------------------------------------------------------


def test_undo_restores_the_store_after_a_plan_byte_for_byte(demo, tmp_path):
    plan = tmp_path / "busy.txt"
    plan.write_text(
        '1. create_note("Packing list", "passport, charger", "Travel")\n'
        '2. append_note_content("Groceries", "oat milk", "")\n'
        '3. create_reminder("Call mum", "2024-06-04 18:00:00", "", "Family", 1, False)\n'
        '4. create_calendar_event("Dentist", "2024-06-12 09:00:00", "", "", [], "", "")\n'
        '5. get_email_address("Maria")\n'
        '6. compose_new_email(["$5"], [], "Dinner", "See you at 8", [])\n'
        '7. send_sms(["Maria"], "On my way")\n'
        "8. join()\n"
    )
    before = snapshot(demo)
    out = cli("execute", "--plan", str(plan), "--data-dir", str(demo), "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    during = snapshot(demo)
    changed = {k for k in before.keys() | during.keys() if before.get(k, b"-") != during.get(k, b"-")}
    assert {"notes/Travel/Packing list.md", "notes/Notes/Groceries.md", "reminders/Family.ics",
            "calendar/Calendar.ics", "sms/outbox.jsonl"} <= changed
    assert any(k.startswith("mail/.Drafts/cur/") for k in changed)

    undone = cli("undo", "--data-dir", str(demo))

    assert undone.returncode == 0, undone.stderr
    assert snapshot(demo) == before
    text = undone.stdout
    assert "restored notes/Notes/Groceries.md" in text and "restored calendar/Calendar.ics" in text
    assert "removed  notes/Travel/Packing list.md" in text and "removed  reminders/Family.ics" in text
    again = cli("undo", "--data-dir", str(demo))
    assert again.returncode == 0 and again.stdout.startswith("Nothing to undo")


def test_undo_after_a_model_run_and_what_it_cannot_undo(demo, sms_config, sms_log):
    before = snapshot(demo)
    out = cli(
        "run", "Send an SMS to Maria saying I am running late", "--data-dir", str(demo), "--now", NOW,
        "--yes", "--json", config=sms_config,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stderr == ""  # --json: no progress lines
    assert json.loads(out.stdout)["ok"] is True
    [sent] = sms_log.read_text().splitlines()
    assert sent.startswith("+1 510 555 0101|")
    assert snapshot(demo) != before

    undone = cli("undo", "--data-dir", str(demo), "--json", config=sms_config)

    assert undone.returncode == 0, undone.stderr
    report = json.loads(undone.stdout)["undone"]
    assert report["request"] == "Send an SMS to Maria saying I am running late"
    assert report["removed"] == ["sms/outbox.jsonl", "sms/"]
    assert len(report["sent"]) == 1 and report["sent"][0].startswith("SMS to +1 510 555 0101")
    assert snapshot(demo) == before
