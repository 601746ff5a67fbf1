"""The parallel executor: concurrency, dependencies, failures, timeouts, streaming input, events."""

from __future__ import annotations

import asyncio
import threading
import time

from edgecall.plan import parse_plan
from edgecall.runtime import EventKind, Executor
from edgecall.runtime.executor import resolve_args
from edgecall.tools import ToolError, Toolset, tool

calls: list[tuple[str, float]] = []


@tool
def slow_lookup(name: str) -> str:
    """A blocking lookup that takes 0.3 s (runs in a worker thread)."""
    calls.append((f"start {name}", time.perf_counter()))
    time.sleep(0.3)
    calls.append((f"end {name}", time.perf_counter()))
    return f"{name}@example.org"


@tool
async def async_lookup(name: str) -> str:
    """The same, as a coroutine."""
    await asyncio.sleep(0.3)
    return name.upper()


@tool
def combine(items: list[str], note: str) -> str:
    """Join things."""
    return f"{note}: " + " + ".join(items)


@tool
def broken(name: str) -> str:
    """Always fails the way a tool reports expected failures."""
    raise ToolError(f"no contact named {name!r}")


@tool
def crashing(name: str) -> str:
    """A buggy tool."""
    raise RuntimeError("bug")


@tool
def hang(seconds: float) -> str:
    """Blocks too long."""
    time.sleep(seconds)
    return "late"


@tool
def typed(count: int) -> int:
    """Needs an int."""
    return count * 2


TOOLS = Toolset([slow_lookup, async_lookup, combine, broken, crashing, hang, typed])


def run(text: str, **kw):
    events = []
    ex = Executor(TOOLS, on_event=events.append, **kw)
    results = asyncio.run(ex.run(parse_plan(text, TOOLS).tasks))
    return results, events


def test_independent_tasks_run_concurrently():
    results, events = run('1. slow_lookup("a")\n2. slow_lookup("b")\n3. async_lookup("c")\n4. join()')
    assert [results[i].value for i in (1, 2, 3)] == ["a@example.org", "b@example.org", "C"]
    # overlap, from the executor's own records: every task started before any of them finished
    assert max(results[i].started for i in (1, 2, 3)) < min(results[i].finished for i in (1, 2, 3))
    kinds = [e.kind for e in events if e.kind in (EventKind.STARTED, EventKind.FINISHED)]
    assert kinds[:3] == [EventKind.STARTED] * 3


def test_dependent_task_waits_and_gets_values():
    calls.clear()
    results, _ = run(
        '1. slow_lookup("a")\n2. slow_lookup("b")\n3. combine(["$1", "$2"], "to $1 and $2")\n4. join()'
    )
    assert results[3].value == "to a@example.org and b@example.org: a@example.org + b@example.org"
    assert results[3].started >= max(results[1].finished, results[2].finished)


def test_failure_skips_dependents_but_not_the_rest():
    results, events = run('1. broken("Zed")\n2. combine(["$1"], "x")\n3. slow_lookup("a")\n4. join()')
    assert results[1].status == "error" and "no contact named 'Zed'" in results[1].error
    assert results[2].status == "skipped" and "step 1 (broken) error" in results[2].error
    assert results[3].ok
    kinds = {(e.idx, e.kind) for e in events}
    assert (1, EventKind.FAILED) in kinds and (2, EventKind.SKIPPED) in kinds and (3, EventKind.FINISHED) in kinds


def test_tool_bug_is_recorded_not_raised():
    results, _ = run('1. crashing("x")\n2. join()')
    assert results[1].status == "error" and "RuntimeError: bug" in results[1].error
    assert not results[1].fixable


def test_wrong_runtime_type_is_a_fixable_error():
    results, _ = run('1. slow_lookup("a")\n2. typed("$1")\n3. join()')
    assert results[2].status == "error" and "count must be int" in results[2].error
    assert results[2].fixable


def test_timeout():
    release, stuck_done = threading.Event(), threading.Event()

    @tool
    def stuck(name: str) -> str:
        """Blocks until the test releases it."""
        release.wait(30)
        stuck_done.set()
        return name

    tools = Toolset([stuck, slow_lookup])
    try:
        results = asyncio.run(Executor(tools, timeout=0.5).run(
            parse_plan('1. stuck("x")\n2. slow_lookup("a")\n3. join()', tools).tasks))
        # the executor returned while the stuck tool's thread is still blocked: the plan did not wait for it
        assert not stuck_done.is_set()
    finally:
        release.set()
    assert results[1].status == "error" and "timed out after 0.5s and is still running" in results[1].error
    assert results[2].ok


def test_events_have_order_and_timestamps():
    _, events = run('1. slow_lookup("a")\n2. combine(["$1"], "n")\n3. join()')
    seq = [(e.idx, e.kind) for e in events]
    assert seq.index((1, EventKind.PLANNED)) < seq.index((1, EventKind.STARTED)) < seq.index((1, EventKind.FINISHED))
    assert seq.index((1, EventKind.FINISHED)) < seq.index((2, EventKind.STARTED))
    assert all(e.time > 0 for e in events)
    assert events[-1].to_dict()["event"] == "finished"


def test_streamed_tasks_start_before_the_stream_ends():
    plan = parse_plan('1. slow_lookup("a")\n2. slow_lookup("b")\n3. join()', TOOLS)

    async def trickle():
        for task in plan.tasks:
            yield task
            await asyncio.sleep(0.2)  # the model is still writing the next line

    events = []
    asyncio.run(Executor(TOOLS, on_event=events.append).run(trickle()))
    seq = [(e.idx, e.kind) for e in events]
    # task 1 ran while task 2 was not yet planned (the executor's own event order and timestamps)
    assert seq.index((1, EventKind.STARTED)) < seq.index((2, EventKind.PLANNED))
    time_of = {(e.idx, e.kind): e.time for e in events}
    assert time_of[(1, EventKind.STARTED)] < time_of[(2, EventKind.PLANNED)] <= time_of[(2, EventKind.STARTED)]


def test_resolve_args_exact_and_interpolated():
    values = {1: ["a", "b"], 2: 7}
    assert resolve_args(["$1", "n=$2", {"k": "${2}"}], values) == [["a", "b"], "n=7", {"k": 7}]
    assert resolve_args("list: $1", values) == "list: a, b"


def test_sync_tools_really_use_threads():
    seen: set[int] = set()

    @tool
    def who(n: int) -> int:
        """Record the thread."""
        seen.add(threading.get_ident())
        time.sleep(0.05)
        return n

    ts = Toolset([who])
    asyncio.run(Executor(ts).run(parse_plan("1. who(1)\n2. who(2)\n3. join()", ts).tasks))
    assert len(seen) == 2
