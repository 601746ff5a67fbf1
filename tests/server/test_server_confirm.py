"""`confirm = false` in the configuration means the same for `edgecall serve` as for the CLI: no question."""

from __future__ import annotations

import httpx
from serverkit import start_server, stop_server


def test_confirm_false_setting_turns_the_question_off(tmp_path):
    srv = start_server(tmp_path, "--no-warm", env={"EDGECALL_CONFIRM": "false"})
    try:
        assert httpx.get(f"{srv.url}/v1/health").json()["asks_before_irreversible_acts"] is False
    finally:
        stop_server(srv)
