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
from .approval import DECLINED, ApprovalRequest, Approver, PendingAct
from .events import Event, EventHandler, EventKind


@dataclass
class TaskResult:
    idx: int
    tool: str
    args: tuple[Any, ...]
    status: str  # "ok" | "error" | "skipped" | "declined" (the approver refused an irreversible act)
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
    """Runs a plan's tasks with maximal parallelism; see `run`.

    With an `approve` hook, a task whose tool declares the call irreversible (a message
    really sent) waits until the plan is complete, then for the approver's answer; a
    refusal reports the task as declined (not run) and skips its dependents. Without one,
    nothing is asked.
    """

    def __init__(
        self,
        tools: Toolset,
        *,
        timeout: float = 60.0,
        on_event: EventHandler | None = None,
        approve: Approver | None = None,
    ) -> None:
        self.tools = tools
        self.timeout = timeout
        self.on_event = on_event
        self.approve = approve

    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(event)

    async def run(self, tasks: Iterable[Task] | AsyncIterable[Task]) -> dict[int, TaskResult]:
        """Execute tasks (a list, or an async stream from the planner); returns results by step."""
        done: dict[int, asyncio.Future[TaskResult]] = {}
        running: list[asyncio.Task[TaskResult]] = []
        loop = asyncio.get_running_loop()
        self._planned: list[Task] = []
        self._plan_complete = asyncio.Event()
        self._asking = asyncio.Lock()

        def submit(task: Task) -> None:
            fut: asyncio.Future[TaskResult] = loop.create_future()
            done[task.idx] = fut
            self._planned.append(task)
            self._emit(Event(EventKind.PLANNED, task.idx, task.tool, args=task.args))
            running.append(asyncio.ensure_future(self._run_one(task, done, fut)))

        try:
            if isinstance(tasks, AsyncIterable):
                async for task in tasks:
                    submit(task)
            else:
                for task in tasks:
                    submit(task)
        finally:
            self._plan_complete.set()
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
        if not await self._approved(task, args):
            return self._decline(task, args)
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

    async def _approved(self, task: Task, args: tuple[Any, ...]) -> bool:
        """Ask the approver about an irreversible call (one question at a time, plan complete)."""
        if self.approve is None or task.tool not in self.tools:
            return True
        act = self.tools[task.tool].irreversible_act(args)
        if act is None:
            return True
        await self._plan_complete.wait()
        async with self._asking:
            request = ApprovalRequest((PendingAct(task.idx, task.tool, tuple(args), act),), tuple(self._planned))
            return bool(await self.approve(request))

    def _decline(self, task: Task, args: tuple[Any, ...]) -> TaskResult:
        self._emit(Event(EventKind.SKIPPED, task.idx, task.tool, args=args, error=DECLINED))
        return TaskResult(task.idx, task.tool, args, "declined", error=DECLINED)

    def _skip(self, task: Task, reason: str) -> TaskResult:
        error = f"skipped: {reason}"
        self._emit(Event(EventKind.SKIPPED, task.idx, task.tool, args=task.args, error=error))
        return TaskResult(task.idx, task.tool, task.args, "skipped", error=error)
