"""edgecall: function-calling agents at the edge (TinyAgent-style LLMCompiler planning on small local models).

The public API, imported lazily so `import edgecall` (and the CLI's `--help`) stay fast:

    from edgecall import tool, Toolset, Planner, Agent, load_llm

Type checkers see the real imports (the TYPE_CHECKING block); at run time `__getattr__` imports on first use.
tests/test_exports.py checks that both lists agree and every name resolves.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dataset import Example, load_examples
    from .errors import EdgecallError
    from .llm import LLMError, load_llm
    from .plan import Plan, PlanError, Task, parse_plan, plans_match, render_plan
    from .planner import Planner, build_planner_prompt
    from .runtime import Agent, Executor, LLMJoiner, RuleJoiner
    from .tools import Arg, ArgKind, Returns, Tool, ToolError, Toolset, tool, tool_from_json_schema

__version__ = "0.1.0"

_EXPORTS = {
    "Agent": "edgecall.runtime",
    "Arg": "edgecall.tools",
    "ArgKind": "edgecall.tools",
    "EdgecallError": "edgecall.errors",
    "Example": "edgecall.dataset",
    "Executor": "edgecall.runtime",
    "LLMError": "edgecall.llm",
    "LLMJoiner": "edgecall.runtime",
    "Plan": "edgecall.plan",
    "PlanError": "edgecall.plan",
    "Planner": "edgecall.planner",
    "Returns": "edgecall.tools",
    "RuleJoiner": "edgecall.runtime",
    "Task": "edgecall.plan",
    "Tool": "edgecall.tools",
    "ToolError": "edgecall.tools",
    "Toolset": "edgecall.tools",
    "build_planner_prompt": "edgecall.planner",
    "load_examples": "edgecall.dataset",
    "load_llm": "edgecall.llm",
    "parse_plan": "edgecall.plan",
    "plans_match": "edgecall.plan",
    "render_plan": "edgecall.plan",
    "tool": "edgecall.tools",
    "tool_from_json_schema": "edgecall.tools",
}

__all__ = [
    "Agent",
    "Arg",
    "ArgKind",
    "EdgecallError",
    "Example",
    "Executor",
    "LLMError",
    "LLMJoiner",
    "Plan",
    "PlanError",
    "Planner",
    "Returns",
    "RuleJoiner",
    "Task",
    "Tool",
    "ToolError",
    "Toolset",
    "__version__",
    "build_planner_prompt",
    "load_examples",
    "load_llm",
    "parse_plan",
    "plans_match",
    "render_plan",
    "tool",
    "tool_from_json_schema",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'edgecall' has no attribute {name!r}")
