"""Import the released TinyAgent dataset (JSON: id -> {"input", "output": [plan/join/replan points]}).

Each entry's first ``plan`` point holds the planner's raw LLMCompiler text in ``raw_output``; its
``raw_input`` (the prompt) states the date the plan was written for ("Today's date is Monday 2024-06-03
09:00"), which becomes our ``now``.  Plans are parsed (harmless drift repaired) and re-rendered
canonically; entries without a parsable plan are reported, not dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgecall.plan import PlanError, parse_plan, render_plan

from .rows import DataFileError

_DATE_RE = re.compile(r"Today's date is (?:[A-Za-z]+,? )?(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::(\d{2}))?)?")


@dataclass
class ImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why)


def _now_from(raw_input: str) -> str | None:
    m = _DATE_RE.search(raw_input)
    if not m:
        return None
    return f"{m.group(1)} {m.group(2) or '00:00'}:{m.group(3) or '00'}"


def _entries(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a JSON object mapping ids to entries (TinyAgent format)")
    yield from data.items()


def import_tinyagent(path: Path) -> ImportResult:
    out = ImportResult()
    for key, entry in _entries(path):
        if not isinstance(entry, dict) or not isinstance(entry.get("input"), str):
            out.skipped.append((key, "entry has no 'input' string"))
            continue
        points = entry.get("output") if isinstance(entry.get("output"), list) else []
        plan_point = next((p for p in points if isinstance(p, dict) and p.get("type") == "plan"), None)
        if plan_point is None or not isinstance(plan_point.get("raw_output"), str):
            out.skipped.append((key, "no 'plan' output with a raw_output"))
            continue
        try:
            plan = parse_plan(plan_point["raw_output"])
        except PlanError as err:
            out.skipped.append((key, f"plan does not parse: {err}"))
            continue
        row: dict[str, Any] = {"id": str(key)}
        now = _now_from(str(plan_point.get("raw_input", "")))
        if now:
            row["now"] = now
        row.update({"query": entry["input"].strip(), "plan": render_plan(plan), "source": "tinyagent"})
        out.rows.append(row)
    return out
