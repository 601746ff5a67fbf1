"""OpenAI-compatible HTTP backend: llama.cpp server, llama-cpp-python's server, vLLM, Ollama, OpenAI.

Text mode (`/v1/completions`) is the default because the planner sends a raw, fully formatted prompt; chat mode
(`/v1/chat/completions`) wraps it as one user message for servers that only speak chat. Every failure becomes an
`LLMError` that names the server and what went wrong, never a bare httpx traceback.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from httpx_sse import SSEError, connect_sse
from pydantic import BaseModel, ConfigDict, Field

from .base import DEFAULT_DEADLINE_S, MAX_CHARS_PER_TOKEN, BaseLLM, Completion, CompletionStream, LLMError

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""A non-streamed completion larger than this is not a completion: stop reading."""

Mode = Literal["completions", "chat"]


def normalize_base_url(url: str) -> str:
    """Accept `http://host:port` as well as `http://host:port/v1` (the OpenAI client convention)."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LLMError(f"endpoint {url!r} is not an http(s) URL such as http://127.0.0.1:8000/v1")
    return url if parts.path else url + "/v1"


def _error_detail(response: httpx.Response) -> str:
    """The server's own error message (OpenAI's `{"error": {"message": ...}}` or FastAPI's `detail`)."""
    text = response.text.strip()
    try:
        body = json.loads(text)
    except ValueError:
        return text[:500] or response.reason_phrase
    if isinstance(body, dict):
        err = body.get("error", body.get("detail"))
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:500]
        if err:
            return str(err)[:500]
    return text[:500]


class OpenAIHTTPLLM(BaseLLM):
    """`LLM` that talks to an OpenAI-compatible server.

    `grammar` is forwarded as the `grammar` body field that llama.cpp's servers understand; set
    `send_grammar=False` for servers that reject unknown fields (the plan is then parsed unconstrained).
    """

    class Options(BaseModel):
        """Options of the OpenAI-compatible HTTP backend (`load_llm(model, endpoint=..., **options)`)."""

        model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

        api_key: str | None = Field(None, description="Sent as a Bearer token.")
        mode: Mode = Field("completions", description="'completions' (raw text) or 'chat' (messages) API.")
        timeout: float = Field(120.0, gt=0, description="Seconds each read may wait.")
        connect_timeout: float = Field(5.0, gt=0, description="Seconds to connect.")
        retries: int = Field(2, ge=0, description="Retries of failed connects (a sent request is never resent).")
        send_grammar: bool = Field(True, description="Send the plan grammar (llama.cpp servers understand it).")
        stream_usage: bool = Field(True, description="Ask for token usage at the end of a stream.")
        deadline: float = Field(DEFAULT_DEADLINE_S, gt=0, description="Seconds one generation may take.")
        transport: httpx.BaseTransport | None = Field(
            None, description="An httpx transport to send requests through (tests: httpx.MockTransport)."
        )

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        mode: Mode = "completions",
        timeout: float = 120.0,
        connect_timeout: float = 5.0,
        retries: int = 2,
        send_grammar: bool = True,
        stream_usage: bool = True,
        deadline: float = DEFAULT_DEADLINE_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`timeout` bounds each read, `deadline` a whole generation (a server that trickles forever); `transport`
        replaces the network (an `httpx.MockTransport` for failure modes a real local server cannot produce)."""
        if mode not in ("completions", "chat"):
            raise LLMError(f"unknown HTTP mode {mode!r}; use 'completions' or 'chat'")
        self.base_url = normalize_base_url(base_url)
        self.name = model
        self.mode = mode
        self.send_grammar = send_grammar
        self.stream_usage = stream_usage
        self.deadline = deadline
        # a read never waits past the deadline either (a server silent before its headers)
        self._timeout = httpx.Timeout(min(timeout, deadline), connect=min(connect_timeout, deadline))
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            # retries connect errors only, never a sent request
            transport=transport if transport is not None else httpx.HTTPTransport(retries=retries),
        )

    # -- request building ---------------------------------------------------------------------------------
    @property
    def _path(self) -> str:
        return "/completions" if self.mode == "completions" else "/chat/completions"

    def _body(
        self,
        prompt: str,
        stop: list[str] | None,
        max_tokens: int,
        temperature: float,
        grammar: str | None,
        stream: bool,
    ) -> dict[str, Any]:
        self._ensure_open()  # every request is built here first
        body: dict[str, Any] = {"model": self.name, "max_tokens": max_tokens, "temperature": temperature}
        if self.mode == "completions":
            body["prompt"] = prompt
        else:
            body["messages"] = [{"role": "user", "content": prompt}]
        if stop:
            body["stop"] = stop
        if grammar and self.send_grammar:
            body["grammar"] = grammar
        if stream:
            body["stream"] = True
            if self.stream_usage:
                body["stream_options"] = {"include_usage": True}
        return body

    def _text_of(self, choice: dict[str, Any], streaming: bool) -> str:
        if self.mode == "completions":
            return choice.get("text") or ""
        message = choice.get("delta" if streaming else "message") or {}
        return message.get("content") or ""

    # -- error handling -----------------------------------------------------------------------------------
    def _fail(self, exc: Exception) -> LLMError:
        url = self.base_url + self._path
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return LLMError(f"cannot reach the model server at {self.base_url} ({exc}); is it running?")
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(f"the model server at {url} did not answer in time ({type(exc).__name__})")
        if isinstance(exc, SSEError):
            return LLMError(f"the model server at {url} did not answer with an event stream: {exc}")
        return LLMError(f"request to the model server at {url} failed: {exc}")

    def _read_bounded(self, response: httpx.Response) -> bytes:
        parts: list[bytes] = []
        size = 0
        for part in response.iter_bytes():
            size += len(part)
            if size > MAX_RESPONSE_BYTES:
                raise LLMError(
                    f"the model server at {self.base_url} sent more than {MAX_RESPONSE_BYTES:,} bytes for one "
                    "completion; stopped"
                )
            parts.append(part)
        return b"".join(parts)

    def _check(self, response: httpx.Response) -> None:
        if response.is_error:
            response.read()
            raise LLMError(
                f"model server returned HTTP {response.status_code} for POST {response.request.url}: "
                f"{_error_detail(response)}"
            )

    def _choice(self, payload: Any, raw: str) -> dict[str, Any] | None:
        if not isinstance(payload, dict):
            raise LLMError(f"malformed response from {self.base_url}: expected a JSON object, got {raw[:200]!r}")
        if payload.get("error"):
            err = payload["error"]
            message = err.get("message") if isinstance(err, dict) else err
            raise LLMError(f"model server at {self.base_url} reported an error: {message}")
        choices = payload.get("choices")
        if not isinstance(choices, list):
            raise LLMError(f"malformed response from {self.base_url}: no 'choices' list in {raw[:200]!r}")
        return choices[0] if choices else None  # usage-only chunks have no choices

    # -- LLM protocol -------------------------------------------------------------------------------------
    def complete(
        self,
        prompt: str,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        grammar: str | None = None,
    ) -> Completion:
        body = self._body(prompt, stop, max_tokens, temperature, grammar, stream=False)
        start = time.perf_counter()
        expired = threading.Event()
        try:
            with self._client.stream("POST", self._path, json=body, timeout=self._timeout) as response:
                timer = threading.Timer(self.deadline, _both(expired.set, response.close))
                timer.daemon = True
                timer.start()
                try:
                    self._check(response)
                    raw = self._read_bounded(response)
                finally:
                    timer.cancel()
        except httpx.HTTPError as exc:
            if expired.is_set():
                raise LLMError(
                    f"the model server at {self.base_url} did not answer within {self.deadline:g}s; stopped"
                ) from exc
            raise self._fail(exc) from exc
        text = raw.decode("utf-8", errors="replace")
        try:
            payload = json.loads(text)
        except ValueError:
            raise LLMError(f"malformed response from {self.base_url}: not JSON: {text[:200]!r}") from None
        response_text = text
        choice = self._choice(payload, response_text)
        if choice is None:
            raise LLMError(f"malformed response from {self.base_url}: empty 'choices'")
        usage = payload.get("usage") or {}
        return Completion(
            text=self._text_of(choice, streaming=False),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            seconds=time.perf_counter() - start,
            finish_reason=choice.get("finish_reason"),
        )

    def stream(
        self,
        prompt: str,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        grammar: str | None = None,
    ) -> CompletionStream:
        body = self._body(prompt, stop, max_tokens, temperature, grammar, stream=True)
        info: dict[str, Any] = {"chunks": 0, "usage": {}}
        live: dict[str, httpx.Response] = {}

        def abort() -> None:  # from the deadline watchdog: unblocks a read from a silent server
            if "response" in live:
                live["response"].close()

        def chunks() -> Iterator[str]:
            try:
                with connect_sse(self._client, "POST", self._path, json=body, timeout=self._timeout) as source:
                    live["response"] = source.response
                    self._check(source.response)
                    for event in source.iter_sse():
                        if event.data.strip() == "[DONE]":
                            break
                        try:
                            payload = json.loads(event.data)
                        except ValueError:
                            raise LLMError(
                                f"malformed event from {self.base_url}: not JSON: {event.data[:200]!r}"
                            ) from None
                        choice = self._choice(payload, event.data)
                        if isinstance(payload.get("usage"), dict):
                            info["usage"] = payload["usage"]
                        if choice is None:
                            continue
                        if choice.get("finish_reason"):
                            info["finish_reason"] = choice["finish_reason"]
                        text = self._text_of(choice, streaming=True)
                        if text:
                            if info["chunks"] >= max_tokens:  # the server ignores max_tokens: the client stops
                                info["finish_reason"] = "length"
                                break
                            info["chunks"] += 1
                            yield text
            except httpx.HTTPError as exc:
                raise self._fail(exc) from exc
            except SSEError as exc:
                raise self._fail(exc) from exc

        def finish(text: str, ttft: float | None, seconds: float) -> Completion:
            usage = info["usage"]
            return Completion(
                text=text,
                prompt_tokens=usage.get("prompt_tokens"),
                # servers that report no stream usage (llama-cpp-python) send one chunk per token
                completion_tokens=usage.get("completion_tokens", info["chunks"]),
                seconds=seconds,
                ttft_s=ttft,
                finish_reason=info.get("finish_reason"),
            )

        return CompletionStream(
            chunks(), finish, deadline_s=self.deadline, max_chars=max_tokens * MAX_CHARS_PER_TOKEN, abort=abort,
            source=f"the model server at {self.base_url}",
        )

    def close(self) -> None:
        self._client.close()
        super().close()


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    """One callback that runs two (for a timer)."""

    def run() -> None:
        first()
        second()

    return run
