"""Joiners: after a plan runs, decide to finish with an answer or to replan.

The paper's joiner is an LLM call. A 100M-class model is an unreliable judge, so edgecall
also has a deterministic joiner that answers from the tool results and replans only on
errors a new plan could fix (wrong arguments). `edgecall.app` picks the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ..limits import MAX_ANSWER_CHARS, MAX_OBSERVATION_CHARS, truncate
from ..llm.base import LLM
from ..plan import Plan
from .executor import TaskResult


@dataclass(frozen=True)
class Finish:
    answer: str


@dataclass(frozen=True)
class Replan:
    reason: str


Decision = Finish | Replan


class Joiner(Protocol):
    def decide(self, query: str, plan: Plan, results: dict[int, TaskResult], *, can_replan: bool) -> Decision: ...


def observations(plan: Plan, results: dict[int, TaskResult]) -> str:
    """The executed plan with each step's outcome; shown to the LLM joiner and to the replanner."""
    lines = []
    for task in plan.tasks:
        r = results.get(task.idx)
        if r is None:
            outcome = "not run"
        elif r.ok:
            outcome = truncate(f"{r.value}", MAX_OBSERVATION_CHARS)
        else:
            outcome = f"ERROR: {r.error}"
        lines.append(f"{task.idx}. {task.tool} -> {outcome}")
    return "\n".join(lines)


def _sinks(plan: Plan) -> list[int]:
    used = {d for t in plan.tasks for d in t.deps}
    return [t.idx for t in plan.tasks if t.idx not in used]


class RuleJoiner:
    """Answers with the results of the plan's final steps; replans only on fixable errors."""

    def decide(self, query: str, plan: Plan, results: dict[int, TaskResult], *, can_replan: bool) -> Decision:
        fixable = [r for r in results.values() if r.status == "error" and r.fixable]
        if fixable and can_replan:
            return Replan("; ".join(f"step {r.idx} ({r.tool}): {r.error}" for r in fixable))
        lines: list[str] = []
        for idx in _sinks(plan):
            r = results.get(idx)
            if r is not None and r.ok:
                lines.append(truncate(str(r.value), MAX_ANSWER_CHARS))
        for r in sorted(results.values(), key=lambda r: r.idx):
            if r.status == "error":
                lines.append(f"Could not {r.tool.replace('_', ' ')}: {r.error}")
            elif r.status == "declined":
                lines.append(f"Did not {r.tool.replace('_', ' ')}: {r.error}")
        if not plan.tasks:
            lines.append("There was nothing to do for this request.")
        return Finish("\n".join(lines) if lines else "Done.")


JOINER_PROMPT = """Solve a question answering task. You are given a question, the plan that was executed and the \
observation of each step. Decide whether the observations answer the question.
If they do, reply: Action: Finish(<a short answer for the user>)
If a step failed in a way a new plan could fix, reply: Action: Replan(<what must change>)

Question: {query}
Plan and observations:
{observations}
Thought:"""

_ACTION_RE = re.compile(r"Action:\s*(Finish|Replan)\((.*)\)\s*$", re.DOTALL | re.IGNORECASE)


class LLMJoiner:
    """The paper's joiner: the model reads the observations and writes Finish(...) or Replan(...)."""

    def __init__(self, llm: LLM, *, max_tokens: int = 160) -> None:
        self.llm = llm
        self.max_tokens = max_tokens
        self._fallback = RuleJoiner()

    def decide(self, query: str, plan: Plan, results: dict[int, TaskResult], *, can_replan: bool) -> Decision:
        prompt = JOINER_PROMPT.format(query=query, observations=observations(plan, results))
        text = self.llm.complete(prompt, stop=["\nQuestion:", "\n\n\n"], max_tokens=self.max_tokens).text
        m = _ACTION_RE.search(text.strip().splitlines()[-1] if text.strip() else "")
        if m is None:
            m = _ACTION_RE.search(text)
        if m is None:  # the model did not follow the format: fall back to the deterministic answer
            return self._fallback.decide(query, plan, results, can_replan=can_replan)
        kind, body = m.group(1).lower(), m.group(2).strip()
        if kind == "replan" and can_replan:
            return Replan(body or "the joiner asked for a new plan")
        if kind == "replan":
            return self._fallback.decide(query, plan, results, can_replan=False)
        return Finish(body)


__all__ = ["Decision", "Finish", "Joiner", "LLMJoiner", "Replan", "RuleJoiner", "observations"]
