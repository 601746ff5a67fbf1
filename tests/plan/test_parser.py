"""Plan language: parsing, repairs, errors, round-trips and fuzzing."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgecall.plan import (
    Plan,
    PlanError,
    PlanStreamParser,
    PlanSyntaxError,
    PlanValidationError,
    Task,
    parse_plan,
    render_plan,
)

PAPER_PLAN = """Thought: I need both emails first
1. get_email_address("Sid")
2. get_email_address("Lutfi")
3. create_calendar_event("Roadmap", "2024-06-04 14:00:00", "2024-06-04 15:00:00", "", ["$1", "$2"], "", "")
4. join()<END_OF_PLAN>"""


def test_parses_the_paper_example():
    plan = parse_plan(PAPER_PLAN)
    assert [t.tool for t in plan.tasks] == ["get_email_address", "get_email_address", "create_calendar_event"]
    assert plan.tasks[2].args[4] == ["$1", "$2"]
    assert plan.tasks[2].deps == (1, 2)
    assert plan.tasks[0].thought == "I need both emails first"
    assert plan.has_join


def test_literals_of_every_kind():
    plan = parse_plan('1. f("a\\"b", 3, -2.5, True, None, [1, "x"], {"k": [False]})\n2. join()')
    assert plan.tasks[0].args == ('a"b', 3, -2.5, True, None, [1, "x"], {"k": [False]})


@pytest.mark.parametrize(
    ("text", "repair"),
    [
        ('1. f("$1")\n', None),
        ('1. f("x")\n2. g(${1})\n3. join()', "quoted bare"),
        ('1. f("x")\n2. g("${1}")\n3. join()', "rewrote ${k}"),
        ('```\n1. f("x")\n2. join()\n```', "code fence"),
        ('1. f("x")\n7. join()', "renumbered join"),
    ],
)
def test_harmless_drift_is_repaired_and_reported(text, repair):
    if repair is None:
        with pytest.raises(PlanValidationError):
            parse_plan(text)
        return
    plan = parse_plan(text)
    assert any(repair in r for r in plan.repairs), plan.repairs
    if len(plan.tasks) == 2:
        assert plan.tasks[1].args == ("$1",)


def test_missing_end_of_plan_and_whitespace_are_fine():
    plan = parse_plan('  1.   f( "x" )  \n\n  2. join()   ')
    assert plan.tasks == (Task(1, "f", ("x",)),)


def test_interpolated_reference_inside_text():
    plan = parse_plan('1. f("x")\n2. g("Summary: $1 (see ${1})")\n3. join()')
    assert plan.tasks[1].deps == (1,)
    assert plan.tasks[1].args == ("Summary: $1 (see $1)",)


def test_multiline_call_is_joined():
    plan = parse_plan('1. f("a",\n   ["b",\n    "c"])\n2. join()')
    assert plan.tasks[0].args == ("a", ["b", "c"])


@pytest.mark.parametrize(
    ("text", "kind", "step", "fragment"),
    [
        ("hello there", PlanSyntaxError, None, "not a plan step"),
        ("1. f(x)\n2. join()", PlanSyntaxError, 1, "not a literal"),
        ("1. f(name='x')\n2. join()", PlanSyntaxError, 1, "keyword arguments"),
        ("1. f(*a)\n2. join()", PlanSyntaxError, 1, "unpacking"),
        ("1. f({1, 2})\n2. join()", PlanSyntaxError, 1, "set"),
        ("1. f(\"a\"\n", PlanSyntaxError, 1, "unclosed"),
        ("1. f(\"x\")\n2. join(1)", PlanSyntaxError, 2, "no arguments"),
        ('1. f("x")', PlanValidationError, None, "no join()"),
        ('1. f("x")\n1. g("y")\n2. join()', PlanValidationError, 1, "duplicate step"),
        ('1. f("$1")\n2. join()', PlanValidationError, 1, "own step"),
        ('1. f("$3")\n2. join()', PlanValidationError, 1, "does not exist"),
        ('1. f("$2")\n2. g("x")\n3. join()', PlanValidationError, 1, "later step"),
        ('1. f("$2")\n2. g("$1")\n3. join()', PlanValidationError, 1, "cycle"),
        ('1. f("x")\n2. join()\n3. g("y")', PlanValidationError, 3, "after join"),
        ("1. join()", PlanValidationError, None, "no tool calls"),
    ],
)
def test_errors_are_precise(text, kind, step, fragment):
    with pytest.raises(kind) as info:
        parse_plan(text)
    assert info.value.step == step
    assert fragment in str(info.value)


def test_plan_without_join_allowed_when_not_required():
    plan = parse_plan('1. f("x")', require_join=False)
    assert not plan.has_join and len(plan) == 1
    assert "join" not in render_plan(plan)


def test_render_is_canonical_and_round_trips():
    plan = parse_plan(PAPER_PLAN)
    text = render_plan(plan)
    assert text.splitlines()[-1] == "4. join()<END_OF_PLAN>"
    assert parse_plan(text) == plan
    assert render_plan(parse_plan(text)) == text


def test_stream_emits_tasks_as_lines_complete():
    parser = PlanStreamParser()
    emitted: list[tuple[int, int]] = []
    for pos, ch in enumerate(PAPER_PLAN):
        for task in parser.feed(ch):
            emitted.append((task.idx, pos))
    assert [i for i, _ in emitted] == [1, 2, 3]
    # task 1 is emitted right after its newline, long before the text ends
    first_newline_after_1 = PAPER_PLAN.index("\n", PAPER_PLAN.index("1. "))
    assert emitted[0][1] == first_newline_after_1
    assert parser.done
    assert parser.close() == parse_plan(PAPER_PLAN)


def test_stream_rejects_forward_reference_immediately():
    parser = PlanStreamParser()
    with pytest.raises(PlanValidationError) as info:
        parser.feed('1. f("$2")\n')
    assert info.value.step == 1


# ---- property-based: rendering round-trips, and junk never raises anything but PlanError ----

# "$k" in any string is a reference in the plan language, so literal text (values and dict keys) holds no "$";
# references are drawn on purpose below, always to an earlier step.
text = st.text(max_size=12).filter(lambda s: "$" not in s)
literal = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | text
    | st.floats(allow_nan=False, allow_infinity=False, width=32),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text.filter(lambda s: len(s) <= 5), inner, max_size=3),
    max_leaves=6,
)
# a tool name is a Python identifier that is not a keyword ("in" cannot be called) and not join
tool_name = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda s: s != "join" and not keyword.iskeyword(s) and not keyword.issoftkeyword(s)
)


@st.composite
def plans(draw):
    n = draw(st.integers(1, 6))
    tasks = []
    for i in range(1, n + 1):
        args = list(draw(st.lists(literal, max_size=4)))
        if i > 1 and draw(st.booleans()):
            args.append(f"${draw(st.integers(1, i - 1))}")
        tasks.append(Task(i, draw(tool_name), tuple(args)))
    return Plan(tuple(tasks))


@given(plans())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_property_round_trip(plan):
    text = render_plan(plan)
    assert parse_plan(text) == plan
    stream = PlanStreamParser()
    out = []
    for i in range(0, len(text), 7):
        out.extend(stream.feed(text[i : i + 7]))
    assert tuple(out) == plan.tasks
    assert stream.close() == plan


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_property_random_text_only_raises_plan_errors(text):
    try:
        parse_plan(text)
    except PlanError:
        pass


@given(plans(), st.data())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_property_mutated_plans_only_raise_plan_errors(plan, data):
    text = render_plan(plan)
    pos = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.sampled_from(["(", ")", '"', "$", "$9", "\n", "\n3. ", "join()", "[", "{", "\\", "'", ",", "#"]))
    mutated = text[:pos] + junk + text[pos + data.draw(st.integers(0, 3)) :]
    try:
        parse_plan(mutated)
    except PlanError:
        pass
    parser = PlanStreamParser()
    try:
        parser.feed(mutated)
        parser.close()
    except PlanError:
        pass


def test_a_repeated_call_in_model_output_is_merged_into_the_first():
    """A model that writes a lookup again (the same person for the event and then for the email) gets the plan it
    meant: the repeat is the earlier step, and later references to it follow."""
    text = ('1. get_email_address("Ana")\n2. create_calendar_event("Lunch", "$1")\n3. get_email_address("Ana")\n'
            '4. compose_new_email(["$3"], "Lunch", "$2, $3")\n5. join()')
    assert [t.idx for t in parse_plan(text).tasks] == [1, 2, 3, 4]  # gold data is read as written
    plan = parse_plan(text, merge_repeats=True)
    assert [(t.idx, t.args) for t in plan.tasks] == [
        (1, ("Ana",)), (2, ("Lunch", "$1")), (4, (["$1"], "Lunch", "$2, $1"))]
    assert plan.tasks[2].deps == (1, 2) and plan.has_join
    assert any("step 3: repeats step 1's call; merged into it" in r for r in plan.repairs)
    stream = PlanStreamParser(merge_repeats=True)
    assert [t.idx for t in stream.feed(text + "\n")] == [1, 2, 4]
    assert stream.close() == plan
    # a step that becomes a repeat once its references follow is merged too
    text = '1. f("a")\n2. g("$1")\n3. f("a")\n4. h("x")\n5. g("$3")\n6. k("$5")\n7. join()'
    assert [(t.idx, t.args) for t in parse_plan(text, merge_repeats=True).tasks] == [
        (1, ("a",)), (2, ("$1",)), (4, ("x",)), (6, ("$2",))]


def test_model_loops_are_cut_at_the_second_repeat_in_a_row():
    text = '1. f("a")\n2. g("$1")\n3. f("a")\n4. f("a")\n5. f("a")'
    # gold data is read as written: the repeats stay (only model output is merged and cut, with merge_repeats)
    assert [t.idx for t in parse_plan(text + "\n6. join()").tasks] == [1, 2, 3, 4, 5]
    plan = parse_plan(text, merge_repeats=True)
    assert [t.idx for t in plan.tasks] == [1, 2] and plan.has_join
    assert any("step 4: repeats step 1 right after another repeat; ended the plan" in r for r in plan.repairs)
    stream = PlanStreamParser(merge_repeats=True)
    assert [t.idx for t in stream.feed(text + "\n")] == [1, 2]
    assert stream.done
    assert stream.close() == plan
    # the same tool with other arguments is not a repeat
    assert len(parse_plan('1. f("a")\n2. f("b")\n3. join()', merge_repeats=True)) == 2
