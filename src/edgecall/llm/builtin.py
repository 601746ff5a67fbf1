"""The built-in backends, registered through the same registry as anyone else's (`edgecall.llm.registry`)."""

from __future__ import annotations

from pathlib import Path

from ..errors import LLMError
from .base import LLM
from .llamacpp import LlamaCppLLM
from .openai_http import OpenAIHTTPLLM
from .presets import DEFAULT_PRESET, PRESETS, preset_path, served_model
from .registry import Backend, register_backend


def _llamacpp(model: str | None, endpoint: str | None, options: LlamaCppLLM.Options) -> LLM:
    """A preset name or a GGUF path, in process. A fine-tuned preset is served merged with its shipped adapter;
    an adapter given explicitly is applied at run time over the preset's base model instead."""
    opts = options.model_dump()
    spec = model or DEFAULT_PRESET
    if spec in PRESETS:
        path = preset_path(spec) if opts["lora_path"] is not None else served_model(spec)
        return LlamaCppLLM(path, name=spec, **opts)
    path = Path(spec).expanduser()
    if path.suffix.lower() != ".gguf" and not path.exists():
        raise LLMError(f"unknown model {spec!r}: not a preset ({', '.join(sorted(PRESETS))}) nor a GGUF file path")
    return LlamaCppLLM(path, **opts)


def _openai_http(model: str | None, endpoint: str | None, options: OpenAIHTTPLLM.Options) -> LLM:
    if not model:
        raise LLMError("a model name is required with --endpoint (the name the server serves it under)")
    assert endpoint is not None
    return OpenAIHTTPLLM(endpoint, model, **options.model_dump())


BUILTIN_BACKENDS = (
    Backend("llama.cpp", LlamaCppLLM.Options, _llamacpp, serves=lambda model, endpoint: not endpoint),
    Backend("openai-http", OpenAIHTTPLLM.Options, _openai_http, serves=lambda model, endpoint: bool(endpoint)),
)

for _backend in BUILTIN_BACKENDS:
    register_backend(_backend)
