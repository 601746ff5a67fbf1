"""Fine-tuning planners: `edgecall train planner` (LoRA or full fine-tuning) and `edgecall export`.

Only `config` and `export` are importable without the `[train]` extra (torch, transformers, peft,
accelerate): the recipe is plain data, and exporting a trained adapter to a llama.cpp GGUF adapter needs
just numpy, safetensors and gguf. `trainer` imports torch when it runs and says how to install it if it
is missing.
"""

from __future__ import annotations

from .config import RECIPES, TrainConfig, TrainingError, recipe

__all__ = ["RECIPES", "TrainConfig", "TrainingError", "recipe"]
