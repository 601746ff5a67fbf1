"""The planner with Tool RAG, on the real packaged model: the prompt lists, and the grammar allows, only the
tools the packaged classifier selected."""

from __future__ import annotations

import re

import pytest

from edgecall.assistant.tools import assistant_toolset
from edgecall.planner import Planner
from edgecall.retrieval import default_classifier

REQUEST = "Text Maria that I'm running late"


@pytest.fixture(scope="module")
def planner(packaged_llm) -> Planner:
    return Planner(packaged_llm, assistant_toolset(), tool_selector=default_classifier(), max_tokens=96)


def test_grammar_and_prompt_offer_only_the_selected_tools(planner: Planner) -> None:
    selected = planner.selected_tools(REQUEST)
    assert selected is not None
    names = set(selected.names())
    assert {"get_phone_number", "send_sms"} <= names and len(names) < 16
    grammar = planner.grammar_for(selected)
    called = set(re.findall(r'"([a-z_]+)\(', grammar)) - {"join"}
    assert called == names  # every selected tool, and nothing else, can be called
    full = set(re.findall(r'"([a-z_]+)\(', planner.grammar or "")) - {"join"}
    assert len(full) == 16
    prompt = planner.prompt(REQUEST)
    listed = set(re.findall(r"^\d+\. ([a-z_]+)\(", prompt, re.MULTILINE)) - {"join"}
    assert listed == names
    assert f"from the following {len(names) + 1} types" in prompt


def test_real_model_plans_within_the_selection(planner: Planner) -> None:
    outcome = planner.plan(REQUEST)
    assert outcome.tools == planner.selected_tools(REQUEST).names()
    assert outcome.to_dict()["tools"] == outcome.tools
    called = set(re.findall(r"^\d+\. ([a-z_]+)\(", outcome.text, re.MULTILINE)) - {"join"}
    assert called and called <= set(outcome.tools), outcome.text  # (the plan may be cut by max_tokens)


def test_without_a_selector_every_tool_is_offered(packaged_llm) -> None:
    plain = Planner(packaged_llm, assistant_toolset(), max_tokens=8)
    assert plain.selected_tools(REQUEST) is None
    assert "from the following 17 types" in plain.prompt(REQUEST)


def test_rules_about_tools_not_selected_leave_the_prompt(packaged_llm) -> None:
    from edgecall.assistant.prompt import PLANNING_RULES
    from edgecall.planner.prompt import rules_for_tools

    tools = assistant_toolset()
    planner = Planner(packaged_llm, tools, tool_selector=default_classifier(), rules=PLANNING_RULES)
    prompt = planner.prompt(REQUEST)
    selected = set(planner.selected_tools(REQUEST).names())
    assert {"get_phone_number", "send_sms"} <= selected and not {"summarize_pdf", "get_zoom_meeting_link"} & selected
    assert "call get_phone_number for each person" in prompt  # a rule about a selected tool stays
    assert "summarize_pdf" not in prompt and "get_zoom_meeting_link" not in prompt  # rules about others go
    assert "a meeting lasts 60 minutes" in prompt  # a rule naming no tool stays
    # no selection: every rule, byte for byte; a selection of everything: the same
    assert rules_for_tools(PLANNING_RULES, tools, None) == PLANNING_RULES
    assert rules_for_tools(PLANNING_RULES, tools, tools) == PLANNING_RULES
    kept = rules_for_tools(PLANNING_RULES, tools, tools.subset(["send_sms", "get_phone_number"]))
    assert kept.splitlines() == [line for line in PLANNING_RULES.splitlines()
                                 if not re.search(r"get_email_address|summarize_pdf|open_and_get_file_path|"
                                                  r"get_zoom_meeting_link|open_note|maps_open_location", line)]
