"""The one exception tree: every error edgecall defines derives from `EdgecallError`, keeps its builtin, and is drawn."""

from __future__ import annotations

import ast
import builtins
import inspect
from pathlib import Path

import pytest

import edgecall
from edgecall import errors

SRC = Path(edgecall.__file__).parent
BUILTIN_EXCEPTIONS = {n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)}


def _base_name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def test_no_exception_class_outside_the_tree() -> None:
    """A class anywhere in src/ that subclasses a builtin exception directly must be in errors.py under the root."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "errors.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(_base_name(b) in BUILTIN_EXCEPTIONS for b in node.bases):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}")
    assert offenders == [], "define these in edgecall/errors.py under EdgecallError"


@pytest.mark.parametrize("name", errors.__all__)
def test_every_error_is_rooted_and_drawn(name: str) -> None:
    cls = getattr(errors, name)
    assert issubclass(cls, errors.EdgecallError)
    assert f"\n    {name}" in errors.__doc__ or f"── {name}" in errors.__doc__, f"{name} missing from the tree drawing"


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.PlanSyntaxError, ValueError),
        (errors.LLMError, RuntimeError),
        (errors.GrammarError, ValueError),
        (errors.DatasetError, ValueError),
        (errors.ToolsetError, ValueError),
        (errors.VariantError, ValueError),
    ],
)
def test_builtin_mixins_are_kept(cls: type[Exception], builtin: type[Exception]) -> None:
    assert issubclass(cls, builtin)


def test_modules_reexport_the_same_classes() -> None:
    from edgecall.assistant.store import StoreError
    from edgecall.llm import LLMError
    from edgecall.plan import PlanError
    from edgecall.tools import ToolArgumentError, ToolError

    assert (PlanError, ToolError, ToolArgumentError, StoreError, LLMError) == (
        errors.PlanError,
        errors.ToolError,
        errors.ToolArgumentError,
        errors.StoreError,
        errors.LLMError,
    )
    assert issubclass(StoreError, ToolError)


def test_plan_error_message_names_step_and_expectation() -> None:
    err = errors.PlanValidationError("unknown tool 'x'", step=2, expected="one of send_sms, join")
    assert str(err) == "step 2: unknown tool 'x' (expected one of send_sms, join)"
    assert inspect.getdoc(errors.EdgecallError)
