"""The plan-execute-join loop with the real packaged model and grammar-constrained planning."""

from __future__ import annotations

from datetime import datetime

import pytest

from edgecall.plan import parse_plan
from edgecall.planner import Planner
from edgecall.runtime import Agent, Finish, LLMJoiner, Replan, RuleJoiner
from edgecall.runtime.executor import TaskResult
from edgecall.tools import ToolArgumentError, Toolset, tool

NOW = datetime(2024, 6, 3, 9, 0, 0)
attempts: list[str] = []


@tool
def get_weather(city: str) -> str:
    """Get today's weather forecast for a city.

    Args:
        city: the city name, e.g. "Paris".
    """
    return f"Sunny and 24C in {city}"


@tool
def convert_currency(amount: float, source: str, target: str) -> str:
    """Convert an amount of money between currencies (ISO codes like "EUR").

    Args:
        amount: how much money.
        source: currency code to convert from.
        target: currency code to convert to.
    """
    return f"{amount * 1.1:.2f} {target}"


@tool
def picky_weather(city: str) -> str:
    """Get today's weather forecast for a city.

    Args:
        city: the city name.
    """
    attempts.append(city)
    raise ToolArgumentError(f"city {city!r} must be written as an IATA airport code")


EXAMPLES = [
    ("What's the weather in Rome?", '1. get_weather("Rome")\n2. join()<END_OF_PLAN>'),
    ("How much is 20 USD in EUR?", '1. convert_currency(20.0, "USD", "EUR")\n2. join()<END_OF_PLAN>'),
]


@pytest.mark.parametrize(
    "query",
    ["What is the weather like in Berlin?", "Convert 50 euros to dollars", "weather in Oslo and in Lima please"],
)
def test_real_model_plans_valid_plans_with_grammar(packaged_llm, query):
    tools = Toolset([get_weather, convert_currency])
    outcome = Planner(packaged_llm, tools, examples=EXAMPLES).plan(query, now=NOW)
    assert outcome.valid, (outcome.text, outcome.error)
    assert outcome.plan is not None and len(outcome.plan) >= 1
    assert outcome.prompt_tokens and outcome.completion_tokens and outcome.ttft_s is not None
    parse_plan(outcome.text, tools)  # the raw text itself parses and validates


def test_agent_runs_end_to_end(packaged_llm):
    tools = Toolset([get_weather])  # one tool: the test is about the loop, not the model's tool choice
    events = []
    agent = Agent(Planner(packaged_llm, tools, examples=EXAMPLES[:1]), on_event=events.append)
    result = agent.run("What's the weather in Madrid?", now=NOW)
    assert result.ok, result.to_dict()
    assert len(result.rounds) == 1
    assert "Sunny and 24C" in result.answer
    assert {e.kind.value for e in events} >= {"planned", "started", "finished"}


def test_replans_are_bounded(packaged_llm):
    attempts.clear()
    tools = Toolset([picky_weather])
    agent = Agent(Planner(packaged_llm, tools), max_replans=2)
    result = agent.run("What's the weather in Madrid?", now=NOW)
    assert not result.ok
    assert len(result.rounds) == 3  # first plan + 2 replans, then it gives up
    assert all(isinstance(r.decision, Replan) for r in result.rounds[:2])
    # the last round may not replan: the joiner finishes and reports the failure
    assert isinstance(result.rounds[2].decision, Finish)
    assert "IATA airport code" in result.answer
    assert len(attempts) >= 3
    # the replan prompt carried the previous observations and the error
    assert "IATA airport code" in result.rounds[1].outcome.prompt


def test_rule_joiner_answers_from_final_steps():
    plan = parse_plan('1. get_weather("A")\n2. convert_currency(1.0, "$1", "EUR")\n3. join()')
    results = {
        1: TaskResult(1, "get_weather", ("A",), "ok", value="sunny"),
        2: TaskResult(2, "convert_currency", (1.0, "sunny", "EUR"), "ok", value="1.10 EUR"),
    }
    decision = RuleJoiner().decide("q", plan, results, can_replan=True)
    assert decision == Finish("1.10 EUR")
    results[2] = TaskResult(2, "convert_currency", (), "error", error="bad", fixable=True)
    assert isinstance(RuleJoiner().decide("q", plan, results, can_replan=True), Replan)
    final = RuleJoiner().decide("q", plan, results, can_replan=False)
    assert isinstance(final, Finish) and "Could not convert currency: bad" in final.answer


def test_llm_joiner_with_real_model_returns_a_decision(packaged_llm):
    plan = parse_plan('1. get_weather("Rome")\n2. join()')
    results = {1: TaskResult(1, "get_weather", ("Rome",), "ok", value="Sunny and 24C in Rome")}
    decision = LLMJoiner(packaged_llm).decide("Weather in Rome?", plan, results, can_replan=False)
    assert isinstance(decision, Finish) and decision.answer.strip()
