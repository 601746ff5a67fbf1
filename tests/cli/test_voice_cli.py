"""Voice in the CLI, as a user runs it: `edgecall run --audio FILE`, `edgecall listen`, `edgecall serve --help`."""

from __future__ import annotations

import os
import subprocess
import sys

EDGECALL = [sys.executable, "-m", "edgecall.cli"]
NOW = "2024-06-03 09:00:00"


def cli(*args: str, timeout: int = 600, stdin: str | None = None):
    env = {**os.environ, "EDGECALL_CONFIG": "/nonexistent-edgecall-config.toml"}
    return subprocess.run([*EDGECALL, *args], capture_output=True, text=True, timeout=timeout, env=env, input=stdin,
                          check=False)


def test_run_audio_transcribes_plans_and_runs(speech, tmp_path):
    out = cli("run", "--audio", str(speech), "--demo", "--data-dir", str(tmp_path / "p"), "--now", NOW)
    heard = out.stdout.splitlines()[0]
    assert heard.startswith("heard: ") and "Maria" in heard and "running late" in heard, out.stdout
    assert "→ 1." in out.stdout and "answer (" in out.stdout, out.stdout + out.stderr
    assert out.returncode in (0, 1) and "Traceback" not in out.stderr


def test_run_audio_refuses_a_file_that_is_not_audio(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio " * 100)
    out = cli("run", "--audio", str(bad), "--demo", "--data-dir", str(tmp_path / "p"))
    assert out.returncode == 1
    assert "not a readable audio recording" in out.stderr and "Traceback" not in out.stderr


def test_run_needs_a_request_or_audio_but_not_both(speech, tmp_path):
    for args in ((), ("hello", "--audio", str(speech))):
        out = cli("run", *args, "--data-dir", str(tmp_path))
        assert out.returncode == 1 and "give either a request or --audio FILE" in out.stderr


def test_listen_without_a_microphone_says_so_clearly(tmp_path):
    """This machine (and CI) has no sound card; listen must say so in one line, not crash."""
    out = cli("listen", "--demo", "--data-dir", str(tmp_path / "p"), timeout=120, stdin="")
    assert out.returncode == 1
    assert "no audio input" in out.stderr and "edgecall run --audio FILE" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_help_documents_the_flags():
    out = cli("serve", "--help")
    assert out.returncode == 0
    for flag in ("--host", "--port", "--token", "--demo", "--max-queue", "--cors-origin"):
        assert flag in out.stdout
