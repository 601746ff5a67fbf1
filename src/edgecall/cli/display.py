"""Rich rendering of plans, execution events and answers for the terminal."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..runtime.events import RUN_KINDS, Event, EventKind
from .common import console

if TYPE_CHECKING:
    from ..planner import PlanOutcome

_ICON = {
    EventKind.PLANNED: "[cyan]→[/]",
    EventKind.STARTED: "[yellow]…[/]",
    EventKind.FINISHED: "[green]✓[/]",
    EventKind.FAILED: "[red]✗[/]",
    EventKind.SKIPPED: "[magenta]↷[/]",
}


def short(value: Any, limit: int = 160) -> str:
    text = str(value).replace("\n", " ⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EventPrinter:
    """Prints one line per event as tasks are planned, finish, fail or are skipped."""

    def __init__(self) -> None:
        self.t0 = time.time()
        self.started: dict[int, float] = {}

    def __call__(self, ev: Event) -> None:
        if ev.kind in RUN_KINDS:  # the answer panel and the task lines already say it
            return
        at = f"[dim]{ev.time - self.t0:6.2f}s[/]"
        if ev.kind is EventKind.PLANNED:
            from ..plan import Task, render_task

            console.print(f"{at} {_ICON[ev.kind]} {escape(render_task(Task(ev.idx, ev.tool, ev.args)))}")
        elif ev.kind is EventKind.STARTED:
            self.started[ev.idx] = ev.time
        elif ev.kind is EventKind.FINISHED:
            took = ev.time - self.started.get(ev.idx, ev.time)
            console.print(f"{at} {_ICON[ev.kind]} {ev.idx}. {ev.tool} [dim]({took:.2f}s)[/] {escape(short(ev.result))}")
        else:
            console.print(f"{at} {_ICON[ev.kind]} {ev.idx}. {ev.tool}: [red]{escape(short(ev.error))}[/]")


def print_answer(answer: str, ok: bool, seconds: float) -> None:
    style = "green" if ok else "red"
    console.print(Panel(escape(answer), title=f"answer ({seconds:.2f}s)", border_style=style))


def plan_table(outcome: PlanOutcome) -> Table:
    table = Table(show_header=False, box=None)
    table.add_row("prompt tokens", str(outcome.prompt_tokens))
    table.add_row("completion tokens", str(outcome.completion_tokens))
    table.add_row("time to first task", f"{outcome.ttft_s:.2f}s" if outcome.ttft_s is not None else "-")
    table.add_row("plan latency", f"{outcome.total_s:.2f}s")
    if outcome.tools is not None:
        table.add_row("tools offered (Tool RAG)", ", ".join(outcome.tools))
    return table
