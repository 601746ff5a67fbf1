"""Planning: the prompt builder (shared with training export) and the streaming planner."""

from ..errors import PromptFormatError
from .planner import Planner, PlanOutcome
from .prompt import (
    DEFAULT_NOW,
    PROMPT_FORMATS,
    Example,
    PromptFormat,
    ReplanContext,
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
    "PromptFormatError",
    "ReplanContext",
    "build_compact_prompt",
    "build_planner_prompt",
    "format_now",
    "get_prompt_format",
]
