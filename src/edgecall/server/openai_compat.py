"""OpenAI-compatible chat completions over a run, so existing clients (the `openai` package, `llm`, chat UIs)
can talk to the assistant.

The last user message is the request and the run's answer is the assistant's reply. What was executed is reported
as metadata, never as `tool_calls` (those would ask the client to run the tools itself): the response (and, when
streaming, the last chunk) carries an `edgecall` object with `plan` (the plan text), `tasks` (each step's tool,
arguments, status, result or error), `ok` and `replans`. The `openai` client exposes it as
`completion.model_extra["edgecall"]`.

A chat client cannot answer a consent question, so an irreversible act (a message really sent through `sms_command`
or SMTP) is not carried out from this endpoint: it is reported as not confirmed. Use `/v1/run` or the web page to approve
it, or start the server with `--yes`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if isinstance(self.content, list):  # content parts: keep the text ones
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return ""


class ChatRequest(BaseModel):
    """The fields edgecall uses; others OpenAI defines (temperature, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = "edgecall"
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False

    def request_text(self) -> str:
        for message in reversed(self.messages):
            if message.role == "user":
                return message.text().strip()
        return ""


def metadata(done: dict[str, Any]) -> dict[str, Any]:
    """The executed plan from a run's `done` event, in the documented `edgecall` shape."""
    rounds = done.get("rounds") or []
    last = rounds[-1] if rounds else {}
    return {
        "plan": last.get("plan"),
        "tasks": last.get("results", []),
        "ok": done.get("ok"),
        "replans": done.get("replans", 0),
        "seconds": done.get("seconds"),
    }


def _usage(done: dict[str, Any]) -> dict[str, int]:
    prompt = sum((r.get("planner") or {}).get("prompt_tokens") or 0 for r in done.get("rounds", []))
    completion = sum((r.get("planner") or {}).get("completion_tokens") or 0 for r in done.get("rounds", []))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


async def _finish(events: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    async for ev in events:
        if ev["event"] == "done":
            return ev
        if ev["event"] == "error":
            return {"answer": f"The run failed: {ev['message']}", "ok": False, "rounds": []}
    return {"answer": "The run ended without an answer.", "ok": False, "rounds": []}


async def chat_completion(events: AsyncIterator[dict[str, Any]], model: str) -> dict[str, Any]:
    done = await _finish(events)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": done["answer"]},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": _usage(done),
        "edgecall": metadata(done),
    }


async def chat_stream(events: AsyncIterator[dict[str, Any]], model: str) -> AsyncIterator[bytes]:
    """`chat.completion.chunk`s: the role first, the answer as content, then `stop` with the metadata."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": model}

    def chunk(delta: dict[str, Any], finish: Literal["stop"] | None = None, **extra: Any) -> bytes:
        body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False, default=str)}\n\n".encode()

    yield chunk({"role": "assistant", "content": ""})
    done = await _finish(events)
    yield chunk({"content": done["answer"]})
    yield chunk({}, "stop", edgecall=metadata(done), usage=_usage(done))
    yield b"data: [DONE]\n\n"
