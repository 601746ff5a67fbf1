"""Train until memorised -> export -> llama.cpp plans with the adapter (and the merged, quantized model), not without.

Runs the real pipeline end to end on the tiny llama GGUF of conftest.py (the packaged tokenizer, same architecture and
file format as the packaged SmolLM2); needs the `[train]` extra, which CI installs.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

from typer.testing import CliRunner

from edgecall.assistant.tools import assistant_toolset
from edgecall.cli.main import app
from edgecall.errors import LLMError, TrainingError
from edgecall.llm import LlamaCppLLM
from edgecall.plan import render_plan
from edgecall.planner import Planner
from edgecall.training import trainer as trainer_module
from edgecall.training.config import TrainConfig
from edgecall.training.export import SAME_AS, export_adapter, merge_and_quantize, read_summary
from edgecall.training.trainer import train

NOW = "2024-06-05 14:30:00"
ROWS = [
    {"id": "a", "now": NOW, "query": "Text Bo that I'm late",
     "plan": '1. get_phone_number("Bo")\n2. send_sms(["$1"], "I\'m late")\n3. join()<END_OF_PLAN>'},
    {"id": "b", "now": NOW, "query": "What's Ana's email?",
     "plan": '1. get_email_address("Ana")\n2. join()<END_OF_PLAN>'},
    {"id": "c", "now": NOW, "query": "Open the report.pdf file",
     "plan": '1. open_and_get_file_path("report.pdf")\n2. join()<END_OF_PLAN>'},
]  # fmt: skip
TOOLS = assistant_toolset()


def _plans(llm: LlamaCppLLM) -> list[str]:
    planner = Planner(llm, TOOLS, grammar=False, prompt_format="compact", max_tokens=60)
    out = []
    for row in ROWS:
        outcome = planner.plan(row["query"], now=datetime.strptime(NOW, "%Y-%m-%d %H:%M:%S"))
        out.append(render_plan(outcome.plan) if outcome.plan else outcome.text)
    return out


@pytest.fixture(scope="module")
def trained(tiny_llama: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("train")
    data = root / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    cfg = TrainConfig(base=str(tiny_llama), train=data, val=data, out=root / "run", rank=16, alpha=32, lr=1e-2,
                      max_steps=60, batch_size=3, warmup=0.05, eval_every=1000, eval_examples=3, save_every=20,
                      no_tools=1.0, threads=1, seed=0)
    metrics = train(cfg, log=lambda _: None)
    assert metrics["steps"] == 60
    return cfg.out


def test_loss_goes_down_and_the_run_directory_is_complete(trained: Path) -> None:
    log = [json.loads(line) for line in (trained / "log.jsonl").read_text().splitlines()]
    losses = [e["loss"] for e in log if "loss" in e]
    assert losses[-1] < 0.2 * losses[0]
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["best_val_success"] == 1.0  # memorised: every val request planned exactly (paper's metric)
    for part in ("config.json", "data.json", "best/adapter_model.safetensors", "checkpoints/last/trainer_state.pt"):
        assert (trained / part).exists(), part


def test_exported_adapter_and_merged_model_write_the_memorised_plans(trained: Path, tiny_llama: Path,
                                                                     tmp_path: Path) -> None:
    gold = [r["plan"] for r in ROWS]
    base = LlamaCppLLM(tiny_llama, n_ctx=512, n_threads=1, prefix_cache=False)
    assert _plans(base) != gold  # the base model does not know them

    info = export_adapter(trained, tmp_path / "adapter.gguf")
    assert info["tensors"] == 2 * 7 * 2  # lora_a and lora_b of 7 linear layers in 2 blocks
    tuned = LlamaCppLLM(tiny_llama, n_ctx=512, n_threads=1, prefix_cache=False, lora_path=tmp_path / "adapter.gguf")
    assert _plans(tuned) == gold

    merged = merge_and_quantize(trained, tmp_path / "merged-q8_0.gguf", quant="q8_0")
    assert merged["merged_tensors"] == 14
    assert _plans(LlamaCppLLM(tmp_path / "merged-q8_0.gguf", n_ctx=512, n_threads=1, prefix_cache=False)) == gold


def test_gradient_checkpointing_trains_the_same_steps(tiny_llama: Path, tmp_path: Path) -> None:
    """Recomputing activations in the backward pass saves memory; it must not change what is learnt."""
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    losses = []
    for checkpointing in (False, True):
        cfg = TrainConfig(base=str(tiny_llama), train=data, val=data, out=tmp_path / f"run-{checkpointing}", rank=8,
                          alpha=16, lr=1e-2, max_steps=10, batch_size=3, eval_every=1000, eval_examples=0,
                          save_every=1000, no_tools=1.0, threads=1, seed=0, gradient_checkpointing=checkpointing)
        train(cfg, log=lambda _: None)
        assert json.loads((cfg.out / "config.json").read_text())["gradient_checkpointing"] is checkpointing
        log = [json.loads(line) for line in (cfg.out / "log.jsonl").read_text().splitlines()]
        losses.append([e["loss"] for e in log if "loss" in e])
    assert len(losses[0]) >= 2
    assert losses[1] == pytest.approx(losses[0], rel=1e-4)


def test_bf16_on_a_cpu_learns_what_fp32_learns_with_eager_attention(tiny_llama: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """bf16 autocast on a CPU (fast where the CPU has bf16 matrix units, AMX) runs attention as plain matrix products
    (SDPA's CPU backward was its largest cost); the losses must follow fp32's to bf16's precision. The CPU is
    declared bf16-capable, so that the bf16 path runs on any test machine (emulated where it has no AMX)."""
    monkeypatch.setattr(trainer_module, "cpu_has_bf16", lambda: True)
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    losses, metrics = [], []
    for bf16 in (False, True):
        cfg = TrainConfig(base=str(tiny_llama), train=data, val=data, out=tmp_path / f"run-{bf16}", rank=8,
                          alpha=16, lr=1e-2, max_steps=10, batch_size=3, eval_every=1000, eval_examples=0,
                          save_every=1000, no_tools=1.0, threads=1, seed=0, bf16=bf16)
        metrics.append(train(cfg, log=lambda _: None))
        log = [json.loads(line) for line in (cfg.out / "log.jsonl").read_text().splitlines()]
        losses.append([e["loss"] for e in log if "loss" in e])
    assert metrics[0]["attention"] != "eager" and not metrics[0]["bf16"]
    assert metrics[1]["attention"] == "eager" and metrics[1]["bf16"]
    assert losses[1][-1] < losses[1][0]  # it learns
    assert losses[1] == pytest.approx(losses[0], rel=0.05)  # what fp32 learns, to bf16's ~3 significant digits


def test_bf16_on_a_cpu_without_bf16_arithmetic_trains_in_fp32_and_says_so(tiny_llama: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Where torch would emulate bf16 (an AVX2 CPU), a bf16 recipe trains in fp32, and the run records fp32; where
    the CPU has bf16 arithmetic, it keeps bf16."""
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    for native in (False, True):
        monkeypatch.setattr(trainer_module, "cpu_has_bf16", lambda native=native: native)
        said: list[str] = []
        cfg = TrainConfig(base=str(tiny_llama), train=data, val=None, out=tmp_path / f"run-{native}", rank=8,
                          alpha=16, lr=1e-2, max_steps=2, batch_size=3, eval_every=1000, eval_examples=0,
                          save_every=1000, no_tools=1.0, threads=1, seed=0, bf16=True)
        metrics = train(cfg, log=said.append)
        assert metrics["bf16"] is native and (metrics["attention"] == "eager") is native
        assert json.loads((cfg.out / "config.json").read_text())["bf16"] is native  # --resume continues the same
        assert any("training in fp32" in line for line in said) is not native


def test_resume_continues_from_the_last_checkpoint(trained: Path, tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "run"
    shutil.copytree(trained, run)
    cfg = TrainConfig.load(run / "config.json").model_copy(update={"out": run, "max_steps": 64})
    cfg.save(run / "config.json")
    metrics = train(TrainConfig.load(run / "config.json"), resume=True, log=lambda _: None)
    assert metrics["steps"] == 64
    steps = [json.loads(line).get("step") for line in (run / "log.jsonl").read_text().splitlines()]
    assert steps.count(1) == 1  # continued, not restarted


def test_an_adapter_does_not_fit_another_base(trained: Path, tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="does not fit the base model SmolLM2-135M-Instruct.Q4_1.gguf"):
        export_adapter(trained, tmp_path / "a.gguf", base_spec="smollm2-135m")
    export_adapter(trained, tmp_path / "a.gguf")
    from edgecall.llm.presets import preset_path

    with pytest.raises(LLMError, match="could not apply the LoRA adapter"):
        LlamaCppLLM(preset_path("smollm2-135m"), n_ctx=512, n_threads=1, lora_path=tmp_path / "a.gguf")


def test_cuda_without_cuda_is_one_clear_line(tiny_llama: Path, tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    data = tmp_path / "t.jsonl"
    data.write_text(json.dumps(ROWS[0]) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["train", "planner", "--base", str(tiny_llama), "--train", str(data), "--out",
                                   str(tmp_path / "r"), "--device", "cuda", "--max-steps", "1"])
    assert res.exit_code == 1
    assert "--device cuda, but torch" in res.output and "sees no CUDA GPU" in res.output
    assert "Traceback" not in res.output


def test_stop_at_keeps_the_schedule_and_a_full_fine_tune_saves(tiny_llama: Path, tmp_path: Path) -> None:
    """`stop_at` ends the run early without shortening the learning-rate schedule (unlike `max_steps`), and a
    full fine-tune of a GGUF base (dequantized on load) writes its weights."""
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    cfg = TrainConfig(base=str(tiny_llama), train=data, val=None, out=tmp_path / "run", method="full", lr=1e-4,
                      max_steps=10, stop_at=3, batch_size=3, warmup=0.0, save_every=100, no_tools=1.0, threads=1)
    metrics = train(cfg, log=lambda _: None)
    assert (metrics["steps"], metrics["planned_steps"], metrics["stopped_early"]) == (3, 10, True)
    assert (cfg.out / "best" / "model.safetensors").is_file()
    assert json.loads((cfg.out / "checkpoints" / "last" / "run_state.json").read_text())["step"] == 3


def test_a_token_budget_splits_the_batches_a_run_trains_on(tiny_llama: Path, tmp_path: Path) -> None:
    """`batch_tokens`: a budget under a full batch's padded tokens cuts the epoch into more, smaller batches, and
    the schedule counts them (one epoch of 6 rows in batches of 6: 1 step; with a budget under any one row's
    tokens, each row alone: 6)."""
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS * 2), encoding="utf-8")
    common = dict(base=str(tiny_llama), train=data, val=None, rank=4, alpha=8.0, batch_size=6, warmup=0.0,
                  save_every=100, no_tools=1.0, threads=1, eval_examples=0)
    whole = train(TrainConfig(**common, out=tmp_path / "whole"), log=lambda _: None)
    split = train(TrainConfig(**common, batch_tokens=16, out=tmp_path / "split"), log=lambda _: None)
    assert whole["planned_steps"] == whole["steps"] == 1
    assert split["planned_steps"] == split["steps"] == 6 and split["train_tokens"] == whole["train_tokens"]


def test_a_second_stage_starts_from_the_first_stages_weights(trained: Path, tmp_path: Path) -> None:
    """`init_from` loads an earlier run's adapter (fresh optimizer and schedule): the memorised rows start at the
    first stage's final loss, not at the untrained model's; an adapter of another LoRA layout is refused."""
    from safetensors.torch import load_file

    first = json.loads((trained / "log.jsonl").read_text().splitlines()[0])["loss"]
    last = json.loads([line for line in (trained / "log.jsonl").read_text().splitlines()
                       if '"loss"' in line][-1])["loss"]
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    base = TrainConfig.load(trained / "config.json")
    cfg = base.model_copy(update={"out": tmp_path / "stage2", "train": data, "val": None, "lr": 1e-12,
                                  "max_steps": 1, "init_from": str(trained / "checkpoints" / "last")})
    train(cfg, log=lambda _: None)
    loss = json.loads((cfg.out / "log.jsonl").read_text().splitlines()[0])["loss"]
    assert loss < first / 10 and loss < last * 3
    before = load_file(str(trained / "checkpoints" / "last" / "adapter_model.safetensors"))
    after = load_file(str(cfg.out / "best" / "adapter_model.safetensors"))
    assert before.keys() == after.keys()
    assert all(float((before[k] - after[k]).abs().max()) < 1e-6 for k in before)  # lr ~0: the weights it loaded
    for init in ("checkpoints/last", "best"):  # the shipped summary finds the earlier run from either weights dir
        run = tmp_path / f"from-{init.replace('/', '-')}"
        train(cfg.model_copy(update={"out": run, "init_from": str(trained / init)}), log=lambda _: None)
        export_adapter(run, run / "a.gguf")
        earlier = read_summary(run / "a.json")["earlier_stage"]
        assert earlier["config"]["out"] == str(trained) and earlier["metrics"]["steps"] == 60
    other = cfg.model_copy(update={"out": tmp_path / "other", "rank": 8})
    with pytest.raises(TrainingError, match=r"does not fit this run's LoRA: r 16 \(this run: 8\)"):
        train(other, log=lambda _: None)
    with pytest.raises(TrainingError, match="no LoRA adapter there"):
        train(cfg.model_copy(update={"out": tmp_path / "none", "init_from": str(tmp_path)}), log=lambda _: None)


def test_an_adapter_widens_to_more_layers_but_not_fewer(trained: Path, tiny_llama: Path, tmp_path: Path) -> None:
    """A stage may adapt more layers than the adapter it starts from (the shipped top-12 adapter widened to all
    layers): the earlier layers' tensors load as they were, the new layers start as peft initialises them (B = 0,
    so the model is unchanged); starting a narrower run from a wider adapter is refused, naming the layers."""
    from safetensors.torch import load_file

    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    narrow = TrainConfig(base=str(tiny_llama), train=data, val=None, out=tmp_path / "top1", rank=4, alpha=8,
                         lora_layers=1, lr=1e-2, max_steps=3, batch_size=3, warmup=0.0, save_every=100,
                         no_tools=1.0, threads=1, seed=0)
    train(narrow, log=lambda _: None)
    messages: list[str] = []
    wide = narrow.model_copy(update={"out": tmp_path / "all", "lora_layers": None, "lr": 1e-12, "max_steps": 1,
                                     "init_from": str(narrow.out / "best")})
    train(wide, log=messages.append)
    assert any("layers 0-0 start fresh (the earlier adapter has 1-1)" in m for m in messages)
    before = load_file(str(narrow.out / "best" / "adapter_model.safetensors"))
    after = load_file(str(wide.out / "best" / "adapter_model.safetensors"))
    assert before and set(before) < set(after)
    assert all(float((before[k] - after[k]).abs().max()) < 1e-6 for k in before)  # lr ~0: what it loaded
    fresh = [k for k in after if k not in before]
    assert fresh and all(".layers.0." in k for k in fresh)
    assert all(float(after[k].abs().max()) < 1e-9 for k in fresh if "lora_B" in k)  # B = 0: new layers change nothing
    assert any(float(after[k].abs().max()) > 1e-3 for k in fresh if "lora_A" in k)
    cfg = TrainConfig.load(trained / "config.json").model_copy(
        update={"out": tmp_path / "narrower", "train": data, "val": None, "lora_layers": 1, "max_steps": 1,
                "init_from": str(trained / "best")})
    with pytest.raises(TrainingError, match=r"does not fit this run's LoRA: layers 0-1 \(this run adapts only 1-1\)"):
        train(cfg, log=lambda _: None)


def test_a_recipe_in_stages_trains_its_first_stage_first(tiny_llama: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`init_from="recipe:NAME"` trains that recipe in `<out>/NAME` first (once), then starts from its weights, on
    the rows the first stage did not see."""
    from edgecall.training import config

    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS * 2), encoding="utf-8")
    common = dict(base=str(tiny_llama), rank=4, alpha=8.0, batch_size=2, warmup=0.0, save_every=100, no_tools=1.0,
                  threads=1, seed=0, eval_examples=0, val=None)
    monkeypatch.setitem(config.RECIPES, "tiny-1", {**common, "max_examples": 4, "max_steps": 2})
    monkeypatch.setitem(config.RECIPES, "tiny", {**common, "skip_examples": 4, "max_steps": 1,
                                                 "init_from": "recipe:tiny-1"})
    logs: list[str] = []
    cfg = config.recipe("tiny", out=tmp_path / "run", train=data)
    metrics = train(cfg, log=logs.append)
    assert metrics["steps"] == 1
    stage1 = json.loads((tmp_path / "run" / "tiny-1" / "metrics.json").read_text())
    assert stage1["steps"] == 2
    assert json.loads((tmp_path / "run" / "data.json").read_text())["train_rows_used"] == 2  # 6 rows, 4 skipped
    assert any("starting from the weights in" in m and "tiny-1" in m for m in logs)
    logs.clear()
    train(cfg.model_copy(update={"out": tmp_path / "run"}), log=logs.append)  # the finished first stage is reused
    assert not any("training it first" in m for m in logs)
    export_adapter(tmp_path / "run", tmp_path / "a.gguf")  # ships with the summary of both stages
    summary = read_summary(tmp_path / "a.json")
    assert summary["config"]["recipe"] == "tiny" and summary["earlier_stage"]["config"]["recipe"] == "tiny-1"
    assert summary["earlier_stage"]["metrics"]["steps"] == 2 and "earlier_stage" not in summary["earlier_stage"]
    assert "base_path" not in json.dumps(summary)  # nothing machine-local
    res = CliRunner().invoke(app, ["train", "planner", "--recipe", "tiny-1", "--train", str(data), "--out",
                                   str(tmp_path / "r"), "--skip-examples", "6", "--max-steps", "1", "--threads", "1"])
    assert res.exit_code == 1 and "--skip-examples 6 leaves none of the 6 rows" in res.output


def _tiny_soup_recipes(tiny_llama: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`tiny-soup`: runs `tiny-a` and `tiny-b`, both from one run of `tiny-1`; returns the recipes' common options."""
    from edgecall.training import config

    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS * 2), encoding="utf-8")
    common = dict(base=str(tiny_llama), train=data, val=None, rank=4, alpha=8.0, batch_size=2, warmup=0.0,
                  save_every=100, no_tools=1.0, threads=1, seed=0, eval_examples=0)
    monkeypatch.setitem(config.RECIPES, "tiny-1", {**common, "max_examples": 4, "max_steps": 2})
    monkeypatch.setitem(config.RECIPES, "tiny-a", {**common, "lr": 1e-3, "max_steps": 1, "init_from": "recipe:tiny-1"})
    monkeypatch.setitem(config.RECIPES, "tiny-b", {**common, "lr": 3e-3, "max_steps": 2, "seed": 1,
                                                   "init_from": "recipe:tiny-1"})
    monkeypatch.setitem(config.SOUPS, "tiny-soup", {"ingredients": ("tiny-a", "tiny-b"), "rank": 8})  # 4 + 4: exact
    return common


def test_a_soup_recipe_trains_its_runs_from_one_shared_stage_and_ships_their_mean(
        tiny_llama: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A soup recipe (how `--recipe default` makes the shipped adapter) trains the earlier stage its runs share
    once, each run from it in `<out>/NAME`, and averages them into `<out>/best`; the exported adapter carries the
    summary of every run; running it again reuses what finished."""
    from safetensors.numpy import load_file

    from edgecall.training import config
    from edgecall.training.trainer import train_soup

    _tiny_soup_recipes(tiny_llama, tmp_path, monkeypatch)
    logs: list[str] = []
    out = tmp_path / "run"
    info = train_soup("tiny-soup", out=out, log=logs.append)
    assert sum("training it first" in m for m in logs) == 0  # the shared stage ran once, up front
    assert json.loads((out / "tiny-1" / "metrics.json").read_text())["steps"] == 2
    assert [info["ingredients"][n]["steps"] for n in ("tiny-a", "tiny-b")] == [1, 2]
    for name in ("tiny-a", "tiny-b"):
        assert (out / name / "tiny-1").resolve() == (out / "tiny-1").resolve()
        assert any(f"starting from the weights in {out / name / 'tiny-1'}" in m for m in logs)
    soup = load_file(str(out / "best" / "adapter_model.safetensors"))
    runs = [load_file(str(out / n / "best" / "adapter_model.safetensors")) for n in ("tiny-a", "tiny-b")]
    assert json.loads((out / "best" / "adapter_config.json").read_text())["r"] == 8
    for key in (k for k in soup if "lora_A" in k):  # the soup's change (alpha 8 / r 8) is the runs' mean (8 / 4)
        mean = sum(2.0 * r[key.replace("lora_A", "lora_B")] @ r[key] for r in runs) / 2
        assert np.abs(soup[key.replace("lora_A", "lora_B")] @ soup[key] - mean).max() < 1e-4 * np.abs(mean).max()
    export_adapter(out, tmp_path / "soup.gguf")
    summary = read_summary(tmp_path / "soup.json")
    assert summary["soup"]["recipe"] == "tiny-soup" and list(summary["ingredients"]) == ["tiny-a", "tiny-b"]
    assert summary["ingredients"]["tiny-b"]["config"]["lr"] == 3e-3
    assert summary["ingredients"]["tiny-a"]["earlier_stage"]["config"]["recipe"] == "tiny-1"
    assert summary["exported_checkpoint"]["recipe"] == "tiny-soup" and "soup_of" not in summary["exported_checkpoint"]
    logs.clear()
    train_soup("tiny-soup", out=out, log=logs.append)
    assert sum("finished earlier" in m for m in logs) == 3  # the shared stage and both runs reused
    with pytest.raises(TrainingError, match="averages the runs of tiny-a, tiny-b"):
        config.recipe("tiny-soup")


def test_a_stage_may_start_from_a_soup(tiny_llama: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped stage 6 starts from stage 5's soup: `init_from="recipe:SOUP"` averages that soup's runs first
    (once, shared by a later soup's runs) and starts from its adapter; the exported summary nests the earlier soup
    with each of its runs' stages."""
    from safetensors.numpy import load_file

    from edgecall.training import config
    from edgecall.training.trainer import train_soup

    common = _tiny_soup_recipes(tiny_llama, tmp_path, monkeypatch)
    later = {**common, "rank": 8, "alpha": 8.0, "lr": 1e-12, "max_steps": 1, "init_from": "recipe:tiny-soup"}
    monkeypatch.setitem(config.RECIPES, "tiny-c", later)
    monkeypatch.setitem(config.RECIPES, "tiny-d", {**later, "seed": 1})
    monkeypatch.setitem(config.SOUPS, "tiny-top", {"ingredients": ("tiny-c", "tiny-d"), "rank": 8})
    logs: list[str] = []
    out = tmp_path / "run"
    train_soup("tiny-top", out=out, log=logs.append)
    assert sum("averaging its runs first" in m for m in logs) == 1  # the earlier soup, once
    earlier = load_file(str(out / "tiny-soup" / "best" / "adapter_model.safetensors"))
    for name in ("tiny-c", "tiny-d"):
        assert (out / name / "tiny-soup").resolve() == (out / "tiny-soup").resolve()
        assert any(f"starting from the weights in {out / name / 'tiny-soup' / 'best'}" in m for m in logs)
        mine = load_file(str(out / name / "best" / "adapter_model.safetensors"))
        assert mine.keys() == earlier.keys()
        assert all(np.abs(mine[k] - earlier[k]).max() < 1e-6 for k in mine)  # lr ~0: the soup's weights
    export_adapter(out, tmp_path / "top.gguf")
    summary = read_summary(tmp_path / "top.json")
    inner = summary["ingredients"]["tiny-c"]["earlier_stage"]
    assert inner["soup"]["recipe"] == "tiny-soup" and list(inner["ingredients"]) == ["tiny-a", "tiny-b"]
    assert inner["ingredients"]["tiny-b"]["earlier_stage"]["config"]["recipe"] == "tiny-1"
    alone = tmp_path / "alone"  # a run copied without the earlier soup it names: exported with no earlier summary
    shutil.copytree(out / "tiny-c", alone, ignore=shutil.ignore_patterns("tiny-soup"))
    export_adapter(alone, tmp_path / "alone.gguf")
    assert read_summary(tmp_path / "alone.json")["earlier_stage"] is None
    single = config.recipe("tiny-c", out=tmp_path / "single")  # one run from a soup, not within a soup
    logs.clear()
    train(single, log=logs.append)
    assert (single.out / "tiny-soup" / "best" / "adapter_model.safetensors").is_file()
    assert sum("averaging its runs first" in m for m in logs) == 1


def test_a_soup_may_average_a_run_with_the_stage_it_started_from(
        tiny_llama: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped soup averages stage 6 with stage 8, which continued it: the earlier stage is trained once, where
    it is an ingredient, and the later one starts from it there. Unpacked from its exported GGUF adapter, the soup
    is a finished earlier stage that a next stage goes on from without training anything again."""
    from safetensors.numpy import load_file

    from edgecall.training import config
    from edgecall.training.export import unpack_adapter
    from edgecall.training.trainer import train_soup

    common = _tiny_soup_recipes(tiny_llama, tmp_path, monkeypatch)
    monkeypatch.setitem(config.SOUPS, "tiny-pair", {"ingredients": ("tiny-1", "tiny-a"), "rank": 8})
    logs: list[str] = []
    out = tmp_path / "run"
    train_soup("tiny-pair", out=out, log=logs.append)
    assert not any("training it first" in m for m in logs)  # tiny-a found tiny-1 trained, as an ingredient
    assert (out / "tiny-a" / "tiny-1").is_symlink() and (out / "tiny-a" / "tiny-1").resolve() == (out / "tiny-1")
    assert any(f"starting from the weights in {out / 'tiny-a' / 'tiny-1' / 'checkpoints' / 'last'}" in m for m in logs)
    steps = [json.loads(line)["step"] for line in (out / "tiny-1" / "log.jsonl").read_text().splitlines()
             if '"loss"' in line]
    assert steps == sorted(set(steps))  # one run of tiny-1, not two
    soup, runs = load_file(str(out / "best" / "adapter_model.safetensors")), [
        load_file(str(out / n / "best" / "adapter_model.safetensors")) for n in ("tiny-1", "tiny-a")]
    for key in (k for k in soup if "lora_A" in k):
        mean = sum(2.0 * r[key.replace("lora_A", "lora_B")] @ r[key] for r in runs) / 2
        assert np.abs(soup[key.replace("lora_A", "lora_B")] @ soup[key] - mean).max() < 1e-4 * np.abs(mean).max()
    export_adapter(out, tmp_path / "pair.gguf")
    summary = read_summary(tmp_path / "pair.json")
    assert summary["ingredients"]["tiny-a"]["earlier_stage"] == summary["ingredients"]["tiny-1"]
    stored = json.loads((tmp_path / "pair.json").read_text())  # the repeat is stored once, pointed to
    assert stored["ingredients"]["tiny-a"]["earlier_stage"] == {SAME_AS: "/ingredients/tiny-1"}

    later = tmp_path / "later"
    unpack_adapter(str(tmp_path / "pair.gguf"), later / "tiny-pair")
    monkeypatch.setitem(config.RECIPES, "tiny-next", {**common, "rank": 8, "alpha": 8.0, "lr": 1e-12, "max_steps": 1,
                                                      "init_from": "recipe:tiny-pair"})
    logs.clear()
    train(config.recipe("tiny-next", out=later), log=logs.append)
    assert not any("averaging its runs first" in m or "training it first" in m for m in logs)
    mine = load_file(str(later / "best" / "adapter_model.safetensors"))
    assert mine.keys() == soup.keys() and all(np.abs(mine[k] - soup[k]).max() < 1e-6 for k in mine)
    export_adapter(later, tmp_path / "next.gguf")
    earlier = read_summary(tmp_path / "next.json")["earlier_stage"]
    assert earlier["exported_checkpoint"].pop("imported_from") == "pair.gguf"
    assert earlier == summary


def test_a_soup_may_average_a_soup_with_the_stage_that_continued_it(
        tiny_llama: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped soup averages stage 8's soup with stage 9, which continued it: the ingredient soup is averaged
    once in `<out>/NAME` (its runs trained there), the later run starts from its adapter through a link, the mean
    of the two is the soup, and the exported summary nests the earlier soup both as an ingredient and as the later
    run's earlier stage; running it again trains nothing."""
    from safetensors.numpy import load_file

    from edgecall.training import config
    from edgecall.training.trainer import train_soup

    common = _tiny_soup_recipes(tiny_llama, tmp_path, monkeypatch)
    monkeypatch.setitem(config.RECIPES, "tiny-9", {**common, "rank": 8, "alpha": 8.0, "lr": 3e-3, "max_steps": 2,
                                                   "init_from": "recipe:tiny-soup"})
    monkeypatch.setitem(config.SOUPS, "tiny-nine", {"ingredients": ("tiny-soup", "tiny-9"), "rank": 16})  # exact
    logs: list[str] = []
    out = tmp_path / "run"
    info = train_soup("tiny-nine", out=out, log=logs.append)
    assert list(info["ingredients"]) == ["tiny-soup", "tiny-9"]
    assert (out / "tiny-soup" / "soup.json").is_file() and (out / "tiny-soup" / "tiny-a" / "metrics.json").is_file()
    assert (out / "tiny-9" / "tiny-soup").is_symlink() and (out / "tiny-9" / "tiny-soup").resolve() == out / "tiny-soup"
    assert any(f"starting from the weights in {out / 'tiny-9' / 'tiny-soup' / 'best'}" in m for m in logs)
    assert sum("soup tiny-soup: 2 adapters averaged" in m for m in logs) == 1  # averaged once, as an ingredient

    def delta(weights: Path) -> dict[str, Any]:  # each module's weight change, B @ A * alpha / r
        conf = json.loads((weights / "adapter_config.json").read_text())
        tensors = load_file(str(weights / "adapter_model.safetensors"))
        return {k: conf["lora_alpha"] / conf["r"] * tensors[k.replace("lora_A", "lora_B")] @ tensors[k]
                for k in tensors if "lora_A" in k}

    soup, parts = delta(out / "best"), [delta(out / n / "best") for n in ("tiny-soup", "tiny-9")]
    assert soup.keys() == parts[0].keys() == parts[1].keys()
    for key, change in soup.items():
        mean = (parts[0][key] + parts[1][key]) / 2
        assert np.abs(parts[1][key] - parts[0][key]).max() > 0  # tiny-9 went on from the soup
        assert np.abs(change - mean).max() < 1e-4 * np.abs(mean).max()
    export_adapter(out, tmp_path / "nine.gguf")
    summary = read_summary(tmp_path / "nine.json")
    assert summary["soup"]["ingredients"] == ["tiny-soup", "tiny-9"]
    assert summary["ingredients"]["tiny-soup"]["soup"]["recipe"] == "tiny-soup"
    assert list(summary["ingredients"]["tiny-soup"]["ingredients"]) == ["tiny-a", "tiny-b"]
    assert summary["ingredients"]["tiny-9"]["earlier_stage"] == summary["ingredients"]["tiny-soup"]
    stored = json.loads((tmp_path / "nine.json").read_text())
    assert stored["ingredients"]["tiny-9"]["earlier_stage"] == {SAME_AS: "/ingredients/tiny-soup"}
    logs.clear()
    train_soup("tiny-nine", out=out, log=logs.append)
    assert any("soup tiny-soup: averaged earlier" in m for m in logs)
    assert not any("starting from the weights" in m for m in logs)  # nothing trained again


def test_a_gguf_adapter_imports_back_exactly_and_training_goes_on_from_it(trained: Path, tiny_llama: Path,
                                                                          tmp_path: Path) -> None:
    """`import_adapter` inverts the export (names, llama.cpp's rotary row order of q/k, alpha, rank), so a run whose
    directory is gone (the packaged planner's) can be trained further or averaged from its GGUF alone."""
    from safetensors.numpy import load_file

    from edgecall.training.export import BaseGGUF, import_adapter

    export_adapter(trained, tmp_path / "a.gguf")
    info = import_adapter(tmp_path / "a.gguf", tmp_path / "back", BaseGGUF(tiny_llama))
    assert (info["modules"], info["rank"], info["alpha"]) == (14, 16, 32.0)
    want = load_file(str(trained / "best" / "adapter_model.safetensors"))
    got = load_file(str(tmp_path / "back" / "adapter_model.safetensors"))
    assert got.keys() == want.keys()
    assert all(np.array_equal(got[k], want[k]) for k in want)  # f32 both ways: bit for bit
    ours = json.loads((tmp_path / "back" / "adapter_config.json").read_text())
    theirs = json.loads((trained / "best" / "adapter_config.json").read_text())
    for key in ("r", "lora_alpha", "layers_to_transform", "peft_type"):
        assert ours[key] == theirs[key], key
    assert sorted(ours["target_modules"]) == sorted(theirs["target_modules"])

    # a second stage from the GGUF file: the weights it loads are the first run's (lr ~0), its summary ships the
    # summary that was shipped beside the GGUF
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    cfg = TrainConfig.load(trained / "config.json").model_copy(update={
        "out": tmp_path / "stage2", "train": data, "val": None, "lr": 1e-12, "max_steps": 1,
        "init_from": str(tmp_path / "a.gguf")})
    train(cfg, log=lambda _: None)
    after = load_file(str(cfg.out / "best" / "adapter_model.safetensors"))
    assert all(np.abs(after[k] - want[k]).max() < 1e-6 for k in want)
    export_adapter(cfg.out, tmp_path / "b.gguf")
    assert read_summary(tmp_path / "b.json")["earlier_stage"] == read_summary(tmp_path / "a.json")

    # averaged with its own run directory by `train soup`: the same weight change
    res = CliRunner().invoke(app, ["train", "soup", str(tmp_path / "a.gguf"), str(trained), "--out",
                                   str(tmp_path / "soup"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["soup_of"] == [str(tmp_path / "a.gguf"), str(trained)]  # as named, not the import
    soup = load_file(str(tmp_path / "soup" / "adapter_model.safetensors"))
    for key in (k for k in want if "lora_A" in k):
        b = key.replace("lora_A", "lora_B")
        assert np.abs(soup[b] @ soup[key] - want[b] @ want[key]).max() < 1e-4 * np.abs(want[b] @ want[key]).max()

    # float16 storage: the same adapter to half precision
    export_adapter(trained, tmp_path / "h.gguf", f16=True)
    import_adapter(tmp_path / "h.gguf", tmp_path / "half", BaseGGUF(tiny_llama))
    half = load_file(str(tmp_path / "half" / "adapter_model.safetensors"))
    assert all(np.abs(half[k] - want[k]).max() <= 1e-3 * np.abs(want[k]).max() for k in want)


def test_what_is_not_an_adapter_to_start_from_is_refused(trained: Path, tiny_llama: Path, tmp_path: Path) -> None:
    base = TrainConfig.load(trained / "config.json").model_copy(update={"val": None, "max_steps": 1})
    cases = [(str(tiny_llama), "not a GGUF LoRA adapter"),  # a model, not an adapter
             ("smollm2-135m", "untuned model: it has no adapter"),
             (str(tmp_path / "gone.gguf"), "gone.gguf does not exist")]
    for i, (init, message) in enumerate(cases):
        with pytest.raises(TrainingError, match=message):
            train(base.model_copy(update={"out": tmp_path / f"r{i}", "init_from": init}), log=lambda _: None)
    res = CliRunner().invoke(app, ["train", "soup", str(trained), str(tmp_path / "gone.gguf"), "--out",
                                   str(tmp_path / "s")])
    assert res.exit_code == 1 and "gone.gguf does not exist" in res.output and "Traceback" not in res.output


def test_a_recipes_stop_belongs_to_its_own_schedule(tiny_llama: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A recipe cut at step N (`stop_at`, how a run stopped by its time budget is reproduced) keeps that stop when
    run as it is, and drops it, saying so, when the options change the schedule; `--warmup` sets the warm-up."""
    from edgecall.training import config

    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS * 2), encoding="utf-8")
    monkeypatch.setitem(config.RECIPES, "tiny-cut", dict(base=str(tiny_llama), rank=4, alpha=8.0, batch_size=2,
                                                         epochs=2.0, stop_at=2, save_every=100, no_tools=1.0,
                                                         threads=1, seed=0, eval_examples=0, val=None))
    common = ["train", "planner", "--recipe", "tiny-cut", "--train", str(data), "--json"]
    res = CliRunner().invoke(app, [*common, "--out", str(tmp_path / "as-is")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "as-is" / "metrics.json").read_text())["steps"] == 2  # 6 planned, cut at 2
    assert "note:" not in res.output
    res = CliRunner().invoke(app, [*common, "--out", str(tmp_path / "own"), "--epochs", "1", "--warmup", "0.5"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # the console wraps long lines
    assert "recipe 'tiny-cut' stops at step 2 of its own schedule; --epochs changes the schedule" in said
    cfg = json.loads((tmp_path / "own" / "config.json").read_text())
    assert cfg["stop_at"] is None and cfg["warmup"] == 0.5
    assert json.loads((tmp_path / "own" / "metrics.json").read_text())["steps"] == 3  # one epoch of 6 rows in 2s
