"""The plan grammar: checked by llama.cpp's own grammar engine, against the plan parser, and with the real model."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgecall.llm import LlamaCppLLM
from edgecall.llm.grammar import GrammarError, plan_grammar
from edgecall.plan import Plan, Task, parse_plan, render_plan, validate_plan
from edgecall.tools import Toolset, tool

Accepts = Callable[[str, str], bool]


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@tool
def typed_tool(
    count: int,
    ratio: float,
    flag: bool,
    maybe: int | None,
    tags: list[str],
    meta: dict[str, Any],
    mode: Literal["fast", "slow"],
    anything: Any,
) -> str:
    """A tool whose parameters cover every annotation the grammar maps.

    Args:
        count: an int.
        ratio: a float.
        flag: a bool.
        maybe: an optional int.
        tags: strings.
        meta: a mapping.
        mode: one of two words.
        anything: any literal.
    """
    return ""


@tool
def ping() -> str:
    """No arguments at all."""
    return "pong"


@pytest.fixture(scope="module")
def grammar3(tools3: Toolset) -> str:
    return plan_grammar(tools3, max_steps=4)


VALID_PLANS = [
    '1. get_email_address("Sid")\n2. join()<END_OF_PLAN>',
    (
        '1. get_email_address("Sid")\n2. get_email_address("Lutfi")\n'
        '3. send_email(["$1", "$2"], "Roadmap", "See you at 2pm")\n4. join()<END_OF_PLAN>'
    ),
    (
        'Thought: find the address first\n1. get_email_address("Ann")\n2. get_weather("Oslo", 3)\n'
        'Thought: now write\n3. send_email(["$1"], "Weather", "Forecast: $2.")\n4. join()<END_OF_PLAN>'
    ),
    '1. get_weather("Rome", -1)\n2. send_email([], "", "$1")\n3. join()<END_OF_PLAN>',
    '1. get_weather("Say \\"hi\\"\\n\\\\ \\u00e9 ünï", 0)\n2. get_weather("$1", "$1")\n3. join()<END_OF_PLAN>',
]

INVALID_PLANS = {
    "unknown tool": '1. get_phone("Sid")\n2. join()<END_OF_PLAN>',
    "too few arguments": '1. send_email(["a@b.c"], "Hi")\n2. join()<END_OF_PLAN>',
    "too many arguments": '1. get_email_address("Sid", "x")\n2. join()<END_OF_PLAN>',
    "str where int belongs": '1. get_weather("Rome", "3")\n2. join()<END_OF_PLAN>',
    "float where int belongs": '1. get_weather("Rome", 3.5)\n2. join()<END_OF_PLAN>',
    "str where list belongs": '1. send_email("a@b.c", "Hi", "x")\n2. join()<END_OF_PLAN>',
    "reference to a later step": '1. get_email_address("A")\n2. send_email(["$3"], "s", "b")\n'
    '3. get_email_address("B")\n4. join()<END_OF_PLAN>',
    "reference to itself": '1. get_email_address("$1")\n2. join()<END_OF_PLAN>',
    "reference in step 1": '1. get_email_address("Cost $1")\n2. join()<END_OF_PLAN>',
    "digit after a reference": '1. get_email_address("A")\n2. get_email_address("$12")\n3. join()<END_OF_PLAN>',
    "braced reference": '1. get_email_address("A")\n2. get_email_address("${1}")\n3. join()<END_OF_PLAN>',
    "skipped step number": '1. get_email_address("A")\n3. join()<END_OF_PLAN>',
    "join with wrong number": '1. get_email_address("A")\n5. join()<END_OF_PLAN>',
    "no join": '1. get_email_address("A")\n',
    "no END_OF_PLAN": '1. get_email_address("A")\n2. join()',
    "empty plan": "1. join()<END_OF_PLAN>",
    "single quotes": "1. get_email_address('A')\n2. join()<END_OF_PLAN>",
    "text after the plan": '1. get_email_address("A")\n2. join()<END_OF_PLAN>\nmore',
    "more steps than max_steps": "".join(f'{i}. get_email_address("A")\n' for i in range(1, 6))
    + "6. join()<END_OF_PLAN>",
    "raw newline in a string": '1. get_email_address("A\nB")\n2. join()<END_OF_PLAN>',
}


@pytest.mark.parametrize("text", VALID_PLANS)
def test_grammar_accepts_valid_plans(grammar3: str, grammar_accepts: Accepts, tools3: Toolset, text: str) -> None:
    validate_plan(parse_plan(text, tools3), tools3)  # precondition: the plan really is valid
    assert grammar_accepts(grammar3, text)


@pytest.mark.parametrize("why", sorted(INVALID_PLANS))
def test_grammar_rejects_invalid_plans(grammar3: str, grammar_accepts: Accepts, why: str) -> None:
    assert not grammar_accepts(grammar3, INVALID_PLANS[why]), why


def test_thoughts_can_be_switched_off(tools3: Toolset, grammar_accepts: Accepts) -> None:
    grammar = plan_grammar(tools3, thoughts=False)
    assert "thought" not in grammar
    assert grammar_accepts(grammar, '1. get_email_address("A")\n2. join()<END_OF_PLAN>')
    assert not grammar_accepts(grammar, 'Thought: x\n1. get_email_address("A")\n2. join()<END_OF_PLAN>')


TYPED_OK = [
    '3, 0.5, True, None, ["a", "b"], {"k": [1, {"x": None}]}, "fast", [1, "two", False]',
    '-7, 2, False, 4, [], {}, "slow", {"a": "b"}',
    '0, 1e-05, True, "$1", "$1", "$1", "$1", "Note: $1"',
    '1, -1.5E+3, False, None, ["x $1 y"], {"n": "$1"}, "fast", "$1"',
]
TYPED_BAD = [
    '3.0, 0.5, True, None, [], {}, "fast", 1',  # float for int
    '3, 0.5, 1, None, [], {}, "fast", 1',  # int for bool
    '3, 0.5, true, None, [], {}, "fast", 1',  # JSON bool
    '3, 0.5, True, null, [], {}, "fast", 1',  # JSON null
    '3, 0.5, True, None, [1], {}, "fast", 1',  # int in list[str]
    '3, 0.5, True, None, [], {1: 2}, "fast", 1',  # non-str key
    '3, 0.5, True, None, [], {}, "medium", 1',  # not in Literal
    '3, 0.5, True, None, [], {}, "fast", "Cost: $2"',  # reference to the step itself
    '"$1 apples", 0.5, True, None, [], {}, "fast", 1',  # interpolation into a non-str parameter
]


@pytest.fixture(scope="module")
def typed_grammar() -> str:
    return plan_grammar(Toolset([ping, typed_tool]), max_steps=3)


@pytest.mark.parametrize("args", TYPED_OK)
def test_typed_arguments_accepted(typed_grammar: str, grammar_accepts: Accepts, args: str) -> None:
    text = f"1. ping()\n2. typed_tool({args})\n3. join()<END_OF_PLAN>"
    tools = Toolset([ping, typed_tool])
    validate_plan(parse_plan(text, tools), tools)
    assert grammar_accepts(typed_grammar, text)


@pytest.mark.parametrize("args", TYPED_BAD)
def test_typed_arguments_rejected(typed_grammar: str, grammar_accepts: Accepts, args: str) -> None:
    assert not grammar_accepts(typed_grammar, f"1. ping()\n2. typed_tool({args})\n3. join()<END_OF_PLAN>")


@tool
def paint(color: Color) -> str:
    """Enum parameters take their values.

    Args:
        color: red or blue.
    """
    return color.value


def test_enum_parameters_take_their_values(grammar_accepts: Accepts) -> None:
    grammar = plan_grammar(Toolset([paint]), max_steps=1)
    assert grammar_accepts(grammar, '1. paint("blue")\n2. join()<END_OF_PLAN>')
    assert not grammar_accepts(grammar, '1. paint("green")\n2. join()<END_OF_PLAN>')


def test_strings_and_lists_are_bounded(tools3: Toolset, grammar_accepts: Accepts) -> None:
    """A model stuck repeating itself inside a literal is forced to close it."""
    grammar = plan_grammar(tools3, max_steps=2, max_string=20, max_items=3)

    def plan(name: str, recipients: str) -> str:
        return f'1. get_email_address("{name}")\n2. send_email({recipients}, "s", "b")\n3. join()<END_OF_PLAN>'

    assert grammar_accepts(grammar, plan("x" * 20, '["a", "b", "$1"]'))
    assert not grammar_accepts(grammar, plan("x" * 21, '["a"]'))
    assert not grammar_accepts(grammar, plan("x", '["a", "b", "c", "$1"]'))
    assert not grammar_accepts(grammar, "Thought: " + "t" * 21 + "\n" + plan("x", "[]"))


def test_grammar_errors() -> None:
    with pytest.raises(GrammarError, match="empty toolset"):
        plan_grammar(Toolset([]))
    with pytest.raises(GrammarError, match="max_steps must be at least 1, got 0"):
        plan_grammar(Toolset([ping]), max_steps=0)
    with pytest.raises(GrammarError, match="max_string must be at least 1"):
        plan_grammar(Toolset([ping]), max_string=0)


def test_grammar_rejects_a_tool_named_join() -> None:
    @tool
    def join() -> str:
        """Clashes with the plan terminator."""
        return ""

    with pytest.raises(GrammarError, match="'join'"):
        plan_grammar(Toolset([join]))


# -- every canonical rendering of a valid plan is in the grammar's language ---------------------------------
# Up to the supplementary ideographic plane: SmolLM2's tokenizer drops lead bytes of rarer planes (a tokenizer
# limitation, not the grammar's).
_TEXT = st.text(
    st.characters(max_codepoint=0x2FFFF, blacklist_characters="$\n\r\x00", blacklist_categories=("Cs",)),
    max_size=12,
)


@st.composite
def valid_plans(draw: st.DrawFn) -> Plan:
    tasks = []
    for idx in range(1, draw(st.integers(1, 4)) + 1):
        refs = st.sampled_from([f"${k}" for k in range(1, idx)]) if idx > 1 else st.nothing()
        name = draw(st.sampled_from(["get_email_address", "send_email", "get_weather"]))
        if name == "get_email_address":
            args: tuple[Any, ...] = (draw(_TEXT | refs),)
        elif name == "send_email":
            args = (draw(st.lists(_TEXT | refs, max_size=3) | refs), draw(_TEXT | refs), draw(_TEXT | refs))
        else:
            args = (draw(_TEXT | refs), draw(st.integers(-(10**6), 10**6) | refs))
        tasks.append(Task(idx, name, args))
    return Plan(tuple(tasks))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=valid_plans())
def test_rendered_valid_plans_are_accepted(
    plan: Plan, grammar3: str, grammar_accepts: Accepts, tools3: Toolset
) -> None:
    text = render_plan(plan)
    validate_plan(parse_plan(text, tools3), tools3)
    assert grammar_accepts(grammar3, text), text


# -- the real model under the grammar ------------------------------------------------------------------------
FEW_SHOT = """You are a planner. Write a numbered plan of tool calls; "$k" is the result of step k.
Tools:
get_email_address(name: str) -> str: Find a contact's email address by name.
send_email(recipients: list[str], subject: str, body: str) -> str: Send an email.
get_weather(city: str, days: int) -> str: Weather forecast for a city.

Question: Email Anna the weather in Paris for tomorrow.
1. get_email_address("Anna")
2. get_weather("Paris", 1)
3. send_email(["$1"], "Weather", "$2")
4. join()<END_OF_PLAN>

Question: {query}
"""

REQUESTS = [
    "Send Bob an email saying hi.",
    "What's the weather in Rome for the next 3 days?",
    "Email Carla and Dan about lunch on Friday.",
    "Tell Eve the forecast for Oslo.",
    "Find Sid's email address.",
    "Is it going to rain in London this week?",
    "Mail the team the Berlin forecast for 2 days.",
    "Ask Lutfi whether the roadmap meeting is still on.",
    "Get the addresses of Ann, Ben and Cy.",
    "Send Zoe and Max the weather in Madrid, and tell them to bring umbrellas.",
]


def test_model_under_grammar_always_writes_valid_plans(smollm: LlamaCppLLM, tools3: Toolset) -> None:
    grammar = plan_grammar(tools3, max_steps=4)
    smollm.warm(FEW_SHOT.split("{query}")[0])
    texts = set()
    for query in REQUESTS:
        c = smollm.complete(FEW_SHOT.format(query=query), grammar=grammar, max_tokens=200)
        assert c.finish_reason == "stop", f"{query!r}: plan cut off by max_tokens: {c.text!r}"
        plan = parse_plan(c.text, tools3)
        validate_plan(plan, tools3)
        assert plan.has_join and plan.tasks
        texts.add(c.text)
    assert len(texts) >= 5, "the model should follow the requests, not write one fixed plan"
