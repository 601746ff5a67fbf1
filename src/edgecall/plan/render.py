"""Canonical plan text: the one format prompts, datasets and the CLI print.

Strings are written with JSON escapes, which are also valid Python string escapes, so the
parser reads back exactly what was rendered: `parse_plan(render_plan(p)) == p`.
"""

from __future__ import annotations

import json
from typing import Any

from .model import END_OF_PLAN, JOIN, Plan, Task


def render_value(value: Any) -> str:
    """One argument as a plan literal."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_value(k)}: {render_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot render {type(value).__name__} in a plan")


def render_task(task: Task) -> str:
    return f"{task.idx}. {task.tool}({', '.join(render_value(a) for a in task.args)})"


def render_plan(plan: Plan, *, thoughts: bool = False) -> str:
    """Plan text ending in `N. join()<END_OF_PLAN>`, N one past the last step."""
    lines: list[str] = []
    for task in plan.tasks:
        if thoughts and task.thought:
            lines.append(f"Thought: {task.thought}")
        lines.append(render_task(task))
    if plan.has_join:
        last = max((t.idx for t in plan.tasks), default=0)
        lines.append(f"{last + 1}. {JOIN}(){END_OF_PLAN}")
    return "\n".join(lines)
