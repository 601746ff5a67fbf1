"""`edgecall train ...` (fine-tune planners; Tool RAG adds `train toolrag`) and `edgecall export`.

Heavy imports (torch, transformers, peft) happen inside the commands, and a missing `[train]` extra is
one error line naming the install command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .common import console, err_console, fail, print_json
from .toolrag import train_toolrag

if TYPE_CHECKING:
    from rich.progress import Progress

    from ..training.config import TrainConfig

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Fine-tune planners (and, with Tool RAG, the tool classifier).")
app.command("toolrag")(train_toolrag)


@app.command("planner")
def train_planner(
    recipe_name: Annotated[str, typer.Option("--recipe", help="Starting recipe (default reproduces the shipped "
                                             "adapter; gpu-full is the paper-style full fine-tune).")] = "default",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run directory (config, log, checkpoints, "
                                                "best adapter, metrics).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Preset, .gguf file or Hugging Face model dir.")] = None,
    train_file: Annotated[Path | None, typer.Option("--train", help="Training JSONL (edgecall data generate).")] = None,
    val_file: Annotated[Path | None, typer.Option("--val", help="Validation JSONL.")] = None,
    method: Annotated[str | None, typer.Option("--method", help="lora or full.")] = None,
    rank: Annotated[int | None, typer.Option("--rank", help="LoRA rank.")] = None,
    lora_layers: Annotated[int | None, typer.Option("--lora-layers", help="LoRA only in the top N layers.")] = None,
    alpha: Annotated[float | None, typer.Option("--alpha", help="LoRA alpha.")] = None,
    lr: Annotated[float | None, typer.Option("--lr", help="Peak learning rate.")] = None,
    warmup: Annotated[float | None, typer.Option("--warmup", help="Share of the steps warming the learning rate "
                                                 "up (then linear decay to 0).")] = None,
    epochs: Annotated[float | None, typer.Option("--epochs")] = None,
    max_steps: Annotated[int | None, typer.Option("--max-steps", help="Stop after N optimizer steps.")] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size")] = None,
    grad_accum: Annotated[int | None, typer.Option("--grad-accum", help="Batches per optimizer step.")] = None,
    batch_tokens: Annotated[int | None, typer.Option("--batch-tokens", help="Also cap a batch's padded tokens (rows x "
                                                     "longest row): memory follows tokens, the longest rows train in "
                                                     "smaller batches.")] = None,
    max_len: Annotated[int | None, typer.Option("--max-len", help="Longest example in tokens.")] = None,
    max_examples: Annotated[int | None, typer.Option("--max-examples", help="Train on N rows.")] = None,
    skip_examples: Annotated[int | None, typer.Option("--skip-examples", help="Skip the first N rows of the seeded "
                                                       "shuffle (a later stage's fresh rows).")] = None,
    init_from: Annotated[str | None, typer.Option("--init-from", help="Start from an earlier run's adapter "
                                                  "directory, a GGUF LoRA adapter or a preset that ships one "
                                                  "(edgecall-planner), or recipe:NAME (train that recipe first).")] = None,
    eval_every: Annotated[int | None, typer.Option("--eval-every", help="Evaluate on val every N steps.")] = None,
    eval_examples: Annotated[int | None, typer.Option("--eval-examples", help="Val requests planned per "
                                                         "evaluation.")] = None,
    save_every: Annotated[int | None, typer.Option("--save-every", help="Checkpoint every N steps.")] = None,
    max_minutes: Annotated[float | None, typer.Option("--max-minutes", help="Wall-time budget.")] = None,
    stop_at: Annotated[int | None, typer.Option("--stop-at", help="Stop at this step of the planned schedule.")] = None,
    seed: Annotated[int | None, typer.Option("--seed")] = None,
    device: Annotated[str | None, typer.Option("--device", help="cpu, cuda or auto.")] = None,
    bf16: Annotated[bool | None, typer.Option("--bf16/--fp32", help="bf16 autocast.")] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="CPU threads for torch.")] = None,
    grad_checkpointing: Annotated[bool | None, typer.Option("--grad-checkpointing/--no-grad-checkpointing",
                                                            help="Recompute activations in the backward pass: "
                                                            "less memory, about a fifth more time.")] = None,
    prompt_format: Annotated[str | None, typer.Option("--format", help="Prompt format to train for.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the run in --out from its last "
                                         "checkpoint.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the final metrics as JSON.")] = False,
) -> None:
    """Fine-tune a planner (LoRA by default) on planning data, in the prompt format it will be served with."""
    from ..planner import PromptFormatError
    from ..training.config import SOUP_FILE, SOUPS, TrainConfig, TrainingError, recipe

    overrides = dict(base=base, train=train_file, val=val_file, method=method, rank=rank, lora_layers=lora_layers,
                     alpha=alpha, lr=lr, warmup=warmup, epochs=epochs, max_steps=max_steps, batch_size=batch_size,
                     grad_accum=grad_accum, batch_tokens=batch_tokens, max_len=max_len, max_examples=max_examples, skip_examples=skip_examples,
                     init_from=init_from, eval_every=eval_every, eval_examples=eval_examples, save_every=save_every,
                     max_minutes=max_minutes, stop_at=stop_at, seed=seed, device=device, bf16=bf16, threads=threads,
                     prompt_format=prompt_format, gradient_checkpointing=grad_checkpointing)
    soup_file = out / SOUP_FILE if out is not None else None
    if resume and soup_file is not None and soup_file.is_file():  # a soup continues with what it was given
        saved = json.loads(soup_file.read_text(encoding="utf-8"))
        _train_soup(saved["recipe"], out or Path("runs/planner"), saved.get("overrides", {}), json_out=json_out)
        return
    if recipe_name in SOUPS and not resume:
        _train_soup(recipe_name, out or Path("runs/planner"), overrides, json_out=json_out)
        return
    try:
        if resume:
            if out is None:
                fail("--resume needs --out, the run directory to continue")
            cfg = TrainConfig.load(out / "config.json")
        else:
            cfg = _own_schedule(recipe(recipe_name, out=out, **overrides), overrides)
        _check_run(cfg)
        from ..training.trainer import train

        metrics = _with_progress(lambda log, progress: train(cfg, resume=resume, log=log, progress=progress))
    except (TrainingError, PromptFormatError) as exc:
        fail(str(exc))
    if json_out:
        print_json(metrics)
    else:
        console.print(f"trained {metrics['steps']} steps in {metrics['seconds'] / 60:.1f} min "
                      f"({metrics['tokens_per_s']:.0f} tokens/s); best val success {metrics['best_val_success']} "
                      f"at step {metrics['best_step']} -> {cfg.out / 'best'}")
        _export_hint(cfg.out)


_SCHEDULE = ("max_examples", "skip_examples", "epochs", "max_steps", "batch_size", "grad_accum", "batch_tokens",
             "max_len")
"""Options that change how many steps a run's schedule has (`--train` is left out: it is most often the recipe's data
where this machine keeps it)."""


def _own_schedule(cfg: TrainConfig, overrides: dict[str, Any]) -> TrainConfig:
    """A recipe's `stop_at` names a step of the recipe's own schedule (where a reproduced run was cut short); with
    options that change the schedule it would stop some other run at an arbitrary point, so it is dropped, and said."""
    if cfg.stop_at is None or overrides.get("stop_at") is not None:
        return cfg
    changed = [k for k in _SCHEDULE if overrides.get(k) is not None]
    if not changed:
        return cfg
    err_console.print(f"note: recipe {cfg.recipe!r} stops at step {cfg.stop_at} of its own schedule; "
                      f"--{changed[0].replace('_', '-')} changes the schedule, so this run is not cut there "
                      "(--stop-at N cuts it)", highlight=False)
    return cfg.model_copy(update={"stop_at": None})


def _check_run(cfg: TrainConfig) -> None:
    """What a run needs before any training starts: a known prompt format, its data, its base model."""
    from ..planner import get_prompt_format
    from ..training.base import resolve_base

    get_prompt_format(cfg.prompt_format)
    if not cfg.train.is_file():
        fail(f"training data {cfg.train} not found; make it with: edgecall data generate --out {cfg.train.parent}")
    resolve_base(cfg.base)


def _with_progress(run: Callable[[Callable[[str], None], Progress], T]) -> T:
    """`run(log, progress)` under the training progress bar (loss, tokens/s, ETA), once the `[train]` extra is
    known to be there."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ..training.trainer import require_train_extra

    require_train_extra()
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"), TextColumn("{task.fields[tps]:.0f} tok/s"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console,
    )  # fmt: skip
    with progress:
        return run(lambda m: progress.console.print(m, highlight=False), progress)


def _export_hint(out: Path) -> None:
    console.print(f"export it: edgecall export {out} --out {out / 'adapter.gguf'}")


def _train_soup(name: str, out: Path, overrides: dict[str, Any], *, json_out: bool) -> None:
    """`--recipe NAME` for a soup: train (or reuse, or resume) each of its runs, the options applying to each, then
    average them."""
    from ..planner import PromptFormatError
    from ..training.config import SOUPS, TrainingError, recipe
    from ..training.trainer import train_soup

    try:
        for ingredient in SOUPS[name]["ingredients"]:
            if ingredient not in SOUPS:  # a soup ingredient is an earlier stage, on its own recipes' data
                _check_run(recipe(ingredient, **overrides))
        info = _with_progress(lambda log, progress: train_soup(name, out=out, log=log, progress=progress,
                                                               **overrides))
    except (TrainingError, PromptFormatError) as exc:
        fail(str(exc))
    if json_out:
        print_json(info)
    else:
        console.print(f"averaged {len(info['ingredients'])} runs ({', '.join(info['ingredients'])}) at rank "
                      f"{info['rank']} -> {out / 'best'}")
        _export_hint(out)


@app.command("unpack")
def unpack(
    adapter: Annotated[str, typer.Argument(help="A preset that ships an adapter (edgecall-planner) or a GGUF LoRA "
                                                "adapter with its run summary beside it.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="New run directory.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Write the run directories a shipped adapter came from (each stage's config, data record and metrics, and its
    weights), so training continues it with the whole history: unpack into `RUN/NAME` (NAME: the adapter's recipe,
    `default` for edgecall-planner), then `edgecall train planner --init-from recipe:NAME --out RUN ...` starts
    from it without retraining its stages, and the exported summary names them all."""
    from ..training.config import TrainingError
    from ..training.export import unpack_adapter

    try:
        info = unpack_adapter(adapter, out)
    except TrainingError as exc:
        fail(str(exc))
    if json_out:
        print_json(info)
    else:
        console.print(f"{len(info['runs'])} run directories and the adapter's weights (rank {info['rank']}) "
                      f"-> {out}")


@app.command("soup")
def soup(
    adapters: Annotated[list[str], typer.Argument(help="Runs, adapter directories, GGUF LoRA adapters or presets "
                                                       "that ship one, to average (two or more, the same LoRA layout "
                                                       "and base).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the averaged adapter.")],
    rank: Annotated[int | None, typer.Option("--rank", help="Rank of the result (default: the first "
                                             "adapter's).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Average LoRA adapters into one ("model soup"): the mean of their weight changes, at a chosen rank.

    Runs that started from the same weights average into an adapter that usually generalises better than each;
    it costs nothing at inference. Export the result with `edgecall export`."""
    import tempfile

    from ..training.config import TrainingError
    from ..training.export import adapter_weights, find_weights
    from ..training.soup import average_adapters

    try:
        with tempfile.TemporaryDirectory(prefix="edgecall-soup-") as work:
            weights = []
            for i, spec in enumerate(adapters):
                path = adapter_weights(spec, Path(work) / str(i))
                if not path.exists():
                    fail(f"{spec} does not exist (expected a run directory, an adapter directory, a GGUF LoRA "
                         "adapter or a preset that ships one)")
                weights.append(find_weights(path))
            info = average_adapters(weights, out, rank=rank, names=adapters)
    except TrainingError as exc:
        fail(str(exc))
    if json_out:
        print_json(info)
    else:
        console.print(f"averaged {len(adapters)} adapters at rank {info['rank']} (energy kept: min "
                      f"{info['energy_kept_min']:.4f}, mean {info['energy_kept_mean']:.4f}) -> {out}")
        _export_hint(out)


def export(
    run: Annotated[Path, typer.Argument(help="Training run directory (or an adapter directory).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .gguf file.")],
    base: Annotated[str | None, typer.Option("--base", help="Base model (default: the one the run trained).")] = None,
    merge: Annotated[bool, typer.Option("--merge", help="Merge into the base and write a standalone model.")] = False,
    quant: Annotated[str, typer.Option("--quant", help="With --merge: q4_0, q4_1, q4_k_m, q8_0 or f16.")] = "q4_k_m",
    f16: Annotated[bool, typer.Option("--f16", help="Store the adapter in float16 (half the size).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Export a trained planner: a llama.cpp GGUF LoRA adapter, or (--merge) a quantized GGUF model."""
    from ..training.config import TrainingError
    from ..training.export import export_adapter, merge_and_quantize

    if not run.exists():
        fail(f"{run} does not exist (expected a run directory from `edgecall train planner`)")
    try:
        info = merge_and_quantize(run, out, quant=quant, base_spec=base) if merge else \
            export_adapter(run, out, base_spec=base, f16=f16)
    except TrainingError as exc:
        fail(str(exc))
    if json_out:
        print_json(info)
    else:
        kind = f"merged {quant} model" if merge else "LoRA adapter"
        console.print(f"{kind} -> {out} ({info['bytes'] / 1e6:.1f} MB)")
