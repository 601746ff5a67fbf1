"""Fixtures for the model backends: the real packaged model, a real llama.cpp HTTP server, a fake OpenAI server.

The fake server exists only for failures a real server will not produce on demand (HTTP 500, broken SSE);
everything else runs against `python -m llama_cpp.server` on 127.0.0.1.
"""

from __future__ import annotations

import ctypes
import json
import math
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import llama_cpp
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from edgecall.llm import LlamaCppLLM, load_llm, preset_path
from edgecall.llm.llamacpp import default_threads
from edgecall.tools import Toolset, tool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/v1"


@pytest.fixture(scope="session")
def smollm() -> LlamaCppLLM:
    llm = load_llm("smollm2-135m")
    assert isinstance(llm, LlamaCppLLM)
    return llm


# -- a small toolset -----------------------------------------------------------------------------------------
@tool
def get_email_address(name: str) -> str:
    """Find a contact's email address by name.

    Args:
        name: the contact's name.
    """
    return f"{name.lower()}@example.com"


@tool
def send_email(recipients: list[str], subject: str, body: str) -> str:
    """Send an email.

    Args:
        recipients: email addresses.
        subject: subject line.
        body: message text.
    """
    return "sent"


@tool
def get_weather(city: str, days: int) -> str:
    """Weather forecast for a city.

    Args:
        city: city name.
        days: how many days ahead.
    """
    return "sunny"


@pytest.fixture(scope="session")
def tools3() -> Toolset:
    return Toolset([get_email_address, send_email, get_weather])


# -- grammar acceptance via llama.cpp's own grammar engine ---------------------------------------------------
@pytest.fixture(scope="session")
def grammar_accepts(smollm: LlamaCppLLM) -> Callable[[str, str], bool]:
    """`accepts(grammar, text)`: would llama.cpp's grammar sampler let the model write exactly `text`?

    Feeds `text` token by token through a real grammar sampler (no model evaluation), then checks that the
    grammar is complete (end-of-sequence allowed). This tests the grammar itself, independent of sampling luck.
    """
    llama = smollm._engine.llama
    vocab = llama._model.vocab
    eos = llama.token_eos()

    def allowed(sampler: Any, token: int) -> bool:
        data = (llama_cpp.llama_token_data * 1)(llama_cpp.llama_token_data(token, 0.0, 0.0))
        arr = llama_cpp.llama_token_data_array(data, 1, -1, False)
        llama_cpp.llama_sampler_apply(sampler, ctypes.byref(arr))
        return not math.isinf(data[0].logit)

    def accepts(grammar: str, text: str) -> bool:
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
        assert sampler, "grammar failed to parse"
        try:
            for token in llama.tokenize(text.encode(), add_bos=False, special=False):
                if not allowed(sampler, token):
                    return False
                llama_cpp.llama_sampler_accept(sampler, token)
            return allowed(sampler, eos)
        finally:
            llama_cpp.llama_sampler_free(sampler)

    return accepts


# -- a real llama.cpp OpenAI-compatible server ---------------------------------------------------------------
def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited early with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"llama_cpp.server not ready at {url} after {timeout} s")


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (…/v1) of `python -m llama_cpp.server` serving the packaged SmolLM2 as model 'smollm'."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(preset_path("smollm2-135m")), "--model_alias", "smollm",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--verbose", "False",
        "--n_threads", str(default_threads()), "--n_threads_batch", str(default_threads()),
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/v1/models", proc, timeout=120)
        yield f"http://127.0.0.1:{port}/v1"
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n--- server log ---\n{log.read_text(errors='replace')[-3000:]}") from None
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- a fake OpenAI server for failure modes ------------------------------------------------------------------
def _fake_app(seen: list[dict[str, Any]]) -> FastAPI:
    """Behaviour is chosen by the prompt text, so one server covers every edge case."""
    app = FastAPI()

    def sse(events: list[str]) -> StreamingResponse:
        return StreamingResponse((f"data: {e}\n\n" for e in events), media_type="text/event-stream")

    @app.post("/v1/completions")
    async def completions(request: Request) -> Any:
        body = await request.json()
        seen.append({"body": body, "auth": request.headers.get("authorization")})
        prompt = body.get("prompt", "")
        if prompt == "HTTP500":
            return JSONResponse({"error": {"message": "model exploded", "type": "server_error"}}, status_code=500)
        if prompt == "NOT_JSON":
            return JSONResponse(content="not an object")
        if not body.get("stream"):
            return {
                "choices": [{"text": "fake text", "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 2},
            }
        if prompt == "MALFORMED_SSE":
            return sse([json.dumps({"choices": [{"text": "ok"}]}), "{broken json"])
        if prompt == "ERROR_EVENT":
            return sse([json.dumps({"choices": [{"text": "partial"}]}), json.dumps({"error": {"message": "boom"}})])
        if prompt == "PLAIN_TEXT":
            return JSONResponse({"choices": []})  # not an event stream
        chunks = [json.dumps({"choices": [{"text": t, "finish_reason": None}]}) for t in ("fa", "ke")]
        chunks.append(json.dumps({"choices": [{"text": "", "finish_reason": "stop"}]}))
        chunks.append(json.dumps({"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2}}))
        return sse([*chunks, "[DONE]"])

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        body = await request.json()
        seen.append({"body": body, "auth": request.headers.get("authorization")})
        return {
            "choices": [{"message": {"role": "assistant", "content": "chat reply"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2},
        }

    return app


class FakeServer:
    def __init__(self, url: str, seen: list[dict[str, Any]]) -> None:
        self.url = url
        self.seen = seen


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeServer]:
    seen: list[dict[str, Any]] = []
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_fake_app(seen), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake OpenAI server did not start")
        time.sleep(0.05)
    yield FakeServer(f"http://127.0.0.1:{port}/v1", seen)
    server.should_exit = True
    thread.join(timeout=10)
