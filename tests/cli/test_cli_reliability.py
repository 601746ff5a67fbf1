"""The command line against hostile data and bad input: escapes, sizes, one-line errors, no tracebacks.

Real processes on a real demo store, as a user would run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EDGECALL = [sys.executable, "-m", "edgecall.cli"]


def cli(*args: str, env: dict | None = None, stdin: bytes | None = None, timeout: int = 300):
    full_env = {**os.environ, "EDGECALL_CONFIG": "/nonexistent-edgecall-config.toml", **(env or {})}
    out = subprocess.run(
        [*EDGECALL, *args], check=False, capture_output=True, timeout=timeout, env=full_env, input=stdin
    )
    return out.returncode, out.stdout.decode("utf-8", "replace"), out.stderr.decode("utf-8", "replace"), out.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "profile"
    code, _, err, _ = cli("demo", "init", "--data-dir", str(root))
    assert code == 0, err
    return root


@pytest.fixture
def demo_dir(template, tmp_path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "profile"))


def no_traceback(err: str) -> None:
    assert "Traceback" not in err, err
    assert len(err.strip().splitlines()) <= 2, err


def test_terminal_escapes_in_store_data_are_shown_not_obeyed(demo_dir, tmp_path):
    (demo_dir / "notes" / "Notes").mkdir(parents=True, exist_ok=True)
    (demo_dir / "notes" / "Notes" / "Evil.md").write_text("# Evil\n\n\x1b]0;pwned\x07 \x1b[2J gone \x9b2J\n")
    plan = tmp_path / "plan.txt"
    plan.write_text('1. open_note("Evil", "")\n2. join()\n')
    code, out, err, raw = cli("execute", "--plan", str(plan), "--data-dir", str(demo_dir))
    assert code == 0, err
    assert b"\x1b" not in raw and "\x9b" not in out
    assert "\\x1b[2J gone \\x9b2J" in out
    code, out, err, raw = cli("execute", "--plan", str(plan), "--data-dir", str(demo_dir), "--json")
    assert b"\x1b" not in raw and "\x9b" not in out
    assert "\x1b[2J gone" in json.loads(out)["answer"]  # JSON keeps the data, escaped


def test_a_huge_note_gives_bounded_output_with_a_marker(demo_dir, tmp_path):
    (demo_dir / "notes" / "Notes").mkdir(parents=True, exist_ok=True)
    (demo_dir / "notes" / "Notes" / "Big.md").write_text("# Big\n\n" + "word " * 2_000_000)
    plan = tmp_path / "plan.txt"
    plan.write_text('1. open_note("Big", "")\n2. join()\n')
    code, out, err, raw = cli("execute", "--plan", str(plan), "--data-dir", str(demo_dir), "--json")
    assert code == 0, err
    assert len(raw) < 400_000
    data = json.loads(out)
    assert data["results"][0]["value"].endswith("… [truncated, 10,000,007 bytes]")
    code, out, err, raw = cli("execute", "--plan", str(plan), "--data-dir", str(demo_dir))
    assert code == 0 and len(raw) < 40_000 and "[truncated, 10,000,007 bytes]" in out
