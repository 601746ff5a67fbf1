"""Model backends behind one small interface (`LLM`), and grammar-constrained planning.

`load_llm()` is the single entry point the CLI, runtime, evaluation and benchmarks use:

>>> llm = load_llm()                                   # packaged SmolLM2-135M, in process
>>> llm = load_llm("gemma3-270m")                      # the other packaged model
>>> llm = load_llm("/models/my.gguf", n_ctx=8192)      # any GGUF file
>>> llm = load_llm("my-model", endpoint="http://127.0.0.1:8000/v1", api_key="...")  # OpenAI-compatible server
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import LLM, Completion, CompletionStream, LLMError
from .llamacpp import LlamaCppLLM
from .openai_http import OpenAIHTTPLLM
from .presets import DEFAULT_PRESET, PRESETS, ModelPreset, get_preset, preset_path, preset_prompt_format

__all__ = [
    "DEFAULT_PRESET",
    "LLM",
    "PRESETS",
    "Completion",
    "CompletionStream",
    "LLMError",
    "LlamaCppLLM",
    "ModelPreset",
    "OpenAIHTTPLLM",
    "get_preset",
    "load_llm",
    "preset_path",
    "preset_prompt_format",
]


def load_llm(model: str | None = None, endpoint: str | None = None, api_key: str | None = None, **kw: Any) -> LLM:
    """Build a backend from a preset name, a GGUF path, or (with `endpoint`) a served model name.

    Extra keywords go to the backend: `n_ctx`, `n_threads`, `prefix_cache`, `lora_path` for llama.cpp; `mode`, `timeout`,
    `retries`, `send_grammar` for HTTP.
    """
    if endpoint:
        if not model:
            raise LLMError("a model name is required with --endpoint (the name the server serves it under)")
        return OpenAIHTTPLLM(endpoint, model, api_key=api_key, **kw)
    if api_key:
        raise LLMError("an API key only applies to an HTTP endpoint; pass endpoint= as well")
    spec = model or DEFAULT_PRESET
    if spec in PRESETS:
        adapter = get_preset(spec).adapter_path()
        if adapter is not None:
            kw.setdefault("lora_path", adapter)
        return LlamaCppLLM(preset_path(spec), name=spec, **kw)
    path = Path(spec).expanduser()
    if path.suffix.lower() != ".gguf" and not path.exists():
        raise LLMError(f"unknown model {spec!r}: not a preset ({', '.join(sorted(PRESETS))}) nor a GGUF file path")
    return LlamaCppLLM(path, **kw)
