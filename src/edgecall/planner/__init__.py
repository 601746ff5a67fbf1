"""Planning: the prompt builder (shared with training export) and the streaming planner."""

from .planner import Planner, PlanOutcome
from .prompt import (
    DEFAULT_NOW,
    PROMPT_FORMATS,
    Example,
    PromptFormat,
    ReplanContext,
    UnknownPromptFormat,
    build_compact_prompt,
    build_planner_prompt,
    format_now,
    get_prompt_format,
)

__all__ = [
    "DEFAULT_NOW",
    "PROMPT_FORMATS",
    "Example",
    "PlanOutcome",
    "Planner",
    "PromptFormat",
    "ReplanContext",
    "UnknownPromptFormat",
    "build_compact_prompt",
    "build_planner_prompt",
    "format_now",
    "get_prompt_format",
]
