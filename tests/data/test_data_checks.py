"""The sanity checks: good plans pass; each kind of broken plan is rejected with the right reason."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from edgecall.assistant.prompt import EXAMPLES, EXAMPLES_NOW
from edgecall.data.checks import issue_of
from edgecall.data.toolsets import load_toolset
from edgecall.tools import Toolset

NOW = datetime(2024, 6, 3, 9, 0, 0)
# A copy of the project's format examples (shared/formats/plans-example.jsonl), kept in the repo so the test
# does not depend on files outside the checkout.
SHARED = Path(__file__).resolve().parent / "fixtures" / "plans-example.jsonl"


@pytest.fixture(scope="module")
def tools() -> Toolset:
    return load_toolset("assistant")


def test_prompt_examples_pass(tools: Toolset) -> None:
    """The assistant prompt's own examples follow the conventions the checks enforce."""
    now = datetime.strptime(EXAMPLES_NOW, "%Y-%m-%d %H:%M:%S")
    for query, plan in EXAMPLES:
        assert issue_of(query, plan, now, tools) is None, (query, issue_of(query, plan, now, tools))


def test_shared_format_examples_pass(tools: Toolset) -> None:
    rows = [json.loads(line) for line in SHARED.read_text().splitlines() if line.strip()]
    assert rows
    for row in rows:
        now = datetime.strptime(row["now"], "%Y-%m-%d %H:%M:%S")
        assert issue_of(row["query"], row["plan"], now, tools) is None


Q_SMS = "Text Maria that I'm late."
OK_SMS = '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'m late.")\n3. join()<END_OF_PLAN>'

BROKEN = [
    ("parse", Q_SMS, '1. get_phone_number("Maria"\n2. join()<END_OF_PLAN>'),
    ("parse", Q_SMS, "Sure! I will text Maria for you."),
    ("join", Q_SMS, '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'m late.")'),
    ("join", Q_SMS, '1. get_phone_number("Maria")\n2. join()\n3. send_sms(["$1"], "late")\n4. join()<END_OF_PLAN>'),
    ("unknown_tool", Q_SMS, '1. get_contact("Maria")\n2. send_sms(["$1"], "late")\n3. join()<END_OF_PLAN>'),
    ("arg_count", Q_SMS, '1. get_phone_number("Maria")\n2. send_sms(["$1"])\n3. join()<END_OF_PLAN>'),
    ("arg_type", Q_SMS, '1. get_phone_number("Maria")\n2. send_sms(["$1"], 42)\n3. join()<END_OF_PLAN>'),
    ("bad_reference", Q_SMS, '1. get_phone_number("Maria")\n2. send_sms(["$3"], "late")\n3. join()<END_OF_PLAN>'),
    ("bad_reference", Q_SMS, '1. send_sms(["$2"], "late")\n2. get_phone_number("Maria")\n3. join()<END_OF_PLAN>'),
    ("cycle", "Summarize Report.pdf",
     '1. open_and_get_file_path("$2")\n2. summarize_pdf("$1")\n3. join()<END_OF_PLAN>'),
    ("ref_kind", "Email Maria that I'm late.",
     '1. get_phone_number("Maria")\n2. compose_new_email(["$1"], [], "Late", "I\'m late.", [])\n'
     "3. join()<END_OF_PLAN>"),
    ("ref_kind", "Summarize Report.pdf",
     '1. get_email_address("Report")\n2. summarize_pdf("$1")\n3. join()<END_OF_PLAN>'),
    ("ref_kind", "Remind me to pay rent and text Maria about it",
     '1. create_reminder("Pay rent", "", "", "", 0, False)\n2. get_phone_number("Maria")\n'
     '3. send_sms(["$2"], "$1")\n4. join()<END_OF_PLAN>'),
    ("date_invalid", "Remind me to pay rent tomorrow",
     '1. create_reminder("Pay rent", "tomorrow", "", "", 0, False)\n2. join()<END_OF_PLAN>'),
    ("date_invalid", "Meeting on June 31",
     '1. create_calendar_event("Meeting", "2024-06-31 10:00:00", "2024-06-31 11:00:00", "", [], "", "")\n'
     "2. join()<END_OF_PLAN>"),
    ("date_inconsistent", "Meeting last week",
     '1. create_calendar_event("Meeting", "2024-05-27 10:00:00", "2024-05-27 11:00:00", "", [], "", "")\n'
     "2. join()<END_OF_PLAN>"),
    ("date_inconsistent", "Meeting tomorrow at 10",
     '1. create_calendar_event("Meeting", "2024-06-04 10:00:00", "2024-06-04 09:00:00", "", [], "", "")\n'
     "2. join()<END_OF_PLAN>"),
    ("date_inconsistent", "Remind me to pay rent on Friday",
     '1. create_reminder("Pay rent", "2024-06-07", "", "", 0, False)\n2. join()<END_OF_PLAN>'),
    ("entity_missing", Q_SMS, '1. get_phone_number("Dana")\n2. send_sms(["$1"], "late")\n3. join()<END_OF_PLAN>'),
    ("entity_missing", "Email the team that I'm late.",
     '1. compose_new_email(["boss@example.com"], [], "Late", "I\'m late.", [])\n2. join()<END_OF_PLAN>'),
    ("entity_missing", "Show me the way to the station",
     '1. maps_show_directions("", "Golden Gate Park", "d")\n2. join()<END_OF_PLAN>'),
]


def test_good_plan_passes(tools: Toolset) -> None:
    assert issue_of(Q_SMS, OK_SMS, NOW, tools) is None


@pytest.mark.parametrize(("reason", "query", "plan"), BROKEN, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BROKEN)])
def test_broken_plans_get_the_right_reason(tools: Toolset, reason: str, query: str, plan: str) -> None:
    issue = issue_of(query, plan, NOW, tools)
    assert issue is not None, plan
    assert issue.reason == reason, str(issue)
    assert issue.detail


def test_entities_match_across_case_and_accents(tools: Toolset) -> None:
    plan = '1. get_phone_number("Sofía")\n2. send_sms(["$1"], "Hi")\n3. join()<END_OF_PLAN>'
    assert issue_of("text sofia hi", plan, NOW, tools) is None


def test_explicit_phone_numbers_need_no_lookup(tools: Toolset) -> None:
    plan = '1. send_sms(["+1 415 555 0134"], "Hi")\n2. join()<END_OF_PLAN>'
    assert issue_of("Text +1 (415) 555-0134 hi", plan, NOW, tools) is None
    assert issue_of("Text my sister hi", plan, NOW, tools).reason == "entity_missing"


def test_rows_reader_reports_bad_lines_with_their_number(tmp_path: Path) -> None:
    from edgecall.dataset import BadRow, DatasetError, load_rows, read_rows

    path = tmp_path / "rows.jsonl"
    path.write_text('{"query": "Text Ana hi", "plan": "1. join()"}\n\n[1]\n{"query": "x", "plan": "p", "now": '
                    '"tomorrow"}\n{"plan": "p"}\n', encoding="utf-8")
    items = list(read_rows(path))
    assert isinstance(items[0], dict)
    assert [(b.line, b.problem.split()[0]) for b in items[1:] if isinstance(b, BadRow)] == [
        (3, "not"), (4, "now"), (5, "missing")]
    with pytest.raises(DatasetError, match=r"rows.jsonl:3: not a JSON object"):
        load_rows(path)


def test_rows_without_now_use_the_documented_default(tools: Toolset) -> None:
    from edgecall.dataset import DEFAULT_NOW, row_now

    assert row_now({"query": "q", "plan": "p"}) == DEFAULT_NOW == NOW


def test_checks_read_the_metadata_of_a_json_schema_toolset(tmp_path: Path) -> None:
    """Entity and reference-kind checks work for any toolset that declares its metadata (no assistant tables)."""
    schemas = [
        {"name": "find_flight", "x-edgecall": {"returns": "flight"}, "parameters": {"properties": {
            "city": {"type": "string", "x-edgecall": {"kind": "name"}}}}},
        {"name": "book", "x-edgecall": {"returns": "status"}, "parameters": {"properties": {
            "flight": {"type": "string", "x-edgecall": {"accepts": ["flight"]}},
            "note": {"type": "string", "x-edgecall": {"kind": "text"}}}}},
    ]
    spec = tmp_path / "tools.json"
    spec.write_text(json.dumps(schemas), encoding="utf-8")
    tools = load_toolset(str(spec))
    q = "Book me a flight to Oslo."
    assert issue_of(q, '1. find_flight("Oslo")\n2. book("$1", "window seat")\n3. join()<END_OF_PLAN>', NOW, tools) is None
    assert issue_of(q, '1. find_flight("Rome")\n2. join()<END_OF_PLAN>', NOW, tools).reason == "entity_missing"
    wrong = issue_of(q, '1. find_flight("Oslo")\n2. book("x", "$1")\n3. join()<END_OF_PLAN>', NOW, tools)
    assert (wrong.reason, str(wrong)) == (
        "ref_kind", "ref_kind: step 2: note of book takes $1 from find_flight (flight), expected a literal value")
