"""The training loop: LoRA (peft, all linear layers) or full fine-tuning of a causal LM on planner data.

Why a small hand-written loop rather than `transformers.Trainer`: completion-only loss over token ids we
made with llama.cpp's own tokenizer, length-bucketed batches, the paper's plan metric on val during
training, and a resumable run directory are each a few lines here and a callback maze there. Hugging Face
`accelerate` does device placement, bf16 autocast and multi-GPU (`accelerate launch edgecall train ...`).

Run directory (`cfg.out`):
  config.json           the TrainConfig (`--resume` reads it)
  data.json             data file hashes, example counts, dropped rows
  log.jsonl             one line per logged step and per evaluation
  checkpoints/last/     the latest state (adapter or model + optimizer/scheduler/step) for `--resume`
  best/                 the adapter (or model) with the best val success (ties: lower val loss)
  metrics.json          the final summary (tokens/s, best step, val scores)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .base import BaseModel, resolve_base
from .config import (
    RECIPES,
    SOUP_FILE,
    SOUPS,
    TRAIN_EXTRA_HINT,
    TrainConfig,
    TrainingError,
    init_weights,
    recipe,
    stage_recipe,
)
from .data import TokenizedExample, length_batches, load_training_rows, select_rows, tokenize_pairs, training_pairs
from .export import adapter_weights

END = "<END_OF_PLAN>"
VAL_LOSS_EXAMPLES = 32


def require_train_extra() -> None:
    """Fail with the install command when torch, transformers or peft are missing."""
    for name in ("torch", "transformers", "peft", "accelerate"):
        try:
            __import__(name)
        except ModuleNotFoundError:
            raise TrainingError(f"training needs the package {name!r}: {TRAIN_EXTRA_HINT}") from None


LOGITS_BUDGET = 1 << 28
"""Most logits (positions x vocabulary) one batch materialises at once: 268 M floats, 1 GiB in float32 (SmolLM2's
longest batches stay under it, so its recipes run as before)."""


def completion_loss(lm_head: Any, hidden: Any, labels: Any, budget: int | None = None) -> Any:
    """Mean cross-entropy of `labels` under `lm_head(hidden)`, in chunks of positions when the logits are large.

    Why: a batch's logits are positions x vocabulary floats, and autograd keeps them (and their softmax) for the
    backward pass. SmolLM2's 49k vocabulary fits; Gemma-3's 262k does not: a batch of 16 long examples held about
    20 GB on a CPU. Above `budget` logits, each chunk is checkpointed (its logits are recomputed in the backward
    pass instead of kept), so memory stays near one chunk's logits at the cost of one more LM-head pass.
    `budget` defaults to `LOGITS_BUDGET`.
    """
    import torch
    import torch.nn.functional as F
    from torch.utils.checkpoint import checkpoint

    budget = LOGITS_BUDGET if budget is None else budget
    n, vocab = hidden.shape[0], lm_head.out_features
    if n * vocab <= budget:
        return F.cross_entropy(lm_head(hidden).float(), labels)

    def chunk_sum(h: Any, y: Any) -> Any:
        return F.cross_entropy(lm_head(h).float(), y, reduction="sum")

    step = max(1, budget // vocab)
    total = torch.zeros((), dtype=torch.float32, device=hidden.device)
    for start in range(0, n, step):
        total = total + checkpoint(chunk_sum, hidden[start : start + step], labels[start : start + step],
                                   use_reentrant=False)
    return total / n


class LlamaCppTokenizer:
    """The base GGUF's own tokenizer (vocabulary only), so training ids equal serving ids."""

    def __init__(self, path: Path) -> None:
        import llama_cpp

        self._llama = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
        self.eos_id = int(self._llama.token_eos())

    def encode(self, text: str, bos: bool) -> list[int]:
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=bos, special=True))

    def decode(self, ids: list[int]) -> str:
        text: bytes = self._llama.detokenize(ids)  # llama_cpp is not type-checked (follow_imports = skip)
        return text.decode("utf-8", errors="replace")


class HFTokenizer:
    """A transformers tokenizer, for Hugging Face model directories."""

    def __init__(self, path: Path) -> None:
        from transformers import AutoTokenizer

        self._tok = AutoTokenizer.from_pretrained(str(path))
        self.eos_id = int(self._tok.eos_token_id)

    def encode(self, text: str, bos: bool) -> list[int]:
        ids = self._tok(text, add_special_tokens=False)["input_ids"]
        bos_id = self._tok.bos_token_id
        return [bos_id, *ids] if bos and bos_id is not None else list(ids)

    def decode(self, ids: list[int]) -> str:
        return str(self._tok.decode(ids, skip_special_tokens=True))


def load_tokenizer(base: BaseModel) -> LlamaCppTokenizer | HFTokenizer:
    return LlamaCppTokenizer(base.gguf) if base.gguf is not None else HFTokenizer(base.path)


def load_model(base: BaseModel, dtype: Any, attn: str | None = None) -> Any:
    """The base model in transformers; a GGUF is dequantized by transformers (through the `gguf` package).

    `attn` picks transformers' attention implementation (None: its default, SDPA).
    """
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {"dtype": dtype}
    if attn is not None:
        kwargs["attn_implementation"] = attn
    try:
        if base.gguf is not None:
            model = AutoModelForCausalLM.from_pretrained(str(base.gguf.parent), gguf_file=base.gguf.name, **kwargs)
            # The weights are dequantized to `dtype` on load; dropping the GGUF "quantizer" marks them as the plain
            # tensors they are, so a fully fine-tuned model can be saved (transformers refuses to save "gguf").
            model.hf_quantizer = None  # type: ignore[assignment]  # set at load, undeclared on PreTrainedModel
            if hasattr(model.config, "quantization_config"):
                del model.config.quantization_config
            return model
        return AutoModelForCausalLM.from_pretrained(str(base.hf_dir), **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise TrainingError(f"transformers cannot load the base model {base.spec}: {exc}") from None


def pick_device(requested: str) -> str:
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        raise TrainingError(
            f"--device cuda, but torch {torch.__version__} sees no CUDA GPU "
            "(a CPU-only torch build, or no GPU/driver); use --device cpu"
        )
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def cpu_has_bf16() -> bool:
    """Whether this CPU does bf16 arithmetic in hardware (AVX512-BF16 or AMX-BF16). Only there does `--bf16` on a
    CPU pay (the AMX Xeon of docs/results.md: ~1.4x fp32's tokens/s); elsewhere torch emulates bf16, mostly on one
    thread (a 2-core AVX2 EPYC had not finished step 1 of the shipped stage 8 after 8 minutes; fp32 took 57 s), so
    a bf16 recipe (`default-stage8`) trains in fp32 there. True where torch cannot tell (no `get_capabilities`)."""
    import torch

    capabilities = getattr(torch.cpu, "get_capabilities", None)
    if capabilities is None:
        return True
    found = capabilities()
    return bool(found.get("avx512_bf16") or found.get("amx_bf16"))


@dataclass
class RunState:
    """Where a run is, saved with every checkpoint so `--resume` continues exactly."""

    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0
    tokens: int = 0
    seconds: float = 0.0
    best_success: float = -1.0
    best_loss: float = math.inf
    best_step: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _replace_dir(tmp: Path, target: Path) -> None:
    """Swap a fully written directory into place, so a killed run never leaves half a checkpoint."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    if old.exists():
        shutil.rmtree(old)


class Trainer:
    """One run of `TrainConfig`; `run()` trains (or resumes) and returns the metrics."""

    def __init__(self, cfg: TrainConfig, *, log: Callable[[str], None] = print, progress: Any = None) -> None:
        require_train_extra()
        # The device is checked first: `--device cuda` on a machine without CUDA should say so at once,
        # not after the data has been read and tokenized (or fail on a missing data file instead).
        self.device = pick_device(cfg.device)
        if self.device == "cpu" and cfg.bf16 and not cpu_has_bf16():
            log("--bf16: this CPU has no bf16 arithmetic (AVX512-BF16 or AMX-BF16), where torch emulates it at a "
                "fraction of fp32's speed; training in fp32 (the run's config and metrics record it)")
            cfg = cfg.model_copy(update={"bf16": False})
        self.cfg = cfg
        self.say = log
        self.progress = progress
        self.out = cfg.out
        self.base = resolve_base(cfg.base)

    # ------------------------------------------------------------------------------------------------ setup
    def _prepare_data(self) -> None:
        from ..assistant.tools import assistant_toolset

        cfg = self.cfg
        self.tools = assistant_toolset()
        all_rows = load_training_rows(cfg.train, self.tools)
        if cfg.skip_examples >= len(all_rows):
            raise TrainingError(f"--skip-examples {cfg.skip_examples} leaves none of the {len(all_rows)} rows of "
                                f"{cfg.train} to train on")
        rows = select_rows(all_rows, cfg.max_examples, cfg.seed, cfg.skip_examples)
        self.tokenizer = load_tokenizer(self.base)
        enc = self.tokenizer.encode
        self.train_examples, dropped = tokenize_pairs(training_pairs(rows, self.tools, cfg), enc,
                                                      self.tokenizer.eos_id, cfg.max_len)
        if not self.train_examples:
            raise TrainingError(f"every training example is longer than --max-len {cfg.max_len} tokens")
        self.val_examples: list[TokenizedExample] = []
        self.val_rows: list[dict[str, Any]] = []
        self.val_plain: list[TokenizedExample] = []
        if cfg.val is not None:
            vrows = load_training_rows(cfg.val, self.tools)
            self.val_examples, _ = tokenize_pairs(training_pairs(vrows[:VAL_LOSS_EXAMPLES], self.tools, cfg), enc,
                                                  self.tokenizer.eos_id, cfg.max_len)
            # success is measured as the planner is served before Tool RAG: the compact prompt, no tool list
            plain_cfg = cfg.model_copy(update={"no_tools": 1.0})
            self.val_rows = vrows[: cfg.eval_examples]
            self.val_plain, _ = tokenize_pairs(training_pairs(self.val_rows, self.tools, plain_cfg), enc,
                                               self.tokenizer.eos_id, 10**9)
        lengths = [e.length for e in self.train_examples]
        info = {
            "train_file": str(cfg.train), "train_sha256": _sha256(cfg.train), "train_rows_used": len(rows),
            "train_rows_skipped": cfg.skip_examples,
            "train_examples": len(self.train_examples), "dropped_too_long": dropped,
            "train_tokens_per_epoch": sum(lengths), "mean_tokens": sum(lengths) / len(lengths),
            "val_file": str(cfg.val) if cfg.val else None, "val_loss_examples": len(self.val_examples),
            "val_success_examples": len(self.val_plain), "base": self.base.spec, "base_path": str(self.base.path),
        }
        (self.out / "data.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        self.say(f"{len(self.train_examples)} training examples ({dropped} longer than {cfg.max_len} tokens "
                 f"dropped), {info['mean_tokens']:.0f} tokens on average")

    def _build_model(self) -> None:
        import torch
        from accelerate import Accelerator
        from accelerate.state import AcceleratorState

        cfg = self.cfg
        device = self.device
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        random.seed(cfg.seed)
        precision = "bf16" if cfg.bf16 else "no"
        if AcceleratorState._shared_state.get("_mixed_precision") not in (None, precision):
            # accelerate keeps one precision per process and refuses another; a later run in the same process (the
            # Python API, tests) with another precision starts a fresh state. The distributed setup (accelerate's
            # PartialState) is kept.
            AcceleratorState._reset_state()
        self.accelerator = Accelerator(cpu=device == "cpu", mixed_precision=precision,
                                       gradient_accumulation_steps=cfg.grad_accum)
        # On a CPU in bf16, attention as plain matrix products (eager) runs on the same bf16 matrix units as the
        # rest; SDPA's CPU flash-attention backward does not, and was the largest single cost (docs/results.md).
        model = load_model(self.base, torch.float32, attn="eager" if device == "cpu" and cfg.bf16 else None)
        model.config.use_cache = False
        self.attention = str(model.config._attn_implementation)
        if cfg.gradient_checkpointing:
            # Non-reentrant checkpointing needs no input that requires grad, so frozen lower layers (LoRA in the top
            # N) work as they are.
            # transformers 5.25 renamed it (the old name warns, and goes in v6); the GPU image's 5.17 has only the old
            if hasattr(model, "activation_checkpointing_enable"):
                model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
            else:
                model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if cfg.method == "lora":
            from peft import LoraConfig, get_peft_model

            names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
            missing = [m for m in cfg.target_modules if m not in names]
            if missing:
                raise TrainingError(f"the base model has no modules named {', '.join(missing)} "
                                    f"(LoRA targets); its linear layers: {_linear_names(model)}")
            n_layers = int(model.config.num_hidden_layers)
            layers = adapted_layers(cfg, n_layers)
            lora = LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha,  # type: ignore[arg-type]  # peft accepts a float alpha
                              lora_dropout=cfg.dropout,
                              target_modules=list(cfg.target_modules), layers_to_transform=layers,
                              task_type="CAUSAL_LM")
            model = get_peft_model(model, lora)
        params = [p for p in model.parameters() if p.requires_grad]
        self.n_trainable = sum(p.numel() for p in params)
        optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        per_epoch = len(self._epoch_batches(0))  # with a token budget, about the same each epoch
        self.total_steps = cfg.max_steps or max(1, math.ceil(per_epoch * cfg.epochs / cfg.grad_accum))
        warm = max(1, int(self.total_steps * cfg.warmup))

        def schedule(step: int) -> float:
            if step < warm:
                return (step + 1) / warm
            return max(0.0, (self.total_steps - step) / max(1, self.total_steps - warm))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
        self.model, self.optimizer = self.accelerator.prepare(model, optimizer)
        self.scheduler = scheduler
        self.device = self.accelerator.device

    # ----------------------------------------------------------------------------------------------- batches
    def _collate(self, examples: list[TokenizedExample]) -> dict[str, Any]:
        import torch

        width = max(e.length for e in examples)
        pad = self.tokenizer.eos_id
        ids = torch.full((len(examples), width), pad, dtype=torch.long)
        labels = torch.full((len(examples), width), -100, dtype=torch.long)
        mask = torch.zeros((len(examples), width), dtype=torch.long)
        for i, e in enumerate(examples):
            seq = e.prompt_ids + e.completion_ids
            ids[i, : len(seq)] = torch.tensor(seq)
            labels[i, len(e.prompt_ids) : len(seq)] = torch.tensor(e.completion_ids)
            mask[i, : len(seq)] = 1
        return {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device),
                "labels": labels.to(self.device)}

    def _loss(self, batch: dict[str, Any]) -> Any:
        """Completion-only cross-entropy, with the vocabulary projection only at completion positions.

        The LM head (hidden x 49k vocabulary for SmolLM2) is a fifth of the model's compute; prompts carry no
        loss, so projecting only the positions that predict a completion token saves that share of it.
        """
        core = self.accelerator.unwrap_model(self.model)
        if hasattr(core, "get_base_model"):
            core = core.get_base_model()
        hidden = core.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        labels = batch["labels"][:, 1:]
        keep = labels != -100
        return completion_loss(core.lm_head, hidden[:, :-1][keep], labels[keep])

    def _epoch_batches(self, epoch: int) -> list[list[int]]:
        lengths = [e.length for e in self.train_examples]
        return length_batches(lengths, self.cfg.batch_size, self.cfg.seed, epoch, max_tokens=self.cfg.batch_tokens)

    def _batches(self, state: RunState) -> Iterator[tuple[int, int, list[TokenizedExample]]]:
        epoch, start = state.epoch, state.batch_in_epoch
        while True:
            order = self._epoch_batches(epoch)
            for b in range(start, len(order)):
                yield epoch, b, [self.train_examples[i] for i in order[b]]
            epoch, start = epoch + 1, 0

    # ------------------------------------------------------------------------------------------------- eval
    def evaluate(self) -> dict[str, Any]:
        """Val loss (training mix of prompts) and greedy-decoding success (plain compact prompt)."""
        import torch

        from ..evaluation.metrics import score_plan
        from ..plan import parse_plan

        model = self.model
        model.eval()
        result: dict[str, Any] = {}
        with torch.no_grad():
            if self.val_examples:
                losses, weights = [], []
                for i in range(0, len(self.val_examples), self.cfg.batch_size):
                    chunk = self.val_examples[i : i + self.cfg.batch_size]
                    with self.accelerator.autocast():
                        loss = self._loss(self._collate(chunk))
                    losses.append(float(loss))
                    weights.append(sum(len(e.completion_ids) for e in chunk))
                result["val_loss"] = sum(loss_ * w for loss_, w in zip(losses, weights)) / sum(weights)
            if self.val_plain:
                ok = args_ok = valid = 0
                gen = self.accelerator.unwrap_model(model)
                for ex, row in zip(self.val_plain, self.val_rows):
                    ids = torch.tensor([ex.prompt_ids], device=self.device)
                    with self.accelerator.autocast():
                        out = gen.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=200,
                                           do_sample=False, eos_token_id=self.tokenizer.eos_id,
                                           pad_token_id=self.tokenizer.eos_id, use_cache=True)
                    text = self.tokenizer.decode(out[0, len(ex.prompt_ids) :].tolist()).split(END)[0] + END
                    gold = parse_plan(row["plan"], self.tools)
                    try:
                        pred, is_valid = parse_plan(text, self.tools), True
                    except Exception:
                        pred, is_valid = None, False
                    score = score_plan(pred, gold, valid=is_valid)
                    ok += score.success
                    args_ok += bool(score.success and score.args_match)
                    valid += is_valid
                n = len(self.val_plain)
                result.update(val_success=ok / n, val_args=args_ok / max(1, ok), val_valid=valid / n, val_n=n)
        model.train()
        return result

    # ------------------------------------------------------------------------------------------ checkpoints
    def _save_weights(self, target: Path, extra: dict[str, Any]) -> Path:
        tmp = target.with_name(target.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        self.accelerator.unwrap_model(self.model).save_pretrained(str(tmp), safe_serialization=True)
        meta = {"base": self.base.spec, "base_path": str(self.base.path), "method": self.cfg.method,
                "prompt_format": self.cfg.prompt_format, "recipe": self.cfg.recipe, **extra}
        (tmp / "edgecall.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        return tmp

    def save_checkpoint(self, state: RunState) -> None:
        import torch

        target = self.out / "checkpoints" / "last"
        tmp = self._save_weights(target, {"step": state.step})
        torch.save({"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
                    "torch_rng": torch.get_rng_state()}, tmp / "trainer_state.pt")
        (tmp / "run_state.json").write_text(json.dumps(state.__dict__) + "\n", encoding="utf-8")
        _replace_dir(tmp, target)

    def save_best(self, state: RunState, metrics: dict[str, Any]) -> None:
        target = self.out / "best"
        tmp = self._save_weights(target, {"step": state.step, **metrics})
        _replace_dir(tmp, target)

    def _load_weights(self, source: Path) -> Any:
        """The adapter (LoRA) or model (full) tensors saved in `source`, loaded into the model: one loader for
        `--resume` and `--init-from`. Returns torch's load result (missing and unexpected keys)."""
        from safetensors.torch import load_file

        model = self.accelerator.unwrap_model(self.model)
        if self.cfg.method == "lora":
            from peft import set_peft_model_state_dict

            return set_peft_model_state_dict(model, load_file(str(source / "adapter_model.safetensors")))
        return model.load_state_dict(load_file(str(source / "model.safetensors")), strict=False)

    def load_init(self, source: Path) -> None:
        """Start from an earlier run's weights (a second stage): the same LoRA layout, or a full model. A GGUF LoRA
        adapter (the packaged planner's, say) is imported into `<out>/init` first."""
        if self.cfg.method == "lora":
            source = adapter_weights(str(source), self.out / "init", base_spec=self.base.spec)
            config = source / "adapter_config.json"
            if not (source / "adapter_model.safetensors").is_file() or not config.is_file():
                raise TrainingError(f"--init-from {source}: no LoRA adapter there (expected adapter_model."
                                    "safetensors and adapter_config.json, e.g. <run>/checkpoints/last)")
            theirs = json.loads(config.read_text(encoding="utf-8"))
            n_layers = int(self.accelerator.unwrap_model(self.model).config.num_hidden_layers)
            ours = {"r": self.cfg.rank, "lora_alpha": self.cfg.alpha, "target_modules": sorted(self.cfg.target_modules)}
            found = {"r": theirs.get("r"), "lora_alpha": theirs.get("lora_alpha"),
                     "target_modules": sorted(theirs.get("target_modules") or [])}
            our_layers = set(adapted_layers(self.cfg, n_layers) or range(n_layers))
            their_layers = set(theirs.get("layers_to_transform") or range(n_layers))
            if found != ours or not their_layers <= our_layers:
                diff = [f"{k} {found[k]} (this run: {ours[k]})" for k in ours if found[k] != ours[k]]
                if not their_layers <= our_layers:
                    diff.append(f"layers {_span(their_layers)} (this run adapts only {_span(our_layers)})")
                raise TrainingError(f"--init-from {source}: that adapter does not fit this run's LoRA: "
                                    + ", ".join(diff))
            unexpected = list(getattr(self._load_weights(source), "unexpected_keys", []))
            if unexpected:
                raise TrainingError(f"--init-from {source}: {len(unexpected)} tensors do not fit the model, "
                                    f"e.g. {unexpected[0]}")
            if their_layers != our_layers:
                # Widening: the layers the earlier adapter did not adapt start as peft initialises them (B = 0, so
                # the model is the earlier stage's exactly) and learn from there, e.g. all 30 layers from the
                # shipped top-12 adapter.
                self.say(f"layers {_span(our_layers - their_layers)} start fresh (the earlier adapter has "
                         f"{_span(their_layers)})")
        else:
            if not (source / "model.safetensors").is_file():
                raise TrainingError(f"--init-from {source}: no model.safetensors there (a full fine-tune's run)")
            try:
                self._load_weights(source)
            except RuntimeError as exc:
                raise TrainingError(f"--init-from {source}: the weights do not fit the base model: {exc}") from None
        self.say(f"starting from the weights in {source}")

    def load_checkpoint(self) -> RunState:
        import torch

        last = self.out / "checkpoints" / "last"
        if not (last / "run_state.json").is_file():
            raise TrainingError(f"no checkpoint to resume in {last} (the run saved none yet); start it again")
        state = RunState(**json.loads((last / "run_state.json").read_text(encoding="utf-8")))
        self._load_weights(last)
        saved = torch.load(last / "trainer_state.pt", weights_only=False)
        self.optimizer.load_state_dict(saved["optimizer"])
        self.scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["torch_rng"])
        return state

    # -------------------------------------------------------------------------------------------------- run
    def _log(self, entry: dict[str, Any]) -> None:
        with (self.out / "log.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")

    def _maybe_best(self, state: RunState, metrics: dict[str, Any]) -> None:
        success = metrics.get("val_success", 0.0)
        loss = metrics.get("val_loss", math.inf)
        if (success, -loss) > (state.best_success, -state.best_loss):
            state.best_success, state.best_loss, state.best_step = success, loss, state.step
            self.save_best(state, metrics)

    def run(self, *, resume: bool = False) -> dict[str, Any]:
        cfg = self.cfg
        self.out.mkdir(parents=True, exist_ok=True)
        if not resume:
            cfg.save(self.out / "config.json")
            (self.out / "log.jsonl").write_text("", encoding="utf-8")
        self._prepare_data()
        self._build_model()
        if resume:
            state = self.load_checkpoint()
        else:
            if cfg.init_from is not None:
                self.load_init(init_weights(cfg.init_from, cfg.out))
            state = RunState()
        self.say(f"base {self.base.spec}, {cfg.method} ({self.n_trainable:,} trainable parameters), "
                 f"{self.total_steps} steps of {cfg.batch_size}x{cfg.grad_accum}, device {self.device}")
        model = self.model
        model.train()
        started = time.perf_counter() - state.seconds
        window_tokens, window_start = 0, time.perf_counter()
        batches = self._batches(state)
        stopped_early = False
        task = self.progress.add_task("training", total=self.total_steps, completed=state.step, loss=float("nan"),
                                      tps=0.0) if self.progress else None
        while state.step < self.total_steps:
            loss_sum = 0.0
            for _ in range(cfg.grad_accum):
                epoch, index, examples = next(batches)
                batch = self._collate(examples)
                with self.accelerator.accumulate(model), self.accelerator.autocast():
                    loss = self._loss(batch)
                    self.accelerator.backward(loss)
                    self.optimizer.step()
                    self.optimizer.zero_grad()
                loss_sum += float(loss.detach())
                n_tok = int(batch["attention_mask"].sum())
                state.tokens += n_tok
                window_tokens += n_tok
                state.epoch, state.batch_in_epoch = epoch, index + 1
            self.scheduler.step()
            state.step += 1
            state.seconds = time.perf_counter() - started
            loss_avg = loss_sum / cfg.grad_accum
            now = time.perf_counter()
            tps = window_tokens / max(1e-9, now - window_start)
            if task is not None:
                self.progress.update(task, completed=state.step, loss=loss_avg, tps=tps)
            if state.step % 10 == 0 or state.step == 1:
                entry = {"step": state.step, "loss": round(loss_avg, 5), "lr": self.scheduler.get_last_lr()[0],
                         "tokens_per_s": round(tps, 1), "elapsed_s": round(state.seconds, 1), "epoch": epoch}
                self._log(entry)
                state.history.append(entry)
                if self.progress is None:
                    self.say(f"step {state.step}/{self.total_steps} loss {loss_avg:.4f} {tps:.0f} tok/s "
                             f"{state.seconds / 60:.1f} min")
                window_tokens, window_start = 0, now
            at_stop = cfg.stop_at is not None and state.step >= cfg.stop_at
            over_time = at_stop or (cfg.max_minutes is not None and state.seconds > cfg.max_minutes * 60)
            last = state.step >= self.total_steps or over_time
            if state.step % cfg.save_every == 0 or last:
                self.save_checkpoint(state)
            if state.step % cfg.eval_every == 0 or last:
                metrics = {"step": state.step, **self.evaluate()}
                self._log({"eval": True, **metrics})
                self.say("eval " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                             for k, v in metrics.items()))
                self._maybe_best(state, metrics)
            if over_time and state.step < self.total_steps:
                stopped_early = True
                why = f"--stop-at {cfg.stop_at}" if at_stop else f"--max-minutes {cfg.max_minutes} reached"
                self.say(f"stopping at step {state.step}: {why}")
                break
        if self.cfg.val is None and not (self.out / "best").exists():
            self.save_best(state, {})
        summary = {
            "steps": state.step, "planned_steps": self.total_steps, "stopped_early": stopped_early,
            "train_tokens": state.tokens, "seconds": round(state.seconds, 1),
            "tokens_per_s": round(state.tokens / max(1e-9, state.seconds), 1),
            "trainable_parameters": self.n_trainable, "best_step": state.best_step,
            "best_val_success": state.best_success if state.best_success >= 0 else None,
            "best_val_loss": state.best_loss if math.isfinite(state.best_loss) else None,
            "device": str(self.device), "threads": _threads(), "bf16": self.cfg.bf16, "attention": self.attention,
        }
        (self.out / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return summary


def adapted_layers(cfg: TrainConfig, n_layers: int) -> list[int] | None:
    """The layers a LoRA run adapts: the top `lora_layers` of `n_layers`, or None for all (peft's
    `layers_to_transform`)."""
    if cfg.lora_layers is None or cfg.lora_layers >= n_layers:
        return None
    return list(range(n_layers - cfg.lora_layers, n_layers))


def _span(layers: set[int]) -> str:
    """Layer indices for a message: `18-29`, or a list when they are not one run."""
    lo, hi = min(layers), max(layers)
    return f"{lo}-{hi}" if len(layers) == hi - lo + 1 else ",".join(map(str, sorted(layers)))


def _threads() -> int:
    import torch

    return int(torch.get_num_threads())


def _linear_names(model: Any) -> str:
    import torch

    names = sorted({n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)})
    return ", ".join(names)


def earlier_stage(cfg: TrainConfig) -> TrainConfig | None:
    """The run `init_from = "recipe:NAME"` needs first, in `<out>/NAME`: on the data that recipe names (the
    shipped stages were trained on different generator versions), else on this run's data."""
    name = stage_recipe(cfg.init_from)
    if name is None or name in SOUPS:  # a soup is trained by train_soup (earlier_soup), not as one run
        return None
    own = RECIPES.get(name, {})
    first = recipe(name, out=cfg.out / name, train=own.get("train", cfg.train), device=cfg.device,
                   bf16=cfg.bf16, threads=cfg.threads)  # the earlier stages run on the same machine
    # `val` may be None (no validation), which recipe() would read as "the recipe's own"
    return first.model_copy(update={"val": own["val"] if "val" in own else cfg.val})


def check_data(cfg: TrainConfig) -> None:
    """Read and validate the run's training and val rows (TrainingError, with line numbers, on the first bad one)."""
    from ..assistant.tools import assistant_toolset

    tools = assistant_toolset()
    for path in (cfg.train, cfg.val):
        if path is not None:
            load_training_rows(path, tools)


def train(cfg: TrainConfig, *, resume: bool = False, log: Callable[[str], None] = print,
          progress: Any = None) -> dict[str, Any]:
    """Train per `cfg` (the run directory is `cfg.out`); returns the metrics also written to metrics.json.

    A recipe in stages trains its earlier stage first (or resumes it, or reuses it once it finished)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    first = earlier_stage(cfg)
    if first is not None and not (first.out / "metrics.json").is_file():
        pick_device(cfg.device)  # `--device cuda` without CUDA, or a bad row in this stage's data, fails now,
        check_data(cfg)  # not after the earlier stages' hours
        log(f"stage {cfg.init_from}: training it first in {first.out}")
        _train_or_reuse(first, log=log, progress=progress)
    earlier_soup(cfg, log=log, progress=progress)
    return Trainer(cfg, log=log, progress=progress).run(resume=resume)


def earlier_soup(cfg: TrainConfig, *, log: Callable[[str], None], progress: Any) -> None:
    """When `init_from = "recipe:NAME"` names a soup (the shipped stage 6 starts from stage 5's three runs,
    averaged), train that soup in `<out>/NAME` first, on the machine of this run, unless it is there already."""
    name = stage_recipe(cfg.init_from)
    if name is None or name not in SOUPS or _soup_averaged(cfg.out / name):
        return
    pick_device(cfg.device)
    check_data(cfg)
    log(f"stage {cfg.init_from}: averaging its runs first in {cfg.out / name}")
    _soup_or_reuse(name, cfg, log=log, progress=progress)


def _soup_averaged(out: Path) -> bool:
    """Whether the soup in `out` was averaged already: its record and its adapter are there."""
    return (out / SOUP_FILE).is_file() and (out / "best" / "adapter_model.safetensors").is_file()


def _soup_or_reuse(name: str, cfg: TrainConfig, *, log: Callable[[str], None], progress: Any) -> dict[str, Any]:
    """The soup NAME in `<cfg.out>/NAME`, averaged already or trained now on `cfg`'s machine (device, bf16,
    threads): an earlier stage keeps its own recipe's data and settings."""
    out = cfg.out / name
    if _soup_averaged(out):
        log(f"soup {name}: averaged earlier in {out}")
        meta_path = out / "best" / "edgecall.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return {**meta, "soup": name}
    return train_soup(name, out=out, log=log, progress=progress, device=cfg.device, bf16=cfg.bf16,
                      threads=cfg.threads)


def _train_or_reuse(cfg: TrainConfig, *, log: Callable[[str], None], progress: Any) -> dict[str, Any]:
    """The run in `cfg.out`: its metrics once it finished, else continued from its last checkpoint, else trained."""
    if (cfg.out / "metrics.json").is_file():
        log(f"{cfg.recipe or cfg.out}: finished earlier in {cfg.out}")
        metrics: dict[str, Any] = json.loads((cfg.out / "metrics.json").read_text(encoding="utf-8"))
        return metrics
    if (cfg.out / "checkpoints" / "last" / "run_state.json").is_file():
        return train(TrainConfig.load(cfg.out / "config.json"), resume=True, log=log, progress=progress)
    return train(cfg, log=log, progress=progress)


def train_soup(name: str, *, out: Path, log: Callable[[str], None] = print, progress: Any = None,
               **overrides: Any) -> dict[str, Any]:
    """Train a soup recipe (config.SOUPS): each ingredient recipe in `<out>/NAME` (reusing or resuming what is
    there), all from one shared run of the earlier stage they start from (or one from another: stage 8's soup
    averages stage 6 with stage 8, which continued it; an ingredient may be a soup, averaged first in `<out>/NAME`),
    then average their adapters into `<out>/best`. `overrides` (recipe options: data, learning rate, machine) apply
    to every ingredient run, as a staged recipe's apply to its last stage; `rank` also sets the soup's."""
    from .soup import average_adapters

    try:
        spec = SOUPS[name]
    except KeyError:
        raise TrainingError(f"{name!r} is not a soup recipe; soups: {', '.join(sorted(SOUPS))}") from None
    overrides = {k: v for k, v in overrides.items() if v is not None}
    names = spec["ingredients"]
    # an ingredient may be a soup (the shipped soup averages stage 8's soup with stage 9, which continued it): it
    # is averaged in `<out>/NAME` from its own recipes, as an earlier stage is; the options apply to the runs
    ingredients = [recipe(n, **{**overrides, "out": out / n}) for n in names if n not in SOUPS]
    rank = int(overrides.get("rank", spec["rank"]))
    pick_device(ingredients[0].device)
    for cfg in {(c.train, c.val): c for c in ingredients}.values():  # each file once; a bad row fails now, not
        check_data(cfg)  # after hours of the first ingredient
    out.mkdir(parents=True, exist_ok=True)
    (out / SOUP_FILE).write_text(json.dumps({"recipe": name, "ingredients": list(spec["ingredients"]),
                                             "rank": rank, "overrides": overrides}, indent=2, default=str) + "\n",
                                 encoding="utf-8")
    inits = {cfg.init_from for cfg in ingredients}
    shared = stage_recipe(next(iter(inits))) if len(inits) == 1 else None
    if shared is not None and shared not in names:  # one run of the common earlier stage, each ingredient's own
        log(f"soup {name}: the shared stage {shared} in {out / shared}")
        if shared in SOUPS:
            earlier_soup(ingredients[0].model_copy(update={"out": out}), log=log, progress=progress)
        else:
            first = earlier_stage(ingredients[0].model_copy(update={"out": out}))
            assert first is not None
            _train_or_reuse(first, log=log, progress=progress)
        for cfg in ingredients:
            link = cfg.out / shared
            cfg.out.mkdir(parents=True, exist_ok=True)
            if not link.is_symlink() and not link.exists():
                link.symlink_to(Path("..") / shared, target_is_directory=True)
    done = {n: _soup_or_reuse(n, ingredients[0].model_copy(update={"out": out}), log=log, progress=progress)
            for n in names if n in SOUPS}
    for cfg in ingredients:  # an ingredient that is another's earlier stage is trained once, where it is an ingredient
        earlier = stage_recipe(cfg.init_from)
        if earlier is None or earlier not in names:
            continue
        link = cfg.out / earlier
        if not link.is_symlink() and not link.exists():
            cfg.out.mkdir(parents=True, exist_ok=True)
            link.symlink_to(Path("..") / earlier, target_is_directory=True)
    for cfg in ingredients:
        log(f"soup {name}: {cfg.recipe} in {cfg.out}")
        done[str(cfg.recipe)] = _train_or_reuse(cfg, log=log, progress=progress)
    from .export import find_weights

    info = average_adapters([find_weights(out / n) for n in names], out / "best", rank=rank, meta={"recipe": name})
    log(f"soup {name}: {len(names)} adapters averaged at rank {info['rank']} (energy kept: min "
        f"{info['energy_kept_min']:.4f}) -> {out / 'best'}")
    return {**info, "soup": name, "ingredients": {n: done[n] for n in names}}
