"""Weekdays grounded to dates in the question (`compact-dated`), and taken back out of the plan's text."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from edgecall.assistant.tools import assistant_toolset
from edgecall.planner import Planner, get_prompt_format
from edgecall.planner.weekdays import mark_weekdays, next_weekday, this_weekday, unmark

MONDAY = datetime(2024, 6, 3, 9, 0)
TOOLS = assistant_toolset()


@pytest.mark.parametrize(("query", "marked"), [
    ("Lunch with Dan on Friday at noon", "Lunch with Dan on Friday (2024-06-07) at noon"),
    ("next Monday, then this Wednesday", "next Monday (2024-06-10), then this Wednesday (2024-06-05)"),
    ("remind me sunday evening", "remind me sunday (2024-06-09) evening"),
    ("reschedule Thursday's call", "reschedule Thursday's (2024-06-06) call"),
    # the request says what it means, or names the past: left alone
    ("what did I note last Friday", "what did I note last Friday"),
    ("on Friday, June 14 at 3", "on Friday, June 14 at 3"),
    ("Friday the 14th", "Friday the 14th"),
    ("Friday Jun 14", "Friday Jun 14"),
    ("gym on Fridays", "gym on Fridays"),
    ("on Friday (2024-06-14)", "on Friday (2024-06-14)"),
    ("no weekday here", "no weekday here"),
])  # fmt: skip
def test_mark_weekdays_writes_the_date_each_future_weekday_means(query: str, marked: str) -> None:
    assert mark_weekdays(query, MONDAY) == marked


def test_weekday_rules_are_the_generators() -> None:
    """"Monday" on a Monday is a week later, "this Monday" is today; months and years roll over."""
    from edgecall.data import timeexpr

    assert timeexpr.next_weekday is next_weekday and timeexpr.this_weekday is this_weekday
    assert next_weekday(date(2024, 6, 3), 0) == date(2024, 6, 10)
    assert this_weekday(date(2024, 6, 3), 0) == date(2024, 6, 3)
    assert next_weekday(date(2024, 12, 30), 2) == date(2025, 1, 1)
    assert mark_weekdays("on Monday", datetime(2024, 12, 28, 9)) == "on Monday (2024-12-30)"


def test_unmark_takes_only_the_weekday_dates_out() -> None:
    assert unmark("the release slipped to Friday (2024-06-07)") == "the release slipped to Friday"
    assert unmark(["Thursday's (2024-06-06) call", "$1"]) == ["Thursday's call", "$1"]
    assert unmark("2024-06-07 10:00:00") == "2024-06-07 10:00:00"
    assert unmark("see you (2024-06-07)") == "see you (2024-06-07)"  # no weekday before it: not ours
    assert unmark(60) == 60 and unmark(None) is None


def test_compact_dated_prompt_marks_only_the_question() -> None:
    fmt = get_prompt_format("compact-dated")
    assert fmt.build("Text Bo on Friday", TOOLS, now=MONDAY) == (
        "Today is Monday 2024-06-03 09:00:00.\nQuestion: Text Bo on Friday (2024-06-07)\nPlan:\n")
    assert fmt.build("Text Bo", TOOLS, now=MONDAY) == get_prompt_format("compact").build("Text Bo", TOOLS, now=MONDAY)


PLAN = ('1. create_reminder("Standup moved to Friday (2024-06-07)", "2024-06-07 10:00:00", "", "", 0, False)\n'
        "2. join()<END_OF_PLAN>")


def test_the_planner_takes_the_dates_back_out_of_plan_and_stream(scripted_llm) -> None:  # type: ignore[no-untyped-def]
    """What the model copied into a text argument is gone from the plan and from every streamed task; the date
    argument stays. A format that marks nothing leaves the same text alone."""
    from edgecall.planner.planner import PlanOutcome

    planner = Planner(scripted_llm(PLAN, PLAN), TOOLS, grammar=False, prompt_format="compact-dated")
    out = planner.plan("Remind me on Friday at 10 that standup moved to Friday", now=MONDAY)
    assert "Question: Remind me on Friday (2024-06-07) at 10" in out.prompt
    assert out.plan is not None
    assert out.plan.tasks[0].args[:2] == ("Standup moved to Friday", "2024-06-07 10:00:00")

    async def streamed() -> list:  # type: ignore[type-arg]
        outcome = PlanOutcome()
        got = [t async for t in planner.stream("Remind me on Friday", now=MONDAY, outcome=outcome)]
        assert outcome.plan is not None and outcome.plan.tasks[0].args[0] == "Standup moved to Friday"
        return got

    assert [t.args[0] for t in asyncio.run(streamed())] == ["Standup moved to Friday"]
    plain = Planner(scripted_llm(PLAN), TOOLS, grammar=False, prompt_format="compact")
    kept = plain.plan("Remind me on Friday", now=MONDAY).plan
    assert kept is not None and kept.tasks[0].args[0] == "Standup moved to Friday (2024-06-07)"


def test_the_shipped_planner_is_served_in_its_trained_format_and_dates_weekdays() -> None:
    """The default preset names the format its adapter was trained in, and the real served planner puts the
    weekday's date into the plan (the merged model, as `edgecall run` serves it)."""
    import json

    from edgecall.app import build_llm, build_planner, build_toolset
    from edgecall.config import load_settings
    from edgecall.llm.presets import get_preset

    preset = get_preset("edgecall-planner")
    adapter = preset.adapter_path()
    assert adapter is not None
    shipped = json.loads(adapter.with_suffix(".json").read_text(encoding="utf-8"))
    assert shipped["exported_checkpoint"]["prompt_format"] == preset.prompt_format == "compact-dated"
    settings = load_settings(model="edgecall-planner", tool_rag=False)
    llm = build_llm(settings)
    planner = build_planner(settings, build_toolset(settings, llm), llm)
    for query, day in [("Remind me to call the dentist on Friday at 10am", "2024-06-07"),
                       ("Schedule lunch with Dan next Tuesday at noon", "2024-06-04")]:
        out = planner.plan(query, now=MONDAY)
        assert out.plan is not None, out.error
        dates = [a for t in out.plan.tasks for a in t.args if isinstance(a, str) and a[:4] == "2024"]
        assert dates and all(d.startswith(day) for d in dates), (query, out.text)
