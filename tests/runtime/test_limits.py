"""Caps on what is interpolated, returned and shown, with a visible "truncated, N bytes" marker."""

from __future__ import annotations

import asyncio

from edgecall.limits import MAX_ANSWER_CHARS, MAX_INTERPOLATED_CHARS, MAX_OBSERVATION_CHARS, MAX_RESULT_CHARS
from edgecall.plan import Plan, Task
from edgecall.runtime import Executor, RuleJoiner
from edgecall.runtime.executor import resolve_args
from edgecall.runtime.joiner import observations
from edgecall.tools import Toolset, tool

BIG = "é" * 5_000_000  # a 10 MB note


@tool
def open_big(name: str) -> str:
    """Returns a huge text."""
    return BIG


@tool
def length(text: str) -> int:
    """Counts characters."""
    return len(text)


@tool
def exact(text: str) -> int:
    """Counts characters of a whole result."""
    return len(text)


TOOLS = Toolset([open_big, length, exact])


def test_interpolation_is_capped_even_with_many_references():
    text = "$1 " * 10_000
    out = resolve_args(text, {1: "x" * 30_000})
    assert len(out) < MAX_INTERPOLATED_CHARS + 50
    assert out.endswith(f"… [truncated, {30_000 * 10_000 + 10_000:,} bytes]")
    assert resolve_args("to $1, hi", {1: "ann@x.org"}) == "to ann@x.org, hi"  # short text is untouched


def test_results_are_whole_for_tools_but_capped_in_json_events_and_answers():
    events = []
    tasks = [Task(1, "open_big", ("n",)), Task(2, "exact", ("$1",)), Task(3, "length", ("note: $1",))]
    results = asyncio.run(Executor(TOOLS, on_event=events.append).run(tasks))
    assert results[2].value == 5_000_000  # an exact reference passes the whole value
    assert results[3].value == MAX_INTERPOLATED_CHARS + len("… [truncated, 10,000,006 bytes]")
    shown = results[1].to_dict()["value"]
    assert len(shown) < MAX_RESULT_CHARS + 40 and shown.endswith("… [truncated, 10,000,000 bytes]")
    finished = [e.to_dict() for e in events if e.idx == 1 and e.result is not None]
    assert finished[0]["result"] == shown
    plan = Plan((tasks[0],))
    answer = RuleJoiner().decide("q", plan, {1: results[1]}, can_replan=False).answer
    assert len(answer) < MAX_ANSWER_CHARS + 40 and "[truncated, 10,000,000 bytes]" in answer
    assert len(observations(plan, {1: results[1]})) < MAX_OBSERVATION_CHARS + 60
