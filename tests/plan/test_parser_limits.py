"""The parser raises PlanError (with a step and a reason) or returns a plan, whatever the text.

Each reproduced escape from the robustness probe is pinned, then the hostile generators in
`plan_fuzz.py` run under hypothesis (a small CI profile; benchmarks/fuzz_plans.py runs 100,000).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from plan_fuzz import chunked, deep, long, odd_literals, parse_both, unicode

from edgecall.plan import PlanError, PlanStreamParser, PlanSyntaxError, parse_plan
from edgecall.plan.parser import MAX_DEPTH, MAX_PLAN_CHARS, MAX_STEP_CHARS

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(
    ("text", "step", "fragment"),
    [
        ("1. f(" + "-" * 400 + "1)", 1, "more than one sign"),  # was RecursionError
        ("1. f(1" + ".b" * 330 + ")", 1, "'b' is not a literal"),
        ("1. f(1" + "()" * 330 + ")", 1, "calls and subscripts"),
        ("1. f([0]" + "[0]" * 330 + ")", 1, "calls and subscripts"),
        ("1. f(1" + "+1" * 330 + ")", 1, "arithmetic"),
        ("1. f(" + "~" * 330 + "1)", 1, "'~' is not allowed"),
        ("1. f(" + "not " * 330 + "1)", 1, "'not' is not a literal"),
        ("1. f(" + "lambda:" * 330 + "1)", 1, "'lambda' is not a literal"),
        ("1. f(" + "[" * 330 + "]" * 330 + ")", 1, "nested deeper"),
        ("1. f()<" + "{" * 200, 1, "'<' is not allowed"),  # was MemoryError
        ("1. f(" + "9" * 4301 + ")", 1, "a number has more than"),  # was ValueError
        ("1. f({(1, 2): 3})", 1, "non-string keys"),  # was TypeError
        ('1. f("\ud800")', 1, "lone surrogate"),  # was UnicodeEncodeError
        ("1. f(\x00)", 1, "NUL"),
        ("1. f(1e999)", 1, "finite"),
    ],
)
def test_reproduced_escapes_are_plan_errors(text, step, fragment):
    for parse in (parse_plan, _stream_parse):
        with pytest.raises(PlanError) as info:
            parse(text + "\n2. join()" if "join" not in text else text)
        assert info.value.step == step, str(info.value)
        assert fragment in str(info.value)


def test_an_overlong_reference_is_plain_text_not_a_5000_digit_int():
    plan = parse_plan('1. f("x")\n2. g("$' + "1" * 5000 + '")\n3. join()')  # int() of it raised ValueError
    assert plan.tasks[1].deps == ()


def _stream_parse(text: str):
    parser = PlanStreamParser()
    parser.feed(text)
    return parser.close()


def test_a_call_continued_over_many_lines_still_parses():
    text = "1. f([\n" + "".join(f'  "item {i}",\n' for i in range(3000)) + "])\n2. join()"
    plan = parse_plan(text)
    assert len(plan.tasks[0].args[0]) == 3000
    stream = PlanStreamParser()
    assert [t.idx for t in stream.feed(text)] == [1]
    assert stream.close() == plan


def test_huge_chunk_and_tiny_chunks_give_the_same_plan():
    text = "".join(f'{i}. f("{"x" * 50}", {i})\n' for i in range(1, 3001)) + "3001. join()<END_OF_PLAN>junk"
    one = PlanStreamParser()
    tasks = one.feed(text)
    assert len(tasks) == 3000 and one.done
    small = PlanStreamParser()
    got = []
    for i in range(0, len(text), 5):  # the end marker is split across chunks
        got.extend(small.feed(text[i : i + 5]))
    assert got == tasks
    assert small.close() == one.close() == parse_plan(text)
    assert small.text == text


def test_limits_are_enforced_with_clear_errors():
    with pytest.raises(PlanSyntaxError, match="longer than 1,048,576 characters"):
        parse_plan("1. f()\n" * (MAX_PLAN_CHARS // 7 + 1))
    parser = PlanStreamParser()
    with pytest.raises(PlanSyntaxError, match="longer than 1,048,576"):
        for _ in range(MAX_PLAN_CHARS // 1000 + 2):
            parser.feed(" " * 999 + "\n")
    with pytest.raises(PlanSyntaxError, match="step is longer than 131,072") as info:
        parse_plan('1. f("' + "x" * MAX_STEP_CHARS + '")\n2. join()')
    assert info.value.step == 1
    with pytest.raises(PlanSyntaxError, match="a line is longer than 131,072"):
        PlanStreamParser().feed("1. f(" + "x" * (MAX_STEP_CHARS + 20))
    ok = "1. f(" + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + ")\n2. join()"
    assert parse_plan(ok).tasks[0].tool == "f"


@given(deep())
@FAST
def test_deep_inputs_only_raise_plan_errors(text):
    parse_both(text)


@given(long())
@FAST
def test_long_inputs_only_raise_plan_errors(text):
    parse_both(text)


@given(unicode())
@FAST
def test_unicode_inputs_only_raise_plan_errors(text):
    parse_both(text)


@given(odd_literals)
@FAST
def test_odd_literals_only_raise_plan_errors(text):
    parse_both(text)


@given(chunked())
@FAST
def test_chunked_streams_only_raise_plan_errors(case):
    text, sizes = case
    parse_both(text, sizes)
