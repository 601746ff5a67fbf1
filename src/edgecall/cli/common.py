"""Options and helpers shared by the CLI commands (one definition of each flag)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)

ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Preset (smollm2-135m, gemma3-270m) or GGUF path.")]
EndpointOpt = Annotated[str | None, typer.Option("--endpoint", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1.")]
ApiKeyOpt = Annotated[str | None, typer.Option("--api-key", envvar="EDGECALL_API_KEY", help="API key for --endpoint.")]
NowOpt = Annotated[str | None, typer.Option("--now", help='Fix the current time, "YYYY-MM-DD HH:MM:SS".')]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
DataDirOpt = Annotated[Path | None, typer.Option("--data-dir", help="Personal data store (default: XDG data dir).")]
GrammarOpt = Annotated[bool | None, typer.Option("--grammar/--no-grammar", help="Constrain the planner with the plan grammar.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML config file (default: XDG config dir).")]
DemoOpt = Annotated[bool, typer.Option("--demo", help="Use the demo profile (created on first use) as the data store.")]
JoinerOpt = Annotated[str | None, typer.Option("--joiner", help="rule (deterministic) or llm (the paper's).")]


def parse_now(now: str | None) -> datetime:
    """`--now` as a datetime (the dataset's formats); the current time when not given."""
    from ..dataset import parse_now as parse

    if now is None:
        return datetime.now().replace(microsecond=0)
    try:
        return parse(now)
    except ValueError:
        raise typer.BadParameter(f"{now!r} is not a date; use YYYY-MM-DD HH:MM:SS", param_hint="--now") from None


def settings_from_flags(
    *,
    config: Path | None = None,
    model: str | None = None,
    endpoint: str | None = None,
    api_key: str | None = None,
    grammar: bool | None = None,
    joiner: str | None = None,
    data_dir: Path | None = None,
    demo: bool = False,
) -> Any:
    """Load settings (file < env < flags); exits with a clear message on a bad config."""
    from pydantic import ValidationError

    from ..config import load_settings

    if demo:
        data_dir = demo_data_dir(data_dir)

    if config is not None:
        if not config.is_file():
            fail(f"config file {config} does not exist")
    try:
        return load_settings(
            config,
            model=model,
            endpoint=endpoint,
            api_key=api_key,
            grammar=grammar,
            joiner=joiner,
            assistant={"data_dir": data_dir},
        )
    except ValidationError as exc:
        fail(f"invalid configuration: {exc}")
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        fail(f"cannot read configuration: {exc}")


def demo_data_dir(data_dir: Path | None) -> Path:
    """The demo profile's directory (`data_dir` or the default), created on first use."""
    from ..assistant.demo import default_demo_dir, init_demo
    from ..assistant.store import StoreError

    root = data_dir or default_demo_dir()
    if not root.exists():
        try:
            init_demo(root)
        except StoreError as exc:
            fail(str(exc))
        err_console.print(f"[dim]created the demo profile in {root}[/]")
    return root


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))
