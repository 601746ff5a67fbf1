"""`edgecall tools` (the enabled tools, and what Tool RAG selects for a request) and `edgecall train toolrag`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .common import ConfigOpt, JsonOpt, console, err_console, fail, print_json, settings_from_flags


def tools(
    explain: Annotated[str | None, typer.Option("--explain", help="Show which tools Tool RAG selects for this "
                                                   "request, with the classifier's scores.")] = None,
    json_out: JsonOpt = False,
    model: Annotated[Path | None, typer.Option("--toolrag-model", help="Tool RAG artifact (default: the "
                                                  "configured or packaged one).")] = None,
    config: ConfigOpt = None,
) -> None:
    """List the enabled tools; with --explain, what Tool RAG would offer the planner for a request and why.

    --json prints one object {"selected": [...], "scores": {tool: probability}} (without --explain every enabled
    tool is selected and there are no scores).
    """
    from ..app import build_toolset, served_prompt_format, tool_rag_enabled
    from ..config import APPS
    from ..errors import ToolRAGError
    from ..retrieval import default_classifier

    settings = settings_from_flags(config=config)
    toolset = build_toolset(settings, None)
    if explain is None:
        if json_out:
            print_json({"selected": toolset.names(), "scores": {}})
            return
        table = Table(title=f"{len(toolset)} enabled tools")
        table.add_column("tool")
        table.add_column("signature and description")
        for t in toolset:
            table.add_row(t.name, escape(t.prompt_description()))
        console.print(table)
        return
    try:
        classifier = default_classifier(model or settings.tool_rag_model)
        classifier.check_tools([name for names in APPS.values() for name in names] + toolset.names())
        selection = classifier.select(explain, toolset.names())
    except ToolRAGError as exc:
        fail(str(exc))
    if json_out:
        print_json(selection.to_json())
        return
    if settings.tool_rag is None:
        state = (f"{'on' if tool_rag_enabled(settings) else 'off'} for the {served_prompt_format(settings)} prompt "
                 f"of {settings.model} (--tool-rag/--no-tool-rag)")
    else:
        state = "on" if settings.tool_rag else "off"
    table = Table(title=f"Tool RAG for {explain!r}: {len(selection.selected)} of {len(toolset)} tools "
                        f"(planner Tool RAG is {state})")
    for col in ("tool", "score", "threshold", "offered", "why"):
        table.add_column(col, justify="right" if col in ("score", "threshold") else "left")
    for name in sorted(toolset.names(), key=lambda n: -selection.scores.get(n, 2.0)):
        score = selection.scores.get(name)
        threshold = selection.thresholds.get(name)
        offered = name in selection.selected
        table.add_row(
            name,
            f"{score:.3f}" if score is not None else "-",
            f"{threshold:.3f}" if threshold is not None else "-",
            "[green]yes[/]" if offered else "[dim]no[/]",
            selection.reasons.get(name, "below threshold"),
        )
    console.print(table)
    if selection.fallback:
        console.print("[yellow]low confidence: every tool is offered[/]")


def train_toolrag(
    data: Annotated[Path | None, typer.Option("--data", help="Folder with train.jsonl and val.jsonl (from `edgecall "
                                                 "data generate`); default: generate them in memory.")] = None,
    train_file: Annotated[Path | None, typer.Option("--train", help="Training JSONL (overrides --data).")] = None,
    val_file: Annotated[Path | None, typer.Option("--val", help="Validation JSONL for --calibrate val (default: "
                                                     "the last 10% of the training rows).")] = None,
    toolset_spec: Annotated[str, typer.Option("--toolset", help="'assistant' or a JSON file of OpenAI function "
                                              "schemas.")] = "assistant",
    out: Annotated[Path, typer.Option("--out", "-o", help="Artifact file to write (.npz).")] = Path("toolrag.npz"),
    target_recall: Annotated[float, typer.Option("--target-recall", help="Per-tool recall the thresholds keep "
                                                 "on the calibration scores.")] = 0.995,
    min_tools: Annotated[int, typer.Option("--min-tools", help="Always offer at least this many tools.")] = 1,
    max_tools: Annotated[int, typer.Option("--max-tools", help="Offer at most this many (named tools excepted).")] = 8,
    fallback_below: Annotated[float, typer.Option("--fallback-below", help="Offer every tool when no score reaches "
                                                  "this.")] = 0.2,
    c: Annotated[float, typer.Option("--c", help="Inverse L2 regularisation of the logistic regressions.")] = 1.0,
    pooling: Annotated[str, typer.Option("--pooling", help="'clauses': score each clause of a request as well as "
                                         "the whole and keep each tool's best; 'request': the whole only.")]
    = "request",
    static: Annotated[Path | None, typer.Option("--static", help="A model2vec folder whose static embeddings join "
                                                   "the n-gram features (see docs/results.md).")] = None,
    calibrate: Annotated[str, typer.Option("--calibrate", help="Scores the per-tool thresholds are calibrated on: "
                                           "'templates' (out-of-template: heads trained without some of the "
                                           "generator's templates score the rows that use them), 'val' (the "
                                           "validation split), 'auto' (templates when every training row has a "
                                           "'template', else val).")] = "auto",
    folds: Annotated[int, typer.Option("--folds", help="Template folds for --calibrate templates.")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the template folds, and of the generator when no "
                                      "data is given.")] = 0,
    json_out: JsonOpt = False,
) -> None:
    """Train the Tool RAG classifier: which tools does a request's plan call? (No torch; a few minutes.)"""
    from ..data.toolsets import load_toolset
    from ..dataset import load_rows
    from ..errors import EdgecallError
    from ..retrieval.toolrag import POOLINGS
    from ..retrieval.toolrag_train import CALIBRATIONS, resolve_calibration, train_classifier

    if not 0 < target_recall <= 1:
        fail(f"--target-recall must be in (0, 1], got {target_recall}")
    if pooling not in POOLINGS:
        fail(f"--pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
    if calibrate not in CALIBRATIONS:
        fail(f"--calibrate must be one of {', '.join(CALIBRATIONS)}, got {calibrate!r}")
    if folds < 2:
        fail(f"--folds must be at least 2, got {folds}")
    try:
        toolset = load_toolset(toolset_spec)
        if train_file is None and data is not None:
            train_file, val_file = data / "train.jsonl", val_file or data / "val.jsonl"
        if train_file is not None:
            train_rows = load_rows(train_file)
            if val_file is not None:
                val_rows = load_rows(val_file)
            elif resolve_calibration(calibrate, train_rows) == "templates":
                val_rows = []  # thresholds come from the training rows' templates: train on all of them
            else:
                cut = max(1, len(train_rows) // 10)
                train_rows, val_rows = train_rows[:-cut], train_rows[-cut:]
            source = str(train_file)
        else:
            if toolset_spec != "assistant":
                fail("a custom toolset needs --train (rows from `edgecall data teacher` or your own)")
            from ..data.generate import generate_splits

            err_console.print("[dim]generating training data...[/]")
            report = generate_splits(toolset, seed=seed, sizes={"train": 20000, "val": 1000, "test": 0,
                                                                "test_heldout": 0})
            train_rows, val_rows, source = report.rows["train"], report.rows["val"], f"generated, seed {seed}"
        static_model = None
        if static is not None:
            from ..retrieval.toolrag_static import StaticEmbeddings

            static_model = StaticEmbeddings(static)
        t0 = time.perf_counter()
        report_ = train_classifier(
            train_rows, val_rows, toolset.names(), target_recall=target_recall, min_tools=min_tools,
            max_tools=max_tools, fallback_below=fallback_below, c=c, static=static_model, pooling=pooling,
            calibration=calibrate, folds=folds, seed=seed,
            meta={"data": source, "static": str(static) if static else None},
            log=lambda m: err_console.print(f"[dim]{escape(m)}[/]"),
        )
        path = report_.classifier.save(out)
    except EdgecallError as exc:
        fail(str(exc))
    result: dict[str, Any] = {"out": str(path), "bytes": path.stat().st_size, "tools": len(toolset), "train_rows": report_.train_rows,
              "val_rows": report_.val_rows, "features": report_.features, "seconds": round(time.perf_counter() - t0, 1),
              "calibration": report_.calibration, "calibration_rows": report_.calibration_rows,
              "thresholds": report_.classifier.thresholds}
    if json_out:
        print_json(result)
    else:
        console.print(f"wrote {path} ({result['bytes'] / 1e6:.1f} MB): {len(toolset)} tools, {report_.train_rows} "
                      f"training rows, {report_.features} features, thresholds calibrated on {report_.calibration_rows} "
                      f"{'out-of-template' if report_.calibration == 'templates' else 'validation'} rows, "
                      f"{result['seconds']} s")
