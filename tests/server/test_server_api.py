"""The HTTP API of a real `edgecall serve` process (packaged model, demo store on disk)."""

from __future__ import annotations

import io
import json
import threading
import wave

import httpx
import pytest
from serverkit import NOW, sse_events

MARIA = "Text Maria that I'm running late"
MARIA_PHONE = "+1 510 555 0101"


def run(server, request: str = MARIA, **extra) -> list[dict]:
    with server.client() as c, c.stream("POST", "/v1/run", json={"request": request, "now": NOW, **extra}) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        return list(sse_events(r))


def test_health_reports_the_model_and_the_store(server):
    data = httpx.get(f"{server.url}/v1/health").json()
    assert data["status"] == "ok"
    assert data["model"]["name"] == "edgecall-planner"
    assert data["model"]["path"].endswith(".gguf") and data["model"]["n_ctx"] == 4096
    assert data["tools"] == 16
    assert data["data_dir"] == str(server.data_dir)
    assert data["auth"] is False


def test_tools_are_the_assistant_toolset_as_function_schemas(server):
    tools = httpx.get(f"{server.url}/v1/tools").json()["tools"]
    names = {t["function"]["name"] for t in tools}
    assert len(tools) == 16 and {"send_sms", "get_phone_number", "reply_to_email"} <= names
    sms = next(t for t in tools if t["function"]["name"] == "send_sms")
    assert sms["function"]["parameters"]["required"] == ["recipients", "message"]


def test_run_streams_events_in_order_and_really_queues_the_sms(server):
    before = len(server.outbox())
    events = run(server)
    kinds = [e["event"] for e in events]
    assert kinds[:3] == ["accepted", "running", "prompt"], kinds
    assert kinds[-2:] == ["answer", "done"], kinds
    tasks = [e for e in events if e["event"] in ("planned", "started", "finished", "failed", "skipped")]
    for idx in {e["idx"] for e in tasks}:  # per task: planned, then started, then finished/failed
        order = [e["event"] for e in tasks if e["idx"] == idx]
        assert order[0] == "planned" and order[1:2] in (["started"], ["skipped"]), order
    ts = [e["t"] for e in events if "t" in e]
    assert ts == sorted(ts)
    done = events[-1]
    assert done["ok"], done
    finished = {e["tool"]: e for e in events if e["event"] == "finished"}
    assert finished["get_phone_number"]["result"] == MARIA_PHONE
    assert finished["send_sms"]["args"][0] == [MARIA_PHONE]
    assert "Queued SMS" in done["answer"] and events[-2]["answer"] == done["answer"]
    outbox = server.outbox()
    assert len(outbox) == before + 1
    assert MARIA_PHONE in json.dumps(outbox[-1]) and "late" in json.dumps(outbox[-1]).lower()
    history = httpx.get(f"{server.url}/v1/history").json()["history"]
    assert history[0]["query"] == MARIA and history[0]["status"] == "done" and history[0]["answer"] == done["answer"]


def test_plan_only_writes_nothing(server):
    before = len(server.outbox())
    r = httpx.post(f"{server.url}/v1/plan", json={"request": MARIA, "now": NOW}, timeout=600)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["valid"] and data["plan"].endswith("join()<END_OF_PLAN>")
    assert [t["tool"] for t in data["tasks"]][:2] == ["get_phone_number", "send_sms"]
    assert len(server.outbox()) == before


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"request": ""}, 422, "at least 1 character"),
        ({"request": " \n\t "}, 422, "the request is blank"),
        ({"request": "x" * 2001}, 422, "at most 2000 characters"),
        ({"request": "hi", "rm": "-rf"}, 422, "Extra inputs"),
        ({"request": "hi", "now": "yesterday-ish"}, 422, "datetime"),
    ],
)
def test_bad_run_requests_get_one_clear_error(server, body, status, fragment):
    r = httpx.post(f"{server.url}/v1/run", json=body)
    assert r.status_code == status
    assert fragment in json.dumps(r.json())


def test_malformed_json_is_a_422_not_a_crash(server):
    r = httpx.post(f"{server.url}/v1/run", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "json" in r.text.lower()


def test_eight_concurrent_requests_are_all_answered_and_nothing_is_lost(server):
    before = len(server.outbox())
    results: list[list[dict]] = [[] for _ in range(8)]
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            results[i] = run(server)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    assert not errors, errors
    dones = [events[-1] for events in results]
    assert all(d["event"] == "done" and d["ok"] for d in dones), dones
    assert len({d["id"] for d in dones}) == 8
    assert len(server.outbox()) == before + 8  # every run's SMS, none lost or doubled
    assert httpx.get(f"{server.url}/v1/health").json()["queue"]["pending"] == 0


def test_a_client_disconnect_cancels_the_run_cleanly(server):
    before = len(server.outbox())
    run_id = None
    with server.client() as c, c.stream("POST", "/v1/run", json={"request": MARIA, "now": NOW}) as r:
        for event in sse_events(r):
            if event["event"] == "accepted":
                run_id = event["id"]
            if event["event"] == "prompt":  # the model is writing the plan: leave now
                break
    # the connection is closed; the server must notice, cancel, and free the model for the next request
    after = run(server)
    assert after[-1]["event"] == "done" and after[-1]["ok"]
    history = {h["id"]: h for h in httpx.get(f"{server.url}/v1/history").json()["history"]}
    assert history[run_id]["status"] == "cancelled" and history[run_id]["answer"] is None
    assert len(server.outbox()) == before + 1  # only the second request's SMS: the cancelled one sent nothing
    assert httpx.get(f"{server.url}/v1/health").json()["queue"]["pending"] == 0


def _wav(seconds: float, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(seconds * rate))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("files", "status", "fragment"),
    [
        ({"file": ("notes.txt", b"this is not audio at all" * 10, "text/plain")}, 400, "not a readable audio recording"),
        ({"file": ("empty.wav", b"", "audio/wav")}, 400, "empty"),
        ({"file": ("long.wav", _wav(61), "audio/wav")}, 400, "at most 60 s"),
        ({"other": ("x.wav", _wav(1), "audio/wav")}, 400, "field 'file'"),
    ],
)
def test_bad_uploads_get_one_clear_error(server, files, status, fragment):
    for path in ("/v1/audio/transcriptions", "/v1/run"):
        r = httpx.post(f"{server.url}{path}", files=files, timeout=120)
        assert r.status_code == status, (path, r.text)
        assert fragment in r.json()["detail"], r.text


def test_a_truncated_multipart_body_is_refused(server):
    body = b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF"  # no closing boundary
    r = httpx.post(f"{server.url}/v1/audio/transcriptions", content=body,
                   headers={"content-type": "multipart/form-data; boundary=XYZ"})
    assert r.status_code == 400 and r.json()["detail"].startswith(("malformed multipart body", "not a readable audio", "multipart field 'file'"))


def test_an_oversized_upload_is_refused_before_it_is_read(server):
    big = b"\0" * (10 * 1024 * 1024 + 1)
    r = httpx.post(f"{server.url}/v1/audio/transcriptions", files={"file": ("big.wav", big, "audio/wav")}, timeout=120)
    assert r.status_code == 413 and "byte limit" in r.json()["detail"]


def test_transcription_in_openai_form(server, speech):
    r = httpx.post(f"{server.url}/v1/audio/transcriptions", files={"file": ("maria.wav", speech.read_bytes(), "audio/wav")},
                   data={"model": "whisper-1"}, timeout=300)
    assert r.status_code == 200, r.text
    text = r.json()["text"]
    assert set(r.json()) == {"text"}
    assert "maria" in text.lower() and "late" in text.lower()


def test_a_spoken_request_is_transcribed_planned_and_run(server, speech):
    before = len(server.outbox())
    with server.client() as c, c.stream(
        "POST", "/v1/run", files={"file": ("maria.wav", speech.read_bytes(), "audio/wav")}, data={"now": NOW}
    ) as r:
        assert r.status_code == 200, r.read()
        events = list(sse_events(r))
    assert events[0]["event"] == "transcript" and "maria" in events[0]["text"].lower()
    assert events[1]["event"] == "accepted" and events[1]["query"] == events[0]["text"]
    planned = [e["tool"] for e in events if e["event"] == "planned"]
    assert planned, events
    assert events[-1]["event"] == "done"
    if events[-1]["ok"] and "send_sms" in planned:
        assert len(server.outbox()) == before + 1
    history = httpx.get(f"{server.url}/v1/history").json()["history"]
    assert history[0]["transcript"] == events[0]["text"]


def test_choosing_the_current_email(server):
    inbox = httpx.get(f"{server.url}/v1/mail").json()["messages"]
    assert len(inbox) >= 2 and inbox[0]["current"] and not inbox[1]["current"]
    r = httpx.post(f"{server.url}/v1/mail/select", json={"which": "2"})
    assert r.status_code == 200 and r.json()["selected"]["message_id"] == inbox[1]["message_id"]
    now = httpx.get(f"{server.url}/v1/mail").json()["messages"]
    assert [m["current"] for m in now[:2]] == [False, True]
    assert (server.data_dir / "state" / "current-email").read_text().strip() == inbox[1]["message_id"]
    r = httpx.post(f"{server.url}/v1/mail/select", json={"which": "no such subject anywhere"})
    assert r.status_code == 404 and "matches no message" in r.json()["detail"]
    httpx.post(f"{server.url}/v1/mail/select", json={"which": "1"})


def test_the_page_and_its_assets_are_served_and_nothing_else(server):
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200 and "<svg id=\"dag\"" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN: nothing fetched at run time
    for name, kind in (("app.js", "javascript"), ("style.css", "css")):
        r = httpx.get(f"{server.url}/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
    for probe in ("/static/..%2f__init__.py", "/static/../app.py", "/static/runs.py", "/static/%2e%2e%2fconfig.py"):
        assert httpx.get(f"{server.url}{probe}").status_code == 404, probe


def test_cors_is_off_by_default(server):
    r = httpx.options(f"{server.url}/v1/run", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers
    r = httpx.get(f"{server.url}/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
