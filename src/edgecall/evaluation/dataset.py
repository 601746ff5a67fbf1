"""Loading evaluation examples: edgecall's JSON Lines format and the released TinyAgent JSON.

Both formats end up as the same :class:`Example`, so every metric and report works on either.
Errors name the file and the line (or the TinyAgent record id): a bad dev set must be fixed
by a human, and "line 37: missing 'plan'" is what lets them do it quickly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from edgecall.plan import Plan, PlanError, parse_plan

DEFAULT_NOW = datetime(2024, 6, 3, 9, 0, 0)
""""Today" for examples without a `now` (a Monday; documented in the README)."""

NOW_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")

# TinyAgent's planner prompt states the date as " - Today's date is Friday 2024-05-10 14:30".
_TINYAGENT_DATE_RE = re.compile(r"Today's date is \w+ (\d{4}-\d{2}-\d{2} \d{2}:\d{2})")


class DatasetError(ValueError):
    """A dataset file that cannot be used as it is; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    """One request with its gold plan.

    Attributes:
        id: the example's id (from the file, else ``<file stem>-<line>``).
        query: the user's request.
        plan_text: the gold plan as written in the file.
        gold: the parsed gold plan.
        now: the "current time" the request is relative to.
        source: ``file:line`` (or ``file#id``), for error messages and reports.
        extra: every other key of the record, kept untouched.
    """

    id: str
    query: str
    plan_text: str
    gold: Plan
    now: datetime
    source: str
    extra: dict[str, Any] = field(default_factory=dict)


def parse_now(value: Any) -> datetime:
    """Read a `now` value; accepts the plan date format with or without seconds, or a bare date."""
    if isinstance(value, str):
        for fmt in NOW_FORMATS:
            try:
                return datetime.strptime(value.strip(), fmt)
            except ValueError:
                continue
    raise ValueError(f"'now' must look like 'YYYY-MM-DD HH:MM:SS', got {value!r}")


def load_examples(path: str | Path, *, limit: int | None = None) -> list[Example]:
    """Load a JSON Lines dataset or a released-TinyAgent JSON file (detected from the content).

    Raises:
        DatasetError: the file is missing, empty, or a record is malformed (message names where).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from None
    if not text.strip():
        raise DatasetError(f"{path}: the file is empty")
    tinyagent = _as_tinyagent(text)
    examples = _load_tinyagent(path, tinyagent) if tinyagent is not None else _load_jsonl(path, text)
    if not examples:
        raise DatasetError(f"{path}: no examples found")
    _check_unique_ids(path, examples)
    return examples[:limit] if limit is not None else examples


def _as_tinyagent(text: str) -> dict[str, Any] | None:
    """The parsed document when `text` is one JSON object of TinyAgent records, else None."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or "query" in doc or "plan" in doc:
        return None  # a one-line JSONL file is also a JSON object
    if doc and all(isinstance(v, dict) and "input" in v for v in doc.values()):
        return doc
    return None


def _load_jsonl(path: Path, text: str) -> list[Example]:
    examples: list[Example] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{where}: expected a JSON object, got {type(record).__name__}")
        examples.append(_example_from_record(record, where, default_id=f"{path.stem}-{lineno}"))
    return examples


def _example_from_record(record: dict[str, Any], where: str, *, default_id: str) -> Example:
    for key in ("query", "plan"):
        if key not in record:
            raise DatasetError(f"{where}: missing required key {key!r}")
        if not isinstance(record[key], str) or not record[key].strip():
            raise DatasetError(f"{where}: {key!r} must be a non-empty string")
    now = DEFAULT_NOW
    if record.get("now") is not None:
        try:
            now = parse_now(record["now"])
        except ValueError as exc:
            raise DatasetError(f"{where}: {exc}") from None
    gold = _parse_gold(record["plan"], where)
    extra = {k: v for k, v in record.items() if k not in ("id", "query", "plan", "now")}
    return Example(
        id=str(record.get("id") or default_id),
        query=record["query"],
        plan_text=record["plan"],
        gold=gold,
        now=now,
        source=where,
        extra=extra,
    )


def _parse_gold(text: str, where: str) -> Plan:
    try:
        return parse_plan(text)
    except PlanError as exc:
        raise DatasetError(f"{where}: the gold plan does not parse: {exc}") from None


def _load_tinyagent(path: Path, doc: dict[str, Any]) -> list[Example]:
    """Each record's first `plan` output is the gold plan; `join`/`replan` outputs are skipped."""
    examples: list[Example] = []
    for key, value in doc.items():
        where = f"{path}#{key}"
        query = value.get("input")
        if not isinstance(query, str) or not query.strip():
            raise DatasetError(f"{where}: 'input' must be a non-empty string")
        outputs = value.get("output")
        if not isinstance(outputs, list):
            raise DatasetError(f"{where}: 'output' must be a list of plan/join entries")
        plan_entry = next((o for o in outputs if isinstance(o, dict) and o.get("type") == "plan"), None)
        if plan_entry is None or not isinstance(plan_entry.get("raw_output"), str):
            raise DatasetError(f"{where}: no 'plan' entry with a 'raw_output' string")
        raw_input = plan_entry.get("raw_input")
        match = _TINYAGENT_DATE_RE.search(raw_input) if isinstance(raw_input, str) else None
        now = parse_now(match.group(1)) if match else DEFAULT_NOW
        extra = {k: v for k, v in value.items() if k not in ("input", "output")}
        examples.append(
            Example(
                id=str(key),
                query=query,
                plan_text=plan_entry["raw_output"],
                gold=_parse_gold(plan_entry["raw_output"], where),
                now=now,
                source=where,
                extra=extra,
            )
        )
    return examples


def _check_unique_ids(path: Path, examples: list[Example]) -> None:
    seen: dict[str, str] = {}
    for ex in examples:
        if ex.id in seen:
            raise DatasetError(f"{ex.source}: duplicate id {ex.id!r} (first at {seen[ex.id]})")
        seen[ex.id] = ex.source
