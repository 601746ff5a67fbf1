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
