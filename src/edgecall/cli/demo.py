"""`edgecall demo init`: create the sample personal data store used by the README."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, fail

app = typer.Typer(no_args_is_help=True)


@app.callback()
def demo() -> None:
    """Create a demo personal data store."""


@app.command()
def init(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Where to create it (default: the XDG data dir edgecall-demo).")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Recreate an existing demo profile.")] = False,
) -> None:
    """Create a demo profile: contacts, inbox, notes, calendar, files and PDFs."""
    from ..assistant.demo import default_demo_dir, init_demo
    from ..assistant.store import StoreError

    root = data_dir or default_demo_dir()
    try:
        store = init_demo(root, reset=reset)
    except StoreError as exc:
        fail(str(exc))
    except OSError as exc:  # e.g. --reset on a read-only folder
        fail(f"cannot {'reset' if reset else 'create'} the demo profile in {root}: {exc.strerror or exc}"
             f"{f' ({exc.filename})' if exc.filename else ''}; check the folder's permissions")
    console.print(f"Demo profile created in [bold]{store.root}[/]")
    console.print(f"Try: edgecall run --data-dir '{store.root}' \"Text Maria that I'm running late\"")
