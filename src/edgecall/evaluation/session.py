"""Running an evaluation the way `edgecall eval` does: one or more variants over a dataset, live records,
Ctrl-C that scores what is done, and the comparison table. The CLI only parses flags, builds each variant's
planner through `edgecall.app` and renders what comes back.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from edgecall.dataset import Example

from .report import RECORDS, fmt_pct, write_report
from .runner import ExampleResult, PlannerLike, run_evaluation, summarize

__all__ = ["COMPARE_COLUMNS", "compare_cell", "compare_markdown", "describe", "evaluate_variant", "label_for",
           "report_dir_for", "write_compare"]


def label_for(settings: Any) -> str:
    """The default name of a run: model and grammar."""
    return f"{settings.model} grammar={'on' if settings.grammar else 'off'}"


def describe(settings: Any) -> dict[str, Any]:
    """The settings a comparison row shows next to its figures."""
    return {"model": settings.model, "endpoint": settings.endpoint, "grammar": settings.grammar,
            "examples": settings.examples}


def report_dir_for(report: Path | None, label: str, *, nested: bool) -> Path | None:
    """Where one variant's report goes: the report folder itself, or a sub-folder per variant when comparing."""
    if report is None:
        return None
    return report / (re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_") or "variant") if nested else report


def evaluate_variant(
    planner: PlannerLike,
    dataset: Sequence[Example],
    *,
    label: str,
    concurrency: int = 1,
    now: datetime | None = None,
    report: Path | None = None,
    on_result: Callable[[ExampleResult, list[ExampleResult]], None] | None = None,
) -> dict[str, Any]:
    """Evaluate one variant and return its summary (with ``interrupted``).

    Ctrl-C (KeyboardInterrupt) stops early and scores the examples already done, in dataset order. With `report`,
    each record is appended to `records.jsonl` as soon as it is scored, so a run that is killed still leaves its
    evidence; the final report rewrites it in order. `on_result(result, done_so_far)` reports progress.
    Raises OSError when the report folder cannot be written.
    """
    done: list[ExampleResult] = []
    lock = threading.Lock()
    live = None
    if report is not None:
        report.mkdir(parents=True, exist_ok=True)
        live = (report / RECORDS).open("w", encoding="utf-8")

    def record(result: ExampleResult) -> None:
        with lock:
            done.append(result)
            if live is not None:
                live.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
                live.flush()
            if on_result is not None:
                on_result(result, done)

    interrupted = False
    try:
        try:
            results = run_evaluation(planner, dataset, concurrency=concurrency, now=now, on_result=record)
        except KeyboardInterrupt:
            interrupted = True
            order = {ex.id: i for i, ex in enumerate(dataset)}
            results = sorted(done, key=lambda r: order[r.id])
    finally:
        if live is not None:
            live.close()
    summary = summarize(results)
    summary["interrupted"] = interrupted
    if report is not None and results:
        write_report(report, results, summary, title=label + (" (interrupted)" if interrupted else ""))
    return summary


COMPARE_COLUMNS = (
    ("variant", "label"), ("success", "success_rate"), ("args", "arg_accuracy"), ("exact", "exact_rate"),
    ("parse", "parse_rate"), ("valid", "valid_rate"), ("p50 s", "latency_p50_s"), ("p90 s", "latency_p90_s"),
    ("tok/s", "tokens_per_s"),
)
"""(column title, summary key) of the comparison table, for the terminal and Markdown alike."""


def compare_cell(key: str, value: Any) -> str:
    if key == "label":
        return str(value)
    if key.endswith("_rate") or key == "arg_accuracy":
        return fmt_pct(value)
    return "n/a" if value is None else f"{value:.2f}" if key.endswith("_s") else f"{value:.1f}"


def compare_markdown(rows: list[dict[str, Any]], data: Path) -> str:
    head = "| " + " | ".join(name for name, _ in COMPARE_COLUMNS) + " |"
    sep = "|" + "---|" * len(COMPARE_COLUMNS)
    body = ["| " + " | ".join(compare_cell(key, row[key]) for _, key in COMPARE_COLUMNS) + " |" for row in rows]
    return "\n".join([f"# edgecall eval --compare on {data} ({rows[0]['n']} examples)", "", head, sep, *body, ""])


def write_compare(report: Path, rows: list[dict[str, Any]], data: Path) -> None:
    """`compare.md` and `compare.json` in `report`."""
    report.mkdir(parents=True, exist_ok=True)
    (report / "compare.md").write_text(compare_markdown(rows, data), encoding="utf-8")
    (report / "compare.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
