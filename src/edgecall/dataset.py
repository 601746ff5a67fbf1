"""Planning datasets, in one place: the row type, the JSONL reader and writer, `now` parsing and the TinyAgent importer.

The generator (data/), the evaluation, the example bank (retrieval/), the prompt builder (planner/) and the
training export all read and write the same rows, so a file one of them writes is a file the others can read, and
"what date is this request relative to" has one answer.

On disk a row is one JSON object per line: ``{"id", "now", "query", "plan", ...extra keys}``. ``now`` is written
``YYYY-MM-DD HH:MM:SS`` and read in any of `NOW_FORMATS`; absent means `DEFAULT_NOW`.

Reading is strict and names the file and line of any bad row, because a silently skipped row is silent data loss;
callers that want to *count* bad rows instead iterate `read_rows` and get them as `BadRow` items.

The released TinyAgent data (JSON: id -> ``{"input", "output": [plan/join/replan points]}``) is read by the same
code for evaluation (`load_examples`, strict) and for import into rows (`import_tinyagent`, skips and reports).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DatasetError, PlanError

if TYPE_CHECKING:
    from .plan import Plan

__all__ = [
    "DEFAULT_NOW",
    "NOW_FORMAT",
    "NOW_FORMATS",
    "BadRow",
    "DatasetError",
    "Example",
    "ImportResult",
    "format_now",
    "import_tinyagent",
    "load_examples",
    "load_rows",
    "parse_now",
    "read_rows",
    "row_now",
    "write_rows",
]

DEFAULT_NOW = datetime(2024, 6, 3, 9, 0, 0)
""""Today" for requests without a `now` (a Monday), documented in the README."""

NOW_FORMAT = "%Y-%m-%d %H:%M:%S"
"""How rows write `now`."""

NOW_FORMATS = (NOW_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
"""What `now` may look like when read (rows, the CLI's `--now`)."""

# TinyAgent's planner prompt states the date as " - Today's date is Friday 2024-05-10 14:30" (weekday, time optional).
_TINYAGENT_DATE_RE = re.compile(
    r"Today's date is (?:[A-Za-z]+,? )?(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::(\d{2}))?)?"
)


def parse_now(value: Any) -> datetime:
    """A `now` value as a datetime; `ValueError` with the expected form otherwise."""
    if isinstance(value, str):
        for fmt in NOW_FORMATS:
            try:
                return datetime.strptime(value.strip(), fmt)
            except ValueError:
                continue
    raise ValueError(f"'now' must look like 'YYYY-MM-DD HH:MM:SS', got {value!r}")


def format_now(now: datetime) -> str:
    """`now` as rows write it."""
    return now.strftime(NOW_FORMAT)


def row_now(row: dict[str, Any]) -> datetime:
    """The row's ``now``; `DEFAULT_NOW` when absent."""
    value = row.get("now")
    return DEFAULT_NOW if value is None or value == "" else parse_now(value)


@dataclass(frozen=True)
class Example:
    """One request with its plan: a dataset row, an in-context example, an evaluation item.

    Attributes:
        query: the user's request.
        plan: the plan as written (LLMCompiler text).
        now: the "current time" the request and the plan's dates are relative to.
        id: the row's id (from the file, else ``<file stem>-<line>``).
        source: ``file:line`` (or ``file#id``), for error messages and reports.
        extra: every other key of the row, kept untouched.
    """

    query: str
    plan: str
    now: datetime = DEFAULT_NOW
    id: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def gold(self) -> Plan:
        """The parsed plan (parsed once, on first use)."""
        from .plan import parse_plan

        return parse_plan(self.plan)

    @classmethod
    def from_row(cls, row: dict[str, Any], *, where: str = "", default_id: str = "") -> Example:
        """A row as an Example; `DatasetError` naming `where` if a key is missing or malformed."""
        for key in ("query", "plan"):
            if key not in row:
                raise DatasetError(f"{where}: missing required key {key!r}")
            if not isinstance(row[key], str) or not row[key].strip():
                raise DatasetError(f"{where}: {key!r} must be a non-empty string")
        try:
            now = row_now(row)
        except ValueError as exc:
            raise DatasetError(f"{where}: {exc}") from None
        extra = {k: v for k, v in row.items() if k not in ("id", "query", "plan", "now")}
        return cls(row["query"], row["plan"], now, id=str(row.get("id") or default_id), source=where, extra=extra)

    def to_row(self) -> dict[str, Any]:
        """The row written to disk (`id` first when there is one, extra keys last)."""
        row: dict[str, Any] = {"id": self.id} if self.id else {}
        row.update({"now": format_now(self.now), "query": self.query, "plan": self.plan})
        row.update(self.extra)
        return row


# --- JSON Lines rows -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadRow:
    line: int
    problem: str


def read_rows(path: Path) -> Iterator[dict[str, Any] | BadRow]:
    """Rows of a JSONL file; malformed lines come back as ``BadRow`` (never raised mid-file)."""
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadRow(n, f"not JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(row, dict):
                yield BadRow(n, "not a JSON object")
                continue
            missing = [k for k in ("query", "plan") if not isinstance(row.get(k), str) or not row[k].strip()]
            if missing:
                yield BadRow(n, f"missing or empty {', '.join(missing)}")
                continue
            try:
                row_now(row)
            except ValueError:
                yield BadRow(n, f"now {row.get('now')!r} is not YYYY-MM-DD HH:MM:SS")
                continue
            yield row


def load_rows(path: Path) -> list[dict[str, Any]]:
    """All rows, or DatasetError naming the first bad line."""
    out: list[dict[str, Any]] = []
    for row in read_rows(path):
        if isinstance(row, BadRow):
            raise DatasetError(f"{path}:{row.line}: {row.problem}")
        out.append(row)
    return out


def write_rows(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write atomically (temp file then rename) so an interrupted run never leaves half a dataset."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


# --- Examples for evaluation (JSONL or TinyAgent JSON) ---------------------------------------------------------


def load_examples(path: str | Path, *, limit: int | None = None) -> list[Example]:
    """Load a JSON Lines dataset or a released-TinyAgent JSON file (detected from the content), gold plans parsed.

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
    if tinyagent is not None:
        examples = [_tinyagent_example(f"{path}#{key}", str(key), value) for key, value in tinyagent.items()]
    else:
        examples = list(_jsonl_examples(path, text))
    if not examples:
        raise DatasetError(f"{path}: no examples found")
    _check_unique_ids(examples)
    for ex in examples:
        _check_gold(ex)
    return examples[:limit] if limit is not None else examples


def _jsonl_examples(path: Path, text: str) -> Iterator[Example]:
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
        yield Example.from_row(record, where=where, default_id=f"{path.stem}-{lineno}")


def _check_gold(ex: Example) -> None:
    try:
        ex.gold  # noqa: B018 - parse now, so a bad gold plan is reported at load time with its line
    except PlanError as exc:
        raise DatasetError(f"{ex.source}: the gold plan does not parse: {exc}") from None


def _check_unique_ids(examples: list[Example]) -> None:
    seen: dict[str, str] = {}
    for ex in examples:
        if ex.id in seen:
            raise DatasetError(f"{ex.source}: duplicate id {ex.id!r} (first at {seen[ex.id]})")
        seen[ex.id] = ex.source


# --- TinyAgent JSON ----------------------------------------------------------------------------------------------


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


def tinyagent_now(raw_input: str) -> datetime | None:
    """The date a TinyAgent planner prompt states ("Today's date is Monday 2024-06-03 09:00"), if any."""
    m = _TINYAGENT_DATE_RE.search(raw_input)
    if not m:
        return None
    return datetime.strptime(f"{m.group(1)} {m.group(2) or '00:00'}:{m.group(3) or '00'}", NOW_FORMAT)


def _tinyagent_example(where: str, key: str, value: Any) -> Example:
    """A TinyAgent record's first `plan` point as an Example (`join`/`replan` points are skipped)."""
    if not isinstance(value, dict) or not isinstance(value.get("input"), str) or not value["input"].strip():
        raise DatasetError(f"{where}: 'input' must be a non-empty string")
    outputs = value.get("output")
    if not isinstance(outputs, list):
        raise DatasetError(f"{where}: 'output' must be a list of plan/join entries")
    point = next((o for o in outputs if isinstance(o, dict) and o.get("type") == "plan"), None)
    if point is None or not isinstance(point.get("raw_output"), str):
        raise DatasetError(f"{where}: no 'plan' entry with a 'raw_output' string")
    raw_input = point.get("raw_input")
    now = (tinyagent_now(raw_input) if isinstance(raw_input, str) else None) or DEFAULT_NOW
    extra = {k: v for k, v in value.items() if k not in ("input", "output")}
    return Example(value["input"].strip(), point["raw_output"], now, id=key, source=where, extra=extra)


@dataclass
class ImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why)


def import_tinyagent(path: Path) -> ImportResult:
    """TinyAgent records as rows with canonically rendered plans; unusable records are reported, not dropped silently."""
    from .plan import render_plan

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(doc, dict):
        raise DatasetError(f"{path}: expected a JSON object mapping ids to entries (TinyAgent format)")
    out = ImportResult()
    for key, value in doc.items():
        try:
            ex = _tinyagent_example(f"{path}#{key}", str(key), value)
            plan = ex.gold
        except DatasetError as exc:
            out.skipped.append((str(key), str(exc).split(": ", 1)[1]))
            continue
        except PlanError as exc:
            out.skipped.append((str(key), f"plan does not parse: {exc}"))
            continue
        out.rows.append({"id": ex.id, "now": format_now(ex.now), "query": ex.query, "plan": render_plan(plan),
                         "source": "tinyagent"})
    return out
