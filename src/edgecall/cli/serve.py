"""`edgecall serve`: the assistant as a local web app and HTTP API (one process, the model loaded once)."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Annotated

import typer

from .common import ConfigOpt, DataDirOpt, DemoOpt, ModelOpt, YesOpt, console, fail, settings_from_flags


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: assume it is reachable from elsewhere


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; beyond loopback a token is required.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8765,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="EDGECALL_SERVER_TOKEN",
                     help="Require 'Authorization: Bearer TOKEN' on every request (generated when --host is not loopback)."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Allow this web origin to call the API (repeatable; default: none).")
    ] = None,
    max_queue: Annotated[int, typer.Option("--max-queue", min=1, help="Requests admitted at once; more get HTTP 429.")] = 16,
    yes: YesOpt = False,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Plan one request at startup so the prompt is cached.")] = True,
    model: ModelOpt = None,
    data_dir: DataDirOpt = None,
    demo: DemoOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Serve the web page and the HTTP API (SSE runs, plan, voice, OpenAI-compatible chat) on one warm model."""
    try:
        import uvicorn

        from ..server import ServerOptions, create_app
    except ModuleNotFoundError as exc:
        fail(f"`edgecall serve` needs the server extra ({exc.name} is missing): pip install 'edgecall[server]'")
    from ..assistant.store import default_data_dir
    from ..llm.base import LLMError

    settings = settings_from_flags(config=config, model=model, data_dir=data_dir, demo=demo)
    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
        console.print(f"[yellow]--host {host} is reachable from other machines: requests need this token[/]")
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")

    def ready() -> None:
        data = settings.assistant.data_dir or default_data_dir()
        console.print(f"edgecall is serving [bold]{url}[/] (data: {data}); Ctrl-C stops it", soft_wrap=True)
        if token:
            console.print(f"API clients send: Authorization: Bearer {token}", soft_wrap=True)

    options = ServerOptions(
        token=token, cors_origins=[o.rstrip("/") for o in cors_origin or []], max_pending=max_queue, warm=warm, on_ready=ready,
        ask=settings.confirm and not yes,  # `confirm = false` in the config means the same as --yes
    )
    console.print(f"[dim]loading {settings.model}" + (" and planning one request to warm it up" if warm else "") + " ...[/]")
    try:
        app = create_app(settings, options)
    except LLMError as exc:
        fail(str(exc))
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)

