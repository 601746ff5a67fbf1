"""Checking a parsed plan against the tools it may call.

Errors name the step, the problem and what was expected, because the replanner feeds
them back to the model verbatim and a vague error produces the same wrong plan again.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from .errors import PlanValidationError
from .model import Plan, Task
from .parser import check_structure

if TYPE_CHECKING:
    from .toolspec import ToolsetLike as Toolset


def validate_task(task: Task, tools: Toolset) -> None:
    """Tool exists, argument count matches its signature, literal arguments have the right types."""
    if task.tool not in tools:
        close = difflib.get_close_matches(task.tool, tools.names(), n=1)
        hint = f"did you mean {close[0]}?" if close else "one of: " + ", ".join(tools.names())
        raise PlanValidationError(f"unknown tool {task.tool!r}", step=task.idx, expected=hint)
    tool = tools[task.tool]
    if len(task.args) != len(tool.params):
        raise PlanValidationError(
            f"{task.tool} got {len(task.args)} argument(s)",
            step=task.idx,
            expected=f"{len(tool.params)}: {tool.signature()}",
        )
    problem = tool.static_arg_problem(task.args)
    if problem:
        raise PlanValidationError(f"{task.tool}: {problem}", step=task.idx, expected=tool.signature())


def validate_plan(plan: Plan, tools: Toolset, *, require_join: bool = True) -> None:
    """Whole-plan validation: structure (references, join) and every task against its tool."""
    check_structure(plan, require_join=require_join)
    for task in plan.tasks:
        validate_task(task, tools)
