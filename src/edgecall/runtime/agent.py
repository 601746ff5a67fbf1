"""The agent loop: plan (streaming) -> execute in parallel -> join -> maybe replan.

Replans are bounded (default 2): each gets the previous plan, what every step returned
and why the joiner (or the plan parser) was not satisfied.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..dataset import DEFAULT_NOW
from ..llm.base import LLMError
from ..plan import PlanError, Task, render_plan
from ..planner import Planner, PlanOutcome, ReplanContext
from .approval import Approver
from .events import Event, EventHandler, EventKind
from .executor import Executor, TaskResult
from .joiner import Finish, Joiner, Replan, RuleJoiner, observations


@dataclass
class Round:
    """One plan-execute-join attempt."""

    outcome: PlanOutcome
    results: dict[int, TaskResult] = field(default_factory=dict)
    decision: Finish | Replan | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": render_plan(self.outcome.plan) if self.outcome.plan else None,
            "planner": self.outcome.to_dict(),
            "results": [r.to_dict() for r in sorted(self.results.values(), key=lambda r: r.idx)],
            "decision": None
            if self.decision is None
            else {"finish": self.decision.answer}
            if isinstance(self.decision, Finish)
            else {"replan": self.decision.reason},
        }


@dataclass
class AgentResult:
    query: str
    answer: str
    rounds: list[Round]
    seconds: float
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "answer": self.answer,
            "ok": self.ok,
            "seconds": self.seconds,
            "replans": max(0, len(self.rounds) - 1),
            "rounds": [r.to_dict() for r in self.rounds],
        }


class Agent:
    """Planner + executor + joiner, with bounded replanning."""

    def __init__(
        self,
        planner: Planner,
        *,
        joiner: Joiner | None = None,
        max_replans: int = 2,
        task_timeout: float = 60.0,
        on_event: EventHandler | None = None,
        approve: Approver | None = None,
    ) -> None:
        """`approve` is asked before each irreversible act (see `edgecall.runtime.approval`);
        None runs them without asking. A refusal ends the run without replanning."""
        self.planner = planner
        self.joiner = joiner or RuleJoiner()
        self.max_replans = max_replans
        self.task_timeout = task_timeout
        self.on_event = on_event
        self.approve = approve

    def run(self, query: str, *, now: datetime = DEFAULT_NOW) -> AgentResult:
        return asyncio.run(self.arun(query, now=now))

    async def arun(self, query: str, *, now: datetime = DEFAULT_NOW) -> AgentResult:
        start = time.perf_counter()
        rounds: list[Round] = []
        replan: ReplanContext | None = None
        for attempt in range(self.max_replans + 1):
            can_replan = attempt < self.max_replans
            rnd = Round(PlanOutcome())
            rounds.append(rnd)
            executor = Executor(
                self.planner.tools, timeout=self.task_timeout, on_event=self.on_event, approve=self.approve
            )
            try:
                rnd.results = await self._execute_streaming(executor, query, now, replan, rnd, attempt)
            except LLMError as exc:  # the executor awaited what had started: say what ran and what did not
                rnd.results = getattr(exc, "results", {}) or {}
                answer = f"The model failed while planning: {exc}. {what_ran(rnd.results)}"
                self._emit(Event(EventKind.ANSWER, attempt, "", result=answer))
                return AgentResult(query, answer, rounds, time.perf_counter() - start, False)
            declined = any(r.status == "declined" for r in rnd.results.values())  # a new plan would ask again
            if rnd.outcome.error is not None:  # bad plan text: replan with the parser's exact complaint
                reason = f"the plan was invalid: {rnd.outcome.error}"
                rnd.decision = Replan(reason)
                if not can_replan or declined:
                    break
                self._emit(Event(EventKind.REPLAN, attempt, "", error=reason))
                replan = ReplanContext(rnd.outcome.text, observations_of(rnd), reason)
                continue
            assert rnd.outcome.plan is not None
            rnd.decision = self.joiner.decide(
                query, rnd.outcome.plan, rnd.results, can_replan=can_replan and not declined
            )
            if isinstance(rnd.decision, Finish):
                ok = all(r.ok for r in rnd.results.values())
                self._emit(Event(EventKind.ANSWER, attempt, "", result=rnd.decision.answer))
                return AgentResult(query, rnd.decision.answer, rounds, time.perf_counter() - start, ok)
            if can_replan:
                self._emit(Event(EventKind.REPLAN, attempt, "", error=rnd.decision.reason))
            replan = ReplanContext(render_plan(rnd.outcome.plan), observations_of(rnd), rnd.decision.reason)
        last = rounds[-1].decision
        why = last.reason if isinstance(last, Replan) else "no answer"
        answer = f"I could not complete this request after {len(rounds)} attempt(s): {why}"
        self._emit(Event(EventKind.ANSWER, len(rounds) - 1, "", result=answer))
        return AgentResult(query, answer, rounds, time.perf_counter() - start, False)

    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(event)

    async def _execute_streaming(
        self, executor: Executor, query: str, now: datetime, replan: ReplanContext | None, rnd: Round, attempt: int
    ) -> dict[int, TaskResult]:
        """Run tasks while the plan streams in; a parse error stops the stream, not the running tasks."""
        def prompt_built(prompt: str) -> None:
            self._emit(Event(EventKind.PROMPT, attempt, "", result={"chars": len(prompt), "replan": replan is not None}))

        stream = self.planner.stream(query, now=now, replan=replan, outcome=rnd.outcome, on_prompt=prompt_built)

        async def tasks() -> AsyncIterator[Task]:
            try:
                async for task in stream:
                    yield task
            except PlanError:
                return  # recorded in rnd.outcome.error; tasks already started finish normally

        return await executor.run(tasks())


def what_ran(results: dict[int, TaskResult]) -> str:
    """One sentence per finished step, for an answer cut short: the user must know what already happened."""
    if not results:
        return "No step had started, so nothing was done."
    lines = []
    for r in sorted(results.values(), key=lambda r: r.idx):
        if r.ok:
            lines.append(f"step {r.idx} ({r.tool}) ran: {r.value}")
        else:
            lines.append(f"step {r.idx} ({r.tool}) {r.status}: {r.error}")
    return "Before that, " + "; ".join(lines) + ". The rest of the plan was not written, so it did not run."


def observations_of(rnd: Round) -> str:
    if rnd.outcome.plan is not None:
        return observations(rnd.outcome.plan, rnd.results)
    if not rnd.results:
        return "(nothing ran)"
    return "\n".join(
        f"{r.idx}. {r.tool} -> {r.value if r.ok else 'ERROR: ' + str(r.error)}"
        for r in sorted(rnd.results.values(), key=lambda r: r.idx)
    )
