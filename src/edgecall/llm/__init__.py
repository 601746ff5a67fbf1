"""Model backends behind one small interface (`LLM`), and grammar-constrained planning.

`load_llm()` is the single entry point the CLI, runtime, evaluation and benchmarks use:

>>> llm = load_llm()                                   # the fine-tuned planner (packaged SmolLM2-135M + adapter)
>>> llm = load_llm("gemma3-270m")                      # the other packaged model
>>> llm = load_llm("/models/my.gguf", n_ctx=8192)      # any GGUF file
>>> llm = load_llm("my-model", endpoint="http://127.0.0.1:8000/v1", api_key="...")  # OpenAI-compatible server
"""

from __future__ import annotations

from typing import Any

from . import builtin as _builtin  # noqa: F401 - registers the built-in backends
from . import registry
from .base import LLM, BaseLLM, Completion, CompletionStream, LLMError
from .llamacpp import LlamaCppLLM
from .merge import merge_adapter
from .openai_http import OpenAIHTTPLLM
from .presets import (
    DEFAULT_PRESET,
    PRESETS,
    ModelPreset,
    get_preset,
    preset_path,
    preset_prompt_format,
    preset_writer,
    served_model,
)
from .registry import Backend, backend_names, register_backend, unregister_backend

__all__ = [
    "DEFAULT_PRESET",
    "LLM",
    "PRESETS",
    "Backend",
    "BaseLLM",
    "Completion",
    "CompletionStream",
    "LLMError",
    "LlamaCppLLM",
    "ModelPreset",
    "OpenAIHTTPLLM",
    "backend_names",
    "get_preset",
    "load_llm",
    "merge_adapter",
    "preset_path",
    "preset_prompt_format",
    "preset_writer",
    "register_backend",
    "served_model",
    "unregister_backend",
]


def load_llm(model: str | None = None, endpoint: str | None = None, api_key: str | None = None, **options: Any) -> LLM:
    """Build a backend from a preset name, a GGUF path, or (with `endpoint`) a served model name.

    Keyword options are checked by the chosen backend's options model (`LlamaCppLLM.Options`: `n_ctx`, `n_threads`,
    `prefix_cache`, `deadline`, `lora_path`, `speculative`; `OpenAIHTTPLLM.Options`: `api_key`, `mode`, `timeout`, `retries`,
    `send_grammar`, ...); an unknown one is an `LLMError`. `backend=` picks a registered backend by name.
    """
    if api_key is not None:
        options["api_key"] = api_key
    return registry.load_llm(model, endpoint, **options)
