"""Teacher mode end to end against a real `python -m llama_cpp.server` with the packaged SmolLM2-135M.

The 135M teacher writes poor data; what is tested is the pipeline: requests and plans come back over HTTP,
the sanity checks keep only valid pairs, rejects carry reasons, responses are cached on disk (a rerun
against a dead endpoint reproduces the same rows), and a dead endpoint is reported, never a crash.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from edgecall.cli.data import app
from edgecall.data.toolsets import load_toolset
from edgecall.data.validate import validate_rows
from edgecall.dataset import load_rows
from edgecall.llm import preset_path

runner = CliRunner()

TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Weather forecast for a city.",
                                      "parameters": {"type": "object", "properties": {
                                          "city": {"type": "string", "description": "the city"}},
                                          "required": ["city"]}}},
    {"type": "function", "function": {"name": "convert_currency", "description": "Convert an amount of money.",
                                      "parameters": {"type": "object", "properties": {
                                          "amount": {"type": "number"}, "from_currency": {"type": "string"},
                                          "to_currency": {"type": "string"}},
                                          "required": ["amount", "from_currency", "to_currency"]}}},
    {"type": "function", "function": {"name": "send_message", "description": "Send a chat message to a friend.",
                                      "parameters": {"type": "object", "properties": {
                                          "recipient": {"type": "string"}, "text": {"type": "string"}},
                                          "required": ["recipient", "text"]}}},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def teacher_url() -> Iterator[str]:
    port = _free_port()
    # 4096: paraphrase verification sends the long planner prompt (~2,500 tokens); with 2048 every rewrite that got
    # that far was rejected as teacher_error ("... in your prompt"), which made the test depend on the sampled rewrite
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(preset_path("smollm2-135m")), "--host", "127.0.0.1",
         "--port", str(port), "--model_alias", "smol", "--n_ctx", "4096", "--cache", "true"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start within 120 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def toolfile(tmp_path: Path) -> Path:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps(TOOLS), encoding="utf-8")
    return path


def _teach(url: str, toolfile: Path, out: Path, cache: Path, rejects: Path | None = None) -> str:
    args = ["teach", "--endpoint", url, "--model", "smol", "-n", "3", "--concurrency", "2", "--toolset",
            str(toolfile), "--out", str(out), "--cache-dir", str(cache), "--temperature", "0", "--retries", "0",
            "--timeout", "300", "--max-tokens", "120"]
    if rejects:
        args += ["--rejects", str(rejects)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return res.output


def test_teacher_produces_validated_rows_and_caches(teacher_url: str, toolfile: Path, tmp_path: Path) -> None:
    out, rejects, cache = tmp_path / "teacher.jsonl", tmp_path / "rejects.jsonl", tmp_path / "cache"
    _teach(teacher_url, toolfile, out, cache, rejects)
    rows = load_rows(out)
    rejected = [json.loads(line) for line in rejects.read_text().splitlines() if line.strip()]
    assert len(rows) + len(rejected) == 3
    assert rows, f"no validated rows; rejects: {rejected}"
    tools = load_toolset(str(toolfile))
    again = validate_rows(rows, tools)
    assert len(again.kept) == len(rows)  # what teach keeps passes the same checks
    for row in rows:
        assert row["source"] == "teacher" and row["plan"].endswith("join()<END_OF_PLAN>")
    assert all(r["reject_reason"] and r["reject_detail"] for r in rejected)
    assert len(list(cache.glob("*.json"))) >= 3

    # every response is cached: a rerun against a dead endpoint reproduces the same rows
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    out2 = tmp_path / "again.jsonl"
    _teach(dead, toolfile, out2, cache)
    assert load_rows(out2) == rows


def test_dead_endpoint_is_reported_not_raised(toolfile: Path, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    out, rejects = tmp_path / "t.jsonl", tmp_path / "r.jsonl"
    output = _teach(dead, toolfile, out, tmp_path / "cache", rejects)
    assert "teacher_error" in output
    assert load_rows(out) == []
    reasons = {json.loads(line)["reject_reason"] for line in rejects.read_text().splitlines()}
    assert reasons == {"teacher_error"}


# -- a scripted teacher: the real HTTP backend against a local fake that fails first, to exercise retries ----------
class _ScriptedTeacher(BaseHTTPRequestHandler):
    """/v1/completions: every other call is an HTTP 500; requests/plans come from a fixed script."""

    calls = 0
    script = {
        "request": "Text Maria that I'm running late.",
        "plan": '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'m running late.")\n3. join()',
    }

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls += 1
        if type(self).calls % 2 == 1:
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "busy"}}')
            return
        text = self.script["plan"] if "Question:" in body["prompt"] else self.script["request"]
        payload = json.dumps({"choices": [{"text": text, "finish_reason": "stop", "index": 0}],
                              "usage": {"prompt_tokens": 1, "completion_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def test_retries_assistant_toolset_and_dedup(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedTeacher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        out, rejects = tmp_path / "t.jsonl", tmp_path / "r.jsonl"
        res = runner.invoke(app, ["teach", "--endpoint", url, "--model", "fake", "-n", "3", "--concurrency", "1",
                                  "--out", str(out), "--rejects", str(rejects), "--cache-dir", str(tmp_path / "c"),
                                  "--retries", "2", "--no-grammar"])
        assert res.exit_code == 0, res.output
    finally:
        server.shutdown()
    rows = load_rows(out)
    # the same scripted request three times: one row kept, two rejected as duplicates; every 500 was retried
    assert len(rows) == 1 and rows[0]["query"] == "Text Maria that I'm running late."
    assert rows[0]["plan"].endswith("3. join()<END_OF_PLAN>")
    assert {json.loads(x)["reject_reason"] for x in rejects.read_text().splitlines()} == {"duplicate"}
    assert _ScriptedTeacher.calls == 12  # 3 items x (request + plan), each answered after one HTTP 500


# -- paraphrase mode ------------------------------------------------------------------------------------------------
SOURCES = [
    {"id": "s1", "now": "2024-06-03 09:00:00", "query": "Text Maria that I'm running late.",
     "plan": '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'m running late.")\n3. join()<END_OF_PLAN>'},
    {"id": "s2", "now": "2024-06-03 09:00:00", "query": "Remind me to pay the rent tomorrow at 9am.",
     "plan": '1. create_reminder("Pay the rent", "2024-06-04 09:00:00", "", "", 0, False)\n2. join()<END_OF_PLAN>'},
    {"id": "s3", "now": "2024-06-03 09:00:00", "query": "Email Ben the Q3 Budget.pdf.",
     "plan": '1. get_email_address("Ben")\n2. open_and_get_file_path("Q3 Budget.pdf")\n'
             '3. compose_new_email(["$1"], [], "Q3 Budget", "Here is the budget.", ["$2"])\n4. join()<END_OF_PLAN>'},
    {"id": "s4", "now": "2024-06-03 09:00:00", "query": "Open my Groceries note.",
     "plan": '1. open_note("Groceries", "")\n2. join()<END_OF_PLAN>'},
    {"id": "s5", "now": "2024-06-03 09:00:00", "query": "Please show Union Square on the map for me.",
     "plan": '1. maps_open_location("Union Square")\n2. join()<END_OF_PLAN>'},
    {"id": "s6", "now": "2024-06-03 09:00:00", "query": "sms Maria: I'm running late",
     "plan": '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'m running late.")\n3. join()<END_OF_PLAN>'},
    {"id": "s7", "now": "2024-06-03 09:00:00", "query": "Please text Maria that I'm running late, thanks.",
     "plan": '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'m running late.")\n3. join()<END_OF_PLAN>'},
]
REWRITES = {
    "Text Maria that I'm running late.": "hey could you send a quick text to Maria saying I'm running late",
    "Remind me to pay the rent tomorrow at 9am.": "set a reminder to pay the rent at 9am on Friday",
    "Email Ben the Q3 Budget.pdf.": "email ben the q3 budget.pdf",
    "Open my Groceries note.": "pull up my shopping note please",
    "Please show Union Square on the map for me.": "Union Square",
    "sms Maria: I'm running late": "Text Maria that I'm running late.",
    "Please text Maria that I'm running late, thanks.": "Text Maria and Bo that I'm running late.",
}


PLANS = {  # the teacher's own plans for the rewrites that pass the other checks
    REWRITES[SOURCES[0]["query"]]: SOURCES[0]["plan"].replace("<END_OF_PLAN>", ""),
    SOURCES[0]["query"]: SOURCES[0]["plan"].replace("<END_OF_PLAN>", ""),
    "Text Maria and Bo that I'm running late.": '1. get_phone_number("Maria")\n2. get_phone_number("Bo")\n'
                                                 '3. send_sms(["$1", "$2"], "I\'m running late.")\n4. join()',
}


class _ScriptedParaphraser(BaseHTTPRequestHandler):
    """/v1/completions: answers each paraphrase prompt with the scripted rewrite of its source request."""

    calls = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls += 1
        if "\nRewritten:" in body["prompt"]:
            source = body["prompt"].rsplit("\nRequest: ", 1)[1].split("\nProtected:")[0]
            text = " " + REWRITES[source]
        else:  # the verification plan of a rewrite
            rewrite = body["prompt"].rsplit("Question: ", 1)[1].split("\n")[0]
            text = PLANS[rewrite]
        payload = json.dumps({"choices": [{"text": text, "finish_reason": "stop", "index": 0}],
                              "usage": {"prompt_tokens": 1, "completion_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def _paraphrase(url: str, src: Path, out: Path, rejects: Path, cache: Path, n: int = 100) -> str:
    res = runner.invoke(app, ["teach", "--endpoint", url, "--model", "smol", "--paraphrase", str(src), "-n", str(n),
                              "--out", str(out), "--rejects", str(rejects), "--cache-dir", str(cache),
                              "--concurrency", "2", "--retries", "0", "--timeout", "300", "--temperature", "0.7"])
    assert res.exit_code == 0, res.output
    return res.output


def test_paraphrase_keeps_plans_and_rejects_what_changes_meaning(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in SOURCES), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedParaphraser)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out, rejects, cache = tmp_path / "p.jsonl", tmp_path / "r.jsonl", tmp_path / "c"
    try:
        output = _paraphrase(f"http://127.0.0.1:{server.server_address[1]}/v1", src, out, rejects, cache)
    finally:
        server.shutdown()
    assert "1 validated paraphrases" in output
    rows = load_rows(out)
    assert [(r["id"], r["query"], r["plan"], r["paraphrase_of"], r["source"]) for r in rows] == [
        ("s1-p1", REWRITES[SOURCES[0]["query"]], SOURCES[0]["plan"], "s1", "teacher-paraphrase")]
    reasons = {json.loads(x)["paraphrase_of"]: json.loads(x)["reject_reason"] for x in rejects.read_text().splitlines()}
    assert reasons == {"s2": "time_changed", "s3": "unchanged", "s4": "entity_missing", "s5": "length",
                       "s6": "duplicate", "s7": "plan_mismatch"}
    assert _ScriptedParaphraser.calls == 7 + 3  # a rewrite each, a verification plan for the three that got there

    # answers are cached: the same run against a dead endpoint writes the same files
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    out2, rejects2 = tmp_path / "p2.jsonl", tmp_path / "r2.jsonl"
    _paraphrase(dead, src, out2, rejects2, cache)
    assert out2.read_text() == out.read_text() and rejects2.read_text() == rejects.read_text()


def test_paraphrase_through_a_real_llama_cpp_server(teacher_url: str, tmp_path: Path) -> None:
    """The packaged 135M model as teacher: whatever it writes is kept only if it passes the checks."""
    from edgecall.data.generate import generate_splits

    tools = load_toolset("assistant")
    sources = generate_splits(tools, seed=4, sizes={"train": 3, "val": 0, "test": 0, "test_heldout": 0}).rows["train"]
    src = tmp_path / "src.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sources), encoding="utf-8")
    out, rejects, cache = tmp_path / "p.jsonl", tmp_path / "r.jsonl", tmp_path / "c"
    _paraphrase(teacher_url, src, out, rejects, cache)
    rows = load_rows(out)
    rejected = [json.loads(x) for x in rejects.read_text().splitlines() if x.strip()]
    assert len(rows) + len(rejected) == 3
    by_id = {s["id"]: s for s in sources}
    for row in rows:
        assert row["plan"] == by_id[row["paraphrase_of"]]["plan"] and row["query"] != by_id[row["paraphrase_of"]]["query"]
    assert len(validate_rows(rows, tools).kept) == len(rows)
    known = {"time_changed", "unchanged", "length", "bad_request", "duplicate", "near_duplicate", "plan_mismatch",
             # what the per-example checks can say of a rewrite (data/checks.py); the teacher samples, so any of them
             "entity_missing", "date_inconsistent", "date_invalid", "arg_count", "arg_type", "join", "ref_kind",
             "unknown_tool"}
    assert all(r["reject_reason"] in known and r["reject_detail"] for r in rejected), [(r["reject_reason"], r["reject_detail"][:200]) for r in rejected]
    assert len(list(cache.glob("*.json"))) >= 3
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    _paraphrase(dead, src, tmp_path / "p2.jsonl", tmp_path / "r2.jsonl", cache)
    assert (tmp_path / "p2.jsonl").read_text() == out.read_text()
