"""Dataset statistics and the dataset card (Markdown): what is in each split, so coverage gaps show.

Counts per tool, per step count, per plan shape (the DAG's structure, independent of tool names), per
scenario, and length distributions; plus a few sample rows per split.

Coverage and diversity signals, cheap enough to iterate on before any training:

- *plan-shape coverage* of a reference set: the share of its plans whose labelled DAG (tool multiset plus
  ``$k`` reference edges, exactly what the success metric compares) occurs somewhere in the data;
- *distinct sentence frames* (``grammar.frame_key``: the request with plan-copied words masked) and
  distinct word 2-/3-grams, as counts and as a share of all n-grams;
- examples per *producer -> consumer pair* (which tool's output feeds which tool's parameter).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from edgecall.plan import Plan, PlanError, find_refs, parse_plan, plan_graph
from edgecall.tools import Toolset

from .grammar import frame_key, plan_words
from .surface import fold


def shape_key(plan: Plan) -> str:
    """A hash of the labelled DAG: equal for isomorphic plans (confirm with ``nx.is_isomorphic``)."""
    g = plan_graph(plan)
    up: dict[int, str] = {}
    down: dict[int, str] = {}
    for n in nx.topological_sort(g):  # what feeds each step, recursively
        up[n] = g.nodes[n]["tool"] + "(" + ",".join(sorted(up[p] for p in g.predecessors(n))) + ")"
    for n in reversed(list(nx.topological_sort(g))):  # what each step feeds, recursively
        down[n] = g.nodes[n]["tool"] + "(" + ",".join(sorted(down[s] for s in g.successors(n))) + ")"
    return ";".join(sorted(up[n] + ">" + down[n] for n in g))


def _same_tool(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("tool") == b.get("tool")


class ShapeIndex:
    """The distinct plan shapes of a dataset, for "does this shape occur in it?" queries."""

    def __init__(self) -> None:
        self.buckets: dict[str, list[nx.DiGraph]] = {}

    def add(self, plan: Plan) -> None:
        g = plan_graph(plan)
        bucket = self.buckets.setdefault(shape_key(plan), [])
        if not any(nx.is_isomorphic(g, h, node_match=_same_tool) for h in bucket):
            bucket.append(g)

    def __contains__(self, plan: Plan) -> bool:
        g = plan_graph(plan)
        return any(nx.is_isomorphic(g, h, node_match=_same_tool) for h in self.buckets.get(shape_key(plan), ()))

    def __len__(self) -> int:
        return sum(len(b) for b in self.buckets.values())


def flow_pairs(plan: Plan, tools: Toolset | None = None) -> list[str]:
    """"producer -> consumer.param" for every reference edge of the plan (``argN`` for tools not in ``tools``)."""
    by_idx = {t.idx: t for t in plan.tasks}
    out = []
    for task in plan.tasks:
        names = [p.name for p in tools[task.tool].params] if tools is not None and task.tool in tools else []
        for i, value in enumerate(task.args):
            for ref in sorted(find_refs(value)):
                if ref in by_idx:
                    param = names[i] if i < len(names) else f"arg{i + 1}"
                    out.append(f"{by_idx[ref].tool} -> {task.tool}.{param}")
    return out


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]


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
    frames: set[str] = field(default_factory=set)
    single_frames: set[str] = field(default_factory=set)
    """Frames of one-step requests: there a frame is one intent's phrasing, so this counts phrasing variety."""
    bigrams: set[tuple[str, ...]] = field(default_factory=set)
    trigrams: set[tuple[str, ...]] = field(default_factory=set)
    n_bigrams: int = 0
    n_trigrams: int = 0
    pairs: Counter[str] = field(default_factory=Counter)
    shape_index: ShapeIndex = field(default_factory=ShapeIndex)
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    """reference name -> (reference plans whose shape occurs here, reference plans)."""
    pair_coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    """reference name -> (the reference's producer -> consumer pairs that occur here, its pairs)."""

    def cover(self, name: str, reference: Sequence[dict[str, Any]], tools: Toolset | None = None) -> tuple[int, int]:
        """Plan-shape coverage of ``reference`` rows by this split (and, kept for the card under ``name``, how
        many of the reference's producer -> consumer pairs occur here)."""
        hit = total = 0
        ref_pairs: set[str] = set()
        for row in reference:
            try:
                plan = parse_plan(row["plan"])
            except PlanError:
                continue
            total += 1
            hit += plan in self.shape_index
            ref_pairs.update(flow_pairs(plan, tools))
        self.coverage[name] = (hit, total)
        self.pair_coverage[name] = (len(ref_pairs & set(self.pairs)), len(ref_pairs))
        return hit, total


_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def split_stats(rows: Sequence[dict[str, Any]], n_samples: int = 5, tools: Toolset | None = None) -> SplitStats:
    """Counts, shapes, frames and n-grams of ``rows``; ``tools`` names the parameters of flow pairs."""
    st = SplitStats(n=len(rows))
    step = max(1, len(rows) // max(1, n_samples))
    for i, row in enumerate(rows):
        try:
            plan = parse_plan(row["plan"])
        except PlanError:
            st.unparsable += 1
            continue
        used = [t.tool for t in plan.tasks]
        st.shape_index.add(plan)
        st.pairs.update(set(flow_pairs(plan, tools)))
        frame = frame_key(row["query"], plan_words(a for t in plan.tasks for a in t.args))
        st.frames.add(frame)
        if len(plan.tasks) == 1:
            st.single_frames.add(frame)
        words = _WORDS.findall(fold(row["query"]))
        bi, tri = _ngrams(words, 2), _ngrams(words, 3)
        st.bigrams.update(bi)
        st.trigrams.update(tri)
        st.n_bigrams += len(bi)
        st.n_trigrams += len(tri)
        st.tool_calls.update(used)
        st.tool_examples.update(set(used))
        st.steps[len(used)] += 1
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
    lines += ["## Coverage and diversity", "",
              "| split | distinct plan shapes | distinct frames | frames per 100 rows | one-step frames (per 100 one-step "
              "rows) | distinct word 2-grams | "
              "distinct 3-grams | 3-grams distinct share | producer->consumer pairs |" +
              "".join(f" shape coverage of {ref} | pairs of {ref} |" for ref in _refs(stats)),
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|---:|" * len(_refs(stats))]
    for name, st in stats.items():
        cov = "".join(f" {_pct(*st.coverage[r])} | {st.pair_coverage[r][0]}/{st.pair_coverage[r][1]} |"
                      if r in st.coverage else " | |" for r in _refs(stats))
        ones = st.steps.get(1, 0)
        lines.append(f"| {name} | {len(st.shape_index)} | {len(st.frames)} | {100 * len(st.frames) / max(1, st.n):.1f} | "
                     f"{len(st.single_frames)} ({100 * len(st.single_frames) / max(1, ones):.1f}) | "
                     f"{len(st.bigrams)} | {len(st.trigrams)} | {100 * len(st.trigrams) / max(1, st.n_trigrams):.1f}% | "
                     f"{len(st.pairs)} |{cov}")
    lines.append("")
    for name, st in stats.items():
        lines += [f"## {name}", ""]
        if st.unparsable:
            lines += [f"**{st.unparsable} rows have unparsable plans** (run `edgecall data validate`).", ""]
        lines += ["### Examples using each tool", ""] + _table("tool", st.tool_examples, st.n)
        lines += ["### Steps per plan (excluding join)", ""] + _table("steps", st.steps, st.n, sort_keys=True)
        lines += ["### Plan shapes", ""] + _table("shape", st.shapes, st.n)
        lines += ["### Scenarios", ""] + _table("scenario", st.scenarios, st.n)
        lines += ["### Producer -> consumer pairs (examples)", ""] + _table("pair", st.pairs, st.n, sort_keys=True)
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


def _refs(stats: dict[str, SplitStats]) -> list[str]:
    return sorted({r for st in stats.values() for r in st.coverage})


def _pct(hit: int, total: int) -> str:
    return f"{100 * hit / max(1, total):.1f}% ({hit}/{total})"


def summary_text(stats: dict[str, SplitStats]) -> str:
    """The card's summary and coverage tables (for terminals and reports)."""
    card = render_card(stats)
    start = card.index("## Summary")
    end = card.index("## Coverage and diversity")
    return card[start:card.index("\n## ", end + 1)].strip()
