"""The LLMCompiler plan language: parse, validate, render, and compare plans."""

from .dag import iter_isomorphisms, plan_graph, plans_match
from .errors import PlanError, PlanSyntaxError, PlanValidationError
from .model import END_OF_PLAN, JOIN, Plan, Task, exact_ref, find_refs
from .parser import PlanStreamParser, check_structure, parse_plan
from .render import render_plan, render_task, render_value
from .validate import validate_plan, validate_task

__all__ = [
    "END_OF_PLAN",
    "JOIN",
    "Plan",
    "PlanError",
    "PlanStreamParser",
    "PlanSyntaxError",
    "PlanValidationError",
    "Task",
    "check_structure",
    "exact_ref",
    "find_refs",
    "iter_isomorphisms",
    "parse_plan",
    "plan_graph",
    "plans_match",
    "render_plan",
    "render_task",
    "render_value",
    "validate_plan",
    "validate_task",
]
