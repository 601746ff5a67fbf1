"""Plan errors carry the step, what is wrong and what was expected, so a replan prompt
(or a human) can fix exactly that line instead of guessing."""

from __future__ import annotations


class PlanError(ValueError):
    """Base class for everything wrong with a plan's text or structure."""

    def __init__(self, message: str, *, step: int | None = None, expected: str | None = None) -> None:
        self.step = step
        self.message = message
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"step {self.step}: " if self.step is not None else ""
        hint = f" (expected {self.expected})" if self.expected else ""
        return f"{where}{self.message}{hint}"


class PlanSyntaxError(PlanError):
    """The text is not a plan: a line that cannot be read as `N. tool(args)`."""


class PlanValidationError(PlanError):
    """The plan reads fine but cannot run: unknown tool, bad arguments, bad references, no join()."""
