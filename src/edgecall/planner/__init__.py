"""Planning: the prompt builder (shared with training export) and the streaming planner."""

from .planner import Planner, PlanOutcome
from .prompt import DEFAULT_NOW, Example, ReplanContext, build_planner_prompt, format_now

__all__ = ["DEFAULT_NOW", "Example", "PlanOutcome", "Planner", "ReplanContext", "build_planner_prompt", "format_now"]
