"""The run service: one warm model, a bounded queue in front of it, and each run as a stream of event dicts.

Every HTTP route that plans or runs goes through `RunService`, so the web page, the SSE API and the
OpenAI-compatible endpoint queue on the same model and report the same `Event`s the CLI prints.
Runs take the model one at a time (llama.cpp contexts are not thread-safe, and one 135M model on a few cores is
fastest undisturbed); inside a run the executor still runs independent tools in parallel.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..app import build_agent, build_llm, build_planner, build_toolset, run_journal
from ..assistant.store import Store
from ..config import Settings
from ..errors import ConsentUnavailable, ServerBusy
from ..planner import PlanOutcome
from ..runtime.agent import AgentResult
from ..runtime.approval import ApprovalRequest
from ..runtime.events import Event, EventKind

WARMUP_REQUEST = "Text Maria that I'm running late"


@dataclass
class HistoryItem:
    id: int
    query: str
    answer: str | None = None
    ok: bool | None = None
    seconds: float | None = None
    status: str = "queued"  # queued | running | done | cancelled | error
    transcript: str | None = None
    created: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Ticket:
    """A place in the queue; released exactly once, whatever ends the request."""

    def __init__(self, service: RunService, item: HistoryItem) -> None:
        self.service = service
        self.item = item
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self.service.pending -= 1


class RunService:
    """Builds the model, toolset and planner once (app.py builders) and serialises runs on them."""

    def __init__(
        self,
        settings: Settings,
        *,
        max_pending: int = 16,
        run_timeout: float = 300.0,
        ask: bool = True,
        approval_timeout: float = 120.0,
    ) -> None:
        self.settings = settings
        self.llm = build_llm(settings)
        self.tools = build_toolset(settings, self.llm)
        self.planner = build_planner(settings, self.tools, self.llm)
        cfg = settings.assistant
        self.store = Store(cfg.data_dir, config=cfg)
        self.max_pending = max_pending
        self.run_timeout = run_timeout
        self.pending = 0  # admitted requests not yet finished (running + waiting)
        self.history: deque[HistoryItem] = deque(maxlen=50)
        self._ids = itertools.count(1)
        self._gate: asyncio.Lock | None = None
        self.warm_seconds: float | None = None
        self.runs_done = 0
        self.ask = ask  # ask the client before irreversible acts (False: `edgecall serve --yes`)
        self.approval_timeout = approval_timeout
        self.approvals: dict[str, asyncio.Future[bool]] = {}

    def decide(self, approval_id: str, approved: bool) -> bool:
        """Answer a pending approval; False when there is none by that id (answered, expired or cancelled)."""
        fut = self.approvals.get(approval_id)
        if fut is None or fut.done():
            return False
        fut.set_result(approved)
        return True

    @property
    def gate(self) -> asyncio.Lock:
        if self._gate is None:  # created on the server's event loop
            self._gate = asyncio.Lock()
        return self._gate

    async def warm_up(self) -> None:
        """Plan one request so the static prompt prefix sits in llama.cpp's KV cache before the first user."""
        start = time.perf_counter()
        await asyncio.to_thread(self.planner.plan, WARMUP_REQUEST)
        self.warm_seconds = time.perf_counter() - start

    def admit(self, query: str) -> Ticket:
        """Take a place in the queue or raise `ServerBusy`; call before the response starts, so a 429 can be sent."""
        if self.pending >= self.max_pending:
            raise ServerBusy(f"the server is busy ({self.pending} requests queued, limit {self.max_pending}); retry shortly")
        self.pending += 1
        item = HistoryItem(next(self._ids), query)
        self.history.appendleft(item)
        return Ticket(self, item)

    async def plan(self, ticket: Ticket, query: str, now: datetime) -> PlanOutcome:
        try:
            async with self.gate:
                ticket.item.status = "running"
                outcome = await asyncio.to_thread(self.planner.plan, query, now=now)
            ticket.item.status = "done"
            return outcome
        finally:
            ticket.release()

    async def run(
        self, ticket: Ticket, query: str, now: datetime, *, can_ask: bool = True
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Run `query`, yielding event dicts; closing the iterator early (client gone) cancels the run.

        Yields `accepted`, then the runtime's events (`prompt`, `planned`, `started`, `finished`, `failed`,
        `skipped`, `replan`, `answer`) as they happen, and last `done` (the whole result) or `error`. Before an
        irreversible act it yields `approval` (the act, the plan and an id to answer at /v1/approvals/{id}) and,
        once answered, `approved` with the decision. With `can_ask=False` (a client that cannot answer, such as an
        OpenAI chat client) an irreversible act is refused at once, reported as declined.
        """
        item = ticket.item
        item.query = query
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        t0 = time.perf_counter()

        def on_event(ev: Event) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, ("event", ev))

        async def approve(request: ApprovalRequest) -> bool:
            """Send an `approval` event and wait for POST /v1/approvals/{id}; no answer in time means no."""
            if not can_ask:
                queue.put_nowait(("approved", {"approval": None, "approved": False, **request.to_dict()}))
                raise ConsentUnavailable("not confirmed: this client cannot approve; use /v1/run or the web page")
            approval_id = secrets.token_urlsafe(12)
            fut: asyncio.Future[bool] = loop.create_future()
            self.approvals[approval_id] = fut
            item.status = "waiting for approval"
            queue.put_nowait(("approval", {"approval": approval_id, "timeout_s": self.approval_timeout,
                                           **request.to_dict()}))
            try:
                approved = await asyncio.wait_for(fut, self.approval_timeout)
            except TimeoutError:
                approved = None
            finally:
                self.approvals.pop(approval_id, None)
            item.status = "running"
            queue.put_nowait(("approved", {"approval": approval_id, "approved": bool(approved)}))
            if approved is None:
                raise ConsentUnavailable(f"not confirmed: no answer within {self.approval_timeout:g} s")
            return approved

        async def work() -> None:
            try:
                async with self.gate:
                    item.status = "running"
                    queue.put_nowait(("started", None))
                    agent = build_agent(
                        self.settings, on_event=on_event, planner=self.planner, approve=approve if self.ask else None
                    )
                    with run_journal(self.settings, query):  # `edgecall undo` reverts the run's store changes
                        result = await asyncio.wait_for(agent.arun(query, now=now), self.run_timeout)
                queue.put_nowait(("done", result))
            except TimeoutError:
                queue.put_nowait(("error", f"the run took longer than {self.run_timeout:g} s and was stopped"))
            except Exception as exc:  # reported to the client as one line; the server keeps serving
                queue.put_nowait(("error", f"{type(exc).__name__}: {exc}"))

        yield {"event": "accepted", "id": item.id, "query": query, "queued_before": self.pending - 1}
        task = asyncio.create_task(work())
        try:
            while True:
                kind, payload = await queue.get()
                at = round(time.perf_counter() - t0, 4)
                if kind == "started":
                    yield {"event": "running", "id": item.id, "t": at}
                elif kind == "event":
                    yield {**event_dict(payload), "t": at}
                elif kind in ("approval", "approved"):
                    yield {"event": kind, "id": item.id, "t": at, **payload}
                elif kind == "done":
                    item.answer, item.ok, item.seconds = payload.answer, payload.ok, round(payload.seconds, 3)
                    item.status = "done"
                    self.runs_done += 1
                    yield {"event": "done", "id": item.id, "t": at, **result_dict(payload)}
                    return
                else:
                    item.status, item.answer, item.ok = "error", payload, False
                    yield {"event": "error", "id": item.id, "t": at, "message": payload}
                    return
        finally:
            if not task.done():
                item.status = "cancelled"
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)  # cancelled planner/executor finish their cleanup
            ticket.release()


def event_dict(ev: Event) -> dict[str, Any]:
    """A runtime `Event` as the API reports it (run-level kinds get their own field names)."""
    if ev.kind is EventKind.PROMPT:
        return {"event": "prompt", "round": ev.idx, **(ev.result or {})}
    if ev.kind is EventKind.REPLAN:
        return {"event": "replan", "round": ev.idx, "reason": ev.error}
    if ev.kind is EventKind.ANSWER:
        return {"event": "answer", "round": ev.idx, "answer": ev.result}
    return ev.to_dict()


def result_dict(result: AgentResult) -> dict[str, Any]:
    """`AgentResult.to_dict()` without the prompts (large, and the client did not ask for them)."""
    data = result.to_dict()
    for rnd in data.get("rounds", []):
        rnd.get("planner", {}).pop("prompt", None)
    return data
