"""`edgecall data ...` end to end on real files: generate, validate, stats, split, export, import-tinyagent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edgecall.app import build_planner, build_toolset
from edgecall.assistant.prompt import EXAMPLES, PLANNING_RULES
from edgecall.cli.data import app
from edgecall.config import load_settings
from edgecall.data.toolsets import load_toolset
from edgecall.dataset import row_now
from edgecall.planner import build_planner_prompt

runner = CliRunner()


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    res = runner.invoke(app, ["generate", "--out", str(out), "--train", "300", "--val", "40", "--test", "40",
                              "--test-heldout", "50", "--seed", "5"])
    assert res.exit_code == 0, res.output
    return out


def test_generate_writes_splits_and_card(generated: Path) -> None:
    sizes = {name: len(_rows(generated / f"{name}.jsonl")) for name in ("train", "val", "test", "test_heldout")}
    assert sizes == {"train": 300, "val": 40, "test": 40, "test_heldout": 50}
    card = (generated / "card.md").read_text()
    assert "## Summary" in card and "| train | 300 | 16 |" in card
    assert "### Plan shapes" in card and "send_sms" in card


def test_generate_rejects_bad_intent_weights(tmp_path: Path) -> None:
    for bad in ("1,2", "a,b,c", "0,0,0", "1,-2,3"):
        res = runner.invoke(app, ["generate", "--out", str(tmp_path / "x"), "--train", "5", "--intents", bad])
        assert res.exit_code == 1 and "--intents takes three non-negative weights" in res.output, res.output
        assert not (tmp_path / "x").exists()


def test_validate_counts_reasons_and_writes_kept(generated: Path, tmp_path: Path) -> None:
    rows = _rows(generated / "val.jsonl")[:10]
    broken = dict(rows[1], plan=rows[1]["plan"].replace("join()", "finish()"))
    dup = dict(rows[2], id="dup")
    bad_tool = dict(rows[3], plan='1. teleport("Mars")\n2. join()<END_OF_PLAN>')
    lines = [json.dumps(r, ensure_ascii=False) for r in [*rows, broken, dup, bad_tool]] + ["{not json"]
    src = tmp_path / "mixed.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept, rejects = tmp_path / "kept.jsonl", tmp_path / "rejects.jsonl"
    res = runner.invoke(app, ["validate", str(src), "--out", str(kept), "--rejects", str(rejects), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output.strip().splitlines()[-1])
    assert report["total"] == 14 and report["kept"] == 10
    assert report["rejected"] == {"join": 1, "unknown_tool": 1, "duplicate": 1, "bad_row": 1}
    assert [r["id"] for r in _rows(kept)] == [r["id"] for r in rows]
    assert {r["reject_reason"] for r in _rows(rejects)} == {"join", "unknown_tool", "duplicate", "bad_row"}
    strict = runner.invoke(app, ["validate", str(src), "--strict"])
    assert strict.exit_code == 1


def test_validate_names_a_missing_file(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 1
    assert "nope.jsonl" in res.output and "Traceback" not in res.output


def test_stats_writes_a_card(generated: Path, tmp_path: Path) -> None:
    card = tmp_path / "card.md"
    res = runner.invoke(app, ["stats", str(generated / "train.jsonl"), str(generated / "test_heldout.jsonl"),
                              "--card", str(card)])
    assert res.exit_code == 0, res.output
    text = card.read_text()
    assert "| train | 300 |" in text and "| test_heldout | 50 |" in text
    assert "### Lengths (characters)" in text and "### Samples" in text


@pytest.mark.parametrize("model", ["edgecall-planner", "smollm2-135m"])
def test_export_prompt_is_what_the_served_planner_sends(generated: Path, tmp_path: Path, scripted_llm,
                                                       model: str) -> None:
    """The default export is the prompt `edgecall run` sends for the same request: the served planner, built from
    the same settings by app.py, is asked for its prompt (it never calls the model: the script is empty). The
    expected text is not assembled here, so a difference in rules, fixed or retrieved examples or tools fails.
    The default (fine-tuned) planner's prompt is the compact one; the untuned preset's the long one."""
    config = tmp_path / "config.toml"
    config.write_text(f'model = "{model}"\n', encoding="utf-8")
    out = tmp_path / "sft.jsonl"
    res = runner.invoke(app, ["export", str(generated / "val.jsonl"), "--out", str(out), "--config", str(config)])
    assert res.exit_code == 0, res.output
    pairs, rows = _rows(out), _rows(generated / "val.jsonl")
    assert len(pairs) == len(rows)
    settings = load_settings(config)
    llm = scripted_llm()
    served = build_planner(settings, build_toolset(settings, llm), llm)
    for pair, row in zip(pairs, rows, strict=True):
        assert set(pair) == {"id", "prompt", "completion"}
        assert pair["prompt"] == served.prompt(row["query"], now=row_now(row))
        assert pair["completion"] == row["plan"]
    if model == "smollm2-135m":
        assert served.retriever is not None and "Here are some examples" in pairs[0]["prompt"]  # retrieval is on
    else:
        assert pairs[0]["prompt"].startswith("Today is ") and pairs[0]["prompt"].endswith("Plan:\n")


def test_export_can_show_the_fixed_examples(generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "fixed.jsonl"
    res = runner.invoke(app, ["export", str(generated / "val.jsonl"), "--out", str(out), "--examples",
                              "--retrieved", "0", "--format", "long", "--no-tool-rag"])
    assert res.exit_code == 0, res.output
    tools = load_toolset("assistant")
    for pair, row in zip(_rows(out), _rows(generated / "val.jsonl"), strict=True):
        assert pair["prompt"] == build_planner_prompt(row["query"], tools, now=row_now(row), rules=PLANNING_RULES,
                                                      examples=EXAMPLES)


def test_export_with_tool_subsets(generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "rag.jsonl"
    res = runner.invoke(app, ["export", str(generated / "val.jsonl"), "--out", str(out), "--distractors", "2",
                              "--no-examples", "--retrieved", "0"])
    assert res.exit_code == 0, res.output
    for pair in _rows(out):
        assert "Here are some examples" not in pair["prompt"]
        used = {line.split(".", 1)[1].split("(")[0].strip() for line in pair["completion"].splitlines()}
        for tool in used - {"join"}:
            assert f"{tool}(" in pair["prompt"]
        assert pair["prompt"].count("(") < build_planner_prompt("q", load_toolset("assistant")).count("(")


def test_split_command(generated: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["split", str(generated / "train.jsonl"), "--out", str(tmp_path), "--val", "30",
                              "--test", "0.1"])
    assert res.exit_code == 0, res.output
    parts = {n: _rows(tmp_path / f"{n}.jsonl") for n in ("train", "val", "test")}
    assert (len(parts["train"]), len(parts["val"]), len(parts["test"])) == (240, 30, 30)
    ids = [r["id"] for p in parts.values() for r in p]
    assert len(set(ids)) == 300


def test_import_tinyagent(tmp_path: Path) -> None:
    prompt = str([{"role": "system", "content": "...\n - Today's date is Monday 2024-06-03 09:00\n..."},
                  {"role": "user", "content": "Question: Text Sid hi"}])
    data = {
        "a1": {"input": "Text Sid hi", "output": [
            {"type": "plan", "raw_input": prompt,
             "raw_output": '1. get_phone_number("Sid")\n2. send_sms(["${1}"], "Hi")\nThought: done\n3. join()',
             "parsed_output": [{"tool_name": "get_phone_number", "tool_args": {"name": "Sid"}}],
             "id": "00000000-0000-0000-0000-000000000001", "index": 0},
            {"type": "join", "raw_input": "", "raw_output": "Action: Finish(done)",
             "parsed_output": {"thought": "", "action": "Finish", "message": "done"},
             "id": "00000000-0000-0000-0000-000000000002", "index": 1}]},
        "a2": {"input": "Broken", "output": [{"type": "plan", "raw_input": "", "raw_output": "no plan here",
                                               "parsed_output": []}]},
        "a3": {"input": "No plan", "output": []},
    }
    src, out = tmp_path / "tinyagent.json", tmp_path / "ta.jsonl"
    src.write_text(json.dumps(data), encoding="utf-8")
    res = runner.invoke(app, ["import-tinyagent", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 rows" in res.output and "2 skipped" in res.output
    rows = _rows(out)
    assert rows == [{"id": "a1", "now": "2024-06-03 09:00:00", "query": "Text Sid hi",
                     "plan": '1. get_phone_number("Sid")\n2. send_sms(["$1"], "Hi")\n3. join()<END_OF_PLAN>',
                     "source": "tinyagent"}]
    val = runner.invoke(app, ["validate", str(out), "--json"])
    assert json.loads(val.output.strip().splitlines()[-1])["kept"] == 1


def test_import_tinyagent_rejects_non_json(tmp_path: Path) -> None:
    src = tmp_path / "bad.json"
    src.write_text("[1, 2", encoding="utf-8")
    res = runner.invoke(app, ["import-tinyagent", str(src), "--out", str(tmp_path / "x.jsonl")])
    assert res.exit_code == 1 and "bad.json" in res.output


def test_bad_toolset_file_is_named(generated: Path, tmp_path: Path) -> None:
    bad = tmp_path / "tools.json"
    bad.write_text('[{"description": "no name"}]', encoding="utf-8")
    res = runner.invoke(app, ["validate", str(generated / "val.jsonl"), "--toolset", str(bad)])
    assert res.exit_code == 1
    assert "tools.json" in res.output and "no 'name'" in res.output and "Traceback" not in res.output


def test_validate_with_a_json_toolset(tmp_path: Path) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([{"name": "get_weather", "description": "Weather for a city.", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]), encoding="utf-8")
    data = tmp_path / "w.jsonl"
    rows = [{"query": "Weather in Oslo?", "plan": '1. get_weather("Oslo")\n2. join()<END_OF_PLAN>'},
            {"query": "Weather in Rome?", "plan": '1. get_weather("Rome", 3)\n2. join()<END_OF_PLAN>'},
            {"query": "Weather in Lima?", "plan": '1. get_weather(5)\n2. join()<END_OF_PLAN>'}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    res = runner.invoke(app, ["validate", str(data), "--toolset", str(tools), "--json"])
    assert json.loads(res.output.strip().splitlines()[-1])["rejected"] == {"arg_count": 1, "arg_type": 1}


def test_export_retrieval_with_a_json_toolset_is_a_clear_error(tmp_path: Path) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([{"name": "get_weather", "description": "Weather.", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]), encoding="utf-8")
    data, out = tmp_path / "w.jsonl", tmp_path / "w.sft.jsonl"
    data.write_text(json.dumps({"query": "Weather in Oslo?", "plan": '1. get_weather("Oslo")\n2. join()<END_OF_PLAN>'})
                    + "\n", encoding="utf-8")
    res = runner.invoke(app, ["export", str(data), "--out", str(out), "--toolset", str(tools), "--retrieved", "2",
                                   "--format", "long"])
    assert res.exit_code == 1 and "--retrieved 0" in res.output and not out.exists()
    res = runner.invoke(app, ["export", str(data), "--out", str(out), "--toolset", str(tools), "--format",
                                   "long"])  # default: no retrieved examples
    assert res.exit_code == 0, res.output
    [pair] = _rows(out)
    assert "get_weather(" in pair["prompt"] and "Here are some examples" not in pair["prompt"]
