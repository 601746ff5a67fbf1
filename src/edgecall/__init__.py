"""edgecall: function-calling agents at the edge (TinyAgent-style LLMCompiler planning on small local models).

The public API, imported lazily so `import edgecall` (and the CLI's `--help`) stay fast:

    from edgecall import tool, Toolset, Planner, Agent, load_llm
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "EdgecallError": "edgecall.errors",
    "tool": "edgecall.tools",
    "Tool": "edgecall.tools",
    "Toolset": "edgecall.tools",
    "ToolError": "edgecall.tools",
    "tool_from_json_schema": "edgecall.tools",
    "Plan": "edgecall.plan",
    "Task": "edgecall.plan",
    "PlanError": "edgecall.plan",
    "parse_plan": "edgecall.plan",
    "render_plan": "edgecall.plan",
    "plans_match": "edgecall.plan",
    "Planner": "edgecall.planner",
    "build_planner_prompt": "edgecall.planner",
    "Agent": "edgecall.runtime",
    "Executor": "edgecall.runtime",
    "RuleJoiner": "edgecall.runtime",
    "LLMJoiner": "edgecall.runtime",
    "load_llm": "edgecall.llm",
    "LLMError": "edgecall.llm",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'edgecall' has no attribute {name!r}")
