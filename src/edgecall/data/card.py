"""Dataset statistics and the dataset card (Markdown): what is in each split, so coverage gaps show.

Counts per tool, per step count, per plan shape (the DAG's structure, independent of tool names), per
scenario, and length distributions; plus a few sample rows per split.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from edgecall.plan import Plan, PlanError, parse_plan, plan_graph


def plan_shape(plan: Plan) -> str:
    """single | parallel (no edges) | fan-in (roots feeding one sink) | chain | tree | dag."""
    g = plan_graph(plan)
    if g.number_of_nodes() == 1:
        return "single"
    if g.number_of_edges() == 0:
        return "parallel"
    comps = list(nx.weakly_connected_components(g))
    kinds = []
    for comp in comps:
        sub = g.subgraph(comp)
        if sub.number_of_nodes() == 1:
            kinds.append("single")
        elif all(sub.in_degree(n) <= 1 and sub.out_degree(n) <= 1 for n in sub):
            kinds.append("chain")
        elif nx.dag_longest_path_length(sub) == 1 and sum(1 for n in sub if sub.out_degree(n) == 0) == 1:
            kinds.append("fan-in")
        else:
            kinds.append("dag")
    kinds = sorted(k for k in kinds if k != "single") + (["singles"] if "single" in kinds else [])
    return "+".join(kinds) if len(comps) > 1 else kinds[0]


def _dist(values: Sequence[int]) -> dict[str, float]:
    if not values:
        return {"min": 0, "median": 0, "p90": 0, "max": 0, "mean": 0}
    s = sorted(values)
    return {"min": s[0], "median": statistics.median(s), "p90": s[int(0.9 * (len(s) - 1))], "max": s[-1],
            "mean": round(statistics.fmean(s), 1)}


@dataclass
class SplitStats:
    n: int = 0
    unparsable: int = 0
    tool_calls: Counter[str] = field(default_factory=Counter)
    tool_examples: Counter[str] = field(default_factory=Counter)
    steps: Counter[int] = field(default_factory=Counter)
    shapes: Counter[str] = field(default_factory=Counter)
    scenarios: Counter[str] = field(default_factory=Counter)
    query_chars: list[int] = field(default_factory=list)
    plan_chars: list[int] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)


def split_stats(rows: Sequence[dict[str, Any]], n_samples: int = 5) -> SplitStats:
    st = SplitStats(n=len(rows))
    step = max(1, len(rows) // max(1, n_samples))
    for i, row in enumerate(rows):
        try:
            plan = parse_plan(row["plan"])
        except PlanError:
            st.unparsable += 1
            continue
        tools = [t.tool for t in plan.tasks]
        st.tool_calls.update(tools)
        st.tool_examples.update(set(tools))
        st.steps[len(tools)] += 1
        st.shapes[plan_shape(plan)] += 1
        kind = str(row.get("scenario", "unknown"))
        st.scenarios["multi (2-3 actions)" if "+" in kind else kind] += 1
        st.query_chars.append(len(row["query"]))
        st.plan_chars.append(len(row["plan"]))
        if i % step == 0 and len(st.samples) < n_samples:
            st.samples.append(row)
    return st


def _table(title: str, counter: Counter[Any], total: int, sort_keys: bool = False) -> list[str]:
    items = sorted(counter.items()) if sort_keys else counter.most_common()
    lines = [f"| {title} | count | share |", "|---|---:|---:|"]
    lines += [f"| {k} | {v} | {100 * v / max(1, total):.1f}% |" for k, v in items]
    return lines + [""]


def render_card(stats: dict[str, SplitStats], *, title: str = "edgecall function-calling dataset",
                command: str | None = None, seconds: float | None = None, notes: Sequence[str] = ()) -> str:
    """The Markdown card: summary table first (it is what people paste), details per split after."""
    lines = [f"# {title}", ""]
    if command:
        lines += [f"Generated with `{command}`" + (f" in {seconds:.1f} s." if seconds is not None else "."), ""]
    lines += [f"- {note}" for note in notes] + ([""] if notes else [])
    lines += ["## Summary", "", "| split | examples | tools covered | steps (min/median/max) | query chars (median) |"
              " multi-action |", "|---|---:|---:|---|---:|---:|"]
    for name, st in stats.items():
        sd = _dist([k for k, v in st.steps.items() for _ in range(v)])
        multi = st.scenarios.get("multi (2-3 actions)", 0)
        lines.append(f"| {name} | {st.n} | {len(st.tool_examples)} | {sd['min']}/{sd['median']}/{sd['max']} | "
                     f"{_dist(st.query_chars)['median']} | {100 * multi / max(1, st.n):.1f}% |")
    lines.append("")
    for name, st in stats.items():
        lines += [f"## {name}", ""]
        if st.unparsable:
            lines += [f"**{st.unparsable} rows have unparsable plans** (run `edgecall data validate`).", ""]
        lines += ["### Examples using each tool", ""] + _table("tool", st.tool_examples, st.n)
        lines += ["### Steps per plan (excluding join)", ""] + _table("steps", st.steps, st.n, sort_keys=True)
        lines += ["### Plan shapes", ""] + _table("shape", st.shapes, st.n)
        lines += ["### Scenarios", ""] + _table("scenario", st.scenarios, st.n)
        q, p = _dist(st.query_chars), _dist(st.plan_chars)
        lines += ["### Lengths (characters)", "", "| field | min | median | mean | p90 | max |",
                  "|---|---:|---:|---:|---:|---:|",
                  f"| query | {q['min']} | {q['median']} | {q['mean']} | {q['p90']} | {q['max']} |",
                  f"| plan | {p['min']} | {p['median']} | {p['mean']} | {p['p90']} | {p['max']} |", ""]
        lines += ["### Samples", ""]
        for row in st.samples:
            plan_lines = ["  " + ln for ln in row["plan"].splitlines()]
            lines += [f"- `{row.get('now', '')}` {row['query']}", "", "  ```", *plan_lines,
                      "  ```", ""]
    return "\n".join(lines)


def summary_text(stats: dict[str, SplitStats]) -> str:
    """The card's summary table only (for terminals and reports)."""
    card = render_card(stats)
    start = card.index("## Summary")
    return card[start:card.index("\n## ", start + 1)].strip()
