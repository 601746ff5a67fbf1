"""What a person at the terminal sees while a command works, and the consent question.

Progress: a spinner line on a terminal (model loading, planning, tasks running), plain
lines on stderr when the output is not a terminal, nothing with ``--json``. Consent: before
an irreversible act (see `edgecall.runtime.approval`) the plan is shown and a y/N question
asked on the terminal; with no terminal to ask on, the act is refused with a message saying
how to allow it, instead of hanging on a prompt nobody sees.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm

from ..runtime.approval import ApprovalRequest, Approver, ConsentUnavailable
from ..runtime.events import Event, EventKind
from .common import console, err_console

if TYPE_CHECKING:
    from rich.status import Status

ALLOW_HINT = "rerun with --yes, or set confirm = false in the config, to allow it"


class Progress:
    """The current phase of a command: a live spinner on a terminal, else one plain line each."""

    def __init__(self, *, enabled: bool = True, out: Console = console, plain_out: Console = err_console) -> None:
        self.enabled = enabled
        self.out = out
        self.plain_out = plain_out
        self.live = enabled and out.is_terminal
        self._status: Status | None = None
        self._text = ""
        self.planned = 0
        self.done = 0
        self.rounds = 1
        self._last_idx = 0

    def phase(self, text: str) -> None:
        """Show that the command moved on to `text` (plain mode prints only real changes of phase)."""
        if not self.enabled or text == self._text:
            return
        self._text = text
        if self.live:
            if self._status is None:
                self._status = self.out.status(escape(text), spinner="dots")
                self._status.start()
            # update() draws now; start() alone waits for the next refresh tick (80 ms), by which a model loaded
            # from the cache is ready, and its "loading" phase was never shown.
            self._status.update(escape(text))
        else:
            self.plain_out.print(escape(text), highlight=False, soft_wrap=True)

    def on_event(self, ev: Event) -> None:
        """Follow the run's events: planning, tasks running, replans."""
        kind = ev.kind.value
        if kind == "prompt":
            self.phase("planning: the model reads the prompt…" if ev.idx == 0 else "replanning: the model reads the new prompt…")
        elif kind == "replan":
            self.rounds += 1
            self._reset_counts()
            self.phase("replanning…")
        elif ev.kind is EventKind.PLANNED:
            if ev.idx <= self._last_idx:  # a new round started without a replan event
                self._reset_counts()
            self._last_idx = ev.idx
            self.planned += 1
            if self.live:  # plain output already has one line per task
                self.phase(f"planning and running: {self.planned} task(s) planned, {self.done} done…")
        elif ev.kind in (EventKind.FINISHED, EventKind.FAILED, EventKind.SKIPPED):
            self.done += 1
            if self.live and self.done < self.planned:
                self.phase(f"running: {self.done} of {self.planned} task(s) done…")
            elif self.live:  # everything planned so far is done: the model is what we wait for
                self.phase(f"planning: the model writes the next step… ({self.done} task(s) done)")

    def _reset_counts(self) -> None:
        self.planned = self.done = self._last_idx = 0

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Take the spinner off the screen (for a question), and put it back after."""
        status = self._status
        if status is not None:
            status.stop()
        try:
            yield
        finally:
            if status is not None:
                status.start()

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        self._text = ""


def terminal_approver(progress: Progress, *, ask: bool) -> Approver | None:
    """The CLI's consent hook: None when asking is switched off (``--yes``, ``confirm = false``)."""
    if not ask:
        return None

    async def approve(request: ApprovalRequest) -> bool:
        return await asyncio.to_thread(_ask, request, progress)  # the loop keeps other tasks going

    return approve


def _ask(request: ApprovalRequest, progress: Progress) -> bool:
    from ..plan import Task, render_task

    acts = "; ".join(a.act for a in request.acts)
    if not sys.stdin.isatty():
        err_console.print(
            f"[bold red]not done:[/] {escape(acts)} cannot be undone and needs your consent, "
            f"but there is no terminal to ask on; {ALLOW_HINT}",
            soft_wrap=True,
        )
        raise ConsentUnavailable(f"not confirmed: no terminal to ask on; {ALLOW_HINT}")
    pending = {a.idx: a for a in request.acts}
    with progress.paused():
        err_console.print("[bold]The plan:[/]")
        for task in request.plan:
            act = pending.get(task.idx)
            line = render_task(Task(act.idx, act.tool, act.args)) if act else render_task(task)
            mark = "[bold yellow]→[/]" if act else " "
            err_console.print(f" {mark} {escape(line)}", highlight=False, soft_wrap=True)
        err_console.print(f"[bold yellow]This cannot be undone:[/] {escape(acts)}", soft_wrap=True)
        try:
            return Confirm.ask("Do it?", default=False, console=err_console)
        except (EOFError, KeyboardInterrupt):
            return False
