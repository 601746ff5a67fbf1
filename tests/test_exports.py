"""The public names: every `__all__` entry resolves and is sorted, and the lazy top level matches its type stubs."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import edgecall

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(
    m.name for m in pkgutil.iter_modules(edgecall.__path__, "edgecall.") if m.ispkg and m.name not in (
        "edgecall.cli", "edgecall.server", "edgecall.training")  # entry points, and parts needing optional extras
)
MODULES_WITH_ALL = ["edgecall", "edgecall.errors", "edgecall.dataset", "edgecall.paths", *PACKAGES]


def _isort_key(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then functions, each alphabetical."""
    return (0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", MODULES_WITH_ALL)
def test_all_resolves_and_is_sorted(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert exported == sorted(set(exported), key=_isort_key), "sorted (isort style, as ruff's RUF022), no duplicates"
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == []


def test_top_level_type_stubs_match_the_lazy_exports():
    tree = ast.parse(Path(edgecall.__file__).read_text(encoding="utf-8"))
    stubs: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                stubs.update({a.name: f"edgecall.{imp.module}" for a in imp.names})
    assert stubs == edgecall._EXPORTS
    assert set(edgecall.__all__) == {*edgecall._EXPORTS, "__version__"}
    for name, module in edgecall._EXPORTS.items():
        assert getattr(edgecall, name) is getattr(importlib.import_module(module), name)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        edgecall.nope  # noqa: B018


def test_readme_imports_only_exported_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = {n.strip() for line in re.findall(r"^from edgecall import (.+)$", readme, re.M) for n in line.split(",")}
    assert used and used <= set(edgecall.__all__)
