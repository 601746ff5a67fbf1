"""Training examples: dataset rows -> prompts in the planner's own format -> token ids with loss masks.

Prompts come from `edgecall.data.export.export_rows`, which calls the same `PromptFormat.build` as the
planner (tests/planner/test_prompt.py proves the bytes are identical). Token ids come from the base model's
llama.cpp tokenizer when the base is a GGUF file, so training sees exactly the ids llama.cpp feeds the model
when serving: the prompt tokenized on its own (with BOS when the model wants one), then the plan.

Torch-free on purpose: the tests of bad rows run without the `[train]` extra.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.export import export_rows
from ..dataset import BadRow, DatasetError, read_rows
from ..plan import PlanError, parse_plan
from ..tools import Toolset
from .config import TrainConfig, TrainingError


@dataclass(frozen=True)
class TokenizedExample:
    """Prompt and completion token ids; the loss covers only the completion (and the end-of-sequence)."""

    id: str
    prompt_ids: list[int]
    completion_ids: list[int]

    @property
    def length(self) -> int:
        return len(self.prompt_ids) + len(self.completion_ids)


def load_training_rows(path: Path, tools: Toolset) -> list[dict[str, Any]]:
    """Every row of a JSONL dataset, or TrainingError naming the file and line of the first bad one.

    A row is bad when it is not a JSON object with `query` and `plan`, has a malformed `now`, or its plan
    does not validate against `tools`: training on it would teach the model a broken plan.
    """
    try:
        with path.open(encoding="utf-8") as fh:
            line_numbers = [n for n, line in enumerate(fh, 1) if line.strip()]
    except OSError as exc:
        raise TrainingError(f"{path}: cannot read the training data: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TrainingError(f"{path}: not UTF-8 text (expected JSON Lines of {{query, plan}} rows)") from None
    rows: list[dict[str, Any]] = []
    try:
        for line, item in zip(line_numbers, read_rows(path), strict=True):
            if isinstance(item, BadRow):
                raise TrainingError(f"{path}:{item.line}: {item.problem}")
            try:
                parse_plan(item["plan"], tools)
            except PlanError as exc:
                raise TrainingError(f"{path}:{line}: the plan does not validate: {exc}") from None
            rows.append(item)
    except DatasetError as exc:
        raise TrainingError(str(exc)) from None
    if not rows:
        raise TrainingError(f"{path}: no training rows")
    return rows


Encode = Callable[[str, bool], list[int]]
"""(text, add_bos) -> token ids."""


def tokenize_pairs(
    pairs: Sequence[dict[str, str]], encode: Encode, eos_id: int, max_len: int
) -> tuple[list[TokenizedExample], int]:
    """Token ids of prompt/completion pairs; examples over `max_len` tokens are dropped (and counted)."""
    out: list[TokenizedExample] = []
    dropped = 0
    for pair in pairs:
        prompt = encode(pair["prompt"], True)
        completion = [*encode(pair["completion"], False), eos_id]
        if len(prompt) + len(completion) > max_len:
            dropped += 1
            continue
        out.append(TokenizedExample(pair["id"], prompt, completion))
    return out, dropped


def training_pairs(rows: Sequence[dict[str, Any]], tools: Toolset, cfg: TrainConfig) -> list[dict[str, str]]:
    """Prompt/completion pairs in `cfg.prompt_format`, with the Tool-RAG mix of tool lists."""
    return list(
        export_rows(rows, tools, prompt_format=cfg.prompt_format, distractors=cfg.distractors,
                    no_tools=cfg.no_tools, seed=cfg.seed)
    )  # fmt: skip


def select_rows(rows: Sequence[dict[str, Any]], limit: int | None, seed: int, skip: int = 0) -> list[dict[str, Any]]:
    """A seeded shuffle, less its first `skip` rows, cut to `limit` rows: the same seed and data give the same
    examples, and two stages with the same seed (the second skipping what the first used) never share a row."""
    picked = list(rows)
    random.Random(seed).shuffle(picked)
    picked = picked[skip:]
    return picked[:limit] if limit else picked


def length_batches(lengths: Sequence[int], batch_size: int, seed: int, epoch: int,
                   max_tokens: int | None = None) -> list[list[int]]:
    """Batches of similar length (little padding), in a seeded random order that differs per epoch.

    Indices are shuffled, then sorted by length inside windows of 50 batches, cut into batches, and the
    batches shuffled: close to the speed of a global sort without always showing short examples first.
    With `max_tokens`, a batch also ends before its padded size (rows x its longest row) would pass that budget,
    so the longest rows train in smaller batches: a batch's memory is bounded by its tokens, not its row count
    (16 rows of ~450 tokens need ~20 GB on a CPU), while short rows still fill `batch_size`. A row longer than
    the budget trains alone.
    """
    rng = random.Random(f"{seed}:{epoch}")
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        batch: list[int] = []
        for i in sorted(order[start : start + window], key=lambda i: lengths[i]):
            full = len(batch) == batch_size  # sorted ascending: row i is the batch's longest once added
            over = max_tokens is not None and (len(batch) + 1) * lengths[i] > max_tokens
            if batch and (full or over):
                batches.append(batch)
                batch = []
            batch.append(i)
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches
