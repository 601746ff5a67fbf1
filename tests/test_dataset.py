"""edgecall.dataset: rows, `now`, edgecall JSONL and released-TinyAgent JSON, and the hand-checked dev set."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from edgecall.assistant.tools import assistant_toolset
from edgecall.config import AssistantConfig
from edgecall.dataset import (
    DEFAULT_NOW,
    DatasetError,
    Example,
    import_tinyagent,
    load_examples,
    load_rows,
    parse_now,
    write_rows,
)
from edgecall.plan import validate_plan

DEV = Path(__file__).resolve().parents[1] / "data" / "dev.jsonl"
PLAN = '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'m late.")\n3. join()<END_OF_PLAN>'


def write_lines(path: Path, records: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_jsonl_with_defaults_and_extra_keys(tmp_path):
    f = write_lines(tmp_path / "d.jsonl", [
        {"id": "a", "now": "2024-07-01 10:30:00", "query": "Text Maria that I'm late.", "plan": PLAN, "tag": "sms"},
        "",
        {"query": "Text Maria that I'm late.", "plan": PLAN},
    ])
    first, second = load_examples(f)
    assert first.id == "a" and first.now == datetime(2024, 7, 1, 10, 30) and first.extra == {"tag": "sms"}
    assert [t.tool for t in first.gold.tasks] == ["get_phone_number", "send_sms"]
    assert second.id == "d-3" and second.now == DEFAULT_NOW and second.source.endswith("d.jsonl:3")
    assert len(load_examples(f, limit=1)) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"plan": PLAN}), "missing required key 'query'"),
        (json.dumps({"query": "hi"}), "missing required key 'plan'"),
        (json.dumps({"query": "", "plan": PLAN}), "'query' must be a non-empty string"),
        (json.dumps({"query": "hi", "plan": PLAN, "now": "tomorrow"}), "'now' must look like"),
        (json.dumps({"query": "hi", "plan": "1. send_sms(["}), "the gold plan does not parse"),
        (json.dumps({"query": "hi", "plan": '1. get_phone_number("a")'}), "no join()"),
    ],
)
def test_bad_line_names_file_and_line(tmp_path, line, message):
    f = write_lines(tmp_path / "bad.jsonl", [{"query": "ok", "plan": PLAN}, line])
    with pytest.raises(DatasetError) as err:
        load_examples(f)
    assert f"{f}:2:" in str(err.value) and message in str(err.value)


def test_missing_empty_and_duplicate(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_examples(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(DatasetError, match="empty"):
        load_examples(tmp_path / "empty.jsonl")
    f = write_lines(tmp_path / "dup.jsonl", [{"id": "x", "query": "a", "plan": PLAN}, {"id": "x", "query": "b", "plan": PLAN}])
    with pytest.raises(DatasetError, match=r"dup.jsonl:2: duplicate id 'x' \(first at .*dup.jsonl:1\)"):
        load_examples(f)


def _tinyagent_record(query: str, plan: str, date_line: str) -> dict:
    return {
        "input": query,
        "output": [
            {"type": "plan", "raw_input": f"...\n - Today's date is {date_line}\n...Question: {query}",
             "raw_output": plan, "parsed_output": [], "id": "u1", "index": 0},
            {"type": "join", "raw_input": "...", "raw_output": "Action: Finish(done)",
             "parsed_output": {"thought": "", "action": "Finish", "message": "done"}, "id": "u2", "index": 1},
        ],
        "closest_5_queries": ["q1"],
    }


def test_released_tinyagent_json_is_detected(tmp_path):
    doc = {
        "k1": _tinyagent_record("Text Maria that I'm late.", "Thought: look up\n" + PLAN.replace("<END_OF_PLAN>", ""),
                                "Friday 2024-05-10 14:30"),
        "k2": _tinyagent_record("Show me Paris", '1. maps_open_location("Paris")\n2. join()<END_OF_PLAN>', "?"),
    }
    f = tmp_path / "tinyagent.json"
    f.write_text(json.dumps(doc, indent=2))
    a, b = load_examples(f)
    assert a.id == "k1" and a.query == "Text Maria that I'm late."
    assert a.now == datetime(2024, 5, 10, 14, 30) and b.now == DEFAULT_NOW
    assert [t.tool for t in a.gold.tasks] == ["get_phone_number", "send_sms"]
    assert a.extra == {"closest_5_queries": ["q1"]} and a.source == f"{f}#k1"


def test_tinyagent_record_without_plan_is_an_error(tmp_path):
    rec = _tinyagent_record("q", PLAN, "Monday 2024-06-03 09:00")
    rec["output"] = [rec["output"][1]]
    f = tmp_path / "t.json"
    f.write_text(json.dumps({"only": rec}))
    with pytest.raises(DatasetError, match=r"t.json#only: no 'plan' entry"):
        load_examples(f)


def test_one_line_jsonl_is_not_mistaken_for_tinyagent(tmp_path):
    f = write_lines(tmp_path / "one.jsonl", [{"query": "Text Maria that I'm late.", "plan": PLAN}])
    assert load_examples(f)[0].query == "Text Maria that I'm late."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-03 09:00:00", datetime(2024, 6, 3, 9)),
        ("2024-06-03 09:00", datetime(2024, 6, 3, 9)),
        ("2024-06-03T09:00:00", datetime(2024, 6, 3, 9)),
        (" 2024-06-03 ", datetime(2024, 6, 3)),
    ],
)
def test_one_now_parser_for_rows_examples_and_the_cli(tmp_path, text, expected):
    from edgecall.cli.common import parse_now as cli_parse_now

    assert parse_now(text) == expected == cli_parse_now(text)
    f = write_lines(tmp_path / "d.jsonl", [{"now": text, "query": "Text Maria that I'm late.", "plan": PLAN}])
    assert load_examples(f)[0].now == expected  # evaluation
    assert Example.from_row(load_rows(f)[0]).now == expected  # generator, export, bank


@pytest.mark.parametrize("bad", ["tomorrow", "2024-13-01", 20240603, ""])
def test_now_parser_names_the_expected_form(bad):
    with pytest.raises(ValueError, match="'now' must look like 'YYYY-MM-DD HH:MM:SS'"):
        parse_now(bad)


def test_example_row_round_trip(tmp_path):
    ex = Example("Text Maria that I'm late.", PLAN, datetime(2024, 7, 1, 10, 30), id="a", extra={"tag": "sms"})
    write_rows(tmp_path / "r.jsonl", [ex.to_row()])
    (back,) = load_examples(tmp_path / "r.jsonl")
    assert (back.id, back.query, back.plan, back.now, back.extra) == (ex.id, ex.query, ex.plan, ex.now, ex.extra)


def test_tinyagent_import_and_evaluation_read_the_same_dates(tmp_path):
    """One TinyAgent reader: a date without a weekday or a time is read the same by import and evaluation."""
    doc = {
        "k1": _tinyagent_record("Text Maria that I'm late.", PLAN, "2024-05-10"),
        "k2": _tinyagent_record("Show me Paris", '1. maps_open_location("Paris")\n2. join()<END_OF_PLAN>',
                                "Friday, 2024-05-10 14:30:15"),
    }
    f = tmp_path / "tinyagent.json"
    f.write_text(json.dumps(doc))
    evaluated = [ex.now for ex in load_examples(f)]
    imported = [parse_now(row["now"]) for row in import_tinyagent(f).rows]
    assert evaluated == imported == [datetime(2024, 5, 10), datetime(2024, 5, 10, 14, 30, 15)]


# --- the dev set --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev():
    return load_examples(DEV)


def test_dev_set_plans_validate_against_the_assistant_tools(dev, tmp_path):
    tools = assistant_toolset(config=AssistantConfig(data_dir=tmp_path))
    for ex in dev:
        validate_plan(ex.gold, tools)  # raises PlanValidationError naming the step
        assert ex.gold.has_join, ex.id


def test_dev_set_coverage(dev, tmp_path):
    tools = assistant_toolset(config=AssistantConfig(data_dir=tmp_path))
    assert len(dev) >= 150
    used = Counter(t.tool for ex in dev for t in ex.gold.tasks)
    assert set(used) == set(tools.names())  # all 16 tools
    steps = Counter(len(ex.gold.tasks) for ex in dev)
    assert set(range(1, 8)) <= set(steps)  # one to seven steps
    assert len({ex.now for ex in dev}) >= 5  # varied "today"
    assert len({" ".join(ex.query.lower().split()) for ex in dev}) == len(dev)  # no duplicate requests
    assert any(len(t.deps) == 0 for ex in dev for t in ex.gold.tasks)
    assert sum(any(len(t.deps) >= 2 for t in ex.gold.tasks) for ex in dev) >= 20  # parallel lookups feeding one call
