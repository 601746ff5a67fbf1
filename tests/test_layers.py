"""The package's import structure: dependencies point down the layers, no cycles, no heavy extras on import.

The graph is read from the source (every `import`, also inside functions and under TYPE_CHECKING), so a lazy or
type-only import that goes the wrong way is caught too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import edgecall

SRC = Path(edgecall.__file__).parent

LAYERS = [
    "errors",
    "paths",
    "text",
    "limits",
    "plan",
    "tools",
    "dataset",
    "llm",
    "voice",
    "retrieval",
    "planner",
    "runtime",
    "config",
    "assistant",
    "data",
    "evaluation",
    "training",
    "app",
    "server",
    "cli",
]
"""Lowest first: a part may import only from itself and the parts before it (docs/architecture.md draws these)."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """module -> the edgecall modules it imports (resolved relative imports, `from x import y` as x and x.y)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        mod = _module_name(path)
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] == "edgecall":
                    targets.add(target)
                    targets.update(f"{target}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.split(".")[0] == "edgecall")
        graph[mod] = targets
    known = set(graph)
    return {m: {t for t in ts if t in known and t != m} for m, ts in graph.items()}


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


GRAPH = _imports()


def test_every_part_has_a_layer():
    parts = {_part(m) for m in GRAPH} - {"", "__main__"}
    unknown = sorted(p.removesuffix(".py") for p in parts if p not in LAYERS)
    assert unknown == [], "add new top-level modules/packages to LAYERS (and docs/architecture.md)"


def test_dependencies_point_down_the_layers():
    wrong = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        for t in targets
        if _part(m) in LAYERS and _part(t) in LAYERS and LAYERS.index(_part(t)) > LAYERS.index(_part(m))
    )
    assert wrong == []


def test_parts_do_not_import_each_other_in_a_cycle():
    """Between parts (packages) the graph is acyclic; the layer test implies it, this names the cycle if not."""
    edges: dict[str, set[str]] = {}
    for m, targets in GRAPH.items():
        for t in targets:
            if _part(m) and _part(t) and _part(m) != _part(t):
                edges.setdefault(_part(m), set()).add(_part(t))
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt in path:
                cycles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif len(path) < len(LAYERS):
                visit(nxt, [*path, nxt])

    for start in sorted(edges):
        visit(start, [start])
    assert cycles == []


def test_the_layer_checker_sees_a_wrong_import():
    """The checker itself can fail: a planner module importing the assistant is found."""
    fake = {"edgecall.planner.x": {"edgecall.assistant.tools"}}
    wrong = [f"{m} -> {t}" for m, ts in fake.items() for t in ts if LAYERS.index(_part(t)) > LAYERS.index(_part(m))]
    assert wrong == ["edgecall.planner.x -> edgecall.assistant.tools"]


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return {m.split(".")[0] for m in out.split()}


@pytest.mark.parametrize(
    "module",
    ["edgecall", "edgecall.tools", "edgecall.app", "edgecall.cli.main", "edgecall.assistant.demo",
     "edgecall.evaluation.report"],
)
def test_import_loads_no_heavy_extras(module):
    """torch/transformers ([train]), fastapi ([server]), matplotlib ([report]) and fpdf (dev only) load only inside
    the code that needs them."""
    loaded = _loaded_after(f"import {module}")
    assert loaded & {"torch", "transformers", "peft", "fastapi", "uvicorn", "matplotlib", "fpdf"} == set()


def test_tools_do_not_load_networkx():
    """Declaring tools reads the plan language but not the graph library that only scoring needs."""
    assert "networkx" not in _loaded_after("import edgecall.tools, edgecall.plan")
