"""`edgecall mail list|select`: see the inbox and choose "the current email" that
reply_to_email and forward_email act on (otherwise the newest message is used)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import ConfigOpt, DataDirOpt, DemoOpt, JsonOpt, console, fail, print_json, settings_from_flags

if TYPE_CHECKING:  # the store pulls in vobject/icalendar/pypdf: keep `--help` instant
    from ..assistant.store import Store

app = typer.Typer(no_args_is_help=True)


def _store(config: Path | None, data_dir: Path | None, demo: bool = False) -> Store:
    from ..assistant.store import Store

    settings = settings_from_flags(config=config, data_dir=data_dir, demo=demo)
    cfg = settings.assistant
    return Store(cfg.data_dir, config=cfg)


@app.command("list")
def list_mail(
    data_dir: DataDirOpt = None, config: ConfigOpt = None, json_out: JsonOpt = False, demo: DemoOpt = False
) -> None:
    """List the inbox, newest first; '*' marks the current email."""
    from ..assistant.store import StoreError

    store = _store(config, data_dir, demo)
    try:
        messages = store.mail.summaries()
        current = str(store.mail.current()["Message-ID"]) if messages else None
    except StoreError as exc:
        fail(str(exc))
    if json_out:
        print_json([{**m.__dict__, "number": i, "current": m.message_id == current} for i, m in enumerate(messages, 1)])
        return
    if not messages:
        console.print(f"The inbox {store.mail.folder} is empty.")
        return
    table = Table("", "#", "Date", "From", "Subject")
    for i, m in enumerate(messages, 1):
        table.add_row("*" if m.message_id == current else "", str(i), escape(m.date), escape(m.sender), escape(m.subject))
    console.print(table)


@app.command()
def select(
    which: Annotated[str, typer.Argument(help="Number from `edgecall mail list`, Message-ID, or part of the subject.")],
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
    demo: DemoOpt = False,
) -> None:
    """Make a message the current email for reply_to_email / forward_email."""
    from ..assistant.store import StoreError

    store = _store(config, data_dir, demo)
    try:
        chosen = store.mail.select(which)
    except StoreError as exc:
        fail(str(exc))
    console.print(f"Current email: {escape(repr(chosen.subject))} from {escape(chosen.sender)}")
