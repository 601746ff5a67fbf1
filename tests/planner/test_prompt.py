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
