"""Writing an evaluation report: per-example records, a Markdown summary and two charts.

The records (JSON Lines) are what one reads to find *why* a model fails; the summary and
charts are what one pastes into results notes. Charts use matplotlib's non-interactive Agg
backend, so reports are written the same way on a headless machine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .runner import ExampleResult

RECORDS = "records.jsonl"
SUMMARY_MD = "summary.md"
SUMMARY_JSON = "summary.json"
STEPS_PNG = "success_by_steps.png"
LATENCY_PNG = "latency_hist.png"


def write_report(
    directory: str | Path, results: Sequence[ExampleResult], summary: dict[str, Any], *, title: str
) -> list[Path]:
    """Write records, summary (Markdown and JSON) and charts into `directory`; returns the files."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    records = out / RECORDS
    with records.open("w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    (out / SUMMARY_JSON).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = summary_markdown(results, summary, title=title)
    if not charts_available():
        markdown += f"\nCharts: {CHARTS_HINT}\n"
    (out / SUMMARY_MD).write_text(markdown, encoding="utf-8")
    files = [records, out / SUMMARY_JSON, out / SUMMARY_MD]
    if charts_available():
        files.append(plot_success_by_steps(summary, out / STEPS_PNG, title=title))
        files.append(plot_latency(results, out / LATENCY_PNG, title=title))
    return files


CHARTS_HINT = "the PNG charts need matplotlib: pip install 'edgecall[report]'"


def charts_available() -> bool:
    """Whether the optional `[report]` extra (matplotlib) is installed; records and summaries never need it."""
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def fmt_pct(x: float | None) -> str:
    """A rate as a percentage (one decimal), "n/a" when there is none; the report and the CLI show rates so."""
    return "n/a" if x is None else f"{100 * x:.1f}%"


def fmt_sec(x: float | None, unit: str = " s") -> str:
    return "n/a" if x is None else f"{x:.2f}{unit}"


def _num(x: float | None, fmt: str = ".1f") -> str:
    return "n/a" if x is None else format(x, fmt)


def summary_markdown(results: Sequence[ExampleResult], summary: dict[str, Any], *, title: str) -> str:
    """The Markdown summary: headline metrics, success by plan length, confusions, failures."""
    s = summary
    lines = [
        f"# {title}",
        "",
        "| metric | value |",
        "|---|---|",
        f"| examples | {s['n']} |",
        f"| success rate (DAG match) | {fmt_pct(s['success_rate'])} |",
        f"| argument accuracy (among matches) | {fmt_pct(s['arg_accuracy'])} ({s['n_success']} matches) |",
        f"| exact plans (DAG and arguments) | {fmt_pct(s['exact_rate'])} |",
        f"| free-text token F1 (among matches) | {_num(s['text_f1'], '.3f')} |",
        f"| parse rate | {fmt_pct(s['parse_rate'])} |",
        f"| validation rate | {fmt_pct(s['valid_rate'])} |",
        f"| model errors | {s['model_errors']} |",
        f"| latency p50 / p90 (full plan) | {fmt_sec(s['latency_p50_s'])} / {fmt_sec(s['latency_p90_s'])} |",
        f"| time to first task p50 / p90 | {fmt_sec(s['ttft_p50_s'])} / {fmt_sec(s['ttft_p90_s'])} |",
        f"| prompt / completion tokens (mean) | {_num(s['prompt_tokens_mean'], '.0f')} / "
        f"{_num(s['completion_tokens_mean'], '.0f')} |",
        f"| tokens/s (completion) | {_num(s['tokens_per_s'])} |",
        "",
        "## Success by number of steps",
        "",
        "| steps | examples | success |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v['n']} | {fmt_pct(v['success_rate'])} |" for k, v in s["by_steps"].items()]
    lines += ["", "## Tool confusion (gold -> predicted, `<none>` = missing/extra step)", ""]
    confusion = list(s["confusion"].items())[:15]
    lines += [f"- `{pair}`: {count}" for pair, count in confusion] or ["- none"]
    failures = [r for r in results if not r.success or r.args_match is False][:20]
    lines += ["", f"## First {len(failures)} failures", ""]
    for r in failures:
        why = r.error or ("; ".join(r.mismatches) if r.mismatches else "different plan graph")
        lines.append(f"- **{r.id}** {r.query!r}: {why}")
    lines += ["", f"Per-example records: `{RECORDS}`.", ""]
    return "\n".join(lines)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, ax: Any, path: Path, title: str) -> Path:
    """Title, the house style (no top/right frame) and a PNG written to `path`."""
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_success_by_steps(summary: dict[str, Any], path: Path, *, title: str) -> Path:
    """Bar chart: success rate per gold plan length, with the example count on each bar."""
    plt = _pyplot()
    steps = list(summary["by_steps"].keys())
    rates = [100 * summary["by_steps"][k]["success_rate"] for k in steps]
    counts = [summary["by_steps"][k]["n"] for k in steps]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    bars = ax.bar(steps, rates, color="#4C72B0")
    for bar, rate, n in zip(bars, rates, counts):
        ax.annotate(f"{rate:.0f}%\nn={n}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")
    ax.set_ylim(0, 115)
    ax.set_xlabel("tool calls in the gold plan")
    ax.set_ylabel("success rate (%)")
    return _save(plt, fig, ax, path, f"Success by plan length: {title}")


def plot_latency(results: Sequence[ExampleResult], path: Path, *, title: str) -> Path:
    """Histogram of full-plan latency, time to first task overlaid, with the p50/p90 marked."""
    from .runner import percentile

    plt = _pyplot()
    totals = [r.total_s for r in results if r.total_s is not None]
    ttfts = [r.ttft_s for r in results if r.ttft_s is not None]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    if totals:
        values = [v for v in totals + ttfts if v > 0]
        top, low = max(values, default=1.0), min(values, default=1.0)
        # a few runaway generations (hundreds of seconds) would squash every other bar into one
        # bin: switch to log-spaced bins when the spread is that wide
        log = top > 20 * (percentile(totals, 50) or top) or top > 50 * low
        if log:
            bins = [low * (top / low) ** (i / 24) for i in range(25)]
            ax.set_xscale("log")
        else:
            bins = [top * i / 20 for i in range(21)]
        ax.hist(totals, bins=bins, alpha=0.75, color="#4C72B0", label="full plan")
        if ttfts:
            ax.hist(ttfts, bins=bins, alpha=0.6, color="#DD8452", label="first task")
        for q, style in ((50, "--"), (90, ":")):
            value = percentile(totals, q)
            ax.axvline(value, color="black", linestyle=style, linewidth=1, label=f"p{q} full plan = {value:.2f} s")
        ax.legend(frameon=False, fontsize=9)
    else:
        ax.text(0.5, 0.5, "no timings (every request failed)", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("seconds (log scale)" if totals and log else "seconds")
    ax.set_ylabel("examples")
    return _save(plt, fig, ax, path, f"Planning latency: {title}")
