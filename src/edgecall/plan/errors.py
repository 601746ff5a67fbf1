"""Plan errors carry the step, what is wrong and what was expected, so a replan prompt
(or a human) can fix exactly that line instead of guessing. Defined in `edgecall.errors` (the one exception tree)."""

from __future__ import annotations

from ..errors import PlanError, PlanSyntaxError, PlanValidationError

__all__ = ["PlanError", "PlanSyntaxError", "PlanValidationError"]
