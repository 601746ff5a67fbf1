"""The planner prompt: static part first (KV-cache reuse), every question dated, replans carry context."""

from __future__ import annotations

from datetime import datetime

from edgecall.assistant.prompt import EXAMPLES, PLANNING_RULES
from edgecall.assistant.tools import assistant_toolset
from edgecall.planner import Example, ReplanContext, build_planner_prompt

TOOLS = assistant_toolset()
NOW = datetime(2024, 6, 5, 14, 30, 0)


def test_prompt_lists_every_tool_and_join():
    p = build_planner_prompt("Text Bo", TOOLS, now=NOW, rules=PLANNING_RULES)
    for t in TOOLS:
        assert t.signature() in p
    assert f"{len(TOOLS) + 1}. join()" in p
    assert p.endswith("Today is Wednesday 2024-06-05 14:30:00.\nQuestion: Text Bo\n")


def test_static_prefix_is_shared_across_requests():
    a = build_planner_prompt("Text Bo", TOOLS, now=NOW, rules=PLANNING_RULES, examples=EXAMPLES)
    b = build_planner_prompt("Email Ana", TOOLS, now=datetime(2025, 1, 1), rules=PLANNING_RULES, examples=EXAMPLES)
    shared = len(a) - len(a.split("Today is Wednesday")[-1])
    assert a[: shared - 20] == b[: shared - 20]
    assert shared > 0.9 * len(a)


def test_examples_carry_their_own_date():
    ex = Example("Remind me tomorrow", '1. create_reminder("x", "2025-01-02", "", "", 0, True)\n2. join()<END_OF_PLAN>',
                 datetime(2025, 1, 1, 8, 0, 0))
    p = build_planner_prompt("q", TOOLS, now=NOW, examples=[ex])
    assert "Today is Wednesday 2025-01-01 08:00:00.\nQuestion: Remind me tomorrow\n1. create_reminder" in p


def test_custom_instructions_and_replan_context():
    replan = ReplanContext('1. get_phone_number("Zed")\n2. join()', "1. get_phone_number -> ERROR: no contact", "fix it")
    p = build_planner_prompt("Text Zed", TOOLS, now=NOW, custom_instructions="Always cc Nick.", replan=replan)
    assert "Always cc Nick." in p
    assert p.index("Question: Text Zed") < p.index("A previous plan was executed") < p.index("ERROR: no contact")
    assert p.rstrip().endswith("Write a new, corrected plan.")


# -- named prompt formats ----------------------------------------------------------------------------------------
import json  # noqa: E402

import pytest  # noqa: E402

from edgecall.data.export import export_rows  # noqa: E402
from edgecall.planner import PROMPT_FORMATS, Planner, PromptFormatError, get_prompt_format  # noqa: E402


def test_compact_format_without_selection_has_no_tool_list():
    p = get_prompt_format("compact").build("Text Bo", TOOLS, now=NOW, rules=PLANNING_RULES, examples=EXAMPLES)
    assert p == "Today is Wednesday 2024-06-05 14:30:00.\nQuestion: Text Bo\nPlan:\n"


def test_compact_format_lists_the_selected_tools_by_signature_only():
    selected = TOOLS.subset(["send_sms", "get_phone_number"])
    p = get_prompt_format("compact").build("Text Bo", TOOLS, selected=selected, now=NOW)
    assert p == (
        "Today is Wednesday 2024-06-05 14:30:00.\nTools:\n"
        f"{TOOLS['get_phone_number'].signature()}\n{TOOLS['send_sms'].signature()}\n"
        "Question: Text Bo\nPlan:\n"
    )
    assert TOOLS["send_sms"].description.splitlines()[0] not in p


def test_long_format_lists_only_the_selection_when_there_is_one():
    selected = TOOLS.subset(["send_sms"])
    p = get_prompt_format("long").build("Text Bo", TOOLS, selected=selected, now=NOW)
    assert "1. send_sms(" in p and "2. join()" in p and "get_phone_number" not in p
    assert get_prompt_format("long").build("Text Bo", TOOLS, now=NOW) == build_planner_prompt("Text Bo", TOOLS, now=NOW)


def test_unknown_format_names_the_known_ones():
    with pytest.raises(PromptFormatError,
                       match="unknown prompt format 'short'; known formats: compact, compact-dated, compact-week, long"):
        get_prompt_format("short")
    assert set(PROMPT_FORMATS) == {"long", "compact", "compact-week", "compact-dated"}


def test_compact_week_format_writes_the_coming_seven_days_first():
    """Each of the seven days after today with its weekday, across a month and a year end, before the date line:
    "on Friday" becomes a lookup, and the line (the same all day) is the prefix the KV cache keeps."""
    from datetime import datetime

    week = get_prompt_format("compact-week")
    p = week.build("Lunch with Bo on Friday", TOOLS, now=NOW)
    assert p == ("Coming days: Thursday 06-06, Friday 06-07, Saturday 06-08, Sunday 06-09, Monday 06-10, "
                 "Tuesday 06-11, Wednesday 06-12.\n" + get_prompt_format("compact").build("Lunch with Bo on Friday",
                                                                                        TOOLS, now=NOW))
    new_year = week.build("x", TOOLS, now=datetime(2024, 12, 28, 9, 0))
    assert new_year.startswith("Coming days: Sunday 12-29, Monday 12-30, Tuesday 12-31, Wednesday 01-01, "
                               "Thursday 01-02, Friday 01-03, Saturday 01-04.\nToday is Saturday 2024-12-28")
    later = week.build("Email Ana", TOOLS, selected=TOOLS.subset(["send_sms"]), now=NOW.replace(hour=18, minute=5))
    assert later.split("\n")[0] == p.split("\n")[0] and later.split("\n")[1] != p.split("\n")[1]


class _SelectingPlanner(Planner):
    def selected_tools(self, query):
        return self.tools.subset(["get_phone_number", "send_sms"])


@pytest.mark.parametrize("fmt", ["long", "compact", "compact-week", "compact-dated"])
def test_training_export_is_byte_identical_to_the_planner_prompt(fmt):
    """What a model is trained on is exactly what the planner sends it, in each format, with and without Tool RAG."""
    row = {"id": "r1", "now": "2024-06-05 14:30:00", "query": "Text Bo that I'm late for Friday's lunch",
           "plan": '1. get_phone_number("Bo")\n2. send_sms(["$1"], "I\'m late")\n3. join()<END_OF_PLAN>'}
    rules, examples = (PLANNING_RULES, list(EXAMPLES)) if fmt == "long" else ("", [])
    plain = Planner(None, TOOLS, grammar=False, rules=rules, examples=examples, prompt_format=fmt)
    [pair] = export_rows([row], TOOLS, rules=rules, examples=examples, prompt_format=fmt)
    assert json.loads(json.dumps(pair))["prompt"] == plain.prompt(row["query"], now=NOW)
    selecting = _SelectingPlanner(None, TOOLS, grammar=False, rules=rules, examples=examples, prompt_format=fmt)
    [pair] = export_rows([row], TOOLS, rules=rules, examples=examples, prompt_format=fmt, distractors=0)
    assert pair["prompt"] == selecting.prompt(row["query"], now=NOW)
    assert pair["prompt"] != plain.prompt(row["query"], now=NOW)
    assert ("Friday's (2024-06-07) lunch" in pair["prompt"]) == (fmt == "compact-dated")


def test_retrieved_examples_follow_the_fixed_ones_most_similar_last(scripted_llm):
    """The most similar solved example sits right above the question (a small model copies the nearest one)."""
    from edgecall.planner import Planner
    from edgecall.retrieval import ExampleRetriever

    bank = [
        Example("Text Bo that the train is late", '1. get_phone_number("Bo")\n2. join()<END_OF_PLAN>'),
        Example("Show me the way to the station", '1. maps_show_directions("", "station", "w")\n2. join()'),
        Example("Text Ana and Bo that the train is late please", '1. get_phone_number("Ana")\n2. join()'),
    ]
    retriever = ExampleRetriever(bank)
    ranked = retriever.top_k("text Cy that the train is late", 2)
    assert bank[1] not in ranked  # the directions example is not similar
    fixed = [EXAMPLES[0]]
    planner = Planner(scripted_llm(), TOOLS, grammar=False, examples=fixed, retriever=retriever, n_retrieved=2)
    assert planner.examples_for("text Cy that the train is late") == [fixed[0], ranked[1], ranked[0]]
    p = planner.prompt("text Cy that the train is late", now=NOW)
    assert p.index(fixed[0][0]) < p.index(ranked[1].query) < p.index(ranked[0].query) < p.index("Question: text Cy")


def test_presets_and_settings_choose_the_prompt_format():
    from edgecall.app import build_planner
    from edgecall.config import load_settings
    from edgecall.llm.presets import PRESETS, preset_prompt_format

    assert {name: p.prompt_format for name, p in PRESETS.items() if p.adapter is None} == {
        "smollm2-135m": "long", "gemma3-270m": "long"}
    assert preset_prompt_format("/models/any.gguf") == "long"
    assert preset_prompt_format("edgecall-planner") == "compact-dated"
    assert build_planner(load_settings(model="smollm2-135m"), TOOLS, None).prompt_format.name == "long"
    tuned = build_planner(load_settings(model="smollm2-135m", prompt_format="compact"), TOOLS, None)
    assert tuned.prompt("Text Bo", now=NOW) == "Today is Wednesday 2024-06-05 14:30:00.\nQuestion: Text Bo\nPlan:\n"


def test_tool_rag_defaults_to_what_the_prompt_format_measured():
    """Untuned long prompts plan better with Tool RAG, the fine-tuned compact planner worse: each format's default,
    and an explicit setting wins either way."""
    from edgecall.app import build_tool_selector, tool_rag_enabled
    from edgecall.config import load_settings

    assert tool_rag_enabled(load_settings(model="smollm2-135m"))
    assert tool_rag_enabled(load_settings(model="/models/any.gguf"))
    assert not tool_rag_enabled(load_settings(model="edgecall-planner"))
    assert not tool_rag_enabled(load_settings(model="smollm2-135m", prompt_format="compact"))
    assert not tool_rag_enabled(load_settings(model="smollm2-135m", tool_rag=False))
    assert tool_rag_enabled(load_settings(model="edgecall-planner", tool_rag=True))
    assert build_tool_selector(load_settings(model="smollm2-135m")) is not None
    assert build_tool_selector(load_settings(model="edgecall-planner")) is None


# -- the long prompt's layout under Tool RAG: static part first, per-request part after it -----------------------
def test_long_prompt_keeps_its_static_prefix_when_the_selection_changes():
    """Two requests with different Tool RAG selections share everything up to the tool list: instructions,
    guidelines, the rules that name no tool and the preferences (the llama.cpp KV cache reuses that prefix)."""
    from edgecall.planner.prompt import ACTIONS_HEADER, split_rules

    long = get_prompt_format("long")
    kw = dict(now=NOW, rules=PLANNING_RULES, custom_instructions="Always cc Nick.")
    a = long.build("Text Bo", TOOLS, selected=TOOLS.subset(["get_phone_number", "send_sms"]), **kw)
    b = long.build("Email Ana the report", TOOLS,
                   selected=TOOLS.subset(["get_email_address", "open_and_get_file_path", "compose_new_email"]), **kw)
    shared = 0
    while shared < min(len(a), len(b)) and a[shared] == b[shared]:
        shared += 1
    static = a[: a.index(ACTIONS_HEADER.format(n=3))]
    assert static == b[: b.index(ACTIONS_HEADER.format(n=4))]
    assert shared >= len(static) and shared < len(a)
    general, about = split_rules(PLANNING_RULES, TOOLS)
    assert general and about
    assert general in static and "Always cc Nick." in static and "Guidelines:" in static
    for tool in TOOLS:  # no tool, and no rule about one, in the static part
        assert f"{tool.name}(" not in static and tool.name not in static
    # the rules about a selected tool follow the tool list; rules about the others are gone
    assert a.index("2. send_sms(") < a.index("call get_phone_number for each person") < a.index("Question: Text Bo")
    assert "get_email_address" not in a and "get_email_address" in b


def test_split_rules_keeps_every_line_once_in_order():
    from edgecall.planner.prompt import split_rules

    general, about = split_rules(PLANNING_RULES, TOOLS)
    lines = PLANNING_RULES.splitlines(keepends=True)
    assert sorted(general.splitlines(keepends=True) + about.splitlines(keepends=True)) == sorted(lines)
    assert [line for line in lines if line in about] == about.splitlines(keepends=True)
    assert all(not any(t in line for t in TOOLS.names()) for line in general.splitlines())
    assert split_rules(" - one\n\n - two", TOOLS) == (" - one\n - two\n", "")
    assert split_rules("", TOOLS) == ("", "")


def test_long_prompt_without_selection_lists_every_tool_after_the_guidelines():
    p = build_planner_prompt("Text Bo", TOOLS, now=NOW, rules=PLANNING_RULES)
    assert p.index("Guidelines:") < p.index("a meeting lasts 60 minutes") < p.index("1. ") < p.index("17. join()")
    assert p.index("17. join()") < p.index("call get_phone_number for each person") < p.index("Question: Text Bo")
    assert p.count(" - Before texting someone") == 1
