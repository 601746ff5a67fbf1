"""The 16 tools keep the paper's exact names and positional signatures; prompt material is valid."""

from __future__ import annotations

import asyncio

import pytest

from edgecall.assistant import AssistantConfig, assistant_toolset
from edgecall.assistant.prompt import EXAMPLES, PLANNING_RULES
from edgecall.plan import parse_plan
from edgecall.runtime import Executor

PAPER_SIGNATURES = [
    "get_phone_number(name: str) -> str",
    "get_email_address(name: str) -> str",
    "create_calendar_event(title: str, start_date: str, end_date: str, location: str, invitees: list[str], notes: str, calendar: str) -> str",
    "open_and_get_file_path(file_name: str) -> str",
    "summarize_pdf(pdf_path: str) -> str",
    "compose_new_email(recipients: list[str], cc: list[str], subject: str, context: str, attachments: list[str]) -> str",
    "reply_to_email(cc: list[str], context: str, attachments: list[str]) -> str",
    "forward_email(recipients: list[str], cc: list[str], context: str, attachments: list[str]) -> str",
    "maps_open_location(location: str) -> str",
    "maps_show_directions(start_location: str, end_location: str, transport: str) -> str",
    "create_note(name: str, content: str, folder: str) -> str",
    "open_note(name: str, folder: str) -> str",
    "append_note_content(name: str, content: str, folder: str) -> str",
    "create_reminder(name: str, due_date: str, notes: str, list_name: str, priority: int, all_day: bool) -> str",
    "send_sms(recipients: list[str], message: str) -> str",
    "get_zoom_meeting_link(topic: str, start_time: str, duration: int, meeting_invitees: list[str]) -> str",
]


def test_exact_paper_signatures(tools):
    assert sorted(t.signature() for t in tools) == sorted(PAPER_SIGNATURES)


def test_every_tool_and_param_is_documented(tools):
    for t in tools:
        assert t.description.strip(), t.name
        assert all(p.description for p in t.params), t.name
        assert "Returns" in t.description, t.name


def test_apps_select_tools(tmp_path):
    ts = assistant_toolset(config=AssistantConfig(data_dir=tmp_path, apps=("contacts", "sms")))
    assert ts.names() == ["get_phone_number", "get_email_address", "send_sms"]
    with pytest.raises(ValueError, match="unknown app"):
        assistant_toolset(config=AssistantConfig(data_dir=tmp_path, apps=("telepathy",)))


def test_rules_name_only_real_tools_and_the_real_meeting_length(tools):
    """The rules are prose the planner reads; they must not drift from the tools (a renamed tool, a changed
    default) — every snake_case name they mention is a tool (or join), and the meeting length is the tools' own."""
    import re

    from edgecall.assistant.tools import DEFAULT_MEETING_MINUTES

    named = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", PLANNING_RULES))
    assert named and named <= set(tools.names())
    assert f"a meeting lasts {DEFAULT_MEETING_MINUTES} minutes" in PLANNING_RULES


def test_examples_are_valid_plans_that_cover_every_tool(tools):
    assert 8 <= len(EXAMPLES) <= 12
    used = set()
    for request, text in EXAMPLES:
        plan = parse_plan(text, tools)  # validates names, arity and types against the toolset
        assert plan.has_join and not plan.repairs, request
        used |= {t.tool for t in plan.tasks}
    assert used == set(tools.names())


@pytest.mark.parametrize("request_text,plan_text", EXAMPLES, ids=[r[:30] for r, _ in EXAMPLES])
def test_examples_execute_on_the_demo_profile(tmp_path, toolset_for, request_text, plan_text):
    from edgecall.assistant.demo import init_demo

    init_demo(tmp_path / "d")
    ts = toolset_for(tmp_path / "d")
    results = asyncio.run(Executor(ts).run(parse_plan(plan_text, ts).tasks))
    failed = {i: r.error for i, r in results.items() if not r.ok}
    assert not failed, failed
