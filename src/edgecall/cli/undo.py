"""`edgecall undo`: revert the local changes of the last run, from the run journal."""

from __future__ import annotations

import typer
from rich.markup import escape

from .common import ConfigOpt, DataDirOpt, DemoOpt, JsonOpt, console, fail, print_json, settings_from_flags


def undo(
    data_dir: DataDirOpt = None,
    demo: DemoOpt = False,
    json_out: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Revert the last run's changes to the data store (notes, calendar, reminders, drafts, SMS outbox).

    Changed files are restored byte for byte and created ones removed; run it again to go one run further back.
    Messages really sent cannot be taken back: they are listed. A file changed since the run is kept and listed.
    """
    from ..assistant.store import Store, StoreError
    from ..assistant.store.journal import undo_last_run

    settings = settings_from_flags(config=config, data_dir=data_dir, demo=demo)
    root = Store(settings.assistant.data_dir, config=settings.assistant).root
    try:
        report = undo_last_run(root)
    except StoreError as exc:
        fail(str(exc))
    if report is None:
        if json_out:
            print_json({"undone": None, "data_dir": str(root)})
        else:
            console.print(f"Nothing to undo: every run that changed {escape(str(root))} is undone already (or none did).")
        raise typer.Exit(0)
    if json_out:
        print_json({"undone": report.to_dict(), "data_dir": str(root)})
        raise typer.Exit(1 if report.conflicts else 0)
    console.print(f"Undid the run of {escape(report.started.replace('T', ' '))}: [bold]{escape(report.request)}[/]", soft_wrap=True)
    for rel in report.restored:
        console.print(f"  [green]restored[/] {escape(rel)}", highlight=False)
    for rel in report.removed:
        console.print(f"  [green]removed[/]  {escape(rel)}", highlight=False)
    if not report.restored and not report.removed:
        console.print("  (no local file needed restoring)")
    for item in report.conflicts:
        console.print(f"  [yellow]kept[/]     {escape(item)}", highlight=False, soft_wrap=True)
    if report.sent:
        console.print("[yellow]Cannot be undone (it left this machine):[/]")
        for what in report.sent:
            console.print(f"  {escape(what)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1 if report.conflicts else 0)
