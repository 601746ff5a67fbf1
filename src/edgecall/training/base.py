"""Where a base model comes from: a preset, a GGUF file, or a Hugging Face model directory.

Torch-free: the CLI resolves (and rejects) a base before the `[train]` extra is even imported, and the
exporter needs the base GGUF to name tensors and check that an adapter fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import TrainingError


@dataclass(frozen=True)
class BaseModel:
    """`gguf` is the GGUF file (for a preset or a .gguf path); `hf_dir` a transformers model directory."""

    spec: str
    gguf: Path | None = None
    hf_dir: Path | None = None

    @property
    def path(self) -> Path:
        path = self.gguf or self.hf_dir
        assert path is not None
        return path


def resolve_base(spec: str) -> BaseModel:
    """The base model named by `spec`; presets resolve to their (base) GGUF, never their adapter."""
    from ..llm.base import LLMError
    from ..llm.presets import PRESETS, preset_path

    if spec in PRESETS:
        try:
            return BaseModel(spec, gguf=preset_path(spec))
        except LLMError as exc:
            raise TrainingError(str(exc)) from None
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return BaseModel(spec, gguf=path)
    if path.is_dir() and (path / "config.json").is_file():
        return BaseModel(spec, hf_dir=path)
    raise TrainingError(
        f"base model {spec!r} is not a preset ({', '.join(sorted(PRESETS))}), a .gguf file, "
        "nor a Hugging Face model directory (with config.json)"
    )
