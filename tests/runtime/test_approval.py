"""The approval hook: irreversible calls wait for consent; a refusal is reported and skips dependents."""

from __future__ import annotations

import asyncio

import pytest

from edgecall.plan import parse_plan
from edgecall.runtime import DECLINED, ApprovalRequest, ConsentUnavailable, EventKind, Executor, RuleJoiner
from edgecall.tools import Toolset, tool

sent: list[tuple[str, str]] = []


@tool
def lookup(name: str) -> str:
    """Find a number."""
    return {"Ann": "+1 555 0100", "Bob": "+1 555 0101"}[name]


@tool(irreversible=lambda number, text: f"text {number}: {text!r}" if not number.startswith("+0") else None)
def send(number: str, text: str) -> str:
    """Really send (numbers starting +0 are a local test line: undoable, never asked about)."""
    sent.append((number, text))
    return f"sent to {number}"


@tool
def log(entry: str) -> str:
    """Write a log line."""
    return f"logged {entry}"


TOOLS = Toolset([lookup, send, log])


class Recorder:
    """An approver that answers from a list and records what it was shown."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.requests: list[ApprovalRequest] = []

    async def __call__(self, request: ApprovalRequest) -> bool:
        self.requests.append(request)
        await asyncio.sleep(0)  # a real approver waits for a person
        return self.answers.pop(0)


def run(text: str, approve):
    sent.clear()
    events = []
    plan = parse_plan(text, TOOLS)
    results = asyncio.run(Executor(TOOLS, on_event=events.append, approve=approve).run(plan.tasks))
    return plan, results, events


PLAN = '1. lookup("Ann")\n2. send("$1", "late")\n3. log("$2")\n4. lookup("Bob")\n5. join()'


def test_declined_act_does_not_run_and_its_dependents_are_skipped():
    approver = Recorder(False)
    plan, results, events = run(PLAN, approver)
    assert sent == []
    assert results[2].status == "declined" and results[2].error == DECLINED
    assert results[3].status == "skipped" and "step 2 (send) declined" in results[3].error
    assert results[1].ok and results[4].ok  # the rest of the plan still ran
    assert (2, EventKind.SKIPPED, DECLINED) in [(e.idx, e.kind, e.error) for e in events]
    assert not any(e.idx == 2 and e.kind is EventKind.STARTED for e in events)
    answer = RuleJoiner().decide("q", plan, results, can_replan=True).answer
    assert f"Did not send: {DECLINED}" in answer


def test_approved_act_runs_with_the_resolved_arguments_shown():
    approver = Recorder(True)
    _, results, _ = run(PLAN, approver)
    assert sent == [("+1 555 0100", "late")]
    assert results[3].value == "logged sent to +1 555 0100"
    [request] = approver.requests
    [act] = request.acts
    assert (act.idx, act.tool, act.args, act.act) == (2, "send", ("+1 555 0100", "late"), "text +1 555 0100: 'late'")
    assert [t.idx for t in request.plan] == [1, 2, 3, 4]  # the whole plan, not just what was planned so far


def test_undoable_calls_and_no_approver_never_ask():
    approver = Recorder()
    _, results, _ = run('1. send("+0 test", "hi")\n2. join()', approver)
    assert approver.requests == [] and sent == [("+0 test", "hi")]
    _, results, _ = run(PLAN, None)
    assert results[2].ok and sent == [("+1 555 0100", "late")]


def test_questions_come_one_at_a_time_after_the_plan_is_complete():
    active = 0
    seen: list[tuple[int, int]] = []

    async def approver(request: ApprovalRequest) -> bool:
        nonlocal active
        active += 1
        seen.append((active, len(request.plan)))
        await asyncio.sleep(0.01)
        active -= 1
        return request.acts[0].args[0] == "+1 555 0101"

    plan = parse_plan('1. send("+1 555 0100", "a")\n2. send("+1 555 0101", "b")\n3. log("x")\n4. join()', TOOLS)

    async def trickle():
        for task in plan.tasks:
            yield task
            await asyncio.sleep(0.01)  # the model is still writing

    sent.clear()
    results = asyncio.run(Executor(TOOLS, approve=approver).run(trickle()))
    assert seen == [(1, 3), (1, 3)]  # never two questions at once, always the complete plan
    assert sent == [("+1 555 0101", "b")]
    assert results[1].status == "declined" and results[2].ok and results[3].ok


def test_an_approver_that_fails_does_not_send():
    async def broken(request: ApprovalRequest) -> bool:
        raise RuntimeError("the page went away")

    _, results, _ = run(PLAN, broken)
    assert sent == [] and results[2].status == "error" and "the page went away" in results[2].error


@pytest.mark.parametrize(
    ("args", "act"),
    [
        (["+1 555 0100", "hi"], "text +1 555 0100: 'hi'"),
        (["+0 test", "hi"], None),  # the tool says this call is undoable
        (["+1 555 0100"], None),  # wrong arity: the call fails before it could act
        ([["+1"], "hi"], None),  # wrong type: the same
    ],
)
def test_irreversible_act_is_declared_by_the_tool(args, act):
    assert TOOLS["send"].irreversible_act(args) == act
    assert TOOLS["log"].irreversible_act(["x"]) is None


def test_an_approver_that_cannot_ask_gives_its_reason():
    async def nobody(request: ApprovalRequest) -> bool:
        raise ConsentUnavailable("not confirmed: no terminal to ask on")

    _, results, _events = run(PLAN, nobody)
    assert sent == [] and results[2].status == "declined"
    assert results[2].error == "not confirmed: no terminal to ask on"
    assert results[3].status == "skipped"


def test_only_true_approves():
    async def vague(request: ApprovalRequest) -> bool:
        return "yes"  # type: ignore[return-value]  # a string is not consent

    _, results, _ = run(PLAN, vague)
    assert sent == [] and results[2].status == "declined"


def test_the_agent_does_not_replan_after_a_refusal(scripted_llm):
    """A new plan would only ask the same question again: a refusal ends the run, even if the joiner wants more."""
    from edgecall.planner import Planner
    from edgecall.runtime import Agent, LLMJoiner

    llm = scripted_llm('1. send("+1 555 0100", "late")\n2. join()', "Action: Replan(send it anyway)",
                       '1. send("+1 555 0100", "late")\n2. join()')
    approver = Recorder(False, True)
    sent.clear()
    result = Agent(Planner(llm, TOOLS, grammar=False), joiner=LLMJoiner(llm), approve=approver).run("text Ann")
    assert len(result.rounds) == 1 and len(approver.requests) == 1 and sent == []
    assert result.answer == f"Did not send: {DECLINED}" and not result.ok


def test_a_refusal_in_a_plan_that_turns_out_invalid_is_not_asked_again(scripted_llm):
    from edgecall.planner import Planner
    from edgecall.runtime import Agent

    llm = scripted_llm('1. send("+1 555 0100", "late")\n2. sned("x")\n3. join()',
                       '1. send("+1 555 0100", "late")\n2. join()')
    approver = Recorder(False, True)
    sent.clear()
    result = Agent(Planner(llm, TOOLS, grammar=False), approve=approver).run("text Ann")
    assert len(result.rounds) == 1 and len(approver.requests) == 1 and sent == []
    assert result.rounds[0].results[1].status == "declined"
