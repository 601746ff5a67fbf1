"""`edgecall eval`: score the planner on a dataset, or several settings side by side (--compare).

The planner is built by `edgecall.app` from the same settings as `edgecall run` (model,
grammar, rules, in-context examples, custom instructions), so the numbers describe what
users get. Tools are never executed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .common import (
    ApiKeyOpt,
    ConfigOpt,
    EndpointOpt,
    GrammarOpt,
    JsonOpt,
    ModelOpt,
    NowOpt,
    console,
    err_console,
    fail,
    parse_now,
    print_json,
    settings_from_flags,
)

if TYPE_CHECKING:
    from ..config import Settings
    from ..dataset import Example

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.callback(invoke_without_command=True)
def eval_command(
    data: Annotated[Path, typer.Option("--data", help="JSONL dataset, or a released-TinyAgent JSON file.")],
    model: ModelOpt = None,
    endpoint: EndpointOpt = None,
    api_key: ApiKeyOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N examples.")] = None,
    json_out: JsonOpt = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write records, a Markdown summary and charts here.")
    ] = None,
    grammar: GrammarOpt = None,
    examples: Annotated[
        bool | None, typer.Option("--examples/--no-examples", help="In-context examples in the planner prompt.")
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Parallel requests (for --endpoint; local models use 1).")
    ] = 1,
    now: NowOpt = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            help="A variant to compare, repeatable: 'model=smollm2-135m|gemma3-270m,grammar=on|off' "
            "(| = alternatives, crossed), or a TOML file with one table per variant (see docs).",
        ),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Score the planner: success rate (paper's DAG metric), argument accuracy, parse/valid rates, latency."""
    from ..dataset import DatasetError, load_examples
    from ..evaluation.session import describe, label_for, report_dir_for, write_compare
    from ..evaluation.variants import Variant, VariantError, parse_variants
    from ..llm.base import LLMError

    base = settings_from_flags(config=config, model=model, endpoint=endpoint, api_key=api_key, grammar=grammar)
    if examples is not None:
        base = base.model_copy(update={"examples": examples})
    when = parse_now(now) if now is not None else None
    try:
        dataset = load_examples(data, limit=limit)
    except DatasetError as exc:
        fail(str(exc))
    try:
        variants = parse_variants(compare) if compare else [Variant(label_for(base), {})]
    except VariantError as exc:
        fail(str(exc))

    rows: list[dict[str, Any]] = []
    for variant in variants:
        settings = base.model_copy(update=variant.overrides)
        label = variant.display_label(base.model)
        workers = concurrency
        if workers > 1 and not settings.endpoint:
            err_console.print("[yellow]note:[/] --concurrency applies to --endpoint only; a local model runs one request at a time")
            workers = 1
        try:
            target = report_dir_for(report, label, nested=len(variants) > 1)
            summary = _run_variant(settings, label, dataset, workers, when, target, json_out)
        except LLMError as exc:
            fail(f"{label}: {exc}")
        rows.append({"label": label, **describe(settings), **summary})
        if summary["interrupted"]:
            break  # the user asked to stop: report what is done, skip the remaining variants

    if json_out:
        print_json(rows[0] if not compare else {"n": len(dataset), "variants": rows})
    elif compare:
        console.print(compare_table(rows))
    else:
        console.print(summary_table(rows[0]))
    if report is not None and compare:
        write_compare(report, rows, data)
    if report is not None:
        from ..evaluation.report import CHARTS_HINT, charts_available

        if not charts_available():
            err_console.print(f"[yellow]note:[/] {CHARTS_HINT}")
    if all(row["n"] and row["model_errors"] == row["n"] for row in rows):
        fail("every request failed at the model backend (see the errors above or in the report)")


def _run_variant(
    settings: Settings, label: str, dataset: list[Example], workers: int, when: datetime | None, target: Path | None,
    quiet: bool,
) -> dict[str, Any]:
    """Build the variant's planner (as `run` would) and evaluate it with a progress bar."""
    from ..app import build_llm, build_planner, build_toolset
    from ..evaluation.session import evaluate_variant

    llm = build_llm(settings)
    planner = build_planner(settings, build_toolset(settings, llm), llm)
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("ok {task.fields[ok]}"), TimeElapsedColumn(), TimeRemainingColumn(),
        console=err_console, transient=quiet,
    )
    with progress:
        task = progress.add_task(label, total=len(dataset), ok=0)
        try:
            summary = evaluate_variant(
                planner, dataset, label=label, concurrency=workers, now=when, report=target,
                on_result=lambda _r, done: progress.update(task, advance=1, ok=sum(r.success for r in done)),
            )
        except OSError as exc:
            fail(f"cannot write the report to {target}: {exc}")
    if summary["interrupted"]:
        err_console.print(f"[yellow]interrupted:[/] scoring the {summary['n']} examples done so far")
    return summary


def summary_table(row: dict[str, Any]) -> Table:
    from ..evaluation.report import fmt_pct as _pct
    from ..evaluation.report import fmt_sec

    def _sec(x: float | None) -> str:
        return fmt_sec(x, unit="")

    table = Table(title=f"edgecall eval: {row['label']}", show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("examples", str(row["n"]))
    table.add_row("success rate (DAG match)", _pct(row["success_rate"]))
    table.add_row("argument accuracy (among matches)", f"{_pct(row['arg_accuracy'])} of {row['n_success']}")
    table.add_row("exact plans", _pct(row["exact_rate"]))
    table.add_row("free-text token F1", "n/a" if row["text_f1"] is None else f"{row['text_f1']:.3f}")
    table.add_row("parse rate", _pct(row["parse_rate"]))
    table.add_row("validation rate", _pct(row["valid_rate"]))
    table.add_row("latency p50 / p90 (s)", f"{_sec(row['latency_p50_s'])} / {_sec(row['latency_p90_s'])}")
    table.add_row("first task p50 / p90 (s)", f"{_sec(row['ttft_p50_s'])} / {_sec(row['ttft_p90_s'])}")
    table.add_row("tokens/s", "n/a" if row["tokens_per_s"] is None else f"{row['tokens_per_s']:.1f}")
    if row["model_errors"]:
        table.add_row("model errors", str(row["model_errors"]))
    return table


def compare_table(rows: list[dict[str, Any]]) -> Table:
    from ..evaluation.session import COMPARE_COLUMNS, compare_cell

    table = Table(title=f"edgecall eval --compare ({rows[0]['n']} examples)")
    for name, key in COMPARE_COLUMNS:
        if key == "label":
            table.add_column(name, no_wrap=True, min_width=max(len(str(r["label"])) for r in rows))
        else:
            table.add_column(name, justify="right")
    for row in rows:
        table.add_row(*(compare_cell(key, row[key]) for _, key in COMPARE_COLUMNS))
    return table
