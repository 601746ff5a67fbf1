"""The task fetching unit: run each task the moment the tasks it references are done.

Tasks may arrive while the planner is still streaming; independent tasks overlap (async
tools on the loop, sync tools in worker threads). A failure is recorded and only the tasks
that depend on it are skipped, with the reason, so one bad lookup does not waste the rest.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from typing import Any

from ..plan.model import REF_RE, Task, exact_ref
from ..tools import ToolArgumentError, ToolError, Toolset
from .events import Event, EventHandler, EventKind


@dataclass
class TaskResult:
    idx: int
    tool: str
    args: tuple[Any, ...]
    status: str  # "ok" | "error" | "skipped"
    value: Any = None
    error: str | None = None
    started: float | None = None
    finished: float | None = None
    fixable: bool = False  # a replan could fix it (the plan passed wrong arguments)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def seconds(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started

    def to_dict(self) -> dict[str, Any]:
        return {
            "idx": self.idx,
            "tool": self.tool,
            "args": list(self.args),
            "status": self.status,
            "value": self.value,
            "error": self.error,
            "seconds": self.seconds,
        }


def resolve_args(value: Any, results: dict[int, Any]) -> Any:
    """Substitute `$k`: an exact reference takes the value as is, one inside text is interpolated."""
    k = exact_ref(value)
    if k is not None:
        return results[k]
    if isinstance(value, str):
        return REF_RE.sub(lambda m: _as_text(results[int(m.group(1) or m.group(2))]), value)
    if isinstance(value, list):
        return [resolve_args(v, results) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve_args(v, results) for v in value)
    if isinstance(value, dict):
        return {k2: resolve_args(v, results) for k2, v in value.items()}
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class Executor:
    """Runs a plan's tasks with maximal parallelism; see `run`."""

    def __init__(self, tools: Toolset, *, timeout: float = 60.0, on_event: EventHandler | None = None) -> None:
        self.tools = tools
        self.timeout = timeout
        self.on_event = on_event

    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(event)

    async def run(self, tasks: Iterable[Task] | AsyncIterable[Task]) -> dict[int, TaskResult]:
        """Execute tasks (a list, or an async stream from the planner); returns results by step."""
        done: dict[int, asyncio.Future[TaskResult]] = {}
        running: list[asyncio.Task[TaskResult]] = []
        loop = asyncio.get_running_loop()

        def submit(task: Task) -> None:
            fut: asyncio.Future[TaskResult] = loop.create_future()
            done[task.idx] = fut
            self._emit(Event(EventKind.PLANNED, task.idx, task.tool, args=task.args))
            running.append(asyncio.ensure_future(self._run_one(task, done, fut)))

        if isinstance(tasks, AsyncIterable):
            async for task in tasks:
                submit(task)
        else:
            for task in tasks:
                submit(task)
        results = await asyncio.gather(*running)
        return {r.idx: r for r in results}

    async def _run_one(
        self, task: Task, done: dict[int, asyncio.Future[TaskResult]], fut: asyncio.Future[TaskResult]
    ) -> TaskResult:
        try:
            result = await self._execute(task, done)
        except BaseException as exc:  # never leave dependents waiting forever
            result = TaskResult(task.idx, task.tool, task.args, "error", error=f"internal error: {exc!r}")
        fut.set_result(result)
        return result

    async def _execute(self, task: Task, done: dict[int, asyncio.Future[TaskResult]]) -> TaskResult:
        missing = [d for d in task.deps if d not in done]
        if missing:
            return self._skip(task, f"refers to step(s) {missing} that are not in the plan")
        deps = {d: await done[d] for d in task.deps}
        bad = [r for r in deps.values() if not r.ok]
        if bad:
            return self._skip(task, "; ".join(f"step {r.idx} ({r.tool}) {r.status}" for r in bad))
        args = resolve_args(task.args, {d: r.value for d, r in deps.items()})
        started = time.time()
        self._emit(Event(EventKind.STARTED, task.idx, task.tool, time=started, args=args))
        try:
            tool = self.tools[task.tool]
            value = await asyncio.wait_for(tool.acall(args), timeout=self.timeout)
        except TimeoutError:
            return self._fail(task, args, started, f"timed out after {self.timeout:g}s")
        except ToolArgumentError as exc:
            return self._fail(task, args, started, str(exc), fixable=True)
        except ToolError as exc:
            return self._fail(task, args, started, str(exc))
        except Exception as exc:  # a tool bug: record it, keep the rest of the plan going
            return self._fail(task, args, started, f"{type(exc).__name__}: {exc}")
        finished = time.time()
        self._emit(Event(EventKind.FINISHED, task.idx, task.tool, time=finished, args=args, result=value))
        return TaskResult(task.idx, task.tool, args, "ok", value=value, started=started, finished=finished)

    def _fail(
        self, task: Task, args: tuple[Any, ...], started: float, error: str, *, fixable: bool = False
    ) -> TaskResult:
        finished = time.time()
        self._emit(Event(EventKind.FAILED, task.idx, task.tool, time=finished, args=args, error=error))
        return TaskResult(
            task.idx, task.tool, args, "error", error=error, started=started, finished=finished, fixable=fixable
        )

    def _skip(self, task: Task, reason: str) -> TaskResult:
        error = f"skipped: {reason}"
        self._emit(Event(EventKind.SKIPPED, task.idx, task.tool, args=task.args, error=error))
        return TaskResult(task.idx, task.tool, task.args, "skipped", error=error)
