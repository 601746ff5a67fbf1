"""The paper's success metric, argument accuracy and tool confusion on hand-built plan pairs."""

from __future__ import annotations

from typing import Annotated

import pytest

from edgecall.assistant.tools import assistant_toolset
from edgecall.evaluation.metrics import (
    NONE_TOOL,
    ArgKind,
    arg_kind,
    score_plan,
    token_f1,
    tool_confusion,
    values_match,
)
from edgecall.plan import Plan, Task, parse_plan
from edgecall.tools import Arg, Returns, Toolset, tool, tool_from_json_schema

GOLD = parse_plan(
    '1. get_email_address("Ana")\n'
    '2. get_email_address("Bo")\n'
    '3. open_and_get_file_path("Q2.pdf")\n'
    '4. compose_new_email(["$1", "$2"], [], "Q2 report", "The Q2 report is attached.", ["$3"])\n'
    "5. join()<END_OF_PLAN>"
)


TOOLS = assistant_toolset()  # argument kinds come from the tools' own declarations


def score(text: str, gold: Plan = GOLD):
    return score_plan(parse_plan(text, require_join=False), gold, tools=TOOLS)


def test_identical_plan_matches_with_all_arguments():
    s = score(
        '1. get_email_address("Ana")\n2. get_email_address("Bo")\n3. open_and_get_file_path("Q2.pdf")\n'
        '4. compose_new_email(["$1", "$2"], [], "Q2 report", "The Q2 report is attached.", ["$3"])\n5. join()'
    )
    assert s.success and s.args_match is True and s.text_f1 == 1.0 and s.parsed and not s.mismatches


def test_reordered_independent_steps_still_match_and_refs_are_remapped():
    # the file lookup first, the two email lookups swapped: same DAG, refs renumbered
    s = score(
        '1. open_and_get_file_path("Q2.pdf")\n2. get_email_address("Bo")\n3. get_email_address("Ana")\n'
        '4. compose_new_email(["$3", "$2"], [], "Q2 report", "The Q2 report is attached.", ["$1"])\n5. join()'
    )
    assert s.success
    assert s.args_match is True, s.mismatches
    assert s.mapping == {1: 3, 2: 2, 3: 1, 4: 4}


def test_best_isomorphism_is_chosen_for_interchangeable_lookups():
    # the two lookups are interchangeable in the DAG; the mapping that pairs names correctly wins
    s = score(
        '1. get_email_address("Bo")\n2. get_email_address("Ana")\n3. open_and_get_file_path("Q2.pdf")\n'
        '4. compose_new_email(["$2", "$1"], [], "Q2", "attached", ["$3"])\n5. join()'
    )
    assert s.success and s.args_match is True
    assert s.mapping[1] == 2 and s.mapping[2] == 1


def test_wrong_dependency_does_not_match():
    # attachment wired to an email lookup instead of the file: same tools, different edges
    s = score(
        '1. get_email_address("Ana")\n2. get_email_address("Bo")\n3. open_and_get_file_path("Q2.pdf")\n'
        '4. compose_new_email(["$1"], [], "Q2 report", "The Q2 report is attached.", ["$2"])\n5. join()'
    )
    assert not s.success and s.args_match is None


def test_wrong_tool_does_not_match_and_is_a_confusion():
    s = score(
        '1. get_phone_number("Ana")\n2. get_email_address("Bo")\n3. open_and_get_file_path("Q2.pdf")\n'
        '4. compose_new_email(["$1", "$2"], [], "Q2", "x", ["$3"])\n5. join()'
    )
    assert not s.success
    assert s.confusion == (("get_email_address", "get_phone_number"),)


def test_extra_step_does_not_match():
    s = score(
        '1. get_email_address("Ana")\n2. get_email_address("Bo")\n3. open_and_get_file_path("Q2.pdf")\n'
        '4. compose_new_email(["$1", "$2"], [], "Q2", "x", ["$3"])\n5. maps_open_location("Paris")\n6. join()'
    )
    assert not s.success
    assert s.confusion == ((NONE_TOOL, "maps_open_location"),)


def test_missing_step_does_not_match():
    s = score(
        '1. get_email_address("Ana")\n2. open_and_get_file_path("Q2.pdf")\n'
        '3. compose_new_email(["$1"], [], "Q2", "x", ["$2"])\n4. join()'
    )
    assert not s.success
    assert s.confusion == (("get_email_address", NONE_TOOL),)


def test_plan_without_join_is_scored_on_its_dag():
    pred = parse_plan('1. get_phone_number("Maria")\n2. send_sms(["$1"], "late")', require_join=False)
    gold = parse_plan('1. get_phone_number("Maria")\n2. send_sms(["$1"], "I am late.")\n3. join()')
    assert not pred.has_join
    s = score_plan(pred, gold, tools=TOOLS, valid=False, error="the plan has no join()")
    assert s.success and s.args_match is True
    assert 0 < s.text_f1 < 1  # "late" vs "I am late."
    assert s.error == "the plan has no join()" and not s.valid


def test_unparsable_output_scores_zero_with_its_error():
    gold = parse_plan('1. get_phone_number("Maria")\n2. send_sms(["$1"], "hi")\n3. join()')
    s = score_plan(None, gold, tools=TOOLS, error="step 1: cannot read 'hello' as a tool call")
    assert not s.success and not s.parsed and not s.valid and s.args_match is None
    assert "cannot read" in s.error
    assert s.confusion == (("get_phone_number", NONE_TOOL), ("send_sms", NONE_TOOL))


def test_empty_plan_against_gold_fails():
    s = score_plan(Plan(tasks=(), has_join=True), GOLD, tools=TOOLS)
    assert not s.success and len(s.confusion) == 4


def test_dag_match_with_wrong_date_fails_argument_accuracy_only():
    gold = parse_plan(
        '1. create_calendar_event("Gym", "2024-06-04 07:00:00", "2024-06-04 08:00:00", "", [], "", "")\n2. join()'
    )
    pred = parse_plan(
        '1. create_calendar_event("Workout", "2024-06-04 07:00:00", "2024-06-04 09:00:00", "", [], "", "")\n2. join()'
    )
    s = score_plan(pred, gold, tools=TOOLS)
    assert s.success and s.args_match is False
    assert [(m.position, m.kind) for m in s.mismatches] == [(2, ArgKind.EXACT)]
    assert s.text_f1 is not None and s.text_f1 < 1  # title differs, scored separately
    assert "expected '2024-06-04 08:00:00'" in s.mismatches[0].describe()


def test_names_are_case_and_accent_insensitive():
    gold = parse_plan('1. get_phone_number("Sofía")\n2. maps_show_directions("", "Café de Flore", "w")\n3. join()')
    pred = parse_plan('1. get_phone_number("sofia")\n2. maps_show_directions("", "cafe  de flore", "w")\n3. join()')
    assert score_plan(pred, gold, tools=TOOLS).args_match is True
    wrong_transport = parse_plan('1. get_phone_number("Sofia")\n2. maps_show_directions("", "Café de Flore", "W")\n3. join()')
    s = score_plan(wrong_transport, gold, tools=TOOLS)
    assert s.args_match is False and s.mismatches[0].kind is ArgKind.EXACT


def test_text_argument_holding_a_reference_is_exact():
    gold = parse_plan('1. open_and_get_file_path("a.pdf")\n2. summarize_pdf("$1")\n3. create_note("S", "$2", "")\n4. join()')
    pred = parse_plan('1. open_and_get_file_path("a.pdf")\n2. summarize_pdf("$1")\n3. create_note("S", "summary of a", "$2")\n4. join()')
    s = score_plan(pred, gold, tools=TOOLS)
    assert s.success and s.args_match is False
    assert {m.position for m in s.mismatches} == {1, 2}


@pytest.mark.parametrize(
    ("pred", "gold", "kind", "expected"),
    [
        ("2024-06-04 10:00:00", "2024-06-04 10:00:00", ArgKind.EXACT, True),
        ("2024-06-04 10:00", "2024-06-04 10:00:00", ArgKind.EXACT, False),
        (60, 60.0, ArgKind.EXACT, True),
        (True, 1, ArgKind.EXACT, False),
        (False, False, ArgKind.EXACT, True),
        ("d", "d", ArgKind.EXACT, True),
        ("Ana@Example.com", "ana@example.com", ArgKind.EXACT, False),
        ("+1 415 555 0199", "+1 415 555 0199 ", ArgKind.EXACT, True),
        (["$2", "$1"], ["$1", "$2"], ArgKind.EXACT, True),
        (["$1"], ["$1", "$2"], ArgKind.EXACT, False),
        (None, "", ArgKind.NAME, True),
        (None, [], ArgKind.EXACT, True),
        ("ZÜRICH hauptbahnhof", "Zürich Hauptbahnhof", ArgKind.NAME, True),
        ("Zurich HB", "Zürich Hauptbahnhof", ArgKind.NAME, False),
        ("$1", "$1", ArgKind.NAME, True),
    ],
)
def test_value_normalisation(pred, gold, kind, expected):
    assert values_match(pred, gold, kind) is expected


def test_token_f1():
    assert token_f1("", "") == 1.0
    assert token_f1("I'm late", "") == 0.0
    assert token_f1("Dinner is at 8", "dinner is at 8!") == 1.0
    assert token_f1("dinner at 8", "Dinner is at 8 tonight") == pytest.approx(2 * (3 / 3) * (3 / 5) / (3 / 3 + 3 / 5))


def test_arg_kinds_come_from_the_tools_and_default_to_exact():
    assert arg_kind(TOOLS, "send_sms", 1) is ArgKind.TEXT
    assert arg_kind(TOOLS, "maps_show_directions", 2) is ArgKind.EXACT
    assert arg_kind(TOOLS, "get_email_address", 0) is ArgKind.NAME
    assert arg_kind(TOOLS, "some_custom_tool", 0) is ArgKind.EXACT
    assert arg_kind(TOOLS, "send_sms", 5) is ArgKind.EXACT
    assert arg_kind(None, "get_email_address", 0) is ArgKind.EXACT


def test_custom_and_json_schema_tools_declare_their_kinds():
    """A custom toolset scores names by its own metadata, whether declared in Python or in a JSON schema."""

    @tool
    def find_city(city: Annotated[str, Arg("name")]) -> Annotated[str, Returns("place")]:
        """Find a city."""
        return city

    rebuilt = tool_from_json_schema(find_city.json_schema())
    for tools in (Toolset([find_city]), Toolset([rebuilt])):
        gold = parse_plan('1. find_city("São Paulo")\n2. join()')
        pred = parse_plan('1. find_city("sao paulo")\n2. join()')
        assert score_plan(pred, gold, tools=tools).args_match is True
        assert tools["find_city"].produces == "place"
    assert score_plan(pred, gold).args_match is False  # without the toolset: exact


def test_confusion_pairs_in_step_order():
    gold = parse_plan('1. maps_show_directions("", "Zoo", "d")\n2. create_note("a", "b", "")\n3. join()')
    pred = parse_plan('1. maps_open_location("Zoo")\n2. append_note_content("a", "b", "")\n3. join()')
    assert tool_confusion(pred, gold) == (
        ("maps_show_directions", "maps_open_location"),
        ("create_note", "append_note_content"),
    )
    assert tool_confusion(gold, gold) == ()


def test_argument_count_mismatch_is_a_mismatch_not_a_crash():
    gold = parse_plan('1. get_phone_number("Ana")\n2. send_sms(["$1"], "hi")\n3. join()')
    pred = Plan(tasks=(Task(1, "get_phone_number", ("Ana",)), Task(2, "send_sms", (["$1"],))))
    s = score_plan(pred, gold, tools=TOOLS, valid=False)
    assert s.success and s.args_match is False
    assert s.mismatches[0].position == 1


def test_references_inside_free_text_must_match_but_the_words_need_not():
    gold = parse_plan('1. get_phone_number("Yuki")\n2. maps_show_directions("", "Dolores Park", "w")\n'
                      '3. send_sms(["$1"], "Directions to Dolores Park: $2")\n4. join()')
    same_flow = parse_plan('1. get_phone_number("Yuki")\n2. maps_show_directions("", "Dolores Park", "w")\n'
                           '3. send_sms(["$1"], "$2")\n4. join()')
    s = score_plan(same_flow, gold, tools=TOOLS)
    assert s.success and s.args_match is True and s.text_f1 == 0.0  # refs agree; no words in common
    lost_link = parse_plan('1. get_phone_number("Yuki")\n2. maps_show_directions("", "Dolores Park", "w")\n'
                           '3. send_sms(["$1", "$2"], "Directions to Dolores Park")\n4. join()')
    s = score_plan(lost_link, gold, tools=TOOLS)
    assert s.success and s.args_match is False  # the link went to the recipients instead of the text
    assert {m.position for m in s.mismatches} == {0, 1}
    assert s.text_f1 == 1.0


def test_reference_to_a_missing_step_never_matches():
    gold = parse_plan('1. open_and_get_file_path("a.pdf")\n2. summarize_pdf("$1")\n3. join()')
    pred = Plan(tasks=(Task(1, "open_and_get_file_path", ("a.pdf",)), Task(2, "summarize_pdf", ("$1 and $7",))))
    s = score_plan(pred, gold, tools=TOOLS, valid=False)
    assert s.success and s.args_match is False
