"""Build the dataset splits from the scenario generator: deterministic, deduplicated, validated.

Splits: ``train``, ``val`` and ``test`` draw seen templates and entities; ``test_heldout`` draws only
held-out templates, frames and entities, and no other split keeps a request whose sentence frame
(``grammar.frame_key``) a test_heldout request has.  One ``Deduper`` spans all splits, filled in the order
test_heldout, test, val, train, so no evaluation request (or a near copy) ever appears in training.
Each split has its own random stream derived from the seed, so the same seed gives the same files.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from edgecall.plan import render_plan
from edgecall.tools import Toolset

from ..dataset import NOW_FORMAT
from .checks import issue_of, steps_to_plan
from .dedup import Deduper
from .grammar import frame_key, plan_words
from .scenarios import INTENT_COUNTS, Pools, generate_example

SPLITS: dict[str, bool] = {"test_heldout": True, "test": False, "val": False, "train": False}
"""Split name -> uses held-out templates/entities, in generation order."""

DEFAULT_SIZES = {"train": 20000, "val": 1000, "test": 1000, "test_heldout": 1000}


@dataclass
class GenerationReport:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejected: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(len(r) for r in self.rows.values())


def check_intents(intents: Sequence[float]) -> None:
    """Raise ValueError unless ``intents`` are weights of one, two and three intents that can be drawn from."""
    if len(intents) != 3 or any(w < 0 for w in intents) or sum(intents) <= 0:
        raise ValueError(f"intents must be three non-negative weights (one, two, three intents), got {list(intents)}")


def generate_splits(
    tools: Toolset,
    *,
    seed: int = 0,
    sizes: dict[str, int] | None = None,
    on_row: Callable[[str], None] | None = None,
    intents: Sequence[float] = INTENT_COUNTS,
) -> GenerationReport:
    """Generate every split to its size; ``on_row(split)`` is called per kept row (progress bars).

    ``intents`` weighs requests of one, two and three intents: a training set for a later stage can lean on
    the long multi-intent requests a planner still gets wrong, without a second generator."""
    check_intents(intents)
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    unknown = set(sizes) - set(SPLITS)
    if unknown:
        raise ValueError(f"unknown split(s) {sorted(unknown)}; known: {list(SPLITS)}")
    dedup = Deduper()
    held_frames: set[str] = set()
    report = GenerationReport()
    for split, held_out in SPLITS.items():
        n = sizes.get(split, 0)
        rng = random.Random(f"{seed}:{split}")
        entity_pools = Pools.build(held_out)
        rows: list[dict[str, Any]] = []
        attempts = 0
        while len(rows) < n:
            attempts += 1
            if attempts > 50 * n + 1000:
                raise RuntimeError(f"{split}: only {len(rows)} unique valid examples after {attempts} attempts")
            ex = generate_example(rng, held_out=held_out, pools_=entity_pools, intents=intents)
            plan_text = render_plan(steps_to_plan(ex.steps))
            issue = issue_of(ex.query, plan_text, ex.now, tools)
            if issue is not None:
                report.rejected[issue.reason] += 1
                continue
            frame = frame_key(ex.query, plan_words(a for _, args in ex.steps for a in args))
            if held_out:
                held_frames.add(frame)
            elif frame in held_frames:  # test_heldout's sentence frames never reach train/val/test
                report.rejected["frame_overlap"] += 1
                continue
            dup = dedup.check(ex.query)
            if dup is not None:
                report.rejected[dup] += 1
                continue
            rows.append({
                "id": f"{split}-{len(rows) + 1:05d}", "now": ex.now.strftime(NOW_FORMAT), "query": ex.query,
                "plan": plan_text, "scenario": ex.scenario, "template": ex.template, "n_steps": len(ex.steps),
            })
            if on_row is not None:
                on_row(split)
        report.rows[split] = rows
    return report
