"""`edgecall`: the command line. Heavy imports happen inside commands so `--help` stays instant."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.syntax import Syntax

from .common import (
    ApiKeyOpt,
    ConfigOpt,
    DataDirOpt,
    DemoOpt,
    EndpointOpt,
    GrammarOpt,
    JoinerOpt,
    JsonOpt,
    ModelOpt,
    NCtxOpt,
    NowOpt,
    ToolRagOpt,
    YesOpt,
    check_request_or_fail,
    console,
    fail,
    parse_now,
    print_json,
    settings_from_flags,
    warn_if_read_only,
)

if TYPE_CHECKING:
    from ..config import Settings
    from ..runtime import Event
    from .feedback import Progress

app = typer.Typer(
    help="edgecall: function-calling agents at the edge (LLMCompiler planning with small local models).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _mount() -> None:
    from .data import app as data_app
    from .demo import app as demo_app
    from .eval import eval_command
    from .listen import listen
    from .mail import app as mail_app
    from .serve import serve
    from .toolrag import tools
    from .train import app as train_app
    from .train import export as export_command
    from .undo import undo

    app.add_typer(data_app, name="data", help="Generate, validate and export planning datasets.")
    app.add_typer(demo_app, name="demo", help="Create a demo personal data store.")
    app.add_typer(mail_app, name="mail", help="Inspect the mailbox and select the current email.")
    # a command, not a group: a group with only a callback shows a phantom "COMMAND [ARGS]" in --help
    app.command("eval", help="Score a planner on a dataset (success rate, args, latency).")(eval_command)
    app.command()(serve)
    app.command()(listen)
    app.add_typer(train_app, name="train", help="Fine-tune planners (needs the [train] extra).")
    app.command("export")(export_command)
    app.command()(undo)
    app.command()(tools)


@app.command()
def run(
    request: Annotated[str | None, typer.Argument(help="What you want done, in plain words.")] = None,
    audio: Annotated[
        Path | None, typer.Option("--audio", help="Say it instead: a recording (WAV, WebM/Opus, OGG), transcribed offline.")
    ] = None,
    model: ModelOpt = None,
    endpoint: EndpointOpt = None,
    api_key: ApiKeyOpt = None,
    now: NowOpt = None,
    json_out: JsonOpt = False,
    data_dir: DataDirOpt = None,
    grammar: GrammarOpt = None,
    joiner: JoinerOpt = None,
    demo: DemoOpt = False,
    yes: YesOpt = False,
    config: ConfigOpt = None,
    tool_rag: ToolRagOpt = None,
    n_ctx: NCtxOpt = None,
) -> None:
    """Plan, execute and answer a request with the personal assistant's tools.

    Before an act that cannot be undone (an SMS or mail really sent) it shows the plan and
    asks; every local change is journaled for `edgecall undo`.
    """
    from ..app import build_agent, run_journal
    from .display import EventPrinter, print_answer
    from .feedback import Progress, terminal_approver

    if request is not None:
        request = check_request_or_fail(request)
    settings = settings_from_flags(
        config=config, model=model, endpoint=endpoint, api_key=api_key, grammar=grammar, joiner=joiner, data_dir=data_dir,
        demo=demo, tool_rag=tool_rag, n_ctx=n_ctx,
    )
    when = parse_now(now)
    if (request is None) == (audio is None):
        fail("give either a request or --audio FILE")
    progress = Progress(enabled=not json_out)
    if audio is not None:
        progress.phase(f"transcribing {audio}…")
        try:
            request = transcribe_request(audio, quiet=json_out)
        except BaseException:  # an unusable recording exits here: leave the terminal clean
            progress.stop()
            raise
    assert request is not None
    request = check_request_or_fail(request)
    warn_if_read_only(settings)
    events: list[dict[str, Any]] = []
    printer: EventPrinter | None = None

    def on_event(ev: Event) -> None:
        events.append(ev.to_dict())
        progress.on_event(ev)
        if printer is not None:
            printer(ev)

    with model_work(progress, settings):
        agent = build_agent(settings, on_event=on_event, approve=terminal_approver(progress, ask=settings.confirm and not yes))
        printer = None if json_out else EventPrinter()  # times count from here: planning, not loading
        progress.phase("planning: the model reads the prompt…")
        with run_journal(settings, request):
            result = agent.run(request, now=when)
    if json_out:
        print_json({**result.to_dict(), "events": events})
    else:
        print_answer(result.answer, result.ok, result.seconds)
    raise typer.Exit(0 if result.ok else 1)


def transcribe_request(audio: Path, *, quiet: bool) -> str:
    """The text of a recorded request (offline Whisper); exits with one line when the file is unusable."""
    from ..voice import VoiceError, default_transcriber

    try:
        heard = default_transcriber().transcribe_file(audio)
    except VoiceError as exc:
        fail(str(exc))
    if not heard.text:
        fail(f"no speech was recognised in {audio}")
    if not quiet:
        console.print(f"[bold]heard:[/] {escape(heard.text)} [dim]({heard.seconds:.2f}s)[/]")
    return heard.text


@app.command()
def plan(
    request: Annotated[str, typer.Argument(help="The request to plan for.")],
    model: ModelOpt = None,
    endpoint: EndpointOpt = None,
    api_key: ApiKeyOpt = None,
    now: NowOpt = None,
    json_out: JsonOpt = False,
    grammar: GrammarOpt = None,
    config: ConfigOpt = None,
    show_prompt: Annotated[bool, typer.Option("--show-prompt", help="Print the planner prompt too.")] = False,
    tool_rag: ToolRagOpt = None,
    n_ctx: NCtxOpt = None,
) -> None:
    """Write the plan for a request without executing anything."""
    from ..app import build_llm, build_planner, build_toolset
    from ..plan import render_plan
    from .display import plan_table
    from .feedback import Progress

    request = check_request_or_fail(request)
    settings = settings_from_flags(
        config=config, model=model, endpoint=endpoint, api_key=api_key, grammar=grammar, tool_rag=tool_rag, n_ctx=n_ctx
    )
    progress = Progress(enabled=not json_out)
    with model_work(progress, settings):
        llm = build_llm(settings)
        planner = build_planner(settings, build_toolset(settings, llm), llm)
        progress.phase("planning: the model reads the prompt and writes the plan…")
        outcome = planner.plan(request, now=parse_now(now))
    if json_out:
        data = outcome.to_dict()
        data["plan"] = render_plan(outcome.plan) if outcome.plan else None
        if show_prompt:
            data["prompt"] = outcome.prompt
        print_json(data)
    else:
        if show_prompt:
            console.rule("prompt")
            console.print(escape(outcome.prompt))
            console.rule()
        text = render_plan(outcome.plan) if outcome.plan else outcome.text
        console.print(Syntax(text, "python", word_wrap=True))
        if outcome.error:
            console.print(f"[red]invalid plan:[/] {escape(outcome.error)}")
        console.print(plan_table(outcome))
    raise typer.Exit(0 if outcome.valid else 1)


@app.command()
def execute(
    plan_file: Annotated[Path, typer.Option("--plan", help="Plan text file ('-' for stdin).")],
    json_out: JsonOpt = False,
    data_dir: DataDirOpt = None,
    demo: DemoOpt = False,
    yes: YesOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Run a given plan with the assistant's tools, without any model (sub-agents fall back to plain text)."""
    from ..app import run_journal
    from ..plan import PlanError, parse_plan
    from ..runtime import Executor, Finish, RuleJoiner
    from .display import EventPrinter, print_answer
    from .feedback import Progress, terminal_approver

    settings = settings_from_flags(config=config, data_dir=data_dir, demo=demo)
    text = read_plan_text(plan_file)
    warn_if_read_only(settings)
    from ..app import build_toolset

    tools = build_toolset(settings, None)
    try:
        parsed = parse_plan(text, tools)
    except PlanError as exc:
        fail(f"invalid plan in {plan_file}: {exc}")
    events: list[dict[str, Any]] = []
    printer = None if json_out else EventPrinter()

    def on_event(ev: Event) -> None:
        events.append(ev.to_dict())
        if printer is not None:
            printer(ev)

    import time

    t0 = time.perf_counter()
    approve = terminal_approver(Progress(enabled=False), ask=settings.confirm and not yes)
    executor = Executor(tools, timeout=settings.task_timeout, on_event=on_event, approve=approve)
    with run_journal(settings, f"the plan in {plan_file}"):
        results = asyncio.run(executor.run(parsed.tasks))
    decision = RuleJoiner().decide("", parsed, results, can_replan=False)
    assert isinstance(decision, Finish)  # without replans the rule joiner always finishes
    ok = all(r.ok for r in results.values())
    if json_out:
        print_json(
            {
                "answer": decision.answer,
                "ok": ok,
                "results": [r.to_dict() for r in sorted(results.values(), key=lambda r: r.idx)],
                "events": events,
            }
        )
    else:
        print_answer(decision.answer, ok, time.perf_counter() - t0)
    raise typer.Exit(0 if ok else 1)


@contextmanager
def model_work(progress: Progress, settings: Settings) -> Iterator[None]:
    """Shows that the model is loading, then turns model and Tool RAG failures (a missing GGUF, a dead endpoint, an
    unusable classifier) into one error line. The progress line is cleared either way, so nothing is drawn over
    the answer or the error."""
    from ..errors import LLMError, ToolRAGError

    try:
        if settings.endpoint:
            progress.phase(f"connecting to the model {settings.model} at {settings.endpoint}…")
        else:
            progress.phase(f"loading the model {settings.model}…")
        yield
    except (LLMError, ToolRAGError) as exc:
        progress.stop()
        fail(str(exc))
    finally:
        progress.stop()


def read_plan_text(plan_file: Path) -> str:
    """The plan file (or stdin for '-') as text; exits with one line if it is unreadable or not UTF-8."""
    where = "standard input" if str(plan_file) == "-" else f"plan file {plan_file}"
    try:
        data = sys.stdin.buffer.read() if str(plan_file) == "-" else plan_file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {where}: {exc.strerror or exc}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(
            f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "a plan is text: save it as UTF-8"
        )
        raise  # unreachable: fail exits


@app.command()
def version() -> None:
    """Print the edgecall version."""
    from .. import __version__

    console.print(__version__)


_mount()
