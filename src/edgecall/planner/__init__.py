"""Planning: the prompt builder (shared with training export) and the streaming planner."""

from .planner import PlanOutcome, Planner
from .prompt import DEFAULT_NOW, ReplanContext, build_planner_prompt, format_now

__all__ = ["DEFAULT_NOW", "PlanOutcome", "Planner", "ReplanContext", "build_planner_prompt", "format_now"]
