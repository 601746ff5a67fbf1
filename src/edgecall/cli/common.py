"""Options and helpers shared by the CLI commands (one definition of each flag)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.segment import Segment

if TYPE_CHECKING:  # config pulls in pydantic: keep `--help` instant
    from ..config import Settings

_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """`text` with control characters shown as escapes (`\\x1b`), newlines and tabs kept.

    Store data (a note, an email subject) can hold terminal escape sequences: `ESC]0;...`
    retitles the terminal, `ESC[2J` clears it, C1 `\\x9b` is a one-byte CSI, and bidi overrides
    reorder what is shown. Nothing edgecall prints may act on the terminal.
    """
    return _CONTROL_RE.sub(lambda m: repr(m.group())[1:-1], text)


class SafeConsole(Console):
    """A rich Console that escapes control characters in every piece of text it prints.

    Cleaning happens on rich's rendered segments, after markup and layout and before styles are
    applied, so it covers tables, panels and syntax too, while rich's own styling codes (kept
    apart from the text) still work.
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            seg if seg.control else Segment(clean_text(seg.text), seg.style, seg.control) for seg in buffer
        )


console = SafeConsole()
err_console = SafeConsole(stderr=True)

ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Preset (smollm2-135m, gemma3-270m) or GGUF path.")]
EndpointOpt = Annotated[str | None, typer.Option("--endpoint", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1.")]
ApiKeyOpt = Annotated[str | None, typer.Option("--api-key", envvar="EDGECALL_API_KEY", help="API key for --endpoint.")]
NowOpt = Annotated[str | None, typer.Option("--now", help='Fix the current time, "YYYY-MM-DD HH:MM:SS".')]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
DataDirOpt = Annotated[Path | None, typer.Option("--data-dir", help="Personal data store (default: XDG data dir).")]
GrammarOpt = Annotated[bool | None, typer.Option("--grammar/--no-grammar", help="Constrain the planner with the plan grammar.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML config file (default: XDG config dir).")]
DemoOpt = Annotated[bool, typer.Option("--demo", help="Use the demo profile (created on first use) as the data store.")]
ToolRagOpt = Annotated[bool | None, typer.Option("--tool-rag/--no-tool-rag", help="Offer the planner only the tools "
                                                 "the Tool RAG classifier selects (see `edgecall tools --explain`).")]
JoinerOpt = Annotated[str | None, typer.Option("--joiner", help="rule (deterministic) or llm (the paper's).")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do acts that cannot be undone (messages really sent) without asking.")]
NCtxOpt = Annotated[int | None, typer.Option("--n-ctx", min=256, help="Context size in tokens for a local model (default 4096).")]

_FLAGS = {"model": "--model", "endpoint": "--endpoint", "api_key": "--api-key", "grammar": "--grammar",
          "joiner": "--joiner", "n_ctx": "--n-ctx", "data_dir": "--data-dir", "tool_rag": "--tool-rag"}


def describe_settings_error(exc: Any, config: Path | None, flags: dict[str, Any]) -> str:
    """A pydantic ValidationError as one line per problem, naming the flag, or the config file and env var."""
    from ..config import default_config_path

    path = config or default_config_path()
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        key = loc[-1] if loc else "?"
        got = f" (got {err['input']!r:.60})" if "input" in err and not isinstance(err["input"], dict) else ""
        if flags.get(key) is not None and key in _FLAGS:
            where = f"option {_FLAGS[key]}"
        else:
            dotted = ".".join(loc)
            where = f"setting {dotted!r} (config file {path} or ${'EDGECALL_' + '__'.join(loc).upper()})"
        problems.append(f"{where}: {err.get('msg', 'invalid')}{got}")
    return "; ".join(problems)


def check_request_or_fail(request: str) -> str:
    """The request, or exit with the planner's one-line reason (blank, undecodable bytes)."""
    from ..errors import RequestError
    from ..planner.planner import check_request

    try:
        return check_request(request)
    except RequestError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def warn_if_read_only(settings: Settings) -> None:
    """Say once, before anything runs, that the data store cannot be written (steps that write will fail)."""
    import tempfile

    from ..assistant.store import default_data_dir

    root = Path(getattr(settings.assistant, "data_dir", None) or default_data_dir())
    if not root.is_dir():
        return
    try:  # a real probe: os.access says yes to root on an immutable or read-only mounted folder
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as exc:
        err_console.print(
            f"[yellow]warning:[/] the data store {escape(str(root))} is not writable ({exc.strerror}): "
            "steps that write to it will fail",
            soft_wrap=True,
        )


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
    tool_rag: bool | None = None,
    n_ctx: int | None = None,
) -> Settings:
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
            tool_rag=tool_rag,
            n_ctx=n_ctx,
            assistant={"data_dir": data_dir},
        )
    except ValidationError as exc:
        flags = {"model": model, "endpoint": endpoint, "api_key": api_key, "grammar": grammar, "joiner": joiner,
                 "n_ctx": n_ctx, "data_dir": data_dir, "tool_rag": tool_rag}
        fail(f"invalid configuration: {describe_settings_error(exc, config, flags)}")
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        from ..config import default_config_path

        path = config or default_config_path()
        reason = getattr(exc, "strerror", None) or str(exc)
        fail(f"cannot read the config file {path}: {reason}; fix it, or pass another with --config")


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


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def print_json(obj: Any) -> None:
    """JSON escapes C0 controls itself; C1 (`\\x9b`, a one-byte CSI) and bidi overrides are escaped here."""
    print(_CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False, default=str)))
