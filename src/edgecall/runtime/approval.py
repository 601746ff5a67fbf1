"""Consent before irreversible acts: what the executor asks, and who answers.

Most tool calls are local and undoable (drafts, notes, calendar files: the run journal
restores them). A few leave the machine and cannot be taken back: an SMS really sent
through ``sms_command``, mail sent over SMTP. A tool declares that fact itself
(``@tool(irreversible=...)``, see :mod:`edgecall.tools.base`), from its arguments and the
configuration it was built with; the executor asks an :data:`Approver` before running
such a call. The CLI answers with a y/N question on the terminal, the server with an
approval event and an approve button, so both front-ends share this one hook.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ConsentUnavailable
from ..plan.model import Task

DECLINED = "declined by the user"
"""The error text of a task the approver refused (the task did not run)."""


@dataclass(frozen=True)
class PendingAct:
    """One task waiting for consent, with its arguments resolved (exactly what will happen)."""

    idx: int
    tool: str
    args: tuple[Any, ...]
    act: str
    """What cannot be undone, in words, as the tool declared it ("send an SMS to +1 555 0100 with kdeconnect-cli")."""

    def to_dict(self) -> dict[str, Any]:
        return {"idx": self.idx, "tool": self.tool, "args": list(self.args), "act": self.act}


@dataclass(frozen=True)
class ApprovalRequest:
    """What an approver is shown: the act(s) about to happen and the whole plan around them.

    The executor waits until the planner has finished writing the plan before it asks, so
    ``plan`` is complete (the user judges the act in context), and it asks one request at a
    time, so a terminal never shows two questions at once.
    """

    acts: tuple[PendingAct, ...]
    plan: tuple[Task, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "acts": [a.to_dict() for a in self.acts],
            "plan": [{"idx": t.idx, "tool": t.tool, "args": list(t.args)} for t in self.plan],
        }


Approver = Callable[[ApprovalRequest], Awaitable[bool]]
"""Answers an :class:`ApprovalRequest`: True (exactly) runs the act(s), False reports them as not run
(``DECLINED``) and skips their dependents; raising :class:`ConsentUnavailable` does the same
with its message. ``None`` in place of an approver means "do not ask" (``--yes``,
``confirm = false``, library use)."""


__all__ = ["DECLINED", "ApprovalRequest", "Approver", "ConsentUnavailable", "PendingAct"]
