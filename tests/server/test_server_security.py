"""Bound beyond loopback: a token is generated and required; the queue bound gives 429."""

from __future__ import annotations

import httpx
import pytest
from serverkit import NOW, sse_events, start_server, stop_server


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("exposed"), "--host", "0.0.0.0", "--max-queue", "1", "--no-warm",
                       env={"EDGECALL_CONFIRM": "false"})
    yield srv
    stop_server(srv)


def test_a_token_is_generated_when_bound_beyond_loopback(exposed):
    assert exposed.token and len(exposed.token) >= 24
    assert "reachable from other machines" in exposed.log.read_text()


@pytest.mark.parametrize("path", ["/", "/v1/health", "/v1/tools", "/v1/history", "/v1/mail", "/static/app.js"])
def test_get_without_or_with_a_wrong_token_is_401(exposed, path):
    missing = httpx.get(f"{exposed.url}{path}")
    assert missing.status_code == 401 and "missing token" in missing.json()["detail"]
    wrong = httpx.get(f"{exposed.url}{path}", headers={"Authorization": "Bearer " + "x" * len(exposed.token)})
    assert wrong.status_code == 401 and "wrong token" in wrong.json()["detail"]
    assert httpx.get(f"{exposed.url}{path}", headers=exposed.headers()).status_code == 200


@pytest.mark.parametrize("path", ["/v1/run", "/v1/plan", "/v1/chat/completions", "/v1/audio/transcriptions", "/v1/mail/select"])
def test_post_without_a_token_runs_nothing(exposed, path):
    r = httpx.post(f"{exposed.url}{path}", json={"request": "Text Maria that I'm running late", "which": "1"})
    assert r.status_code == 401
    assert exposed.outbox() == []


def test_confirm_false_in_the_settings_means_the_server_does_not_ask(exposed):
    health = httpx.get(f"{exposed.url}/v1/health", headers=exposed.headers()).json()
    assert health["asks_before_irreversible_acts"] is False and health["auth"] is True


def test_the_page_accepts_the_token_in_its_url(exposed):
    assert httpx.get(f"{exposed.url}/?token={exposed.token}").status_code == 200
    assert httpx.get(f"{exposed.url}/?token=nope").status_code == 401


def test_a_full_queue_answers_429(exposed):
    with httpx.Client(base_url=exposed.url, headers=exposed.headers(), timeout=600) as c:
        with c.stream("POST", "/v1/run", json={"request": "Text Maria that I'm running late", "now": NOW}) as first:
            events = sse_events(first)
            assert next(events)["event"] == "accepted"
            second = httpx.post(f"{exposed.url}/v1/run", json={"request": "Email Sid"}, headers=exposed.headers())
            assert second.status_code == 429 and "busy" in second.json()["detail"]
            assert second.headers["retry-after"] == "2"
            rest = list(events)
        assert rest[-1]["event"] == "done"
        # the place is free again
        assert c.post("/v1/plan", json={"request": "Text Maria that I'm running late", "now": NOW}).status_code == 200
