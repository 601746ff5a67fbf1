"""Date logic for generated requests: the calendar rules, and that every phrase means its gold date."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta

import pytest

from edgecall.data.timeexpr import (
    HOLIDAYS,
    NUMBER_WORDS,
    WEEKDAYS,
    bare_hour_to_24,
    day_of_month_after,
    duration_adjective,
    end_of_month,
    month_day_after,
    next_weekday,
    random_now,
    render_date,
    this_weekday,
    this_weekend,
    when_date_only,
    when_day_and_time,
    when_part_of_day,
    when_range,
    when_relative,
)

MON = date(2024, 6, 3)  # a Monday


def test_next_monday_on_a_monday_is_a_week_later() -> None:
    assert next_weekday(MON, 0) == date(2024, 6, 10)
    assert next_weekday(MON, 1) == date(2024, 6, 4)
    assert next_weekday(date(2024, 6, 9), 0) == date(2024, 6, 10)  # Sunday -> tomorrow


def test_this_weekday_includes_today() -> None:
    assert this_weekday(MON, 0) == MON
    assert this_weekday(MON, 4) == date(2024, 6, 7)


def test_weekend() -> None:
    assert this_weekend(MON) == date(2024, 6, 8)
    assert this_weekend(date(2024, 6, 8)) == date(2024, 6, 8)  # Saturday: today
    assert this_weekend(date(2024, 6, 9)) == date(2024, 6, 9)  # Sunday: still this weekend
    assert this_weekend(date(2024, 6, 7)) == date(2024, 6, 8)  # Friday


def test_month_ends_and_leap_days() -> None:
    assert end_of_month(date(2024, 2, 10)) == date(2024, 2, 29)
    assert end_of_month(date(2025, 2, 10)) == date(2025, 2, 28)
    # "the 31st" from April skips to May; from Jan 31 it is today
    assert day_of_month_after(date(2024, 4, 5), 31) == date(2024, 5, 31)
    assert day_of_month_after(date(2024, 1, 31), 31) == date(2024, 1, 31)
    assert day_of_month_after(date(2024, 1, 31), 30) == date(2024, 3, 30)  # February has no 30th
    assert day_of_month_after(date(2024, 12, 15), 3) == date(2025, 1, 3)  # year rollover
    assert month_day_after(date(2024, 3, 1), 2, 29) == date(2028, 2, 29)
    assert month_day_after(date(2024, 6, 3), 6, 3) == date(2024, 6, 3)
    assert month_day_after(date(2024, 6, 4), 6, 3) == date(2025, 6, 3)


def test_bare_hours_follow_office_hours() -> None:
    assert bare_hour_to_24(2) == 14
    assert bare_hour_to_24(7) == 19
    assert bare_hour_to_24(9) == 9
    assert bare_hour_to_24(12) == 12
    with pytest.raises(ValueError):
        bare_hour_to_24(13)


# An independent reader for the phrase forms whose meaning is mechanical: it must agree with the generator.
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|AM|PM)\b")


def _resolve_day(phrase: str, now: datetime) -> date | None:
    p = phrase.lower()
    if "a week from today" in p or "in a week" in p or "one week from now" in p:
        return now.date() + timedelta(days=7)
    if "day after tomorrow" in p or "in two days" in p:
        return now.date() + timedelta(days=2)
    if "tomorrow" in p:
        return now.date() + timedelta(days=1)
    if "today" in p or "tonight" in p:
        return now.date()
    m = re.search(r"\b(?:next |on )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?!,)", p)
    if m and "this " + m.group(1) not in p:
        return next_weekday(now.date(), [w.lower() for w in WEEKDAYS].index(m.group(1)))
    return None


def _resolve_clock(phrase: str) -> time | None:
    m = _CLOCK.search(phrase)
    if not m:
        return None
    h = int(m.group(1)) % 12 + (12 if m.group(3).lower() == "pm" else 0)
    return time(h, int(m.group(2) or 0))


@pytest.mark.parametrize("seed", range(3))
def test_day_and_time_phrases_mean_their_gold_date(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    for _ in range(3000):
        now = random_now(rng)
        w = when_day_and_time(now, rng)
        assert w.start > now, (now, w)
        day, clock = _resolve_day(w.phrase, now), _resolve_clock(w.phrase)
        if day is not None:
            assert w.start.date() == day, (now, w)
            checked += 1
        if clock is not None and "from" not in w.phrase:
            assert w.start.time() == clock, (now, w)
    assert checked > 500


def test_parts_of_day_and_relative_offsets() -> None:
    rng = random.Random(1)
    for _ in range(3000):
        now = random_now(rng)
        w = when_part_of_day(now, rng)
        assert w.start > now
        at = re.search(r"\bat (\w+)(?::(\d\d))?", w.phrase)
        if at and at.group(1) != "noon":  # "tonight at 9", "tomorrow morning at 8": the day part fixes am/pm
            words = {v: k for k, v in NUMBER_WORDS.items()}
            h12 = int(at.group(1)) if at.group(1).isdigit() else words[at.group(1)]
            assert w.start.hour == (h12 if "morning" in w.phrase else h12 + 12), w
            assert w.start.minute == int(at.group(2) or 0), w
        hour = {"tonight": 20, "this evening": 18, "this afternoon": 15, "end of day": 17, "end of the day": 17,
                "noon": 12, "morning": 9}
        for key, h in hour.items():
            if at and at.group(1) != "noon":
                break
            if re.search(rf"\b{key}\b", w.phrase) and "tomorrow night" not in w.phrase:
                assert w.start.hour == h, w
                break
        r = when_relative(now, rng)
        m = re.fullmatch(r"in (\d+) hours", r.phrase)
        if m:
            assert r.start == now + timedelta(hours=int(m.group(1)))
        if r.phrase == "in half an hour":
            assert r.start == now + timedelta(minutes=30)
        if r.phrase == "in an hour and a half":
            assert r.start == now + timedelta(minutes=90)


def test_relative_times_cross_midnight() -> None:
    rng = random.Random(5)
    now = datetime(2024, 12, 31, 22, 50)
    seen = set()
    for _ in range(400):
        w = when_relative(now, rng)
        if w.phrase.startswith("in ") and "hour" in w.phrase and "half" not in w.phrase:
            seen.add(w.start.date())
    assert date(2025, 1, 1) in seen


def test_date_only_phrases() -> None:
    rng = random.Random(2)
    for _ in range(2000):
        now = random_now(rng)
        w = when_date_only(now, rng)
        assert w.all_day and w.start.date() >= now.date()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", w.date_str())
        if "weekend" in w.phrase:
            assert w.start.date() == this_weekend(now.date())
        if "end of the month" in w.phrase or "last day of the month" in w.phrase:
            assert w.start.date() == end_of_month(now.date())


# Ranges ("2 to 4 pm", "10-11", "8pm-1am"): read back independently of the generator.
_END = r"(\d{1,2})(?::(\d\d))?\s*(am|pm|a\.m\.|p\.m\.)?"
_RANGE = re.compile(rf"(?<![\d:]){_END}\s*(?:-|–| - | to | until | and )\s*{_END}(?![\d:])", re.IGNORECASE)


def _clock_of(h: str, m: str | None, suffix: str | None, twenty_four: bool) -> time:
    hour = int(h)
    if suffix:
        hour = hour % 12 + (12 if suffix.lower().startswith("p") else 0)
    elif not twenty_four and hour <= 12:
        hour = bare_hour_to_24(hour)
    return time(hour, int(m or 0))


def test_time_ranges_mean_their_start_and_end() -> None:
    rng = random.Random(4)
    checked = shared = bare = midnight = 0
    for _ in range(4000):
        now = random_now(rng)
        got = when_range(now, rng)
        if got is None:
            continue
        phrase, start, minutes = got
        m = _RANGE.search(phrase)
        assert m, phrase
        h1, m1, s1, h2, m2, s2 = m.groups()
        twenty_four = h1.startswith("0") or int(h1) > 12 or int(h2) > 12 or (h2.startswith("0") and m2 is not None)
        end = start + timedelta(minutes=minutes)
        assert _clock_of(h1, m1, s1 or s2, twenty_four) == start.time(), phrase  # a trailing am/pm covers both
        assert _clock_of(h2, m2, s2, twenty_four) == end.time(), phrase
        assert start > now and end > start
        if end.date() != start.date():
            midnight += 1
            assert s1 and s2, phrase  # crossing midnight is always said with am/pm at both ends
        shared += bool(s2 and not s1)
        bare += not s1 and not s2 and not twenty_four
        day = _resolve_day(phrase, now)
        if day is not None:
            assert start.date() == day, (now, phrase)
        checked += 1
    assert checked > 3000 and shared > 300 and bare > 100 and midnight > 50


def _minutes_of(adjective: str) -> int:
    a = adjective.replace("-", " ")
    fixed = {"half hour": 30, "hour long": 60, "hour and a half": 90}
    if a in fixed:
        return fixed[a]
    m = re.fullmatch(r"(\d+|[a-z]+)\s*(minute|min|hour|h)", a)
    assert m, adjective
    words = {v: k for k, v in NUMBER_WORDS.items()} | {"thirty": 30, "fifteen": 15}
    n = int(m.group(1)) if m.group(1).isdigit() else words[m.group(1)]
    return n * 60 if m.group(2) in ("hour", "h") else n


def test_duration_adjectives_say_their_length() -> None:
    rng = random.Random(6)
    for minutes in (10, 15, 20, 25, 30, 45, 60, 90, 120, 180, 240):
        for _ in range(30):
            adjective = duration_adjective(minutes, rng)
            assert _minutes_of(adjective) == minutes, (minutes, adjective)


def test_holiday_names_mean_the_next_such_day() -> None:
    rng = random.Random(8)
    names = {name: md for md, names_ in HOLIDAYS.items() for name in names_}
    seen = 0
    for year in (2024, 2025):
        for (month, day) in HOLIDAYS:
            d = date(year, month, day)
            for back in (0, 3, 20):
                today = d - timedelta(days=back)
                for _ in range(20):
                    phrase = render_date(d, today, rng)
                    name = phrase.removeprefix("on ")
                    if name in names:
                        assert names[name] == (month, day)
                        assert month_day_after(today, month, day) == d
                        seen += 1
    assert seen > 100
