"""The plan's data model: numbered tool calls with positional literal arguments.

Arguments stay plain Python values; a reference to an earlier result is a string holding
`$k` (or `${k}`), exactly as LLMCompiler writes it. Keeping references inside strings means
the same value can be both rendered back to text and resolved at run time without a second
representation to keep in sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JOIN = "join"
END_OF_PLAN = "<END_OF_PLAN>"

MAX_REF_DIGITS = 9
"""Step numbers have at most this many digits: `int()` of a 5,000-digit string is slow and raises."""

REF_RE = re.compile(r"\$\{(\d{1,9})\}|\$(\d{1,9})(?!\d)")
"""Matches `$k` and `${k}`; group 1 or 2 holds k. Longer digit runs are plain text, not references."""

EXACT_REF_RE = re.compile(r"^\$(?:\{(\d{1,9})\}|(\d{1,9}))$")


def find_refs(value: Any) -> set[int]:
    """Every step number referenced anywhere inside `value` (strings, lists, dicts)."""
    found: set[int] = set()
    if isinstance(value, str):
        for m in REF_RE.finditer(value):
            found.add(int(m.group(1) or m.group(2)))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= find_refs(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            found |= find_refs(k) | find_refs(v)
    return found


def exact_ref(value: Any) -> int | None:
    """k when `value` is exactly the string `$k`/`${k}` (takes task k's value as is), else None."""
    if isinstance(value, str):
        m = EXACT_REF_RE.match(value.strip())
        if m:
            return int(m.group(1) or m.group(2))
    return None


@dataclass(frozen=True)
class Task:
    """One numbered tool call of a plan."""

    idx: int
    tool: str
    args: tuple[Any, ...] = ()
    thought: str | None = field(default=None, compare=False)

    @property
    def deps(self) -> tuple[int, ...]:
        """Step numbers this task waits for."""
        return tuple(sorted(find_refs(list(self.args))))


@dataclass(frozen=True)
class Plan:
    """A parsed plan. `join()` is not a task: `has_join` records whether the plan ended with it."""

    tasks: tuple[Task, ...] = ()
    has_join: bool = True
    repairs: tuple[str, ...] = field(default=(), compare=False)

    def task(self, idx: int) -> Task:
        for t in self.tasks:
            if t.idx == idx:
                return t
        raise KeyError(idx)

    @property
    def tools(self) -> list[str]:
        return [t.tool for t in self.tasks]

    def __len__(self) -> int:
        return len(self.tasks)
