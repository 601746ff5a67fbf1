"""Time expressions for generated requests, and their exact resolution against ``now``.

Generation goes *from the answer to the words*: each expression kind picks a target date/time that is
reachable from ``now``, renders a phrase for it, and returns both.  That keeps the gold date correct by
construction; the pure helpers below (``next_weekday``, ``month_day_after``...) hold the calendar rules
the phrases mean and are tested on the tricky cases (month ends, "next Monday" on a Monday, weekends).

Conventions (the planner prompt teaches the same ones):
- "Friday", "on Friday", "next Friday": the next Friday strictly after today (on a Friday: in 7 days).
- "this Friday": the coming Friday, only generated when today is not Friday (avoids the ambiguity).
- "June 12": the next June 12 on or after today; "the 12th": this month if not past, else the next month
  that has a 12th (a "31st" skips 30-day months).
- A bare hour "at 2" is 2 pm for 1..7 and am for 8..11; "tonight" is 20:00, "this evening" 18:00,
  "this afternoon" 15:00, "in the morning" 09:00, "end of the day" 17:00, "noon" 12:00.
- "this weekend": the coming Saturday (today when today is Saturday or Sunday's Saturday is past: Sunday
  itself counts as this weekend).
- A range "2 to 4 pm", "7-8am": a trailing am/pm applies to both ends; "10 to 12", "4-4:30" with no am/pm
  follow the bare-hour rule at both ends; "8 pm to 1 am" ends the next day.  Ambiguous bare ranges (where the
  rule would put the end before the start) are never generated.
- Fixed-date holidays ("New Year's Day", "Christmas Eve") are the next such date on or after today.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from edgecall.planner.weekdays import WEEKDAYS as WEEKDAYS
from edgecall.planner.weekdays import next_weekday as next_weekday
from edgecall.planner.weekdays import this_weekday as this_weekday

DATETIME_FMT = "%Y-%m-%d %H:%M:%S"
DATE_FMT = "%Y-%m-%d"

MONTHS = tuple(calendar.month_name)[1:]
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


@dataclass(frozen=True)
class When:
    """A phrase and what it means: ``start`` is exact; ``all_day`` when only a date was given."""

    phrase: str
    start: datetime
    all_day: bool = False

    def date_str(self) -> str:
        return self.start.strftime(DATE_FMT if self.all_day else DATETIME_FMT)


# ----------------------------------------------------------------------------------------- pure calendar rules
# next_weekday and this_weekday live with the planner, which writes weekdays' dates into requests by them.
def this_weekend(today: date) -> date:
    """The Saturday of "this weekend": today on a Saturday, yesterday's weekend is still this one on Sunday."""
    if today.weekday() == 6:
        return today
    return this_weekday(today, 5)


def month_day_after(today: date, month: int, day: int) -> date:
    """The next ``month``/``day`` on or after ``today`` (Feb 29 waits for a leap year)."""
    year = today.year
    while True:
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        year += 1


def day_of_month_after(today: date, day: int) -> date:
    """"The 31st": this month if it has that day and it is not past, else the next month that has it."""
    year, month = today.year, today.month
    while True:
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        month += 1
        if month == 13:
            year, month = year + 1, 1


def end_of_month(today: date) -> date:
    return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])


def bare_hour_to_24(hour: int) -> int:
    """A bare clock hour ("at 2") in office hours: 1..7 are pm, 8..11 am, 12 noon."""
    if not 1 <= hour <= 12:
        raise ValueError(f"bare hour must be 1..12, got {hour}")
    return hour + 12 if hour <= 7 else hour


# ------------------------------------------------------------------------------------------- rendering helpers
def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def render_clock(t: time, rng: random.Random) -> str:
    """Many spoken forms of one clock time, all unambiguous under the conventions above."""
    h12 = t.hour % 12 or 12
    ampm = "am" if t.hour < 12 else "pm"
    forms: list[str] = []
    if t.minute == 0:
        forms += [f"{h12}{ampm}", f"{h12} {ampm}", f"{h12}:00 {ampm}", f"{t.hour:02d}:00", f"{h12}{ampm.upper()}"]
        if t.hour == 12:
            forms += ["noon", "midday", "12 noon"]
        elif bare_hour_to_24(h12) == t.hour:  # a bare "at 3" must read back as this hour
            forms += [f"{h12}", f"{h12} o'clock"]
        if 13 <= t.hour <= 17:
            forms.append(f"{NUMBER_WORDS[h12]} in the afternoon")
        if 8 <= t.hour <= 11:
            forms.append(f"{h12} in the morning")
    else:
        forms += [f"{h12}:{t.minute:02d} {ampm}", f"{h12}:{t.minute:02d}{ampm}", f"{t.hour:02d}:{t.minute:02d}"]
        bare = h12 != 12 and bare_hour_to_24(h12) == t.hour
        if t.minute == 30 and bare:
            forms += [f"half past {h12}", f"{h12}:30"]
        if t.minute == 15 and bare:
            forms.append(f"quarter past {h12}")
        n12 = (t.hour + 1) % 12 or 12
        if t.minute == 45 and n12 != 12 and bare_hour_to_24(n12) == t.hour + 1:
            forms.append(f"quarter to {n12}")
    return rng.choice(forms)


def render_date(d: date, today: date, rng: random.Random) -> str:
    """A date as people say it; forms depend on how far away it is from ``today``."""
    delta = (d - today).days
    wd = WEEKDAYS[d.weekday()]
    month = MONTHS[d.month - 1]
    forms: list[str] = []
    if month_day_after(today, d.month, d.day) == d:  # "June 12" without a year must mean this date
        forms += [f"{month} {d.day}", f"{month} {ordinal(d.day)}", f"{d.day} {month}",
                  f"the {ordinal(d.day)} of {month}", f"{month[:3]} {d.day}", f"{wd}, {month} {d.day}"]
    if delta == 0:
        forms = ["today"] * 4 + forms
    elif delta == 1:
        forms = ["tomorrow"] * 6 + ["tmrw", "tmr"] + forms
    elif delta == 2:
        forms = ["the day after tomorrow", "in two days"] + forms
    if 1 <= delta <= 7 and d == next_weekday(today, d.weekday()):
        forms += [wd, f"on {wd}", f"next {wd}", wd.lower(), f"{wd[:3]}"]
        if delta <= 6 and d.weekday() != today.weekday():
            forms.append(f"this {wd}")
    if day_of_month_after(today, d.day) == d:
        forms.append(f"the {ordinal(d.day)}")
    if d == end_of_month(today) and delta > 0:
        forms += ["the end of the month", "the last day of the month"]
    if delta == 7:
        forms += ["a week from today", "in a week", "one week from now"]
    holiday = HOLIDAYS.get((d.month, d.day))
    if holiday and month_day_after(today, d.month, d.day) == d:
        forms += list(holiday) * 3  # a holiday's name is what people say when the date is one
    return rng.choice(forms)


HOLIDAYS: dict[tuple[int, int], tuple[str, ...]] = {
    (1, 1): ("New Year's Day",), (12, 31): ("New Year's Eve",), (12, 24): ("Christmas Eve",),
    (12, 25): ("Christmas Day", "Christmas"), (12, 26): ("Boxing Day",), (10, 31): ("Halloween",),
    (2, 14): ("Valentine's Day",), (3, 17): ("St. Patrick's Day",), (7, 4): ("the Fourth of July",),
}
"""Fixed-date holidays (month, day) -> names; the next one on or after today is meant."""


def _on(phrase: str) -> str:
    """Prepend "on" where English needs it ("on June 12", but not "on tomorrow")."""
    bare = ("today", "tomorrow", "tmr", "the day after", "in ", "a week", "one week", "next ", "this ", "on ")
    return phrase if phrase.lower().startswith(bare) else f"on {phrase}"


def _clock_time(rng: random.Random) -> time:
    hour = rng.choice([8, 9, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 15, 16, 16, 17, 18, 19])
    minute = rng.choice([0, 0, 0, 0, 0, 30, 30, 15, 45])
    return time(hour, minute)


def _future_day(now: datetime, rng: random.Random, max_days: int = 40) -> date:
    if rng.random() < 0.03:  # a holiday within the next ~4 months, so holiday names occur at all
        upcoming = sorted(month_day_after(now.date(), m, d) for m, d in HOLIDAYS)
        if (upcoming[0] - now.date()).days <= 120:
            return upcoming[0]
    weights = [3, 8, 5, 5, 5, 5, 5, 5] + [1] * (max_days - 7)
    return now.date() + timedelta(days=rng.choices(range(max_days + 1), weights=weights)[0])


# ------------------------------------------------------------------------------------------- expression kinds
def when_day_and_time(now: datetime, rng: random.Random) -> When:
    """"tomorrow at 2pm", "next Friday at 15:30", "June 12 at 10"... always after ``now``."""
    for _ in range(20):
        day = _future_day(now, rng)
        t = _clock_time(rng)
        start = datetime.combine(day, t)
        if start > now + timedelta(minutes=30):
            break
    else:
        start = datetime.combine(now.date() + timedelta(days=1), time(10, 0))
    dphrase = _on(render_date(start.date(), now.date(), rng))
    tphrase = render_clock(start.time(), rng)
    spoken = tphrase.startswith(("half", "quarter"))
    joiner = " at " if spoken else rng.choice([" at ", " at ", " at ", ", ", " around "])
    if joiner == " at " and rng.random() < 0.3:  # time first: "at 3pm tomorrow"
        return When(f"at {tphrase} {dphrase}", start)
    return When(f"{dphrase}{joiner}{tphrase}", start)


def when_part_of_day(now: datetime, rng: random.Random) -> When:
    """"tonight", "this afternoon", "tomorrow morning", "end of the day"... with fixed clock meanings."""
    today = now.date()
    options: list[tuple[str, datetime]] = []
    for phrase, hour in (("tonight", 20), ("this evening", 18), ("this afternoon", 15), ("later today", 17),
                         ("by the end of the day", 17), ("by end of day", 17), ("at noon", 12), ("at noon today", 12)):
        at = datetime.combine(today, time(hour))
        if at > now + timedelta(minutes=30):
            options.append((phrase, at))
    tomorrow = today + timedelta(days=1)
    options += [("tomorrow morning", datetime.combine(tomorrow, time(9))),
                ("tomorrow afternoon", datetime.combine(tomorrow, time(15))),
                ("tomorrow evening", datetime.combine(tomorrow, time(18))),
                ("tomorrow night", datetime.combine(tomorrow, time(20))),
                ("tomorrow at noon", datetime.combine(tomorrow, time(12))),
                ("first thing tomorrow", datetime.combine(tomorrow, time(9)))]
    wd = rng.randrange(7)
    d = next_weekday(today, wd)
    options += [(f"{WEEKDAYS[wd]} morning", datetime.combine(d, time(9))),
                (f"{WEEKDAYS[wd]} afternoon", datetime.combine(d, time(15))),
                (f"next {WEEKDAYS[wd]} evening", datetime.combine(d, time(18)))]
    phrase, start = rng.choice(options)
    if rng.random() < 0.35:
        return _part_of_day_at(now, rng) or When(phrase, start)
    return When(phrase, start)


_PART_HOURS = {"morning": (7, 8, 9, 10, 11), "afternoon": (1, 2, 3, 4, 5), "evening": (6, 7, 8, 9),
               "night": (8, 9, 10), "tonight": (7, 8, 9, 10)}


def _part_of_day_at(now: datetime, rng: random.Random) -> When | None:
    """"tonight at 9", "tomorrow morning at 8", "Friday afternoon at 3": the day part fixes am/pm."""
    part = rng.choice(tuple(_PART_HOURS))
    hour12 = rng.choice(_PART_HOURS[part])
    hour = hour12 if part == "morning" else hour12 + 12
    minute = rng.choice((0, 0, 0, 30, 15))
    clock = str(hour12) if minute == 0 else f"{hour12}:{minute:02d}"
    if minute == 0 and rng.random() < 0.3:
        clock = NUMBER_WORDS[hour12]
    today = now.date()
    if part == "tonight":
        day, day_phrase = today, "tonight"
    else:
        r = rng.random()
        if r < 0.3:
            day, day_phrase = today, f"this {part}" if part != "night" else "tonight"
        elif r < 0.65:
            day, day_phrase = today + timedelta(days=1), f"tomorrow {part}"
        else:
            day = next_weekday(today, rng.randrange(7))
            day_phrase = f"{WEEKDAYS[day.weekday()]} {part}"
    start = datetime.combine(day, time(hour, minute))
    if start <= now + timedelta(minutes=30):
        return None
    if rng.random() < 0.25:
        return When(f"at {clock} {day_phrase}", start)
    return When(f"{day_phrase} at {clock}", start)


def when_relative(now: datetime, rng: random.Random) -> When:
    """"in two hours", "in 45 minutes", "in 3 days at 10am": offsets from ``now`` (seconds dropped)."""
    kind = rng.random()
    base = now.replace(second=0, microsecond=0)
    if kind < 0.45:
        hours = rng.choice([1, 2, 2, 3, 4, 5])
        words = rng.choice([str(hours), NUMBER_WORDS[hours]]) if hours > 1 else rng.choice(["an", "one"])
        unit = "hour" if hours == 1 else "hours"
        return When(f"in {words} {unit}", base + timedelta(hours=hours))
    if kind < 0.8:
        minutes = rng.choice([10, 15, 20, 30, 45, 90])
        phrase = {30: rng.choice(["in 30 minutes", "in half an hour", "in thirty minutes"]),
                  90: rng.choice(["in 90 minutes", "in an hour and a half"]),
                  15: rng.choice(["in 15 minutes", "in fifteen minutes", "in a quarter of an hour"])}.get(
            minutes, f"in {minutes} minutes")
        return When(phrase, base + timedelta(minutes=minutes))
    days = rng.choice([2, 3, 4, 5, 10, 14])
    t = _clock_time(rng)
    words = rng.choice([str(days), NUMBER_WORDS.get(days, str(days))])
    if days == 14:
        words = rng.choice(["14 days", "two weeks", "a fortnight"])
        phrase = f"in {words}"
    else:
        phrase = f"in {words} days"
    return When(f"{phrase} at {render_clock(t, rng)}", datetime.combine(now.date() + timedelta(days=days), t))


def when_date_only(now: datetime, rng: random.Random) -> When:
    """A day without a time (all-day reminders): "on Friday", "June 12", "this weekend", "end of the month"."""
    today = now.date()
    r = rng.random()
    if r < 0.12:
        sat = this_weekend(today)
        return When(rng.choice(["this weekend", "over the weekend", "on the weekend"]), datetime.combine(sat, time()),
                    True)
    if r < 0.2 and end_of_month(today) > today:
        return When(rng.choice(["by the end of the month", "at the end of the month", "on the last day of the month"]),
                    datetime.combine(end_of_month(today), time()), True)
    day = _future_day(now, rng)
    if day == today:
        day = today + timedelta(days=1)
    return When(_on(render_date(day, today, rng)), datetime.combine(day, time()), True)


TIMED_KINDS: tuple[Callable[[datetime, random.Random], When], ...] = (
    when_day_and_time, when_day_and_time, when_day_and_time, when_part_of_day, when_relative)


def random_when(now: datetime, rng: random.Random) -> When:
    """A timed expression of a random kind (meetings, timed reminders)."""
    return rng.choice(TIMED_KINDS)(now, rng)


def random_meeting_when(now: datetime, rng: random.Random) -> When:
    """Meetings are scheduled at clock times or parts of days, rarely "in 10 minutes"."""
    return rng.choice((when_day_and_time, when_day_and_time, when_day_and_time, when_part_of_day))(now, rng)


SPANS = {"morning": (time(9), 180), "afternoon": (time(13), 240), "evening": (time(18), 180)}
"""Day-part spans for events: "the whole morning" is 09:00-12:00, afternoon 13:00-17:00, evening 18:00-21:00."""


def meeting_span(now: datetime, rng: random.Random) -> tuple[str, datetime, int] | None:
    """(phrase, start, minutes) for "all afternoon on Friday", "tomorrow, the whole morning"...; None if past."""
    part = rng.choice(tuple(SPANS))
    t, minutes = SPANS[part]
    day = _future_day(now, rng, max_days=14)
    start = datetime.combine(day, t)
    if start <= now + timedelta(minutes=30):
        return None
    dphrase = _on(render_date(day, now.date(), rng))
    span = rng.choice((f"the whole {part}", f"all {part}", f"for the whole {part}", f"the entire {part}"))
    if dphrase == "today" and part != "morning":
        dphrase = rng.choice(("today", f"this {part}"))
        if dphrase != "today":
            return rng.choice((f"all {part}", f"the whole {part}")) + " " + dphrase, start, minutes
    return rng.choice((f"{span} {dphrase}", f"{dphrase}, {span}", f"{dphrase} {span}")), start, minutes


# --------------------------------------------------------------------------------------------------- durations
DURATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (15, ("15 minutes", "fifteen minutes", "a quarter of an hour", "15 min")),
    (20, ("20 minutes", "twenty minutes", "20 mins")),
    (30, ("half an hour", "30 minutes", "thirty minutes", "30 min", "a half hour")),
    (45, ("45 minutes", "forty-five minutes", "three quarters of an hour")),
    (60, ("an hour", "one hour", "60 minutes", "1 hour", "1h")),
    (90, ("an hour and a half", "90 minutes", "one and a half hours", "1.5 hours")),
    (120, ("two hours", "2 hours", "120 minutes", "2h")),
    (180, ("three hours", "3 hours", "3h")),
    (10, ("ten minutes", "10 minutes", "10 min")),
    (25, ("25 minutes", "twenty-five minutes")),
    (240, ("four hours", "4 hours")),
)


def random_duration(rng: random.Random) -> tuple[int, str]:
    """(minutes, phrase) for an explicit meeting length."""
    minutes, phrases = rng.choice(DURATIONS)
    return minutes, rng.choice(phrases)


def duration_adjective(minutes: int, rng: random.Random) -> str:
    """A length said before the noun: "a 30-minute call", "a two-hour workshop", "a 45 min sync"."""
    if minutes % 60 == 0:
        h = minutes // 60
        word = NUMBER_WORDS[h]
        forms = [f"{h}-hour", f"{h} hour", f"{word}-hour", f"{h}h", f"{minutes}-minute"]
        if h == 1:
            forms += ["one-hour", "hour-long", "1-hour"]
    elif minutes == 90:
        forms = ["90-minute", "90 minute", "90 min", "hour-and-a-half"]
    else:
        forms = [f"{minutes}-minute", f"{minutes} minute", f"{minutes} min", f"{minutes}min"]
        if minutes == 30:
            forms += ["half-hour", "half hour", "thirty-minute"]
        if minutes == 15:
            forms.append("fifteen-minute")
    return rng.choice(forms)


# ------------------------------------------------------------------------------------------------------ ranges
def _h12(t: time) -> str:
    h = t.hour % 12 or 12
    return f"{h}" if t.minute == 0 else f"{h}:{t.minute:02d}"


def _bare_reads_back(t: time) -> bool:
    """Whether "at 4" / "4:30" without am/pm means ``t`` under the bare-hour rule (12 is noon)."""
    h = t.hour % 12 or 12
    return (h == 12 and t.hour == 12) or (h != 12 and bare_hour_to_24(h) == t.hour)


def _ampm(t: time, rng: random.Random) -> str:
    return rng.choice(("am", " am", "AM", "a.m.")) if t.hour < 12 else rng.choice(("pm", " pm", "PM", "p.m."))


def _range_ends(a: time, b: time, rng: random.Random) -> tuple[str, str] | None:
    """Spoken start and end of a range: shared suffix, both marked, 24-hour or bare, whichever reads right."""
    same_half = (a.hour < 12) == (b.hour < 12)
    styles = ["both", "24h"]
    if same_half:
        styles += ["shared", "shared", "shared"]
    if _bare_reads_back(a) and _bare_reads_back(b):
        styles += ["bare", "bare"]
    style = rng.choice(styles)
    if style == "shared":
        return _h12(a), _h12(b) + _ampm(b, rng)
    if style == "both":
        return _h12(a) + _ampm(a, rng), _h12(b) + _ampm(b, rng)
    if style == "24h":
        fmt = rng.choice(("{h:02d}:{m:02d}", "{h}:{m:02d}"))
        if not (_bare_reads_back(a) and _bare_reads_back(b)) and fmt == "{h}:{m:02d}" and a.hour < 10:
            fmt = "{h:02d}:{m:02d}"  # "9:00-9:30" reads as am only when the bare rule agrees
        return fmt.format(h=a.hour, m=a.minute), fmt.format(h=b.hour, m=b.minute)
    return _h12(a), _h12(b)


def when_range(now: datetime, rng: random.Random) -> tuple[str, datetime, int] | None:
    """(phrase, start, minutes) for "tomorrow 2 to 4 pm", "Friday from 10-11", "Dec 31 8pm-1am"; None if past."""
    day = _future_day(now, rng)
    if rng.random() < 0.08:  # an evening that runs past midnight
        start = datetime.combine(day, time(rng.choice((19, 20, 21, 22)), rng.choice((0, 0, 30))))
        minutes = rng.choice((180, 240, 270, 300))
    else:
        start = datetime.combine(day, _clock_time(rng))
        minutes = rng.choice((30, 45, 60, 60, 90, 120, 120, 150, 180, 240))
    end = start + timedelta(minutes=minutes)
    if start <= now + timedelta(minutes=30):
        return None
    if end.date() != start.date():
        a, b = _h12(start.time()) + _ampm(start.time(), rng), _h12(end.time()) + _ampm(end.time(), rng)
    else:
        ends = _range_ends(start.time(), end.time(), rng)
        if ends is None:
            return None
        a, b = ends
    dphrase = _on(render_date(day, now.date(), rng))
    dash = rng.choice(("-", "-", " - ", "–"))
    layout = rng.choice((f"{dphrase} from {a} to {b}", f"{dphrase} {a}{dash}{b}", f"{dphrase}, {a}{dash}{b}",
                         f"from {a} to {b} {dphrase}", f"{dphrase} between {a} and {b}", f"{a}{dash}{b} {dphrase}",
                         f"{dphrase} from {a} until {b}", f"{dphrase} {a} to {b}"))
    return layout, start, minutes


def random_now(rng: random.Random) -> datetime:
    """A varied "current time": any day of 2024-2026 (month ends, leap day, weekends included), 07:00-22:50."""
    start = date(2024, 1, 1)
    day = start + timedelta(days=rng.randrange(3 * 365))
    if rng.random() < 0.08:  # over-sample month ends, where date arithmetic breaks
        day = end_of_month(day) - timedelta(days=rng.randrange(2))
    return datetime.combine(day, time(rng.randrange(7, 23), rng.choice(range(0, 60, 5))))


def fmt(dt: datetime) -> str:
    return dt.strftime(DATETIME_FMT)
