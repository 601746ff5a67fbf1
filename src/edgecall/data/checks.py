"""Sanity checks for (request, plan) pairs: the paper kept only data passing checks like these.

Each failing example gets exactly one *reason* (the first check it fails, in the order below), so a
dataset report can count them: ``parse``, ``join``, ``unknown_tool``, ``arg_count``, ``arg_type``,
``bad_reference``, ``cycle``, ``ref_kind``, ``date_invalid``, ``date_inconsistent``, ``entity_missing``;
dataset-level dedup adds ``duplicate`` and ``near_duplicate`` (see ``dedup``).

Reference kinds: a lookup's output must feed a slot of a compatible kind (an email address feeds
recipients/cc/invitees, a phone number feeds SMS recipients, a path feeds attachments or summarize_pdf,
a summary or link feeds content/context/message/location).  Kinds are known for the assistant's tools;
for other toolsets that check is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from edgecall.plan import Plan, PlanError, PlanSyntaxError, Task, exact_ref, find_refs, parse_plan
from edgecall.tools import Toolset

from .surface import fold

PRODUCES: dict[str, str] = {
    "get_email_address": "email", "get_phone_number": "phone", "open_and_get_file_path": "path",
    "summarize_pdf": "text", "open_note": "text", "get_zoom_meeting_link": "link",
    "maps_open_location": "link", "maps_show_directions": "link",
}
"""What each assistant tool returns; any other assistant tool returns a status line nobody should consume."""

_TEXTUAL = frozenset({"text", "link"})
ACCEPTS: dict[tuple[str, str], frozenset[str]] = {
    **{(t, p): frozenset({"email"}) for t, p in (
        ("compose_new_email", "recipients"), ("compose_new_email", "cc"), ("reply_to_email", "cc"),
        ("forward_email", "recipients"), ("forward_email", "cc"), ("create_calendar_event", "invitees"),
        ("get_zoom_meeting_link", "meeting_invitees"))},
    ("send_sms", "recipients"): frozenset({"phone"}),
    **{(t, "attachments"): frozenset({"path"}) for t in ("compose_new_email", "reply_to_email", "forward_email")},
    ("summarize_pdf", "pdf_path"): frozenset({"path"}),
    **{(t, p): _TEXTUAL for t, p in (
        ("compose_new_email", "context"), ("reply_to_email", "context"), ("forward_email", "context"),
        ("create_note", "content"), ("append_note_content", "content"), ("send_sms", "message"),
        ("create_calendar_event", "notes"), ("create_reminder", "notes"))},
    ("create_calendar_event", "location"): frozenset({"link"}),
}

ENTITY_PARAMS: dict[str, tuple[str, ...]] = {
    "get_phone_number": ("name",), "get_email_address": ("name",), "open_and_get_file_path": ("file_name",),
    "maps_open_location": ("location",), "maps_show_directions": ("start_location", "end_location"),
    "open_note": ("name", "folder"), "append_note_content": ("name", "folder"), "create_note": ("folder",),
    "create_reminder": ("list_name",), "create_calendar_event": ("location", "calendar"),
}
"""Arguments that name something the user must have said (names, files, places, notes, folders, lists)."""

ADDRESS_PARAMS = {"recipients", "cc", "invitees", "meeting_invitees"}
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


class CheckFailed(Exception):
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
        for param, value in zip(tools[task.tool].params, task.args, strict=True):
            refs = find_refs(value)
            if not refs:
                continue
            accepts = ACCEPTS.get((task.tool, param.name), frozenset())
            for ref in refs:
                producer = by_idx[ref].tool
                if producer not in PRODUCES and producer not in _ASSISTANT_TOOLS:
                    continue  # a tool we know nothing about: no kind check
                if task.tool not in _ASSISTANT_TOOLS:
                    continue
                kind = PRODUCES.get(producer, "status")
                if kind not in accepts:
                    raise _fail("ref_kind", f"{param.name} of {task.tool} takes ${ref} from {producer} "
                                f"({kind}), expected {' or '.join(sorted(accepts)) or 'a literal value'}", task.idx)


_ASSISTANT_TOOLS = frozenset({
    "get_phone_number", "get_email_address", "create_calendar_event", "open_and_get_file_path", "summarize_pdf",
    "compose_new_email", "reply_to_email", "forward_email", "maps_open_location", "maps_show_directions",
    "create_note", "open_note", "append_note_content", "create_reminder", "send_sms", "get_zoom_meeting_link"})


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
        values = dict(zip([p.name for p in tools[task.tool].params], task.args, strict=True))
        for name in ENTITY_PARAMS.get(task.tool, ()):
            v = values.get(name)
            if isinstance(v, str) and v.strip() and not find_refs(v) and not _mentioned(v, q, qwords):
                raise _fail("entity_missing", f"{name} {v!r} does not appear in the request", task.idx)
        for name in ADDRESS_PARAMS & values.keys():
            for item in values[name] if isinstance(values[name], list) else []:
                if isinstance(item, str) and exact_ref(item) is None and not _mentioned(item, q, qwords):
                    raise _fail("entity_missing", f"{name} item {item!r} does not appear in the request", task.idx)


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
