"""Push-to-talk on the page in a real headless Chromium, its fake microphone playing a spoken request.

A module of its own: Playwright's sync API allows one instance at a time, and the page tests keep theirs open.
"""

from __future__ import annotations

from serverkit import chromium_page


def test_push_to_talk_records_the_microphone_and_runs_what_was_said(server, speech, tmp_path_factory):
    """Chromium's fake microphone plays the espeak-ng recording; holding the button records it with MediaRecorder
    (WebM/Opus), releasing sends it, and the server transcribes and runs it."""
    mic = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
           f"--use-file-for-fake-audio-capture={speech}")
    with chromium_page(server.url, tmp_path_factory.mktemp("chromium-mic"), mic) as page:
        page.wait_for_selector("#status.ok")
        box = page.locator("#mic").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.wait_for_selector("#mic.recording")
        page.wait_for_timeout(4500)  # the fake microphone loops the ~3.5 s sentence
        page.mouse.up()
        page.wait_for_selector("#transcript:not([hidden])")
        heard = page.get_attribute("#transcript", "data-text").lower()
        assert "maria" in heard or "running late" in heard, heard
        page.wait_for_selector("#answer-card:not([hidden])")
        assert page.locator("#dag g.node").count() >= 1
