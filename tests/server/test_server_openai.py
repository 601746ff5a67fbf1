"""The OpenAI-compatible endpoint, used through the official `openai` Python client."""

from __future__ import annotations

import openai
import pytest

MARIA = "Text Maria that I'm running late"


@pytest.fixture(scope="module")
def client(server):
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused-on-loopback", max_retries=0, timeout=600) as c:
        yield c


def test_models_lists_the_assistant(client):
    assert [m.id for m in client.models.list()] == ["edgecall"]


def test_chat_completion_answers_and_reports_the_executed_plan(client, server):
    before = len(server.outbox())
    done = client.chat.completions.create(
        model="edgecall",
        messages=[{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "hello"},
                  {"role": "assistant", "content": "Hi!"}, {"role": "user", "content": MARIA}],
    )
    answer = done.choices[0].message.content
    meta = done.model_extra["edgecall"]
    assert done.choices[0].finish_reason == "stop" and done.object == "chat.completion"
    assert "send_sms" in meta["plan"] and meta["ok"] is True
    assert [t["tool"] for t in meta["tasks"]] == ["get_phone_number", "send_sms"]
    assert answer == meta["tasks"][-1]["value"] and "Queued SMS" in answer
    assert done.usage.prompt_tokens < 100 and done.usage.completion_tokens > 0
    assert len(server.outbox()) == before + 1
    history = [h["query"] for h in __import__("httpx").get(f"{server.url}/v1/history").json()["history"]]
    assert history[0] == MARIA  # the last user message is the request, not the earlier ones


def test_chat_completion_streams(client, server):
    before = len(server.outbox())
    chunks = list(client.chat.completions.create(model="edgecall", messages=[{"role": "user", "content": MARIA}], stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "Queued SMS" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["edgecall"]["tasks"][-1]["tool"] == "send_sms"
    assert len(server.outbox()) == before + 1


def test_a_request_without_a_user_message_is_refused(client):
    with pytest.raises(openai.BadRequestError, match="no user message"):
        client.chat.completions.create(model="edgecall", messages=[{"role": "system", "content": "be nice"}])


def test_the_readme_openai_example_runs_against_the_server(server, tmp_path):
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```py\n(.*?)```", readme, re.DOTALL) if "from openai import OpenAI" in b)
    script = tmp_path / "readme_openai.py"
    script.write_text(block.replace("http://127.0.0.1:8765", server.url), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    assert "Queued SMS to +1 510 555 0101" in out.stdout and "send_sms(" in out.stdout
