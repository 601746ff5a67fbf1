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
    t0 = time.perf_counter()
    results, _ = run('1. slow_lookup("a")\n2. slow_lookup("b")\n3. async_lookup("c")\n4. join()')
    took = time.perf_counter() - t0
    assert took < 0.6, f"three 0.3 s tools took {took:.2f}s: not parallel"
    assert [results[i].value for i in (1, 2, 3)] == ["a@example.org", "b@example.org", "C"]


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
    async def go():
        t0 = time.perf_counter()
        ex = Executor(TOOLS, timeout=0.5)
        results = await ex.run(parse_plan('1. hang(1.5)\n2. slow_lookup("a")\n3. join()', TOOLS).tasks)
        return results, time.perf_counter() - t0

    results, took = asyncio.run(go())
    assert results[1].status == "error" and "timed out after 0.5s and is still running" in results[1].error
    assert results[2].ok
    assert took < 1.5  # the plan does not wait for the stuck tool's thread (it sleeps 1.5 s)


def test_events_have_order_and_timestamps():
    _, events = run('1. slow_lookup("a")\n2. combine(["$1"], "n")\n3. join()')
    seq = [(e.idx, e.kind) for e in events]
    assert seq.index((1, EventKind.PLANNED)) < seq.index((1, EventKind.STARTED)) < seq.index((1, EventKind.FINISHED))
    assert seq.index((1, EventKind.FINISHED)) < seq.index((2, EventKind.STARTED))
    assert all(e.time > 0 for e in events)
    assert events[-1].to_dict()["event"] == "finished"


def test_streamed_tasks_start_before_the_stream_ends():
    plan = parse_plan('1. slow_lookup("a")\n2. slow_lookup("b")\n3. join()', TOOLS)
    started_at: dict[int, float] = {}

    async def trickle():
        for task in plan.tasks:
            yield task
            await asyncio.sleep(0.2)  # the model is still writing the next line

    def on_event(ev):
        if ev.kind is EventKind.STARTED:
            started_at[ev.idx] = ev.time

    t0 = time.time()
    asyncio.run(Executor(TOOLS, on_event=on_event).run(trickle()))
    assert started_at[1] - t0 < 0.1  # task 1 ran while task 2 was not yet planned
    assert started_at[2] - t0 >= 0.2


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
