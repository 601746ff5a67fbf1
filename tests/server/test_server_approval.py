"""Consent in the server: an SMS really sent through `sms_command` waits for an approval, on the API and the page.

The phone gateway is the one part that cannot exist here, so `sms_command` is a small local program that records
each message it is asked to send (what kdeconnect-cli would hand to a phone).
"""

from __future__ import annotations

import json
import os
import sys

import httpx
import pytest
from serverkit import NOW, chromium_page, sse_events, start_server, stop_server

MARIA = "Text Maria that I'm running late"
PHONE = "+1 510 555 0101"
GATEWAY = """import sys, pathlib
with open(pathlib.Path(sys.argv[1]), "a", encoding="utf-8") as f:
    f.write(sys.argv[2] + "\\t" + sys.argv[3] + "\\n")
"""


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    root = tmp_path_factory.mktemp("gateway")
    (root / "gateway.py").write_text(GATEWAY)
    return root


@pytest.fixture(scope="module")
def asking(tmp_path_factory, gateway):
    command = [sys.executable, str(gateway / "gateway.py"), str(gateway / "sent.tsv"), "{number}", "{message}"]
    srv = start_server(tmp_path_factory.mktemp("asking"), "--no-warm",
                       env={"EDGECALL_ASSISTANT__SMS_COMMAND": json.dumps(command)})
    yield srv
    stop_server(srv)


def sent(gateway) -> list[str]:
    path = gateway / "sent.tsv"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def run_answering(server, gateway, approve: bool) -> list[dict]:
    before = len(sent(gateway))
    events = []
    with server.client() as c, c.stream("POST", "/v1/run", json={"request": MARIA, "now": NOW}) as r:
        for ev in sse_events(r):
            events.append(ev)
            if ev["event"] == "approval":
                assert len(sent(gateway)) == before  # nothing is sent while the question is open
                answer = c.post(f"/v1/approvals/{ev['approval']}", json={"approve": approve})
                assert answer.status_code == 200 and answer.json()["approved"] is approve
    return events


def test_health_says_the_server_asks(asking):
    assert httpx.get(f"{asking.url}/v1/health").json()["asks_before_irreversible_acts"] is True


def test_an_sms_really_sent_waits_for_approval_and_then_goes(asking, gateway):
    before = len(sent(gateway))
    events = run_answering(asking, gateway, approve=True)
    kinds = [e["event"] for e in events]
    approval = events[kinds.index("approval")]
    assert [a["tool"] for a in approval["acts"]] == ["send_sms"]
    assert PHONE in approval["acts"][0]["act"] and "running late" in approval["acts"][0]["act"].lower()
    assert [t["tool"] for t in approval["plan"]] == ["get_phone_number", "send_sms"]
    assert kinds.index("approval") < kinds.index("approved") < [i for i, e in enumerate(events)
                                                                   if e["event"] == "started" and e["tool"] == "send_sms"][0]
    assert events[-1]["event"] == "done" and events[-1]["ok"]
    assert sent(gateway)[-1].startswith(PHONE + "\t")
    assert len(sent(gateway)) == before + 1


def test_a_denied_sms_is_not_sent_and_is_reported(asking, gateway):
    before = len(sent(gateway))
    events = run_answering(asking, gateway, approve=False)
    skipped = [e for e in events if e["event"] == "skipped" and e["tool"] == "send_sms"]
    assert skipped and skipped[0]["error"] == "declined by the user"
    assert not any(e["event"] == "started" and e["tool"] == "send_sms" for e in events)
    assert events[-1]["event"] == "done" and not events[-1]["ok"]
    assert len(sent(gateway)) == before


def test_answering_an_unknown_approval_is_404(asking):
    r = httpx.post(f"{asking.url}/v1/approvals/nope", json={"approve": True})
    assert r.status_code == 404 and "no pending approval" in r.json()["detail"]


def test_a_chat_client_cannot_approve_so_nothing_is_sent(asking, gateway):
    before = len(sent(gateway))
    r = httpx.post(f"{asking.url}/v1/chat/completions", json={"messages": [{"role": "user", "content": MARIA}]},
                   timeout=600)
    assert r.status_code == 200
    tasks = r.json()["edgecall"]["tasks"]
    assert [t["status"] for t in tasks if t["tool"] == "send_sms"] == ["declined"]
    assert [t["error"] for t in tasks if t["tool"] == "send_sms"] == [
        "not confirmed: this client cannot approve; use /v1/run or the web page"
    ]
    assert len(sent(gateway)) == before


def test_the_page_asks_and_the_approve_button_sends(asking, gateway, tmp_path_factory):
    before = len(sent(gateway))
    with chromium_page(asking.url, tmp_path_factory.mktemp("chromium-approve")) as page:
        page.wait_for_selector("#status.ok")
        page.fill("#request", MARIA)
        page.click("#run")
        page.wait_for_selector("#approval-card:not([hidden])")
        assert PHONE in page.inner_text("#acts")
        assert page.locator("#dag g.node.waiting").count() == 1
        assert len(sent(gateway)) == before  # waiting: nothing sent while the question is on screen
        if os.environ.get("EDGECALL_SCREENSHOTS"):  # the README's docs/web-page-approval.png
            page.screenshot(path=os.path.join(os.environ["EDGECALL_SCREENSHOTS"], "web-page-approval.png"), full_page=True)
        page.click("#approve")
        page.wait_for_selector("#answer-card:not([hidden])")
        assert page.locator("#approval-card").is_hidden()
        assert page.eval_on_selector_all("#dag g.node", "ns => ns.map(n => n.dataset.state)") == ["finished", "finished"]
    assert len(sent(gateway)) == before + 1 and sent(gateway)[-1].startswith(PHONE)
