"""The generator covers the planner's error classes on hand-written requests (issue 10, second pass).

Each test asserts that a class of request exists in generated data *and* that its gold plan follows the
convention: one place acted on twice, a reminder before an event, a message per person, one call per listed
item, adjectives that carry arguments ("a high-priority reminder", "bus directions", "a 30-minute call"),
time ranges, and file names copied verbatim in every style.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime

import pytest

from edgecall.data.checks import issue_of, steps_to_plan
from edgecall.data.scenarios import Pools, Sample, generate_example
from edgecall.data.toolsets import load_toolset
from edgecall.plan import render_plan
from edgecall.text import fold
from edgecall.tools import Toolset

FMT = "%Y-%m-%d %H:%M:%S"


@pytest.fixture(scope="module")
def tools() -> Toolset:
    return load_toolset("assistant")


def _examples(tools: Toolset, kind: str | None, n: int, seed: int = 0) -> list[Sample]:
    rng = random.Random(f"{kind}:{seed}")
    entity_pools = Pools.build(False)
    out = []
    for _ in range(n):
        ex = generate_example(rng, held_out=False, pools_=entity_pools, kinds=[kind] if kind else None)
        assert issue_of(ex.query, render_plan(steps_to_plan(ex.steps)), ex.now, tools) is None, ex
        out.append(ex)
    return out


@pytest.fixture(scope="module")
def mixed(tools: Toolset) -> list[Sample]:
    return _examples(tools, None, 2500)


def _calls(ex: Sample, tool: str) -> list[tuple[object, ...]]:
    return [args for t, args in ex.steps if t == tool]


def test_one_place_acted_on_twice(tools: Toolset) -> None:
    kinds: Counter[str] = Counter()
    for ex in _examples(tools, "same_place", 300):
        places = {args[0] for args in _calls(ex, "maps_open_location")}
        places |= {args[1] for args in _calls(ex, "maps_show_directions")}
        places |= {args[3] for args in _calls(ex, "create_calendar_event")}
        assert len(places) == 1, ex  # "there" and "it" are the same place
        kinds[tuple(sorted({t for t, _ in ex.steps}))] += 1
        for _, message in _calls(ex, "send_sms"):
            assert re.search(r"\$\d", str(message)), ex  # the location flows into the text
    assert len(kinds) >= 4, kinds


def test_reminders_for_an_event_are_at_or_before_it(tools: Toolset) -> None:
    before = 0
    for ex in _examples(tools, "event_reminder", 300):
        (reminder,) = _calls(ex, "create_reminder")
        starts = [args[1] for args in _calls(ex, "create_calendar_event") + _calls(ex, "get_zoom_meeting_link")]
        assert starts and all(isinstance(s, str) for s in starts), ex
        due, start = datetime.strptime(str(reminder[1]), FMT), datetime.strptime(str(starts[0]), FMT)
        assert due <= start and due > ex.now, ex
        before += due < start
        if due < start:
            assert re.search(r"\b(before|b4|ahead|earlier)\b", ex.query), ex
    assert before > 100


def test_separate_messages_go_one_per_person(tools: Toolset) -> None:
    for ex in _examples(tools, "separate", 200):
        sends = _calls(ex, "send_sms") + _calls(ex, "compose_new_email")
        assert len(sends) == 2 and all(len(args[0]) == 1 for args in sends), ex  # type: ignore[arg-type]
        assert sends[0][0] != sends[1][0], ex
        assert sends[0][1:] != sends[1][1:], ex


def test_lists_get_one_call_per_item(tools: Toolset) -> None:
    for ex in _examples(tools, "batch", 300):
        tools_used = Counter(t for t, _ in ex.steps)
        acting = {t: n for t, n in tools_used.items() if t != "open_and_get_file_path" or "summarize_pdf" not in
                  tools_used}
        assert max(acting.values()) >= 2, ex
        for (path,) in _calls(ex, "summarize_pdf"):
            assert re.fullmatch(r"\$\d", str(path)), ex


def test_adjectives_carry_arguments(mixed: list[Sample], tools: Toolset) -> None:
    """"A high-priority reminder", "bus directions", "a 30-minute call": the plan holds what the adjective says."""
    prio = transport = length = 0
    for ex in (mixed + _examples(tools, "reminder", 600) + _examples(tools, "directions", 400)
               + _examples(tools, "zoom", 300) + _examples(tools, "calendar", 300)):
        q = ex.query.lower()
        m = re.search(r"\b(high|low)[- ]priority reminder\b", q)
        if m:
            (reminder,) = _calls(ex, "create_reminder")
            assert reminder[4] == (1 if m.group(1) == "high" else 9), ex
            prio += 1
        m = re.search(r"\b(walking|driving|bus|transit|train) (directions|route)\b", q)
        if m and len(_calls(ex, "maps_show_directions")) == 1:
            (directions,) = _calls(ex, "maps_show_directions")
            assert directions[2] == {"walking": "w", "driving": "d"}.get(m.group(1), "r"), ex
            transport += 1
        m = re.search(r"\ban? (\d+)[- ]?(minute|min|hour|h)\b", q)
        if m and len(_calls(ex, "get_zoom_meeting_link")) + len(_calls(ex, "create_calendar_event")) == 1:
            minutes = int(m.group(1)) * (60 if m.group(2) in ("hour", "h") else 1)
            zoom = _calls(ex, "get_zoom_meeting_link")
            if zoom:
                assert zoom[0][2] == minutes, ex
            else:
                (event,) = _calls(ex, "create_calendar_event")
                span = datetime.strptime(str(event[2]), FMT) - datetime.strptime(str(event[1]), FMT)
                assert span.total_seconds() == 60 * minutes, ex
            length += 1
    assert prio > 10 and transport > 20 and length > 10, (prio, transport, length)


def test_file_names_are_copied_verbatim_in_every_style(mixed: list[Sample]) -> None:
    names = [(ex, str(args[0])) for ex in mixed for args in _calls(ex, "open_and_get_file_path")]
    for ex, name in names:
        assert fold(name) in fold(ex.query), ex
    styles = Counter()
    for _, name in names:
        stem = name.rsplit(".", 1)[0]
        styles["snake"] += "_" in stem
        styles["kebab"] += "-" in stem and " " not in stem
        styles["lower words"] += " " in stem and stem.islower()
        styles["Title Words"] += " " in stem and stem.istitle()
        styles["CamelCase"] += bool(re.fullmatch(r"(?:[A-Z][a-z0-9]+){2,}", stem))
    assert all(n >= 10 for n in styles.values()), styles


def test_explicit_addresses_are_used_without_a_lookup(mixed: list[Sample]) -> None:
    explicit = 0
    for ex in mixed:
        for tool in ("compose_new_email", "forward_email", "create_calendar_event", "get_zoom_meeting_link",
                     "reply_to_email"):
            for args in _calls(ex, tool):
                for value in (v for a in args if isinstance(a, list) for v in a):
                    if "@" in str(value):
                        assert str(value) in ex.query, ex
                        explicit += 1
    assert explicit > 150
