"""SMS outbox and send command, OpenStreetMap URLs, Zoom (local fake server) and Jitsi."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from edgecall.assistant.store.maps import directions_url
from edgecall.assistant.store.meetings import zoom_payload
from edgecall.tools import ToolError


def test_sms_to_several_people_is_one_outbox_record(store, tools, call):
    out = call(tools, "send_sms", ["Maria", "+1 415 555 0105"], "Running late!")
    assert out.startswith("Queued SMS to +1 510 555 0101, +1 415 555 0105")
    (record,) = [json.loads(line) for line in (store.root / "sms" / "outbox.jsonl").read_text().splitlines()]
    assert record["to"] == ["+1 510 555 0101", "+1 415 555 0105"]
    assert record["message"] == "Running late!" and record["status"] == "queued"


def test_sms_send_command_runs_per_number_without_a_shell(demo_dir, toolset_for, call, tmp_path):
    log = tmp_path / "sent.txt"
    script = f"import sys; open({str(log)!r}, 'a').write(sys.argv[1] + '|' + sys.argv[2] + '\\n')"
    tools = toolset_for(demo_dir, sms_command=(sys.executable, "-c", script, "{number}", "{message}"))
    out = call(tools, "send_sms", ["Sid", "Dana"], "it's $HOME; rm -rf /")
    assert out.startswith("Sent SMS")
    assert log.read_text().splitlines() == [
        "+1 510 555 0103|it's $HOME; rm -rf /",
        "+1 415 555 0105|it's $HOME; rm -rf /",
    ]


def test_sms_command_failure(demo_dir, toolset_for, call):
    tools = toolset_for(demo_dir, sms_command=(sys.executable, "-c", "import sys; sys.exit('no phone paired')"))
    with pytest.raises(ToolError, match="failed for \\+1 510 555 0101 \\(exit 1\\): no phone paired"):
        call(tools, "send_sms", ["Maria"], "hi")
    assert not (demo_dir / "sms" / "outbox.jsonl").exists()


def test_sms_errors(tools, call, store):
    with pytest.raises(ToolError, match="needs a non-empty message"):
        call(tools, "send_sms", ["Maria"], "  ")
    (store.root / "sms").mkdir()
    (store.root / "sms" / "outbox.jsonl").write_text('{"to": []}\nnot json\n')
    with pytest.raises(ToolError, match="outbox.jsonl line 2 is not JSON"):
        store.sms.messages()


def test_maps_urls(tools, call):
    assert call(tools, "maps_open_location", "Café Rio, Berkeley") == (
        "https://www.openstreetmap.org/search?query=Caf%C3%A9+Rio%2C+Berkeley"
    )
    assert call(tools, "maps_open_location", "37.87, -122.27").startswith(
        "https://www.openstreetmap.org/?mlat=37.87&mlon=-122.27#map=16/37.87/-122.27"
    )
    url = call(tools, "maps_show_directions", "Union Square", "Ferry Building", "w")
    q = parse_qs(urlsplit(url).query)
    assert q == {"engine": ["fossgis_osrm_foot"], "from": ["Union Square"], "to": ["Ferry Building"]}


@pytest.mark.parametrize("transport,engine", [("d", "fossgis_osrm_car"), ("", "fossgis_osrm_car"), ("r", "fossgis_osrm_foot"), ("walking", "fossgis_osrm_foot")])
def test_transport_modes(transport, engine):
    url = directions_url("", "Apple Park", transport)
    assert parse_qs(urlsplit(url).query) == {"engine": [engine], "to": ["Apple Park"]}


def test_maps_errors(tools, call):
    with pytest.raises(ToolError, match="transport 'plane' is not one of"):
        call(tools, "maps_show_directions", "A", "B", "plane")
    with pytest.raises(ToolError, match="needs an end_location"):
        call(tools, "maps_show_directions", "A", "", "d")


def test_jitsi_link_without_a_zoom_token(tools, call):
    link = call(tools, "get_zoom_meeting_link", "Q2 review!", "2024-06-04 14:00:00", 45, ["Sid"])
    assert link.startswith("https://meet.jit.si/Q2Review-") and len(link) > len("https://meet.jit.si/Q2Review-") + 8
    assert link != call(tools, "get_zoom_meeting_link", "Q2 review!", "2024-06-04 14:00:00", 45, [])


class FakeZoom(BaseHTTPRequestHandler):
    """Speaks Zoom's `POST /v2/users/me/meetings` (Create a meeting) on 127.0.0.1."""

    requests: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v2/users/me/meetings":
            return self._reply(404, {"code": 404, "message": "Not found"})
        if self.headers.get("Authorization") != "Bearer good-token":
            return self._reply(401, {"code": 124, "message": "Invalid access token."})
        FakeZoom.requests.append(body)
        self._reply(201, {"id": 85746065432, "topic": body["topic"], "join_url": "https://us05web.zoom.us/j/85746065432?pwd=abc"})

    def _reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture
def zoom_url():
    server = HTTPServer(("127.0.0.1", 0), FakeZoom)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeZoom.requests = []
    yield f"http://127.0.0.1:{server.server_port}/v2"
    server.shutdown()
    server.server_close()


def test_zoom_meeting_via_the_rest_api(demo_dir, toolset_for, call, zoom_url):
    tools = toolset_for(demo_dir, zoom_token="good-token", zoom_api_url=zoom_url)
    link = call(tools, "get_zoom_meeting_link", "Roadmap", "2024-06-04 14:00:00", 30, ["Sid", "dana.okafor@example.com"])
    assert link == "https://us05web.zoom.us/j/85746065432?pwd=abc"
    (req,) = FakeZoom.requests
    assert req["topic"] == "Roadmap" and req["type"] == 2 and req["duration"] == 30
    assert req["start_time"].endswith("Z")
    assert req["settings"]["meeting_invitees"] == [{"email": "sid.jha@example.com"}, {"email": "dana.okafor@example.com"}]


def test_zoom_rejection_is_explained(demo_dir, toolset_for, call, zoom_url):
    tools = toolset_for(demo_dir, zoom_token="expired", zoom_api_url=zoom_url)
    with pytest.raises(ToolError, match=r"Zoom refused to create the meeting \(HTTP 401\): Invalid access token"):
        call(tools, "get_zoom_meeting_link", "Roadmap", "2024-06-04 14:00:00", 30, [])


def test_zoom_unreachable(demo_dir, toolset_for, call):
    tools = toolset_for(demo_dir, zoom_token="t", zoom_api_url="http://127.0.0.1:9/v2")
    with pytest.raises(ToolError, match="cannot reach the Zoom API"):
        call(tools, "get_zoom_meeting_link", "Roadmap", "2024-06-04 14:00:00", 30, [])


def test_zoom_payload_converts_local_time_to_utc():
    from datetime import datetime, timedelta, timezone

    start = datetime(2024, 6, 4, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert zoom_payload("x", start, 60, [])["start_time"] == "2024-06-04T12:00:00Z"


def test_meeting_argument_errors(tools, call):
    with pytest.raises(ToolError, match="duration must be a positive number"):
        call(tools, "get_zoom_meeting_link", "x", "2024-06-04 14:00:00", 0, [])
    with pytest.raises(ToolError, match="start_time 'soon' is not a date"):
        call(tools, "get_zoom_meeting_link", "x", "soon", 30, [])


@pytest.fixture
def fake_xdg_open(tmp_path, monkeypatch):
    """A real `xdg-open` executable first on PATH that records what it was asked to open."""
    bindir, log = tmp_path / "bin", tmp_path / "opened.txt"
    bindir.mkdir()
    script = bindir / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{log}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    return log


def _wait_for_lines(path, n, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= n:
            return path.read_text().splitlines()
        time.sleep(0.05)
    return path.read_text().splitlines() if path.exists() else []


def test_desktop_opening_only_when_configured(demo_dir, toolset_for, call, fake_xdg_open, monkeypatch):
    import subprocess

    from edgecall.assistant.store import desktop

    launched = []
    real_popen = subprocess.Popen

    def recording_popen(argv, **kw):  # the real xdg-open still runs; the launch itself is recorded synchronously
        launched.append(argv[1])
        return real_popen(argv, **kw)

    monkeypatch.setattr(desktop.subprocess, "Popen", recording_popen)
    quiet = toolset_for(demo_dir)
    call(quiet, "maps_open_location", "Louvre")
    call(quiet, "open_and_get_file_path", "Minutes")
    assert launched == []  # nothing was handed to the desktop (checked when the call returns, not after a wait)

    loud = toolset_for(demo_dir, open_browser=True, open_files=True)
    url = call(loud, "maps_open_location", "Louvre")
    path = call(loud, "open_and_get_file_path", "Minutes")
    assert launched == [url, path]
    assert sorted(_wait_for_lines(fake_xdg_open, 2)) == sorted([url, path])
