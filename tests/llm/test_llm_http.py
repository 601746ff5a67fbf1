"""The OpenAI-compatible HTTP backend against a real llama.cpp server and, for failure modes, a fake one."""

from __future__ import annotations

import re
from typing import Any

import pytest

from edgecall.llm import LLM, LLMError, OpenAIHTTPLLM, load_llm
from edgecall.llm.openai_http import normalize_base_url

PROMPT = "List three fruits:\n1."


# -- real server: python -m llama_cpp.server with the packaged SmolLM2 ---------------------------------------
def test_text_completion_against_real_server(llama_server: str) -> None:
    llm = load_llm("smollm", endpoint=llama_server)
    assert isinstance(llm, OpenAIHTTPLLM) and isinstance(llm, LLM)
    c = llm.complete(PROMPT, max_tokens=8)
    assert c.text.strip()
    assert c.prompt_tokens is not None and c.prompt_tokens > 3
    assert c.completion_tokens is not None and 1 <= c.completion_tokens <= 8
    assert c.finish_reason in ("stop", "length")


def test_stream_against_real_server_matches_complete(llama_server: str) -> None:
    llm = OpenAIHTTPLLM(llama_server, "smollm")
    whole = llm.complete(PROMPT, max_tokens=8)
    stream = llm.stream(PROMPT, max_tokens=8)
    chunks = list(stream)
    assert len(chunks) > 1
    assert "".join(chunks) == whole.text
    assert stream.usage is not None and stream.usage.text == whole.text
    assert stream.usage.ttft_s is not None and stream.usage.ttft_s <= stream.usage.seconds
    assert stream.usage.completion_tokens == len(chunks)  # this server sends no stream usage: one chunk a token


def test_closing_a_stream_early_reports_what_arrived(llama_server: str) -> None:
    stream = OpenAIHTTPLLM(llama_server, "smollm").stream(PROMPT, max_tokens=32)
    first = next(stream)
    stream.close()
    assert stream.usage is not None and stream.usage.text == first
    assert stream.usage.finish_reason == "cancelled"


def test_stop_strings_against_real_server(llama_server: str) -> None:
    llm = OpenAIHTTPLLM(llama_server, "smollm")
    free = llm.complete(PROMPT, max_tokens=24).text
    assert "\n" in free
    assert llm.complete(PROMPT, max_tokens=24, stop=["\n"]).text == free.split("\n")[0]


def test_grammar_is_passed_to_llama_cpp_server(llama_server: str) -> None:
    llm = OpenAIHTTPLLM(llama_server, "smollm")
    c = llm.complete("Is the sky green?", max_tokens=10, grammar='root ::= ("yes" | "no") " " [0-9] "!"')
    assert re.fullmatch(r"(yes|no) \d!", c.text), c.text
    streamed = "".join(llm.stream("Colour?", max_tokens=10, grammar='root ::= "red" | "blue"'))
    assert streamed in ("red", "blue")


def test_chat_mode_against_real_server(llama_server: str) -> None:
    llm = OpenAIHTTPLLM(llama_server, "smollm", mode="chat")
    c = llm.complete("Say hello.", max_tokens=8)
    assert c.text.strip() and c.completion_tokens
    assert "".join(llm.stream("Say hello.", max_tokens=8)).strip()


def test_unknown_route_is_reported_with_status(llama_server: str) -> None:
    llm = OpenAIHTTPLLM(llama_server.removesuffix("/v1") + "/nope/v1", "smollm")
    with pytest.raises(LLMError, match=r"HTTP 404 for POST .*/nope/v1/completions"):
        llm.complete("x", max_tokens=1)


# -- dead server ---------------------------------------------------------------------------------------------
def test_dead_server_is_a_clear_error(dead_url: str) -> None:
    llm = OpenAIHTTPLLM(dead_url, "m", retries=1, connect_timeout=1)
    with pytest.raises(LLMError, match=r"cannot reach the model server at http://127\.0\.0\.1:\d+/v1 .*is it running"):
        llm.complete("x")
    with pytest.raises(LLMError, match="cannot reach the model server"):
        list(llm.stream("x"))


# -- fake server: failure modes and protocol details ---------------------------------------------------------
def test_http_500_carries_the_server_message(fake_openai: Any) -> None:
    llm = OpenAIHTTPLLM(fake_openai.url, "fake")
    with pytest.raises(LLMError, match=r"HTTP 500 .*model exploded"):
        llm.complete("HTTP500")
    with pytest.raises(LLMError, match=r"HTTP 500 .*model exploded"):
        list(llm.stream("HTTP500"))


def test_malformed_sse_is_reported(fake_openai: Any) -> None:
    stream = OpenAIHTTPLLM(fake_openai.url, "fake").stream("MALFORMED_SSE")
    assert next(stream) == "ok"
    with pytest.raises(LLMError, match=r"malformed event .*not JSON: '\{broken json'"):
        next(stream)


def test_error_event_mid_stream_is_reported(fake_openai: Any) -> None:
    with pytest.raises(LLMError, match="reported an error: boom"):
        list(OpenAIHTTPLLM(fake_openai.url, "fake").stream("ERROR_EVENT"))


def test_non_event_stream_answer_is_reported(fake_openai: Any) -> None:
    with pytest.raises(LLMError, match="did not answer with an event stream"):
        list(OpenAIHTTPLLM(fake_openai.url, "fake").stream("PLAIN_TEXT"))


def test_non_object_json_is_reported(fake_openai: Any) -> None:
    with pytest.raises(LLMError, match="malformed response .*expected a JSON object"):
        OpenAIHTTPLLM(fake_openai.url, "fake").complete("NOT_JSON")


def test_stream_usage_from_server_and_request_fields(fake_openai: Any) -> None:
    llm = load_llm("fake-model", endpoint=fake_openai.url, api_key="sk-test")
    stream = llm.stream("hello", stop=["\n"], max_tokens=7, temperature=0.5, grammar="root ::= x")
    assert "".join(stream) == "fake"
    assert stream.usage is not None
    assert (stream.usage.prompt_tokens, stream.usage.completion_tokens) == (4, 2)
    assert stream.usage.finish_reason == "stop"
    request = fake_openai.seen[-1]
    assert request["auth"] == "Bearer sk-test"
    assert request["body"] == {
        "model": "fake-model",
        "prompt": "hello",
        "max_tokens": 7,
        "temperature": 0.5,
        "stop": ["\n"],
        "grammar": "root ::= x",
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_grammar_and_stream_usage_can_be_withheld(fake_openai: Any) -> None:
    llm = OpenAIHTTPLLM(fake_openai.url, "fake", send_grammar=False, stream_usage=False)
    list(llm.stream("hello", grammar="root ::= x"))
    body = fake_openai.seen[-1]["body"]
    assert "grammar" not in body and "stream_options" not in body
    assert fake_openai.seen[-1]["auth"] is None


def test_chat_mode_request_shape(fake_openai: Any) -> None:
    c = OpenAIHTTPLLM(fake_openai.url, "fake", mode="chat").complete("hi there", max_tokens=3)
    assert c.text == "chat reply" and c.prompt_tokens == 5
    assert fake_openai.seen[-1]["body"]["messages"] == [{"role": "user", "content": "hi there"}]


def test_base_url_normalisation() -> None:
    assert normalize_base_url("http://h:1") == "http://h:1/v1"
    assert normalize_base_url("http://h:1/v1/") == "http://h:1/v1"
    assert normalize_base_url("https://api.example.com/openai/v1") == "https://api.example.com/openai/v1"
    with pytest.raises(LLMError, match="not an http"):
        normalize_base_url("localhost:8000")


def test_bad_mode_is_rejected() -> None:
    with pytest.raises(LLMError, match="unknown HTTP mode"):
        OpenAIHTTPLLM("http://127.0.0.1:1/v1", "m", mode="embeddings")  # type: ignore[arg-type]


def test_injected_transport_carries_a_dropped_connection() -> None:
    """The transport is injectable (load_llm(..., transport=...)); a peer that drops the connection mid-answer,
    which a real local server does not do on demand, is a clear LLMError naming the server."""
    import httpx

    from edgecall.llm import LLMError, load_llm

    seen: list[str] = []

    def drop(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    llm = load_llm("m", endpoint="http://10.255.0.1:8080/v1", transport=httpx.MockTransport(drop))
    with pytest.raises(LLMError, match=r"10\.255\.0\.1:8080.*peer closed connection"):
        llm.complete("hi", max_tokens=4)
    assert seen == ["/v1/completions"]
