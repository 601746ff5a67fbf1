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


def test_llm_joiner_with_real_model(packaged_llm):
    """The 135M model does not write `Action: Finish(...)` here, so the joiner answers from the results itself."""
    plan = parse_plan('1. get_weather("Rome")\n2. join()')
    results = {1: TaskResult(1, "get_weather", ("Rome",), "ok", value="Sunny and 24C in Rome")}
    decision = LLMJoiner(packaged_llm).decide("Weather in Rome?", plan, results, can_replan=False)
    assert decision == Finish("Sunny and 24C in Rome")


class ScriptedLLM:
    """Answers every prompt with the next scripted text (for the joiner's parsing, which is pure logic)."""

    name = "scripted"

    def __init__(self, *texts: str) -> None:
        self.texts, self.prompts = list(texts), []

    def complete(self, prompt, **kw):
        from edgecall.llm.base import Completion

        self.prompts.append(prompt)
        return Completion(self.texts.pop(0), None, None, 0.0)


FAILED = {1: TaskResult(1, "get_weather", ("Rome",), "error", error="city unknown", fixable=True)}
OK = {1: TaskResult(1, "get_weather", ("Rome",), "ok", value="Sunny and 24C in Rome")}


@pytest.mark.parametrize(
    ("text", "results", "can_replan", "expected"),
    [
        (" It is sunny.\nAction: Finish(Sunny, 24C)", OK, True, Finish("Sunny, 24C")),
        ("Action: finish(Sunny (24C) in Rome)", OK, True, Finish("Sunny (24C) in Rome")),
        (" The city failed.\nAction: Replan(use the city's English name)", FAILED, True,
         Replan("use the city's English name")),
        ("Action: Replan()", FAILED, True, Replan("the joiner asked for a new plan")),
        # no replans left: the rule joiner reports the failure instead
        ("Action: Replan(use another city)", FAILED, False, Finish("Could not get weather: city unknown")),
        # the format not followed: the rule joiner decides (replan on a fixable error, else answer)
        ("I think it is sunny", OK, True, Finish("Sunny and 24C in Rome")),
        ("", FAILED, True, Replan("step 1 (get_weather): city unknown")),
    ],
)
def test_llm_joiner_parses_finish_and_replan(text, results, can_replan, expected):
    llm = ScriptedLLM(text)
    plan = parse_plan('1. get_weather("Rome")\n2. join()')
    assert LLMJoiner(llm).decide("Weather in Rome?", plan, results, can_replan=can_replan) == expected
    assert "Question: Weather in Rome?" in llm.prompts[0] and "1. get_weather -> " in llm.prompts[0]


def test_agent_replans_after_an_invalid_plan(scripted_llm):
    """A plan the parser rejects is not executed past the bad line; the replan prompt carries the exact complaint."""
    llm = scripted_llm('1. get_wether("Rome")\n2. join()', '1. get_weather("Rome")\n2. join()')
    agent = Agent(Planner(llm, Toolset([get_weather]), grammar=False), max_replans=1)
    result = agent.run("Weather in Rome?", now=NOW)
    assert result.ok and result.answer == "Sunny and 24C in Rome"
    first, second = result.rounds
    assert first.results == {}
    assert first.decision == Replan("the plan was invalid: step 1: unknown tool 'get_wether' (expected did you mean "
                                    "get_weather?)")
    assert "get_wether" in llm.prompts[1] and "did you mean get_weather?" in llm.prompts[1]
    assert isinstance(second.decision, Finish)


def test_agent_gives_up_on_invalid_plans_when_no_replans_are_left(scripted_llm):
    llm = scripted_llm('1. get_wether("Rome")\n2. join()')
    result = Agent(Planner(llm, Toolset([get_weather]), grammar=False), max_replans=0).run("Weather?", now=NOW)
    assert not result.ok and len(result.rounds) == 1
    assert result.answer.startswith("I could not complete this request after 1 attempt(s): the plan was invalid")


def test_agent_reports_a_model_failure_and_what_already_ran(scripted_llm):
    from edgecall.llm import LLMError

    llm = scripted_llm(('1. get_weather("Rome")\n', LLMError("server at 127.0.0.1:8080 went away")))
    result = Agent(Planner(llm, Toolset([get_weather]), grammar=False)).run("Weather?", now=NOW)
    assert not result.ok and len(result.rounds) == 1
    assert result.answer == (
        "The model failed while planning: server at 127.0.0.1:8080 went away. Before that, step 1 (get_weather) ran: "
        "Sunny and 24C in Rome. The rest of the plan was not written, so it did not run.")
