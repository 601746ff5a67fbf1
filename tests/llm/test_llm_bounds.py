"""Client-side bounds on model streams: a real misbehaving server on 127.0.0.1 cannot keep a call running.

The server below speaks just enough of the OpenAI completions API to misbehave the ways the
robustness probe found: it streams forever ignoring max_tokens, stays silent, trickles one
event at a time, or sends one enormous event.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from edgecall.llm import LLMError, OpenAIHTTPLLM, openai_http
from edgecall.planner import Planner
from edgecall.tools import Toolset, tool


def _event(text: str) -> bytes:
    return b"data: " + json.dumps({"choices": [{"text": text, "finish_reason": None}]}).encode() + b"\n\n"


class Misbehaving(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        how = self.path.split("/")[1]
        try:
            if how == "silent":
                time.sleep(30)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if body.get("stream") else "application/json")
            self.end_headers()
            if how == "huge":
                self.wfile.write(_event("x" * 5_000_000))
                self.wfile.write(b"data: [DONE]\n\n")
                return
            if how == "silent-after-headers":
                self.wfile.flush()
                time.sleep(30)
                return
            delay = 0.2 if how == "trickle" else 0.0
            while True:  # forever, whatever max_tokens said
                self.wfile.write(_event("1. f(") if body.get("stream") else b" " * 65536)
                self.wfile.flush()
                time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def llm(server: str, how: str, **kw) -> OpenAIHTTPLLM:
    return OpenAIHTTPLLM(f"{server}/{how}/v1", "m", retries=0, **kw)


def test_a_server_that_ignores_max_tokens_is_cut_at_max_tokens(server):
    stream = llm(server, "forever").stream("p", max_tokens=40)
    text = "".join(stream)
    assert text == "1. f(" * 40
    assert stream.completion.finish_reason == "length"


def test_one_enormous_event_is_refused(server):
    with pytest.raises(LLMError, match="sent more than 2,048 characters"):
        "".join(llm(server, "huge").stream("p", max_tokens=32))


@pytest.mark.parametrize("how", ["silent", "silent-after-headers", "trickle"])
def test_a_silent_or_trickling_server_hits_the_deadline(server, how):
    model = llm(server, how, deadline=1.0)
    with pytest.raises(LLMError, match="did not (finish within 1s|answer in time)"):
        "".join(model.stream("p", max_tokens=10_000))


def test_a_non_streamed_completion_is_bounded_in_size_and_time(server, monkeypatch):
    monkeypatch.setattr(openai_http, "MAX_RESPONSE_BYTES", 1_000_000)
    with pytest.raises(LLMError, match="sent more than 1,000,000 bytes"):
        llm(server, "forever").complete("p")
    with pytest.raises(LLMError, match="did not answer (within 1s|in time)"):
        llm(server, "silent", deadline=1.0).complete("p")


@tool
def f(x: str) -> str:
    """A tool."""
    return x


def test_the_planner_returns_on_an_endless_server(server):
    planner = Planner(llm(server, "forever"), Toolset([f]), grammar=False, max_tokens=64)
    outcome = planner.plan("do it")
    assert outcome.error is not None and not outcome.valid
    assert outcome.completion_tokens <= 64


def test_the_llama_cpp_backend_has_a_deadline_too():
    from edgecall.llm import LlamaCppLLM, preset_path

    model = LlamaCppLLM(preset_path("smollm2-135m"), deadline=0.05)
    # A grammar with no end: the model cannot stop early (a quiet machine answers a short prompt's EOS well
    # within 0.05 s), so only the deadline or the 400-token bound can end this generation, and 400 tokens
    # take far longer than 0.05 s.
    endless = 'root ::= word\nword ::= "sea " word\n'
    with pytest.raises(LLMError, match="did not finish within 0.05s"):
        "".join(model.stream("Write a long story about the sea.", max_tokens=400, grammar=endless))
