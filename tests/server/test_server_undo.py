"""A run made through the server is journaled like a CLI run: `edgecall undo` reverts it byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from serverkit import NOW, sse_events


def test_a_server_run_is_undone_by_edgecall_undo(server):
    outbox = server.data_dir / "sms" / "outbox.jsonl"
    before = outbox.read_bytes() if outbox.exists() else None
    request = "Text Maria that I'm running late"
    with server.client() as c, c.stream("POST", "/v1/run", json={"request": request, "now": NOW}) as r:
        events = list(sse_events(r))
    assert events[-1]["event"] == "done" and events[-1]["ok"], events[-1]
    assert (outbox.read_bytes() if outbox.exists() else None) != before

    out = subprocess.run(
        [sys.executable, "-m", "edgecall.cli", "undo", "--data-dir", str(server.data_dir), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "EDGECALL_CONFIG": "/nonexistent-edgecall-config.toml"},
    )

    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)["undone"]
    assert report["request"] == request
    assert "sms/outbox.jsonl" in report["removed"] + report["restored"]
    assert (outbox.read_bytes() if outbox.exists() else None) == before
