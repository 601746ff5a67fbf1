"""Running the real planner over a dataset and aggregating the scores.

Tools are never executed: evaluation measures planning only, so it needs no data store and
is safe to run on any request. Every example yields an :class:`ExampleResult`, whatever the
model wrote (bad output is a score of 0 with its error, never a crash); a failing backend
is recorded per example too, so one dropped HTTP request does not lose a long run.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from edgecall.dataset import Example, format_now
from edgecall.llm.base import LLMError, tokens_per_s
from edgecall.plan import Plan, PlanError, parse_plan
from edgecall.tools import Toolset

from .metrics import score_plan


class PlannerLike(Protocol):
    """What evaluation needs from :class:`edgecall.runtime.Planner`."""

    tools: Toolset

    def plan(self, query: str, *, now: datetime) -> Any: ...


@dataclass
class ExampleResult:
    """One example's outcome: what was asked, expected and written, and how it scored."""

    id: str
    query: str
    now: str
    gold: str
    predicted: str
    n_steps: int
    parsed: bool = False
    valid: bool = False
    success: bool = False
    args_match: bool | None = None
    text_f1: float | None = None
    error: str | None = None
    model_error: bool = False
    mismatches: list[str] = field(default_factory=list)
    confusion: list[list[str]] = field(default_factory=list)
    ttft_s: float | None = None
    total_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @property
    def tokens_per_s(self) -> float | None:
        """Completion tokens over the whole planning time, as `PlanOutcome.tokens_per_s`."""
        return tokens_per_s(self.completion_tokens, self.total_s)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "tokens_per_s": self.tokens_per_s}


def evaluate_example(planner: PlannerLike, example: Example, *, now: datetime | None = None) -> ExampleResult:
    """Plan one request and score it; never raises for model output or a backend failure."""
    when = now or example.now
    base: dict[str, Any] = dict(
        id=example.id, query=example.query, now=format_now(when),
        gold=example.plan, n_steps=len(example.gold.tasks),
    )
    try:
        outcome = planner.plan(example.query, now=when)
    except LLMError as exc:
        score = score_plan(None, example.gold, tools=planner.tools, error=f"model error: {exc}")
        return ExampleResult(
            **base, predicted="", error=score.error, model_error=True,
            confusion=[list(p) for p in score.confusion],
        )
    pred = outcome.plan if outcome.plan is not None else _lenient_parse(outcome.text) if outcome.parsed else None
    score = score_plan(pred, example.gold, tools=planner.tools, valid=outcome.valid, error=outcome.error)
    return ExampleResult(
        **base,
        predicted=outcome.text,
        parsed=outcome.parsed,
        valid=outcome.valid,
        success=score.success,
        args_match=score.args_match,
        text_f1=score.text_f1,
        error=score.error,
        mismatches=[m.describe() for m in score.mismatches],
        confusion=[list(p) for p in score.confusion],
        ttft_s=outcome.ttft_s,
        total_s=outcome.total_s,
        prompt_tokens=outcome.prompt_tokens,
        completion_tokens=outcome.completion_tokens,
    )


def _lenient_parse(text: str) -> Plan | None:
    """The plan's structure when it reads but failed validation against the tools.

    The paper's metric ignores arguments, so a plan with, say, a wrong argument count still
    has a DAG to compare; a plan without join() is compared too (the metric excludes join).
    """
    try:
        return parse_plan(text, require_join=False)
    except PlanError:
        return None


def run_evaluation(
    planner: PlannerLike,
    examples: Sequence[Example],
    *,
    concurrency: int = 1,
    now: datetime | None = None,
    on_result: Callable[[ExampleResult], None] | None = None,
) -> list[ExampleResult]:
    """Evaluate every example, in dataset order in the result.

    `concurrency` > 1 sends requests from that many threads: useful against a remote server,
    pointless for an in-process llama.cpp model (which serialises generation anyway).
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")

    def one(ex: Example) -> ExampleResult:
        result = evaluate_example(planner, ex, now=now)
        if on_result is not None:
            on_result(result)
        return result

    if concurrency == 1:
        return [one(ex) for ex in examples]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, examples))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100) of `values`; None when empty."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _rate(num: int, den: int) -> float:
    return num / den if den else 0.0


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(results: Sequence[ExampleResult]) -> dict[str, Any]:
    """Aggregate metrics; the keys printed by `edgecall eval --json`.

    `arg_accuracy` is the share of DAG matches whose strict arguments all match (0.0 when
    there is no match at all: see `n_success`); `exact_rate` is the same over all examples.
    """
    n = len(results)
    successes = [r for r in results if r.success]
    totals = [r.total_s for r in results if r.total_s is not None]
    ttfts = [r.ttft_s for r in results if r.ttft_s is not None]
    completion = sum(r.completion_tokens or 0 for r in results)
    timed = sum(r.total_s or 0.0 for r in results if r.completion_tokens)
    confusion = Counter(f"{g} -> {p}" for r in results for g, p in r.confusion)
    by_steps: dict[str, dict[str, Any]] = {}
    for k in sorted({r.n_steps for r in results}):
        group = [r for r in results if r.n_steps == k]
        by_steps[str(k)] = {"n": len(group), "success_rate": _rate(sum(r.success for r in group), len(group))}
    f1s = [r.text_f1 for r in successes if r.text_f1 is not None]
    return {
        "n": n,
        "success_rate": _rate(len(successes), n),
        "arg_accuracy": _rate(sum(bool(r.args_match) for r in successes), len(successes)),
        "exact_rate": _rate(sum(bool(r.args_match) for r in successes), n),
        "parse_rate": _rate(sum(r.parsed for r in results), n),
        "valid_rate": _rate(sum(r.valid for r in results), n),
        "n_success": len(successes),
        "text_f1": _mean(f1s),
        "model_errors": sum(r.model_error for r in results),
        "latency_p50_s": percentile(totals, 50),
        "latency_p90_s": percentile(totals, 90),
        "ttft_p50_s": percentile(ttfts, 50),
        "ttft_p90_s": percentile(ttfts, 90),
        "prompt_tokens_mean": _mean([r.prompt_tokens for r in results if r.prompt_tokens is not None]),
        "completion_tokens_mean": _mean([r.completion_tokens for r in results if r.completion_tokens is not None]),
        "tokens_per_s": tokens_per_s(completion, timed),
        "by_steps": by_steps,
        "confusion": dict(confusion.most_common()),
    }
