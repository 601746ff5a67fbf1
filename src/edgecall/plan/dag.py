"""The plan as a graph, and the paper's success metric.

TinyAgent scores a plan as correct when its DAG is isomorphic to the gold plan's DAG with
tool names as node labels and `$` references as edges (join and argument values ignored):
independent steps may come in any order, but every call and every data dependency must match.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .model import Plan

if TYPE_CHECKING:
    import networkx as nx

# networkx is imported inside the functions: every `import edgecall.tools` reads the plan language, and only
# scoring needs graphs (importing networkx costs more than the rest of the plan package together).


def plan_graph(plan: Plan) -> nx.DiGraph:
    """Nodes are step numbers (attribute `tool`); an edge k -> j means step j uses `$k`."""
    import networkx as nx

    g = nx.DiGraph()
    for task in plan.tasks:
        g.add_node(task.idx, tool=task.tool)
    for task in plan.tasks:
        for dep in task.deps:
            if dep in g:
                g.add_edge(dep, task.idx)
    return g


def _same_tool(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("tool") == b.get("tool")


def plans_match(pred: Plan, gold: Plan) -> bool:
    """True when the two plans' DAGs are isomorphic with tool names as labels."""
    import networkx as nx

    g1, g2 = plan_graph(pred), plan_graph(gold)
    if g1.number_of_nodes() != g2.number_of_nodes() or g1.number_of_edges() != g2.number_of_edges():
        return False
    return bool(nx.is_isomorphic(g1, g2, node_match=_same_tool))


def iter_isomorphisms(pred: Plan, gold: Plan) -> Iterator[dict[int, int]]:
    """Every mapping pred step -> gold step under which the DAGs coincide (for argument scoring)."""
    from networkx.algorithms.isomorphism import DiGraphMatcher

    g1, g2 = plan_graph(pred), plan_graph(gold)
    if g1.number_of_nodes() != g2.number_of_nodes():
        return iter(())
    mappings: Iterator[dict[int, int]] = DiGraphMatcher(g1, g2, node_match=_same_tool).isomorphisms_iter()
    return mappings
