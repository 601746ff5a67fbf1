"""The scenario generator: every unit's gold plans validate, splits are deterministic, disjoint and deduplicated."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from edgecall.data import pools
from edgecall.data.checks import issue_of, steps_to_plan
from edgecall.data.dedup import Deduper, exact_key, near_key
from edgecall.data.generate import generate_splits
from edgecall.data.scenarios import MAX_STEPS, UNITS, Pools, generate_example
from edgecall.data.toolsets import load_toolset
from edgecall.plan import parse_plan, render_plan
from edgecall.tools import Toolset

SMALL = {"train": 400, "val": 60, "test": 60, "test_heldout": 80}


@pytest.fixture(scope="module")
def tools() -> Toolset:
    return load_toolset("assistant")


@pytest.fixture(scope="module")
def splits(tools: Toolset):
    return generate_splits(tools, seed=11, sizes=SMALL)


@pytest.mark.parametrize("kind", sorted(UNITS))
@pytest.mark.parametrize("held_out", [False, True])
def test_every_scenario_gold_plan_validates(tools: Toolset, kind: str, held_out: bool) -> None:
    rng = random.Random(f"{kind}:{held_out}")
    entity_pools = Pools.build(held_out)
    for _ in range(150):
        ex = generate_example(rng, held_out=held_out, pools_=entity_pools, kinds=[kind])
        text = render_plan(steps_to_plan(ex.steps))
        assert issue_of(ex.query, text, ex.now, tools) is None, (ex.query, text, issue_of(ex.query, text, ex.now,
                                                                                        tools))
        assert 1 <= len(ex.steps) <= MAX_STEPS


def test_combined_requests_validate_and_use_every_tool(tools: Toolset) -> None:
    rng = random.Random(3)
    used: Counter[str] = Counter()
    for _ in range(600):
        ex = generate_example(rng, held_out=False, pools_=Pools.build(False))
        text = render_plan(steps_to_plan(ex.steps))
        assert issue_of(ex.query, text, ex.now, tools) is None
        used.update(t for t, _ in ex.steps)
    assert set(used) == set(tools.names())


def test_generation_is_deterministic(tools: Toolset, splits) -> None:
    again = generate_splits(tools, seed=11, sizes=SMALL)
    assert again.rows == splits.rows
    other = generate_splits(tools, seed=12, sizes={"train": 50, "val": 0, "test": 0, "test_heldout": 0})
    assert other.rows["train"] != splits.rows["train"][:50]


def test_sizes_and_rows(splits) -> None:
    for name, n in SMALL.items():
        rows = splits.rows[name]
        assert len(rows) == n
        for row in rows:
            assert set(row) >= {"id", "now", "query", "plan", "scenario", "template"}
            parse_plan(row["plan"])


def test_no_duplicates_within_or_across_splits(splits) -> None:
    exact, near = Counter(), Counter()
    for rows in splits.rows.values():
        for row in rows:
            exact[exact_key(row["query"])] += 1
            near[near_key(row["query"])] += 1
    assert max(exact.values()) == 1
    assert max(near.values()) == 1


def test_held_out_split_uses_only_held_out_templates_and_entities(splits) -> None:
    seen_templates = {t for r in splits.rows["train"] for t in r["template"].split("+")}
    held_templates = {t for r in splits.rows["test_heldout"] for t in r["template"].split("+")}
    assert held_templates and not (held_templates & seen_templates)
    seen_names, held_names = pools.split_pool(pools.FIRST_NAMES)
    assert not set(seen_names) & set(held_names)
    lookups = {t.args[0] for r in splits.rows["train"] for t in parse_plan(r["plan"]).tasks
               if t.tool in ("get_email_address", "get_phone_number")}
    held_only = set(held_names) - set(seen_names)
    assert lookups and not any(name.split()[0] in held_only for name in lookups)
    held_lookups = {t.args[0] for r in splits.rows["test_heldout"] for t in parse_plan(r["plan"]).tasks
                    if t.tool in ("get_email_address", "get_phone_number")}
    assert any(name.split()[0] in held_only for name in held_lookups)


def test_deduper_catches_exact_and_near_duplicates() -> None:
    d = Deduper()
    assert d.check("Text Maria that I'm late.") is None
    assert d.check("text maria that i'm late") == "duplicate"
    assert d.check("Hey, please text Maria that I'm late, thanks!") == "near_duplicate"
    assert d.check("Text Mariá that I'm late!") == "duplicate"  # accents fold
    assert d.check("Text Dana that I'm late.") is None


def test_requests_are_varied(splits) -> None:
    rows = splits.rows["train"]
    assert any(r["query"] == r["query"].lower() for r in rows)  # lowercase style
    assert any(r["query"].endswith("?") for r in rows)  # question frames
    assert len({r["template"].split("+")[0] for r in rows}) > 40
    assert len({r["now"][:10] for r in rows}) > 300  # varied "now"
