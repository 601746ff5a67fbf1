"""The web page in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import os

import pytest
from serverkit import chromium_page

MARIA = "Text Maria that I'm running late"


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    with chromium_page(server.url, tmp_path_factory.mktemp("chromium-profile")) as page:
        yield page


def test_typing_a_request_draws_the_dag_live_and_shows_the_answer(page, server):
    before = len(server.outbox())
    page.wait_for_selector("#status.ok")
    page.fill("#request", MARIA)
    page.click("#run")
    # live: a node is on the graph while the answer is not there yet
    page.wait_for_function(
        "document.querySelector('#dag g.node') !== null && document.getElementById('answer-card').hidden", polling="raf"
    )
    page.wait_for_selector("#answer-card:not([hidden])")
    assert "Queued SMS to +1 510 555 0101" in page.inner_text("#answer")
    states = page.eval_on_selector_all("#dag g.node", "ns => ns.map(n => [n.textContent, n.dataset.state])")
    assert [s for _, s in states] == ["finished", "finished"], states
    assert states[0][0].startswith("1. get_phone_number") and states[1][0].startswith("2. send_sms")
    assert page.locator("#dag path.edge").count() == 1  # send_sms depends on get_phone_number
    assert "+1 510 555 0101" in page.inner_text("#steps")
    page.wait_for_function("document.querySelector('#history li .q')?.textContent === " + repr(MARIA))
    assert len(server.outbox()) == before + 1
    if os.environ.get("EDGECALL_SCREENSHOTS"):  # the README's docs/web-page.png is made this way
        page.screenshot(path=os.path.join(os.environ["EDGECALL_SCREENSHOTS"], "web-page.png"), full_page=True)


def test_uploading_a_recording_shows_the_transcript_and_runs_it(page, speech):
    page.set_input_files("#upload", str(speech))
    page.wait_for_selector("#transcript:not([hidden])")
    heard = page.get_attribute("#transcript", "data-text")
    assert "maria" in heard.lower() and "running late" in heard.lower()
    assert page.input_value("#request") == heard
    page.wait_for_selector("#answer-card:not([hidden])")
    assert page.locator("#dag g.node").count() >= 1
    page.wait_for_selector("#history li.voice")


def test_choosing_the_current_email_on_the_page(page, server):
    page.click("#mail-refresh")
    page.wait_for_selector("#mail li.current")
    second = page.locator("#mail li").nth(1)
    second.click()
    page.wait_for_selector("#mail li:nth-child(2).current")
    assert page.locator("#mail li.current").count() == 1
    chosen = (server.data_dir / "state" / "current-email").read_text().strip()
    inbox = __import__("httpx").get(f"{server.url}/v1/mail").json()["messages"]
    assert chosen == inbox[1]["message_id"] and inbox[1]["current"]
    page.locator("#mail li").nth(0).click()
    page.wait_for_selector("#mail li:nth-child(1).current")

