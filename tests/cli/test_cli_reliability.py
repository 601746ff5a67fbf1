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
    """No traceback, and at most one error line (progress lines may come before it)."""
    assert "Traceback" not in err, err
    assert len([line for line in err.splitlines() if line.startswith("error:")]) <= 1, err


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


@pytest.mark.parametrize("command", ["run", "plan"])
@pytest.mark.parametrize("request_text", ["", "   \n\t "])
def test_a_blank_request_is_refused_before_any_model_runs(command, request_text):
    code, out, err, _ = cli(command, request_text)
    assert code == 1 and "the request is empty" in err
    no_traceback(err)


def test_a_request_with_undecodable_bytes_is_refused():
    out = subprocess.run(
        [*EDGECALL, "plan", b"caf\xe9 with Sid".decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape")],
        capture_output=True, timeout=120, env={**os.environ, "EDGECALL_CONFIG": "/nonexistent.toml"}, check=False,
    )
    err = out.stderr.decode()
    assert out.returncode == 1 and "not valid UTF-8 (at character 4)" in err
    no_traceback(err)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'1. create_note("caf\xe9", "x", "")\n2. join()\n', "is not UTF-8 text (byte 0xe9 at offset 19)"),
        (bytes(range(256)) * 4, "is not UTF-8 text (byte 0x80 at offset 128)"),
        (b"\x00\x01\x02 1. f()\n", "is not a plan step"),
    ],
)
def test_execute_refuses_non_text_plans_from_files_and_stdin(demo_dir, tmp_path, data, fragment):
    plan = tmp_path / "plan.txt"
    plan.write_bytes(data)
    code, _, err, _ = cli("execute", "--plan", str(plan), "--data-dir", str(demo_dir))
    assert code == 1 and fragment in err and str(plan) in err.replace("\n", "")
    no_traceback(err)
    code, _, err, _ = cli("execute", "--plan", "-", "--data-dir", str(demo_dir), stdin=data)
    assert code == 1 and fragment in err
    no_traceback(err)


def test_bad_option_and_config_values_name_the_option_or_the_file(tmp_path):
    code, _, err, _ = cli("run", "text Sid", "--joiner", "foo")
    assert code == 1 and "option --joiner: Input should be 'rule' or 'llm' (got 'foo')" in err
    no_traceback(err)
    config = tmp_path / "config.toml"
    config.write_text('task_timeout = "soon"\n[assistant]\nuser_email = 5\n')
    code, _, err, _ = cli("run", "text Sid", "--config", str(config))
    flat = err.replace("\n", "")
    assert code == 1 and "setting 'task_timeout'" in flat and str(config) in flat and "(got 'soon')" in flat
    assert "setting 'assistant.user_email'" in flat
    no_traceback(err)
    config.write_text("model = \n")
    code, _, err, _ = cli("run", "text Sid", "--config", str(config))
    assert code == 1 and f"cannot read the config file {config}" in err.replace("\n", "")
    no_traceback(err)


def test_one_corrupt_vcf_does_not_block_lookups_and_names_its_line(demo_dir, tmp_path):
    (demo_dir / "contacts" / "zz-broken.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good Person\r\nTEL:+1 555 0199\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken\r\nthis line is garbage\r\nEND:VCARD\r\n"
    )
    plan = tmp_path / "plan.txt"
    plan.write_text('1. get_phone_number("Sid")\n2. get_phone_number("Good Person")\n3. get_phone_number("Nobody")\n4. join()\n')
    code, out, err, _ = cli("execute", "--plan", str(plan), "--data-dir", str(demo_dir), "--json")
    res = {r["idx"]: r for r in json.loads(out)["results"]}
    assert res[1]["status"] == "ok" and res[2]["value"] == "+1 555 0199"
    assert res[3]["status"] == "error" and "zz-broken.vcf line 9" in res[3]["error"]


def test_data_stats_reads_a_folder_of_jsonl_files(tmp_path):
    folder = tmp_path / "generated"
    folder.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "data" / "dev.jsonl", folder / "dev.jsonl")
    code, out, err, _ = cli("data", "stats", str(folder))
    assert code == 0, err
    assert "dev" in out and "examples per tool" in out
    (tmp_path / "empty").mkdir()
    code, _, err, _ = cli("data", "stats", str(tmp_path / "empty"))
    assert code == 1 and "no .jsonl files" in err


def test_mail_commands_take_demo(tmp_path):
    profile = tmp_path / "demo-profile"
    code, out, err, _ = cli("mail", "list", "--demo", "--data-dir", str(profile), "--json")
    assert code == 0, err
    inbox = json.loads(out)
    assert len(inbox) >= 3
    code, out, err, _ = cli("mail", "select", "2", "--demo", "--data-dir", str(profile))
    assert code == 0, err
    code, out, err, _ = cli("mail", "list", "--demo", "--data-dir", str(profile), "--json")
    assert [m["current"] for m in json.loads(out)].index(True) == 1


def test_eval_help_has_no_phantom_subcommand():
    code, out, _, _ = cli("eval", "--help")
    assert code == 0 and "COMMAND" not in out and "--data" in out


def test_n_ctx_flag_reaches_the_model():
    code, _, err, _ = cli("plan", "Text Sid that I am late", "--n-ctx", "1024", "--model", "smollm2-135m",
                          "--no-tool-rag")  # the full tool list: a long prompt
    assert code == 1 and "n_ctx=1024" in err and "--n-ctx" in err
    no_traceback(err)


@pytest.fixture
def read_only(demo_dir):
    """The demo store made unwritable: chmod for a normal user, the immutable flag for root (root ignores modes)."""
    dirs = [p for p in [demo_dir, *demo_dir.rglob("*")] if p.is_dir()]
    if os.geteuid() == 0:
        for d in dirs:
            subprocess.run(["chattr", "+i", str(d)], check=True)
    else:
        for d in dirs:
            d.chmod(0o555)
    try:
        (demo_dir / "probe").write_text("x")
    except OSError:
        pass
    else:
        pytest.fail(f"could not make {demo_dir} read-only on this machine")
    yield demo_dir
    for d in dirs:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(d)], check=True)
        else:
            d.chmod(0o755)


def test_a_read_only_store_gives_one_line_errors(read_only, tmp_path):
    code, _, err, _ = cli("mail", "select", "1", "--data-dir", str(read_only))
    assert code == 1 and f"cannot write {read_only}/state" in err.replace("\n", "")
    no_traceback(err)
    code, _, err, _ = cli("demo", "init", "--reset", "--data-dir", str(read_only))
    assert code == 1 and "cannot reset the demo profile" in err
    no_traceback(err)
    plan = tmp_path / "plan.txt"
    plan.write_text('1. create_note("a", "b", "")\n2. create_note("c", "d", "")\n3. get_phone_number("Sid")\n4. join()\n')
    code, out, err, _ = cli("execute", "--plan", str(plan), "--data-dir", str(read_only))
    assert code == 1 and err.count("is not writable") == 1 and "Traceback" not in err + out
    assert out.count("cannot write") == 4  # each failed step in its event line and in the answer
