"""`edgecall eval` end to end: a local OpenAI-compatible fake server (fast, exact numbers), a dead
endpoint, bad input, and the real packaged model on three dev examples."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "data" / "dev.jsonl"

GOLD = {
    "Text Kim that the gate code is 4512.":
        '1. get_phone_number("Kim")\n2. send_sms(["$1"], "The gate code is 4512.")\n3. join()<END_OF_PLAN>',
    "Email Ada and Linus the notes.pdf file.":
        '1. get_email_address("Ada")\n2. get_email_address("Linus")\n3. open_and_get_file_path("notes.pdf")\n'
        '4. compose_new_email(["$1", "$2"], [], "Notes", "Here are the notes.", ["$3"])\n5. join()<END_OF_PLAN>',
    "Show me directions to the zoo.":
        '1. maps_show_directions("", "zoo", "d")\n2. join()<END_OF_PLAN>',
    "Open my note Plans.":
        '1. open_note("Plans", "")\n2. join()<END_OF_PLAN>',
}
ANSWERS = {  # what the fake model writes for each request
    "Text Kim that the gate code is 4512.": GOLD["Text Kim that the gate code is 4512."],
    # lookups reordered: still the same DAG and the same arguments
    "Email Ada and Linus the notes.pdf file.":
        '1. open_and_get_file_path("notes.pdf")\n2. get_email_address("Linus")\n3. get_email_address("Ada")\n'
        '4. compose_new_email(["$3", "$2"], [], "The notes", "Notes attached", ["$1"])\n5. join()<END_OF_PLAN>',
    "Show me directions to the zoo.": '1. maps_open_location("zoo")\n2. join()<END_OF_PLAN>',
    "Open my note Plans.": "Sure! I will open your note.",
}


class FakeOpenAI(BaseHTTPRequestHandler):
    """Speaks the streaming /v1/completions API; answers by finding the request in the prompt."""

    in_flight = 0
    max_in_flight = 0
    lock = threading.Lock()

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/v1/completions" and body["stream"] is True
        with FakeOpenAI.lock:
            FakeOpenAI.in_flight += 1
            FakeOpenAI.max_in_flight = max(FakeOpenAI.max_in_flight, FakeOpenAI.in_flight)
        try:
            answer = next(a for q, a in ANSWERS.items() if q in body["prompt"])
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = answer.split("\n")
            for i, piece in enumerate(pieces):
                time.sleep(0.05)
                text = piece + ("\n" if i < len(pieces) - 1 else "")
                self.wfile.write(f"data: {json.dumps({'choices': [{'text': text, 'index': 0}]})}\n\n".encode())
                self.wfile.flush()
            usage = {"prompt_tokens": 1000, "completion_tokens": 20, "total_tokens": 1020}
            self.wfile.write(f"data: {json.dumps({'choices': [], 'usage': usage})}\n\ndata: [DONE]\n\n".encode())
        finally:
            with FakeOpenAI.lock:
                FakeOpenAI.in_flight -= 1


@pytest.fixture()
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeOpenAI.max_in_flight = 0
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def config(tmp_path) -> Path:
    """Keeps the run off the user's config and data dir; bounds plan length for the slow real-model test."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'max_plan_tokens = 64\n\n[assistant]\ndata_dir = "{tmp_path / "data"}"\n')
    return cfg


def edgecall(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    # a wide virtual terminal, so rich neither truncates table cells nor wraps messages
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-c", "from edgecall.cli.main import app; app()", "eval", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env,
    )


def last_json(stdout: str) -> dict:
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    return json.loads(lines[-1])


def write_dataset(path: Path) -> Path:
    path.write_text("".join(json.dumps({"id": f"f{i}", "query": q, "plan": p}) + "\n"
                            for i, (q, p) in enumerate(GOLD.items(), 1)))
    return path


def test_eval_against_a_local_server_scores_exactly(fake_server, config, tmp_path):
    data = write_dataset(tmp_path / "d.jsonl")
    report = tmp_path / "report"
    proc = edgecall("--data", str(data), "--endpoint", fake_server, "--model", "fake", "--json",
                    "--concurrency", "4", "--report", str(report), "--config", str(config), timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = last_json(proc.stdout)
    assert out["n"] == 4
    assert out["success_rate"] == 0.5  # exact + reordered match; wrong tool and prose do not
    assert out["arg_accuracy"] == 1.0 and out["n_success"] == 2
    assert out["parse_rate"] == 0.75 and out["valid_rate"] == 0.75
    assert out["confusion"]["maps_show_directions -> maps_open_location"] == 1
    assert out["confusion"]["open_note -> <none>"] == 1
    assert out["prompt_tokens_mean"] == 1000
    assert out["latency_p50_s"] > 0.05 and out["latency_p90_s"] >= out["latency_p50_s"]
    assert FakeOpenAI.max_in_flight >= 2  # --concurrency really sent requests in parallel

    records = [json.loads(ln) for ln in (report / "records.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["f1", "f2", "f3", "f4"]  # dataset order despite threads
    prose = records[3]
    assert not prose["parsed"] and not prose["success"] and "not a plan step" in prose["error"]
    assert records[1]["success"] and records[1]["args_match"] and records[1]["predicted"].startswith("1. open_and")
    summary = (report / "summary.md").read_text()
    assert "| success rate (DAG match) | 50.0% |" in summary and "f4" in summary
    for png in ("success_by_steps.png", "latency_hist.png"):
        assert (report / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_prints_one_row_per_variant(fake_server, config, tmp_path):
    data = write_dataset(tmp_path / "d.jsonl")
    report = tmp_path / "cmp"
    proc = edgecall("--data", str(data), "--endpoint", fake_server, "--model", "fake", "--limit", "2",
                    "--compare", "grammar=on|off", "--compare", "label=no examples,examples=off",
                    "--report", str(report), "--config", str(config), timeout=120)
    assert proc.returncode == 0, proc.stderr
    for label in ("fake grammar=on", "fake grammar=off", "no examples"):
        assert label in proc.stdout
    assert (report / "fake_grammar_on" / "records.jsonl").is_file()
    assert (report / "no_examples" / "summary.md").is_file()
    rows = json.loads((report / "compare.json").read_text())
    assert [r["label"] for r in rows] == ["fake grammar=on", "fake grammar=off", "no examples"]
    assert [r["grammar"] for r in rows] == [True, False, True] and rows[2]["examples"] is False
    assert all(r["n"] == 2 and r["success_rate"] == 1.0 for r in rows)
    assert "| fake grammar=off | 100.0% |" in (report / "compare.md").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dead_endpoint_is_reported_per_example_and_fails_the_run(config, tmp_path):
    data = write_dataset(tmp_path / "d.jsonl")
    report = tmp_path / "r"
    proc = edgecall("--data", str(data), "--endpoint", f"http://127.0.0.1:{_free_port()}/v1", "--model", "x",
                    "--json", "--report", str(report), "--config", str(config), timeout=120)
    assert proc.returncode == 1
    assert "every request failed at the model backend" in proc.stderr and "Traceback" not in proc.stderr
    out = last_json(proc.stdout)
    assert out["model_errors"] == 4 and out["success_rate"] == 0.0
    record = json.loads((report / "records.jsonl").read_text().splitlines()[0])
    assert record["model_error"] and "cannot reach the model server" in record["error"]


def test_bad_inputs_give_clear_errors(config, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "hi"}\n')
    proc = edgecall("--data", str(bad), "--config", str(config), timeout=60)
    assert proc.returncode == 1 and f"{bad}:1: missing required key 'plan'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = edgecall("--data", str(DEV), "--compare", "gramar=on", "--config", str(config), timeout=60)
    assert proc.returncode == 1 and "unknown key 'gramar'" in proc.stderr


def test_real_packaged_model_on_three_dev_examples(config, tmp_path):
    report = tmp_path / "real"
    proc = edgecall("--data", str(DEV), "--limit", "3", "--json", "--report", str(report), "--config", str(config),
                    "--now", "2024-06-03 09:00:00")
    assert proc.returncode == 0, proc.stderr
    out = last_json(proc.stdout)
    for key in ("n", "success_rate", "arg_accuracy", "parse_rate", "valid_rate", "latency_p50_s", "latency_p90_s"):
        assert key in out
    assert out["n"] == 3 and out["model"] == "edgecall-planner" and out["grammar"] is True
    assert out["latency_p50_s"] > 0
    assert out["completion_tokens_mean"] > 0 and 0 < out["prompt_tokens_mean"] < 100  # the compact prompt
    records = [json.loads(ln) for ln in (report / "records.jsonl").read_text().splitlines()]
    assert len(records) == 3 and all(r["predicted"] for r in records)
    assert all(r["now"] == "2024-06-03 09:00:00" for r in records)
    assert sum(r["success"] for r in records) / 3 == out["success_rate"]
    # each record's verdict is what the metric says about its own texts (scored with the tools' declared kinds)
    from edgecall.assistant.tools import assistant_toolset
    from edgecall.evaluation.metrics import score_plan
    from edgecall.plan import PlanError, parse_plan

    tools = assistant_toolset()
    for r in records:
        try:
            pred = parse_plan(r["predicted"], require_join=False)
        except PlanError:
            pred = None
        score = score_plan(pred, parse_plan(r["gold"]), tools=tools)
        assert (r["success"], r["args_match"]) == (score.success, score.args_match), r["id"]
    assert (report / "summary.md").read_text().startswith("# edgecall-planner grammar=on")
    assert (report / "latency_hist.png").stat().st_size > 5000


def test_ctrl_c_scores_the_examples_done_so_far(fake_server, config, tmp_path):
    # many copies of the same requests, so the run is still going when it is interrupted
    data = tmp_path / "long.jsonl"
    data.write_text("".join(json.dumps({"id": f"L{i}", "query": q, "plan": GOLD[q]}) + "\n"
                            for i in range(60) for q in list(GOLD)[:1]))
    report = tmp_path / "partial"
    env = {**os.environ, "COLUMNS": "250"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from edgecall.cli.main import app; app()", "eval", "--data", str(data),
         "--endpoint", fake_server, "--model", "fake", "--json", "--report", str(report), "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        # Ctrl-C as a terminal delivers it: a suite started in the background (`cmd &` without job control) hands
        # its children SIGINT ignored, and Python then installs no KeyboardInterrupt handler at all
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    records = report / "records.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (records.is_file() and records.read_text().count("\n") >= 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "interrupted: scoring the" in stderr
    out = last_json(stdout)
    assert out["interrupted"] is True and 3 <= out["n"] < 60 and out["success_rate"] == 1.0
    lines = records.read_text().splitlines()
    assert len(lines) == out["n"] and json.loads(lines[0])["id"] == "L0"
    assert "(interrupted)" in (report / "summary.md").read_text()
