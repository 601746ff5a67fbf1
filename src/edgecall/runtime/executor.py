"""The task fetching unit: run each task the moment the tasks it references are done.

Tasks may arrive while the planner is still streaming; independent tasks overlap (async
tools on the loop, sync tools in worker threads). A failure is recorded and only the tasks
that depend on it are skipped, with the reason, so one bad lookup does not waste the rest.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import ToolArgumentError, ToolCancelled, ToolError
from ..limits import MAX_INTERPOLATED_CHARS, cap_value
from ..plan.model import REF_RE, Plan, Task, exact_ref
from ..plan.parser import check_step_order, check_structure
from ..tools import Toolset
from ..tools.cancel import CallScope, reset_scope, use_scope
from .approval import DECLINED, ApprovalRequest, Approver, ConsentUnavailable, PendingAct
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
    late: str | None = None  # what a call reported as still running did afterwards

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
            "value": cap_value(self.value),
            "error": self.error,
            "seconds": self.seconds,
            "late": self.late,
        }


def resolve_args(value: Any, results: dict[int, Any]) -> Any:
    """Substitute `$k`: an exact reference takes the value as is, one inside text is interpolated."""
    k = exact_ref(value)
    if k is not None:
        return results[k]
    if isinstance(value, str):
        return _interpolate(value, results) if REF_RE.search(value) else value
    if isinstance(value, list):
        return [resolve_args(v, results) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve_args(v, results) for v in value)
    if isinstance(value, dict):
        return {k2: resolve_args(v, results) for k2, v in value.items()}
    return value


def _interpolate(text: str, results: dict[int, Any]) -> str:
    """Fill each `$k` inside `text`, never building more than `MAX_INTERPOLATED_CHARS` (plus a marker).

    `"$1"` repeated 10,000 times with a 30 KB result would otherwise build a 300 MB string.
    """
    parts: list[str] = []
    size, full, chars, pos = 0, 0, 0, 0
    values: dict[int, tuple[str, int]] = {}  # k -> (text, UTF-8 size), each result encoded once
    for m in REF_RE.finditer(text):
        k = int(m.group(1) or m.group(2))
        if k not in values:
            as_text = _as_text(results[k])
            values[k] = (as_text, len(as_text.encode("utf-8", errors="surrogatepass")))
        literal = text[pos : m.start()]
        for piece, nbytes in ((literal, len(literal.encode("utf-8", errors="surrogatepass"))), values[k]):
            full += nbytes
            chars += len(piece)
            if size < MAX_INTERPOLATED_CHARS:
                piece = piece[: MAX_INTERPOLATED_CHARS - size]
                parts.append(piece)
                size += len(piece)
        pos = m.end()
    tail = text[pos:]
    full += len(tail.encode("utf-8", errors="surrogatepass"))
    parts.append(tail[: max(0, MAX_INTERPOLATED_CHARS - size)])
    out = "".join(parts)
    cut = chars + len(tail) > MAX_INTERPOLATED_CHARS
    return f"{out}… [truncated, {full:,} bytes]" if cut else out


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


GRACE_S = 0.25
"""After a timeout, how long a cancelled call gets to stop at its checkpoint before it is reported as still running."""

DEFAULT_WORKERS = 16


class Executor:
    """Runs a plan's tasks with maximal parallelism; see `run`.

    With an `approve` hook, a task whose tool declares the call irreversible (a message
    really sent) waits until the plan is complete, then for the approver's answer; a
    refusal reports the task as declined (not run) and skips its dependents. Without one,
    nothing is asked.

    What is reported is what happened. Sync tools run in this executor's own pool of
    `max_workers` threads, and `timeout` counts from the moment a call has its thread (a
    queue of 60 tasks does not time out the last ones). A call that overruns is cancelled
    through its `CallScope` (`edgecall.tools.cancel`): store writes and sends check it right
    before they act and subprocesses are killed, so a step reported "timed out" does not
    act later. If a call does not stop within `GRACE_S`, it is reported as still running,
    with what it may still do, and its late outcome is recorded on the result.
    """

    def __init__(
        self,
        tools: Toolset,
        *,
        timeout: float = 60.0,
        on_event: EventHandler | None = None,
        approve: Approver | None = None,
        max_workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.tools = tools
        self.timeout = timeout
        self.on_event = on_event
        self.approve = approve
        self.max_workers = max_workers

    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(event)

    async def run(self, tasks: Iterable[Task] | AsyncIterable[Task]) -> dict[int, TaskResult]:
        """Execute tasks (a list, or an async stream from the planner); returns results by step.

        Steps may only refer to steps given before them: a list is checked as a whole before
        anything runs, a stream task by task (`PlanValidationError`: duplicate numbers,
        self-references, cycles, unknown steps). If the stream fails, or a bad task arrives,
        the tasks already started are awaited before the error is raised (their results are on
        the error as `results`); if the run is cancelled, every call is cancelled too.
        """
        done: dict[int, asyncio.Future[TaskResult]] = {}
        running: list[asyncio.Task[TaskResult]] = []
        loop = asyncio.get_running_loop()
        self._planned: list[Task] = []
        self._plan_complete = asyncio.Event()
        self._asking = asyncio.Lock()
        self._scopes: set[CallScope] = set()
        self._pool = concurrent.futures.ThreadPoolExecutor(self.max_workers, thread_name_prefix="edgecall-tool")

        def submit(task: Task) -> None:
            check_step_order(task, done)  # anything else would wait forever
            fut: asyncio.Future[TaskResult] = loop.create_future()
            done[task.idx] = fut
            self._planned.append(task)
            self._emit(Event(EventKind.PLANNED, task.idx, task.tool, args=task.args))
            running.append(asyncio.ensure_future(self._run_one(task, done, fut)))

        try:
            try:
                if isinstance(tasks, AsyncIterable):
                    async for task in tasks:
                        submit(task)
                else:
                    task_list = list(tasks)
                    check_structure(Plan(tuple(task_list), has_join=False), require_join=False)
                    for task in task_list:
                        submit(task)
            finally:
                self._plan_complete.set()
            results = await asyncio.gather(*running)
        except asyncio.CancelledError:
            for scope in list(self._scopes):
                scope.cancel("the run was cancelled")
            for t in running:
                t.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise
        except Exception as exc:  # the stream failed or a bad task came: never abandon what started
            finished = await asyncio.gather(*running, return_exceptions=True)
            exc.results = {r.idx: r for r in finished if isinstance(r, TaskResult)}  # type: ignore[attr-defined]
            raise
        finally:
            self._pool.shutdown(wait=False)
        return {r.idx: r for r in results}

    async def _run_one(
        self, task: Task, done: dict[int, asyncio.Future[TaskResult]], fut: asyncio.Future[TaskResult]
    ) -> TaskResult:
        try:
            result = await self._execute(task, done)
        except asyncio.CancelledError:
            fut.cancel()  # dependents are cancelled with it, never left waiting
            raise
        except Exception as exc:  # an executor bug: never leave dependents waiting forever
            result = TaskResult(task.idx, task.tool, task.args, "error", error=f"internal error: {exc!r}")
        fut.set_result(result)
        return result

    async def _execute(self, task: Task, done: dict[int, asyncio.Future[TaskResult]]) -> TaskResult:
        deps = {d: await done[d] for d in task.deps}
        bad = [r for r in deps.values() if not r.ok]
        if bad:
            return self._skip(task, "; ".join(f"step {r.idx} ({r.tool}) {r.status}" for r in bad))
        args = resolve_args(task.args, {d: r.value for d, r in deps.items()})
        refusal = await self._refusal(task, args)
        if refusal is not None:
            return self._decline(task, args, refusal)
        if task.tool not in self.tools:
            return self._fail(task, args, time.time(), f"unknown tool {task.tool!r}; known: {', '.join(self.tools.names())}")
        return await self._call(task, args)

    async def _call(self, task: Task, args: tuple[Any, ...]) -> TaskResult:
        """Run one call under its own timeout and `CallScope`; report only what is true."""
        loop = asyncio.get_running_loop()
        has_thread = asyncio.Event()
        scope = CallScope(self.timeout, on_start=lambda: _ignore(loop.call_soon_threadsafe(has_thread.set)))
        started = time.time()
        self._emit(Event(EventKind.STARTED, task.idx, task.tool, time=started, args=args))
        token = use_scope(scope)
        try:
            call = asyncio.ensure_future(self.tools[task.tool].acall(args, pool=self._pool))
        finally:
            reset_scope(token)
        self._scopes.add(scope)
        try:
            waiting = asyncio.ensure_future(has_thread.wait())
            await asyncio.wait({call, waiting}, return_when=asyncio.FIRST_COMPLETED)  # queueing does not count
            waiting.cancel()
            await asyncio.wait({call}, timeout=self.timeout)
            if not call.done():
                timed_out = f"timed out after {self.timeout:g}s"
                scope.cancel(timed_out)
                if self.tools[task.tool].is_async:
                    call.cancel()  # stops at its next await; a thread cannot be stopped, only told (the scope)
                await asyncio.wait({call}, timeout=GRACE_S)
                if not call.done():
                    result = self._fail(
                        task, args, started,
                        f"{timed_out} and is still running: what it does (e.g. a send) may still happen",
                    )
                    scope.on_finish(lambda outcome: setattr(result, "late", outcome))  # in the thread, even after the loop ends
                    return result
                if call.cancelled() or isinstance(call.exception(), ToolCancelled):
                    reason = call.exception() if not call.cancelled() else None
                    detail = f"; {str(reason).split(':')[0]}" if reason else "; it was stopped"
                    return self._fail(task, args, started, timed_out + detail)
            return self._outcome(task, args, started, call)
        except asyncio.CancelledError:
            scope.cancel("the run was cancelled")
            call.cancel()
            raise
        finally:
            self._scopes.discard(scope)

    def _outcome(self, task: Task, args: tuple[Any, ...], started: float, call: asyncio.Future[Any]) -> TaskResult:
        exc = call.exception()
        if exc is None:
            finished = time.time()
            value = call.result()
            self._emit(Event(EventKind.FINISHED, task.idx, task.tool, time=finished, args=args, result=value))
            return TaskResult(task.idx, task.tool, args, "ok", value=value, started=started, finished=finished)
        if isinstance(exc, ToolArgumentError):
            return self._fail(task, args, started, str(exc), fixable=True)
        if isinstance(exc, ToolError):
            return self._fail(task, args, started, str(exc))
        if isinstance(exc, Exception):  # a tool bug (its own TimeoutError too): record it, keep the plan going
            return self._fail(task, args, started, f"{type(exc).__name__}: {exc}")
        raise exc

    def _fail(
        self, task: Task, args: tuple[Any, ...], started: float, error: str, *, fixable: bool = False
    ) -> TaskResult:
        finished = time.time()
        self._emit(Event(EventKind.FAILED, task.idx, task.tool, time=finished, args=args, error=error))
        return TaskResult(
            task.idx, task.tool, args, "error", error=error, started=started, finished=finished, fixable=fixable
        )

    async def _refusal(self, task: Task, args: tuple[Any, ...]) -> str | None:
        """Ask the approver about an irreversible call (one question at a time, plan complete);
        None when the call may go ahead, else why not."""
        if self.approve is None or task.tool not in self.tools:
            return None
        act = self.tools[task.tool].irreversible_act(args)
        if act is None:
            return None
        await self._plan_complete.wait()
        async with self._asking:
            request = ApprovalRequest((PendingAct(task.idx, task.tool, tuple(args), act),), tuple(self._planned))
            try:
                return None if await self.approve(request) is True else DECLINED
            except ConsentUnavailable as exc:
                return str(exc)

    def _decline(self, task: Task, args: tuple[Any, ...], reason: str) -> TaskResult:
        self._emit(Event(EventKind.SKIPPED, task.idx, task.tool, args=args, error=reason))
        return TaskResult(task.idx, task.tool, args, "declined", error=reason)

    def _skip(self, task: Task, reason: str) -> TaskResult:
        error = f"skipped: {reason}"
        self._emit(Event(EventKind.SKIPPED, task.idx, task.tool, args=task.args, error=error))
        return TaskResult(task.idx, task.tool, task.args, "skipped", error=error)


def _ignore(_: object) -> None:
    """Drop a return value (a callback that must return None)."""
