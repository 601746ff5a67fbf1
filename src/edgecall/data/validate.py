"""Dataset-level validation: per-example sanity checks plus exact and near-duplicate removal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from edgecall.dataset import BadRow, row_now
from edgecall.plan import render_plan
from edgecall.tools import Toolset

from .checks import CheckFailed, Issue, check_example
from .dedup import Deduper


@dataclass
class ValidationResult:
    kept: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[dict[str, Any] | None, Issue]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return len(self.kept) + len(self.rejected)


def validate_rows(rows: Iterable[dict[str, Any] | BadRow], tools: Toolset, *, canonical: bool = True,
                  dedup: Deduper | None = None) -> ValidationResult:
    """Check every row; kept rows get their plan re-rendered canonically when ``canonical`` (so repaired
    drift such as ``${1}`` or a missing ``<END_OF_PLAN>`` never reaches training data)."""
    dedup = dedup or Deduper()
    out = ValidationResult()
    for row in rows:
        if isinstance(row, BadRow):
            issue = Issue("bad_row", f"line {row.line}: {row.problem}")
            out.rejected.append((None, issue))
            out.reasons[issue.reason] += 1
            continue
        try:
            plan = check_example(row["query"], row["plan"], row_now(row), tools)
        except CheckFailed as failed:
            out.rejected.append((row, failed.issue))
            out.reasons[failed.issue.reason] += 1
            continue
        dup = dedup.check(row["query"])
        if dup is not None:
            issue = Issue(dup, f"request repeats an earlier one: {row['query'][:80]!r}")
            out.rejected.append((row, issue))
            out.reasons[dup] += 1
            continue
        out.kept.append({**row, "plan": render_plan(plan)} if canonical else row)
    return out
