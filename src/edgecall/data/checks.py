"""Sanity checks for (request, plan) pairs: the paper kept only data passing checks like these.

Each failing example gets exactly one *reason* (the first check it fails, in the order below), so a
dataset report can count them: ``parse``, ``join``, ``unknown_tool``, ``arg_count``, ``arg_type``,
``bad_reference``, ``cycle``, ``ref_kind``, ``date_invalid``, ``date_inconsistent``, ``entity_missing``;
dataset-level dedup adds ``duplicate`` and ``near_duplicate`` (see ``dedup``).

Everything the checks know about tools comes from the toolset's own metadata (`edgecall.tools.meta`), so they
work for any toolset: a tool's result must feed a parameter that accepts its kind (``Returns`` on the producer,
``Arg(accepts=...)`` on the consumer; an email address feeds recipients, a path feeds attachments...), checked
when both tools declare ``Returns``; a literal value of an ``entity`` parameter (names, files, places, addresses)
must appear in the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from edgecall.errors import DatasetError
from edgecall.plan import Plan, PlanError, PlanSyntaxError, Task, exact_ref, find_refs, parse_plan
from edgecall.tools import Toolset

from .surface import fold

DATE_PARAM_RE = re.compile(r"(^|_)(date|time)$")
DATETIME_FMT, DATE_FMT = "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"
_WORD = re.compile(r"[^\W_]+")
_STOP = {"the", "a", "an", "my", "of"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Issue:
    reason: str
    detail: str
    step: int | None = None

    def __str__(self) -> str:
        where = f"step {self.step}: " if self.step is not None else ""
        return f"{self.reason}: {where}{self.detail}"


class CheckFailed(DatasetError):
    """An example fails a sanity check; `issue` says which and where."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def _fail(reason: str, detail: str, step: int | None = None) -> CheckFailed:
    return CheckFailed(Issue(reason, detail, step))


def _structure_reason(err: PlanError) -> str:
    """Map the plan module's structural error onto a report reason."""
    msg = err.message
    if isinstance(err, PlanSyntaxError):
        return "parse"
    if "cycle" in msg:
        return "cycle"
    if "join" in msg:
        return "join"
    if "refers to" in msg:
        return "bad_reference"
    return "parse"


def parse_checked(plan_text: str) -> Plan:
    """Parse, mapping failures to reasons; structure (references, cycles) is checked by the plan module."""
    try:
        plan = parse_plan(plan_text, require_join=False)
    except PlanError as err:
        raise _fail(_structure_reason(err), str(err), err.step) from None
    if not plan.has_join:
        raise _fail("join", "the plan has no final join()")
    if not plan.tasks:
        raise _fail("join", "the plan has no tool calls before join()")
    if plan_text.count("join()") > 1:
        raise _fail("join", "join() appears more than once")
    return plan


def _check_tools(plan: Plan, tools: Toolset) -> None:
    for task in plan.tasks:
        if task.tool not in tools:
            raise _fail("unknown_tool", f"unknown tool {task.tool!r}", task.idx)
        tool = tools[task.tool]
        if len(task.args) != len(tool.params):
            raise _fail("arg_count", f"{task.tool} takes {len(tool.params)} argument(s), got {len(task.args)}",
                        task.idx)
        problem = tool.static_arg_problem(task.args)
        if problem:
            raise _fail("arg_type", f"{task.tool}: {problem}", task.idx)


def _check_ref_kinds(plan: Plan, tools: Toolset) -> None:
    by_idx = {t.idx: t for t in plan.tasks}
    for task in plan.tasks:
        consumer = tools[task.tool]
        if consumer.produces is None:
            continue  # a tool that declares no kinds: no kind check
        for param, value in zip(consumer.params, task.args, strict=True):
            for ref in find_refs(value):
                producer = tools[by_idx[ref].tool]
                if producer.produces is None:
                    continue
                if producer.produces not in param.accepts:
                    raise _fail("ref_kind", f"{param.name} of {task.tool} takes ${ref} from {producer.name} "
                                f"({producer.produces}), expected {' or '.join(sorted(param.accepts)) or 'a literal value'}",
                                task.idx)


def _parse_date(value: str) -> tuple[datetime, bool]:
    """(value, all_day) for "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD"; ValueError otherwise."""
    try:
        return datetime.strptime(value, DATETIME_FMT), False
    except ValueError:
        return datetime.strptime(value, DATE_FMT), True


def _check_dates(plan: Plan, tools: Toolset, now: datetime) -> None:
    for task in plan.tasks:
        params = [p.name for p in tools[task.tool].params]
        values = dict(zip(params, task.args, strict=True))
        parsed: dict[str, tuple[datetime, bool]] = {}
        for name, value in values.items():
            if not DATE_PARAM_RE.search(name) or not isinstance(value, str) or not value or find_refs(value):
                continue
            try:
                parsed[name] = _parse_date(value)
            except ValueError:
                raise _fail("date_invalid", f"{name} {value!r} is not YYYY-MM-DD HH:MM:SS or YYYY-MM-DD",
                            task.idx) from None
            when, _ = parsed[name]
            if when.date() < now.date() or (when < now - timedelta(hours=1) and not parsed[name][1]):
                raise _fail("date_inconsistent", f"{name} {value} is in the past (now is {now:%Y-%m-%d %H:%M})",
                            task.idx)
            if when > now + timedelta(days=2 * 366):
                raise _fail("date_inconsistent", f"{name} {value} is more than two years ahead", task.idx)
        if "start_date" in parsed and "end_date" in parsed and parsed["end_date"][0] <= parsed["start_date"][0]:
            raise _fail("date_inconsistent", "end_date is not after start_date", task.idx)
        if task.tool == "create_reminder" and "due_date" in parsed and isinstance(values.get("all_day"), bool):
            if parsed["due_date"][1] != values["all_day"]:
                raise _fail("date_inconsistent", "due_date format does not match all_day "
                            "(all-day reminders use YYYY-MM-DD, timed ones YYYY-MM-DD HH:MM:SS)", task.idx)
        for name in ("start_date", "start_time"):
            if name in parsed and parsed[name][1]:
                raise _fail("date_invalid", f"{name} needs a time: YYYY-MM-DD HH:MM:SS", task.idx)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if w not in _STOP]


def _mentioned(value: str, query_folded: str, query_words: set[str]) -> bool:
    if _EMAIL.match(value):
        return fold(value) in query_folded
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 6 and len(digits) >= len(value.replace(" ", "")) - 4:  # a phone number
        return digits in re.sub(r"\D", "", query_folded)
    return all(w in query_words for w in _words(value))


def _check_entities(plan: Plan, tools: Toolset, query: str) -> None:
    q = fold(query)
    qwords = set(_WORD.findall(q))
    for task in plan.tasks:
        for param, v in zip(tools[task.tool].params, task.args, strict=True):
            if not param.entity:
                continue
            if isinstance(v, str) and v.strip() and not find_refs(v) and not _mentioned(v, q, qwords):
                raise _fail("entity_missing", f"{param.name} {v!r} does not appear in the request", task.idx)
            for item in v if isinstance(v, list) else []:
                if isinstance(item, str) and exact_ref(item) is None and not _mentioned(item, q, qwords):
                    raise _fail("entity_missing", f"{param.name} item {item!r} does not appear in the request",
                                task.idx)


def check_example(query: str, plan_text: str, now: datetime, tools: Toolset) -> Plan:
    """Run every per-example check; return the parsed plan or raise :class:`CheckFailed` with one reason."""
    plan = parse_checked(plan_text)
    _check_tools(plan, tools)
    _check_ref_kinds(plan, tools)
    _check_dates(plan, tools, now)
    _check_entities(plan, tools, query)
    return plan


def issue_of(query: str, plan_text: str, now: datetime, tools: Toolset) -> Issue | None:
    """None when the example passes, else its first failing reason."""
    try:
        check_example(query, plan_text, now, tools)
    except CheckFailed as failed:
        return failed.issue
    return None


def steps_to_plan(steps: Iterable[tuple[str, tuple[Any, ...]]]) -> Plan:
    return Plan(tasks=tuple(Task(idx=i, tool=tool, args=tuple(args)) for i, (tool, args) in enumerate(steps, 1)))
