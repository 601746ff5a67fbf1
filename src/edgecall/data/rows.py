"""Dataset rows on disk: JSON Lines ``{"id", "now", "query", "plan", ...extra keys}``.

Reading is strict and names the file and line of any bad row, because a silently skipped row is silent
data loss; callers that want to *count* bad rows instead get them as ``BadRow`` items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from edgecall.planner import DEFAULT_NOW

__all__ = ["DEFAULT_NOW", "BadRow", "DataFileError", "load_rows", "read_rows", "row_now", "write_rows"]

NOW_FMT = "%Y-%m-%d %H:%M:%S"


class DataFileError(ValueError):
    """A dataset file that cannot be read; the message names the file (and line)."""


@dataclass(frozen=True)
class BadRow:
    line: int
    problem: str


def row_now(row: dict[str, Any]) -> datetime:
    """The row's ``now``; the documented default when absent."""
    value = row.get("now")
    if not value:
        return DEFAULT_NOW
    return datetime.strptime(value, NOW_FMT)


def read_rows(path: Path) -> Iterator[dict[str, Any] | BadRow]:
    """Rows of a JSONL file; malformed lines come back as ``BadRow`` (never raised mid-file)."""
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadRow(n, f"not JSON ({exc.msg})")
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
            except (ValueError, TypeError):
                yield BadRow(n, f"now {row.get('now')!r} is not YYYY-MM-DD HH:MM:SS")
                continue
            yield row


def load_rows(path: Path) -> list[dict[str, Any]]:
    """All rows, or DataFileError naming the first bad line."""
    out: list[dict[str, Any]] = []
    for row in read_rows(path):
        if isinstance(row, BadRow):
            raise DataFileError(f"{path}:{row.line}: {row.problem}")
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
