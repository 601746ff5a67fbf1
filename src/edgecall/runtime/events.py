"""Execution events: the one stream the CLI, the JSON output and a future server/UI all consume."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..limits import cap_value


class EventKind(str, Enum):
    PLANNED = "planned"
    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"
    SKIPPED = "skipped"
    # Run-level events (idx = the round, tool = ""): what a live UI shows between task events.
    PROMPT = "prompt"  # the planner prompt of a round is built; the model starts writing the plan
    REPLAN = "replan"  # the round ended without an answer; `error` says why, a new round follows
    ANSWER = "answer"  # the joiner answered; `result` is the answer


RUN_KINDS = frozenset({EventKind.PROMPT, EventKind.REPLAN, EventKind.ANSWER})
"""Event kinds that describe the run, not one task (consumers that draw tasks skip them)."""


@dataclass(frozen=True)
class Event:
    kind: EventKind
    idx: int
    tool: str
    time: float = field(default_factory=time.time)
    args: tuple[Any, ...] = ()
    result: Any = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.kind.value,
            "idx": self.idx,
            "tool": self.tool,
            "time": self.time,
            "args": list(self.args),
            "result": cap_value(self.result),
            "error": self.error,
        }


EventHandler = Callable[[Event], None]
