"""Helpers for the server tests: start a real `edgecall serve` process, read its SSE stream."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

NOW = "2024-06-03T09:00:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    data_dir: Path
    proc: subprocess.Popen
    log: Path
    token: str | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers(), timeout=600, **kw)

    def outbox(self) -> list[dict]:
        path = self.data_dir / "sms" / "outbox.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def start_server(tmp: Path, *args: str, wait_s: float = 600, env: dict[str, str] | None = None) -> Server:
    """Start `edgecall serve --demo` on a fresh demo profile and wait until /v1/health answers."""
    port = free_port()
    data_dir = tmp / "profile"
    log = tmp / "serve.log"
    env = {**os.environ, "EDGECALL_CONFIG": "/nonexistent-edgecall-config.toml", "EDGECALL_THREADS": os.environ.get("EDGECALL_THREADS", "1"), **(env or {})}
    cmd = [sys.executable, "-m", "edgecall.cli", "serve", "--demo", "--data-dir", str(data_dir), "--port", str(port), *args]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    host = "127.0.0.1"
    server = Server(f"http://{host}:{port}", data_dir, proc, log)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"edgecall serve exited with {proc.returncode}:\n{log.read_text()}")
        text = log.read_text(errors="replace")
        if "is serving" in text:
            for line in text.splitlines():
                if line.startswith("API clients send: Authorization: Bearer "):
                    server.token = line.rsplit(" ", 1)[1].strip()
            return server
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"edgecall serve did not start in {wait_s} s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


def sse_events(response: httpx.Response) -> Iterator[dict]:
    """Parse a text/event-stream response into its JSON payloads, checking `event:` matches the payload."""
    name = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
            assert name is None or data.get("event") == name, (name, data)
            yield data
            name = None


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium_page(url: str, profile: Path, extra_args: tuple[str, ...] = ()) -> Iterator[Any]:
    """Debian's chromium, headless, on a fresh --user-data-dir, driven by Playwright; fails the test if the page
    fetches anything from anywhere but `url`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_FLAGS, *extra_args],
            viewport={"width": 1360, "height": 900},
        )
        page = ctx.new_page()
        page.set_default_timeout(600_000)
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
        page.goto(url + "/")
        yield page
        ctx.close()
        assert outside == []
