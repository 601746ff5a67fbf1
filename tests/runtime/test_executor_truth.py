"""The executor reports what happened: timeouts, queueing, cycles, duplicates, cancellation, stream failures.

The side-effect test runs the real assistant tools on real store files with a real SMS command
(a subprocess), so "the outbox and the reported status agree" is checked on disk.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest

from edgecall.assistant import AssistantConfig, Store, assistant_toolset
from edgecall.errors import LLMError, PlanValidationError
from edgecall.plan import Task, parse_plan
from edgecall.runtime import Executor
from edgecall.runtime import executor as executor_mod
from edgecall.tools import Toolset, tool
from edgecall.tools.cancel import checkpoint

SLOW_SMS = """
import sys, time
time.sleep(float(sys.argv[1]))
open(sys.argv[2], "a").write(sys.argv[3] + "\\n")  # the message "leaves the phone"
"""


def sms_tools(root: Path, delay: float) -> Toolset:
    sent_log = root / "really-sent.txt"
    cfg = AssistantConfig(
        data_dir=root, sms_command=(sys.executable, "-c", SLOW_SMS, str(delay), str(sent_log), "{number}")
    )
    return assistant_toolset(store=Store(root, config=cfg), config=cfg)


def outbox(root: Path) -> list[dict]:
    path = root / "sms" / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_slow_sms_and_short_timeout_the_outbox_and_the_status_agree(tmp_path):
    tools = sms_tools(tmp_path, delay=3.0)
    plan = parse_plan('1. send_sms(["+1 555 0100"], "running late")\n2. join()', tools)
    results = asyncio.run(Executor(tools, timeout=0.5).run(plan.tasks))
    assert results[1].status == "error"
    assert "timed out after 0.5s" in results[1].error and "killed" not in results[1].error.split(";")[0]
    time.sleep(3.5)  # long enough for the command to have sent the SMS, had it not been stopped
    assert not (tmp_path / "really-sent.txt").exists(), "reported as failed, yet the SMS was sent"
    assert outbox(tmp_path) == []


def test_a_sent_sms_is_reported_and_recorded(tmp_path):
    tools = sms_tools(tmp_path, delay=0.0)
    plan = parse_plan('1. send_sms(["+1 555 0100", "+1 555 0101"], "hi")\n2. join()', tools)
    results = asyncio.run(Executor(tools, timeout=30).run(plan.tasks))
    assert results[1].ok, results[1].error
    assert (tmp_path / "really-sent.txt").read_text().split() == ["+1", "555", "0100", "+1", "555", "0101"]
    assert [(r["to"], r["status"]) for r in outbox(tmp_path)] == [(["+1 555 0100", "+1 555 0101"], "sent")]


@tool
def nap(seconds: float) -> str:
    """Sleeps in its worker thread."""
    time.sleep(seconds)
    return "rested"


@tool
def careful_write(path: str, seconds: float) -> str:
    """Works, then writes a file, checking first that its step was not given up on."""
    time.sleep(seconds)
    checkpoint(f"writing {path}")
    Path(path).write_text("written")
    return "written"


@tool
def own_timeout(x: str) -> str:
    """Fails with its own TimeoutError (a lock or socket timeout)."""
    raise TimeoutError("the lock on contacts/ is busy")


@tool
def combine(items: list[str], note: str) -> str:
    """Joins things."""
    return note + ": " + ", ".join(items)


@tool
async def async_nap(seconds: float) -> str:
    """Sleeps on the loop."""
    await asyncio.sleep(seconds)
    return "rested"


TOOLS = Toolset([nap, careful_write, own_timeout, combine, async_nap])


def test_waiting_for_a_worker_thread_does_not_count_against_the_timeout():
    tasks = [Task(i, "nap", (0.2,)) for i in range(1, 41)]
    results = asyncio.run(Executor(TOOLS, timeout=1.0, max_workers=4).run(tasks))
    assert [r.status for r in results.values()].count("ok") == 40, {r.error for r in results.values()}


def test_a_tool_stopped_at_its_checkpoint_does_not_act_later(tmp_path, monkeypatch):
    target = tmp_path / "late.txt"
    monkeypatch.setattr(executor_mod, "GRACE_S", 0.05)
    results = asyncio.run(Executor(TOOLS, timeout=0.2).run([Task(1, "careful_write", (str(target), 0.6))]))
    assert results[1].status == "error" and "timed out after 0.2s and is still running" in results[1].error
    time.sleep(0.8)
    assert not target.exists()
    assert results[1].late == f"failed later: stopped before writing {target}: timed out after 0.2s"


def test_a_tool_that_stops_within_the_grace_period_is_reported_as_stopped(tmp_path, monkeypatch):
    target = tmp_path / "late.txt"
    monkeypatch.setattr(executor_mod, "GRACE_S", 5.0)
    results = asyncio.run(Executor(TOOLS, timeout=0.2).run([Task(1, "careful_write", (str(target), 0.4))]))
    assert results[1].error == f"timed out after 0.2s; stopped before writing {target}"
    assert not target.exists()


def test_a_tool_that_cannot_be_stopped_is_reported_as_still_running(monkeypatch):
    monkeypatch.setattr(executor_mod, "GRACE_S", 0.1)
    results = asyncio.run(Executor(TOOLS, timeout=0.2).run([Task(1, "nap", (0.8,))]))
    assert "timed out after 0.2s and is still running" in results[1].error
    time.sleep(1.0)
    assert results[1].late == "finished later: rested"


def test_a_tools_own_timeout_error_is_not_reported_as_the_executors():
    results = asyncio.run(Executor(TOOLS, timeout=60).run([Task(1, "own_timeout", ("x",))]))
    assert results[1].error == "TimeoutError: the lock on contacts/ is busy"


@pytest.mark.parametrize(
    ("tasks", "fragment"),
    [
        ([Task(1, "combine", (["$1"], "self"))], "$1 refers to its own step"),
        ([Task(1, "combine", (["$2"], "a")), Task(2, "combine", (["$1"], "b"))], "cycle: step 1 needs step 2"),
        ([Task(1, "nap", (0.0,)), Task(1, "nap", (0.0,))], "duplicate step number 1"),
        ([Task(1, "combine", (["$7"], "a"))], "step 7, which does not exist"),
    ],
)
def test_bad_structure_through_the_python_api_is_rejected_not_hung(tasks, fragment):
    async def go():
        return await asyncio.wait_for(Executor(TOOLS).run(tasks), timeout=10)

    with pytest.raises(PlanValidationError) as info:
        asyncio.run(go())
    assert fragment in str(info.value)


def test_a_bad_task_in_a_stream_is_rejected_after_what_started_finished():
    async def stream():
        yield Task(1, "async_nap", (0.2,))
        yield Task(1, "nap", (0.0,))

    async def go():
        return await asyncio.wait_for(Executor(TOOLS).run(stream()), timeout=10)

    with pytest.raises(PlanValidationError, match="duplicate step number 1") as info:
        asyncio.run(go())
    assert info.value.results[1].value == "rested"


def test_when_the_plan_stream_fails_started_tasks_are_awaited_and_reported():
    async def stream():
        yield Task(1, "async_nap", (0.2,))
        raise LLMError("the model server at http://127.0.0.1:1/v1 went away")

    with pytest.raises(LLMError) as info:
        asyncio.run(Executor(TOOLS).run(stream()))
    assert info.value.results[1].ok and info.value.results[1].value == "rested"


def test_cancelling_a_run_cancels_its_calls_and_raises_cancelled(tmp_path):
    target = tmp_path / "never.txt"

    async def go():
        run = asyncio.ensure_future(
            Executor(TOOLS).run([Task(1, "careful_write", (str(target), 0.4)), Task(2, "async_nap", (5.0,))])
        )
        await asyncio.sleep(0.1)
        run.cancel()
        return await run

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(go())
    time.sleep(0.6)
    assert not target.exists()


class DyingLLM:
    """Writes the first step of a plan, then its server dies (the failure a local HTTP server can have mid-stream)."""

    name = "dying"

    def stream(self, prompt, *, stop=None, max_tokens=256, temperature=0.0, grammar=None):
        from edgecall.llm.base import Completion, CompletionStream

        def chunks():
            yield '1. combine(["a"], "x")\n'
            time.sleep(0.2)
            raise LLMError("the model server at http://127.0.0.1:9/v1 closed the connection")

        return CompletionStream(chunks(), lambda text, ttft, s: Completion(text, None, None, s, ttft))


def test_the_answer_says_what_ran_when_the_model_fails_mid_plan():
    from edgecall.planner import Planner
    from edgecall.runtime import Agent

    agent = Agent(Planner(DyingLLM(), TOOLS, grammar=False))
    result = agent.run("combine a")
    assert not result.ok
    assert result.answer.startswith("The model failed while planning: the model server at http://127.0.0.1:9/v1")
    assert "step 1 (combine) ran: x: a" in result.answer
    assert result.rounds[0].results[1].value == "x: a"
