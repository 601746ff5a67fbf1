"""Bad input to `edgecall train planner` / `edgecall export`: one clear line each, no traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from edgecall.assistant.tools import assistant_toolset
from edgecall.cli.main import app
from edgecall.training.config import TrainingError, recipe
from edgecall.training.data import length_batches, load_training_rows, select_rows

runner = CliRunner()
GOOD = {"query": "Text Bo hi", "plan": '1. get_phone_number("Bo")\n2. send_sms(["$1"], "hi")\n3. join()<END_OF_PLAN>'}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not JSON"),
        ('{"query": "x"}', "missing or empty plan"),
        (json.dumps({**GOOD, "now": "tomorrow"}), "is not YYYY-MM-DD HH:MM:SS"),
        (json.dumps({**GOOD, "plan": '1. fly_to_moon("now")\n2. join()<END_OF_PLAN>'}), "the plan does not validate"),
    ],
)
def test_malformed_rows_name_their_line(tmp_path: Path, bad_line: str, message: str) -> None:
    data = _write(tmp_path / "train.jsonl", [json.dumps(GOOD), "", bad_line])
    with pytest.raises(TrainingError, match=rf"train\.jsonl:3: .*{message}"):
        load_training_rows(data, assistant_toolset())


def test_cli_reports_a_bad_row_without_traceback(tmp_path: Path) -> None:
    data = _write(tmp_path / "train.jsonl", [json.dumps(GOOD), "{oops"])
    res = runner.invoke(app, ["train", "planner", "--train", str(data), "--out", str(tmp_path / "run")])
    assert res.exit_code == 1
    assert "train.jsonl:2: not JSON" in res.output and "Traceback" not in res.output


def test_unknown_recipe_format_and_missing_data(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="unknown recipe 'fast'; known recipes: default, default-stage1, default-stage11, default-stage11-soup, default-stage12, default-stage12-soup, default-stage13, default-stage13-soup, default-stage14, default-stage2, default-stage3, default-stage4, default-stage5, default-stage5-all, default-stage5-rest, default-stage5-tools, default-stage6, default-stage8, default-stage8-soup, default-stage9, default-stage9-soup, gemma3-cpu, gpu-full, stage10-week, stage12-v4s3, stage15-v7s7"):
        recipe("fast")
    with pytest.raises(TrainingError, match="invalid training option rank"):
        recipe("default-stage5-tools", rank=0)
    res = runner.invoke(app, ["train", "planner", "--format", "tiny", "--out", str(tmp_path / "r")])
    assert res.exit_code == 1 and "unknown prompt format 'tiny'" in res.output
    res = runner.invoke(app, ["train", "planner", "--train", str(tmp_path / "none.jsonl"), "--out", str(tmp_path)])
    assert res.exit_code == 1 and "edgecall data generate" in res.output


def test_resume_without_a_run_and_export_of_nothing(tmp_path: Path) -> None:
    res = runner.invoke(app, ["train", "planner", "--resume", "--out", str(tmp_path / "nope")])
    assert res.exit_code == 1 and "nothing to resume" in res.output
    res = runner.invoke(app, ["export", str(tmp_path), "--out", str(tmp_path / "a.gguf")])
    assert res.exit_code == 1 and "no trained weights" in res.output


def test_length_batches_are_seeded_and_cover_every_example() -> None:
    lengths = [5, 50, 7, 48, 6, 49, 51, 4] * 10
    a = length_batches(lengths, 4, seed=1, epoch=0)
    assert a == length_batches(lengths, 4, seed=1, epoch=0)
    assert a != length_batches(lengths, 4, seed=1, epoch=1)
    assert sorted(i for b in a for i in b) == list(range(len(lengths)))
    spread = [max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in a]
    assert sum(spread) / len(spread) < 10  # similar lengths share a batch



def test_a_token_budget_caps_padded_batches_and_changes_nothing_without_one() -> None:
    import random

    rng = random.Random(7)
    lengths = [rng.randrange(20, 450) for _ in range(500)]

    def fixed(seed: int, epoch: int) -> list[list[int]]:  # the cut by rows alone, as the shipped stages trained
        rng = random.Random(f"{seed}:{epoch}")
        order = list(range(len(lengths)))
        rng.shuffle(order)
        out: list[list[int]] = []
        for start in range(0, len(order), 16 * 50):
            chunk = sorted(order[start : start + 16 * 50], key=lambda i: lengths[i])
            out.extend(chunk[i : i + 16] for i in range(0, len(chunk), 16))
        rng.shuffle(out)
        return out

    assert length_batches(lengths, 16, seed=3, epoch=1) == fixed(3, 1)
    assert length_batches(lengths, 16, seed=3, epoch=1, max_tokens=16 * 450) == fixed(3, 1)  # never binding
    capped = length_batches(lengths, 16, seed=3, epoch=1, max_tokens=2000)
    assert sorted(i for b in capped for i in b) == list(range(len(lengths)))
    assert all(len(b) <= 16 and len(b) * max(lengths[i] for i in b) <= 2000 for b in capped)
    assert any(len(b) == 16 for b in capped) and any(len(b) <= 5 for b in capped)  # short rows fill, long ones do not
    assert len(length_batches([500, 30, 30], 16, seed=0, epoch=0, max_tokens=100)) == 2  # too long: alone
    assert len(capped) > len(fixed(3, 1))


def test_recipe_default_is_the_run_that_made_the_shipped_adapter() -> None:
    """`edgecall train planner --recipe default` reproduces the adapter the default preset ships: the soup of the
    runs it names, at its rank, and each run stage by stage down to stage 1 (a stage may start from an earlier soup):
    each recipe's settings are its shipped run's (the run summary travels next to the adapter), and where a run
    stopped early on its wall-time budget, the recipe stops at the same step of the same schedule. Where and how
    precisely a stage ran (CPU fp32, or GPU with bf16 autocast; how often it checkpointed) is the machine's, not the
    recipe's."""
    from edgecall.llm.presets import get_preset
    from edgecall.training.config import SOUPS, TrainConfig
    from edgecall.training.export import read_summary

    adapter = get_preset("edgecall-planner").adapter_path()
    assert adapter is not None
    shipped = read_summary(adapter.with_suffix(".json"))
    assert shipped["exported_checkpoint"]["recipe"] == "default"
    where = {"out", "train", "val", "max_minutes", "stop_at", "recipe", "device", "bf16", "save_every"}
    chains: list[list[str]] = []

    def check(summary: dict[str, Any], name: str, chain: list[str]) -> None:
        if name in SOUPS:  # a soup: its recipe, runs and rank, then each run's own stages
            assert summary["soup"]["recipe"] == name
            assert tuple(summary["soup"]["ingredients"]) == SOUPS[name]["ingredients"] == tuple(summary["ingredients"])
            assert summary["soup"]["rank"] == SOUPS[name]["rank"]
            for ingredient, stage in summary["ingredients"].items():
                check(stage, ingredient, [*chain, name])
            return
        ran = TrainConfig.model_validate(summary["config"]).model_dump(mode="json")  # older runs: today's defaults
        metrics = summary["metrics"]
        ours = recipe(name).model_dump(mode="json")
        assert {k: v for k, v in ours.items() if k not in where} == \
            {k: v for k, v in ran.items() if k not in where}, name
        assert ours["stop_at"] == (metrics["steps"] if metrics["stopped_early"] else None)
        assert ours["max_minutes"] is None  # reproducible anywhere, however fast the machine
        assert summary["data"]["train_rows_used"] == (ours["max_examples"] or summary["data"]["train_rows_used"])
        assert summary["data"]["train_file"] == ours["train"] and summary["data"]["val_file"] == ours["val"]
        earlier = summary.get("earlier_stage") or summary
        if "data" in earlier and earlier["data"]["train_file"] == summary["data"]["train_file"]:
            assert summary["data"]["train_sha256"] == earlier["data"]["train_sha256"]  # same file, same data
        init = ours["init_from"]
        if init is None:
            chains.append([*chain, name])
        else:
            check(summary["earlier_stage"], init.removeprefix("recipe:"), [*chain, name])

    check(shipped, "default", [])
    stage6 = [["default-stage6", "default-stage5", f"default-stage5-{run}", "default-stage4", "default-stage3",
               "default-stage2", "default-stage1"] for run in ("all", "rest", "tools")]
    soup8 = [["default-stage8-soup", *c] for c in stage6] + [["default-stage8-soup", "default-stage8", *c]
                                                              for c in stage6]
    soup9 = [["default-stage9-soup", *c] for c in soup8] + [["default-stage9-soup", "default-stage9", *c] for c in soup8]
    soup11 = [["default-stage11-soup", *c] for c in soup9] + [["default-stage11-soup", "default-stage11", *c]
                                                                for c in soup9]
    soup12 = [["default-stage12-soup", *c] for c in soup11] + [["default-stage12-soup", "default-stage12", *c]
                                                                for c in soup11]
    soup13 = [["default-stage13-soup", *c] for c in soup12] + [["default-stage13-soup", "default-stage13", *c]
                                                                for c in soup12]
    assert chains == [["default", *c] for c in soup13] + [["default", "default-stage14", *c] for c in soup13]


def test_a_later_stage_skips_exactly_the_rows_the_first_one_used() -> None:
    rows = [{"id": str(i)} for i in range(10)]
    first = select_rows(rows, 6, seed=3)
    rest = select_rows(rows, None, seed=3, skip=6)
    assert {r["id"] for r in first}.isdisjoint(r["id"] for r in rest)
    assert sorted(r["id"] for r in first + rest) == sorted(r["id"] for r in rows)
    assert select_rows(rows, 2, seed=3, skip=6) == rest[:2]


def test_each_stage_of_the_shipped_recipe_reads_the_data_it_names(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped stages were trained on different generator versions: a later stage's data never leaks into an
    earlier stage that names its own, while a stage that names none trains on the run's data."""
    from edgecall.training.config import RECIPES
    from edgecall.training.trainer import earlier_stage

    stage5 = recipe("default-stage5-tools", out=tmp_path / "run")
    stage4 = earlier_stage(stage5)
    assert stage4 is not None and stage4.recipe == "default-stage4" and stage4.out == tmp_path / "run" / "default-stage4"
    stage3 = earlier_stage(stage4)
    assert stage3 is not None and stage3.recipe == "default-stage3" and stage3.out == stage4.out / "default-stage3"
    assert stage5.train == stage4.train == stage3.train == Path("data/generated-v2/train.jsonl")
    stage2 = earlier_stage(stage3)
    assert stage2 is not None and stage2.recipe == "default-stage2" and stage2.train == Path("data/generated/train.jsonl")
    assert stage2.val == Path("data/generated/val.jsonl")
    stage1 = earlier_stage(stage2)
    assert stage1 is not None and stage1.recipe == "default-stage1" and stage1.train == stage2.train
    assert earlier_stage(stage1) is None
    gpu = earlier_stage(recipe("default-stage5-all", out=tmp_path / "g", device="cuda", bf16=True))
    assert gpu is not None and gpu.device == "cuda" and gpu.bf16  # the earlier stages run on the same machine
    unpinned = {k: v for k, v in RECIPES["default-stage1"].items() if k not in ("train", "val")}
    monkeypatch.setitem(RECIPES, "unpinned", unpinned)
    mine = recipe("default-stage5-rest", out=tmp_path / "r", train=tmp_path / "t.jsonl", init_from="recipe:unpinned")
    mine = mine.model_copy(update={"val": None})
    first = earlier_stage(mine)
    assert first is not None and first.train == tmp_path / "t.jsonl" and first.val is None
