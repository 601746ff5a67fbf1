"""`edgecall data ...`: generate, validate, describe, split, export and import planning datasets,
and distil a teacher model's requests and plans (teacher mode)."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .common import ConfigOpt, SafeConsole, ToolRagOpt, fail, settings_from_flags

if TYPE_CHECKING:
    from ..data.teacher import RunItem
    from ..tools import Toolset

T = TypeVar("T")
ItemT = TypeVar("ItemT", bound="RunItem")

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Generate, validate and export planning datasets.")
console = SafeConsole(soft_wrap=True)
err = SafeConsole(stderr=True, soft_wrap=True)

ToolsetOpt = Annotated[str, typer.Option("--toolset", help="'assistant' or a JSON file of OpenAI function schemas.")]


_fail = fail  # one error printer for every command (cli/common.py)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=err, transient=False)


def _tools(spec: str) -> Toolset:
    from ..data.toolsets import ToolsetError, load_toolset

    try:
        return load_toolset(spec)
    except ToolsetError as exc:
        _fail(str(exc))


def _load(path: Path) -> list[dict[str, Any]]:
    from ..dataset import DatasetError, load_rows

    try:
        return load_rows(path)
    except DatasetError as exc:
        _fail(str(exc))
    return []


def _jsonl_files(paths: list[Path]) -> list[Path]:
    """Files as given, folders as their *.jsonl files (`edgecall data stats data/generated`)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                _fail(f"{path} is a folder with no .jsonl files in it")
            out.extend(found)
        else:
            out.append(path)
    return out


def _reasons_table(reasons: Counter[str], total: int, kept: int) -> Table:
    table = Table(title=f"{kept} of {total} rows kept")
    table.add_column("reason")
    table.add_column("rows", justify="right")
    for reason, n in reasons.most_common():
        table.add_row(reason, str(n))
    return table


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("data/generated"),
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 0,
    train: Annotated[int, typer.Option(help="Training examples.")] = 20000,
    val: Annotated[int, typer.Option(help="Validation examples.")] = 1000,
    test: Annotated[int, typer.Option(help="Test examples (seen templates, new combinations).")] = 1000,
    test_heldout: Annotated[int, typer.Option("--test-heldout", help="Test examples on held-out templates, "
                                              "phrasings and entities.")] = 1000,
    intents: Annotated[str, typer.Option(help="Weights of requests with one, two and three intents, "
                                         "comma-separated.")] = "52,34,14",
) -> None:
    """Generate train/val/test/test_heldout JSONL files and a dataset card (card.md)."""
    from ..data.card import render_card, split_stats, summary_text
    from ..data.generate import check_intents, generate_splits
    from ..dataset import write_rows

    try:
        weights = [float(w) for w in intents.split(",")]
        check_intents(weights)
    except ValueError:
        fail(f"--intents takes three non-negative weights (one, two, three intents) such as 52,34,14, not {intents!r}")
    tools = _tools("assistant")
    sizes = {"train": train, "val": val, "test": test, "test_heldout": test_heldout}
    start = time.perf_counter()
    with _progress() as progress:
        bars = {name: progress.add_task(f"{name:>12}", total=n) for name, n in sizes.items()}
        report = generate_splits(tools, seed=seed, sizes=sizes, intents=weights,
                                 on_row=lambda s: progress.advance(bars[s]))
    seconds = time.perf_counter() - start
    for name, rows in report.rows.items():
        write_rows(out / f"{name}.jsonl", rows)
    stats = {name: split_stats(report.rows[name], tools=tools) for name in ("train", "val", "test", "test_heldout")}
    command = (f"edgecall data generate --out {out} --seed {seed} --train {train} --val {val} --test {test} "
               f"--test-heldout {test_heldout}" + (f" --intents {intents}" if intents != "52,34,14" else ""))
    dropped = ", ".join(f"{k}: {v}" for k, v in report.rejected.most_common()) or "none"
    notes = [f"Candidates dropped while generating: {dropped}.",
             "`test_heldout` uses only held-out phrasing templates, frames and entity pools (names, places, "
             "files, notes, topics, tasks); train/val/test share the seen ones. No request (exact or near "
             "duplicate) appears twice across all splits.",
             "Every row passed `edgecall data validate` (parse, tools, argument types, reference kinds, dates "
             "against `now`, entities present in the request)."]
    (out / "card.md").write_text(render_card(stats, command=command, seconds=seconds, notes=notes),
                                 encoding="utf-8")
    print(summary_text(stats))
    console.print(f"\n{report.total} examples in {seconds:.1f} s -> {out}/ (dropped while generating: {dropped})")


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="JSONL file of {query, plan, now?} rows.")],
    toolset: ToolsetOpt = "assistant",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the rows that pass here.")] = None,
    rejects: Annotated[Path | None, typer.Option(help="Write rejected rows with their reason here.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print counts as one JSON object.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit with status 1 when any row is rejected.")] = False,
) -> None:
    """Run the sanity checks and exact/near-duplicate removal; count rejects per reason."""
    from ..data.validate import validate_rows
    from ..dataset import DatasetError, read_rows, write_rows

    tools = _tools(toolset)
    try:
        result = validate_rows(read_rows(file), tools)
    except DatasetError as exc:
        _fail(str(exc))
        return
    if out is not None:
        write_rows(out, result.kept)
    if rejects is not None:
        write_rows(rejects, ({**(row or {}), "reject_reason": issue.reason, "reject_detail": str(issue)}
                             for row, issue in result.rejected))
    if json_out:
        print(json.dumps({"file": str(file), "total": result.total, "kept": len(result.kept),
                          "rejected": dict(result.reasons)}))
    else:
        console.print(_reasons_table(result.reasons, result.total, len(result.kept)))
        for row, issue in result.rejected[:5]:
            console.print(f"  [yellow]{issue}[/]" + (f"  <- {row['query'][:70]!r}" if row else ""))
    if strict and result.rejected:
        raise typer.Exit(1)


@app.command()
def stats(
    files: Annotated[list[Path], typer.Argument(help="JSONL files or folders of them (one section per file).")],
    card: Annotated[Path | None, typer.Option("--card", help="Write the Markdown dataset card here.")] = None,
    samples: Annotated[int, typer.Option(help="Sample rows per file in the card.")] = 5,
    reference: Annotated[list[Path] | None, typer.Option(
        "--reference", help="Report the share of this file's plan shapes (tool multiset + reference edges) that "
        "occur in each file, e.g. data/dev.jsonl. Repeatable.")] = None,
) -> None:
    """Print the dataset summary and write a dataset card: tools, steps, shapes, coverage, diversity, samples."""
    from ..data.card import render_card, split_stats, summary_text

    tools = _tools("assistant")
    files = _jsonl_files(files)
    per_file = {f.stem: split_stats(_load(f), n_samples=samples, tools=tools) for f in files}
    for ref in reference or []:
        ref_rows = _load(ref)
        for st in per_file.values():
            st.cover(ref.name, ref_rows, tools)
    text = render_card(per_file)
    if card is not None:
        card.parent.mkdir(parents=True, exist_ok=True)
        card.write_text(text, encoding="utf-8")
    console.print(summary_text(per_file))
    for name, st in per_file.items():
        table = Table(title=f"{name}: examples per tool")
        table.add_column("tool")
        table.add_column("examples", justify="right")
        for tool, n in st.tool_examples.most_common():
            table.add_row(tool, str(n))
        console.print(table)
    if card is not None:
        console.print(f"card written to {card}")


@app.command()
def split(
    file: Annotated[Path, typer.Argument(help="JSONL file to split.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for train/val/test.jsonl.")],
    val: Annotated[float, typer.Option(help="Share (<1) or count (>=1) for val.")] = 0.05,
    test: Annotated[float, typer.Option(help="Share (<1) or count (>=1) for test.")] = 0.05,
    seed: Annotated[int, typer.Option(help="Shuffle seed.")] = 0,
) -> None:
    """Shuffle a dataset (e.g. teacher output or an import) into train/val/test files."""
    from ..dataset import write_rows

    rows = _load(file)
    random.Random(seed).shuffle(rows)
    n_val = int(val if val >= 1 else round(val * len(rows)))
    n_test = int(test if test >= 1 else round(test * len(rows)))
    if n_val + n_test > len(rows):
        _fail(f"{file}: {len(rows)} rows cannot give {n_val} val and {n_test} test rows")
    parts = {"test": rows[:n_test], "val": rows[n_test:n_test + n_val], "train": rows[n_test + n_val:]}
    for name, part in parts.items():
        write_rows(out / f"{name}.jsonl", part)
    console.print(", ".join(f"{k}: {len(v)}" for k, v in parts.items()) + f" -> {out}/")


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="JSONL dataset file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL with prompt/completion.")],
    toolset: ToolsetOpt = "assistant",
    examples: Annotated[bool | None, typer.Option(help="Show the 12 fixed in-context examples (default: the "
                                                       "`examples` setting, as `edgecall run`).")] = None,
    retrieved: Annotated[int | None, typer.Option("--retrieved", help="Similar examples from the example bank per "
                                                  "prompt (default: the `retrieved_examples` setting, as "
                                                  "`edgecall run`; assistant toolset only).")] = None,
    distractors: Annotated[int | None, typer.Option(help="Tool-RAG style: only the plan's tools plus N random "
                                                        "others in the prompt (default: all tools).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for the distractor choice.")] = 0,
    prompt_format: Annotated[str | None, typer.Option("--format", help="Prompt format: long (untuned models) or "
                                                      "compact (fine-tuned planners); default: the served model's, "
                                                      "as `edgecall run`.")] = None,
    tool_rag: ToolRagOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write prompt/completion pairs (loadable by HF datasets); by default each prompt is the one `edgecall run`
    sends for its request with the same settings (rules, fixed and retrieved examples, preferences, format, the
    Tool RAG selection)."""
    from ..app import build_tool_selector, example_retriever, served_prompt_format
    from ..data.export import export_rows
    from ..dataset import write_rows
    from ..plan import PlanError
    from ..planner import PromptFormatError, get_prompt_format

    settings = settings_from_flags(config=config, tool_rag=tool_rag)
    prompt_format = prompt_format or served_prompt_format(settings)
    try:
        get_prompt_format(prompt_format)
    except PromptFormatError as exc:
        _fail(str(exc))
    n_retrieved = settings.retrieved_examples if retrieved is None else retrieved
    if n_retrieved > 0 and toolset != "assistant":
        if retrieved is not None:
            _fail("retrieved examples come from the assistant's example bank; use --retrieved 0 with a JSON toolset")
        n_retrieved = 0

    tools = _tools(toolset)
    rules, shots, custom = "", [], ""
    if toolset == "assistant":
        from ..assistant.prompt import EXAMPLES, PLANNING_RULES

        show_fixed = settings.examples if examples is None else examples
        rules, shots, custom = PLANNING_RULES, list(EXAMPLES) if show_fixed else [], settings.custom_instructions
    retriever = example_retriever() if n_retrieved > 0 and get_prompt_format(prompt_format).uses_examples else None
    selector = None  # the served planner's Tool RAG, when it is on (assistant tools only)
    if toolset == "assistant":
        selector = build_tool_selector(settings.model_copy(update={"prompt_format": prompt_format}))
    rows = _load(file)
    with _progress() as progress:
        bar = progress.add_task("export", total=len(rows))

        def tick(items: Iterable[T]) -> Iterator[T]:
            for item in items:
                progress.advance(bar)
                yield item

        try:
            n = write_rows(out, tick(export_rows(rows, tools, rules=rules, examples=shots, distractors=distractors,
                                                 seed=seed, prompt_format=prompt_format, retriever=retriever,
                                                 n_retrieved=n_retrieved, custom_instructions=custom,
                                                 tool_selector=selector)))
        except PlanError as exc:
            _fail(f"{file}: a plan does not validate ({exc}); run `edgecall data validate` first")
            return
    console.print(f"{n} prompt/completion pairs -> {out}")


@app.command("import-tinyagent")
def import_tinyagent(
    file: Annotated[Path, typer.Argument(help="TinyAgent dataset JSON (id -> {input, output}).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL in edgecall's format.")],
) -> None:
    """Convert the released TinyAgent dataset to edgecall's JSONL (query, plan, now)."""
    from ..dataset import DatasetError, write_rows
    from ..dataset import import_tinyagent as run_import

    try:
        result = run_import(file)
    except DatasetError as exc:
        _fail(str(exc))
        return
    write_rows(out, result.rows)
    console.print(f"{len(result.rows)} rows -> {out}; {len(result.skipped)} skipped")
    for key, why in result.skipped[:10]:
        console.print(f"  [yellow]{key}[/]: {why}")


@app.command()
def teach(
    endpoint: Annotated[str, typer.Option(help="OpenAI-compatible base URL of the teacher.")],
    n: Annotated[int, typer.Option("-n", help="Items to ask for (each: one request + one plan).")] = 100,
    model: Annotated[str, typer.Option(help="Model name the server serves.")] = "teacher",
    api_key: Annotated[str | None, typer.Option(envvar="EDGECALL_API_KEY", help="API key.")] = None,
    toolset: ToolsetOpt = "assistant",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL of validated rows.")] = Path(
        "data/generated/teacher.jsonl"),
    rejects: Annotated[Path | None, typer.Option(help="Write rejected pairs with their reason here.")] = None,
    cache_dir: Annotated[Path, typer.Option(help="On-disk response cache.")] = Path("data/generated/teacher-cache"),
    concurrency: Annotated[int, typer.Option(help="Parallel requests to the endpoint.")] = 4,
    retries: Annotated[int, typer.Option(help="Retries per failed call.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for dates, tool hints and examples.")] = 0,
    temperature: Annotated[float, typer.Option(help="Sampling temperature for requests.")] = 0.8,
    grammar: Annotated[bool, typer.Option(help="Send the plan grammar (llama.cpp servers).")] = True,
    mode: Annotated[str, typer.Option(help="'completions' or 'chat' API.")] = "completions",
    timeout: Annotated[float, typer.Option(help="Seconds per HTTP call.")] = 120.0,
    max_tokens: Annotated[int, typer.Option(help="Token limit for each plan.")] = 400,
    paraphrase: Annotated[Path | None, typer.Option(
        help="Paraphrase mode: rewrite the requests of this JSONL file (its first N rows) and keep their plans.")] = None,
    variants: Annotated[int, typer.Option(help="Paraphrase mode: rewrites per source row.", min=1)] = 1,
    verify: Annotated[bool, typer.Option(help="Paraphrase mode: keep a rewrite only if the teacher's own plan for "
                                              "it matches the source plan.")] = True,
) -> None:
    """Teacher mode: a model behind an endpoint writes requests and plans (or, with --paraphrase, rewrites
    existing requests keeping their plans); the sanity checks filter them."""
    from ..data.teacher import Paraphraser, Teacher, TeacherConfig
    from ..dataset import format_now
    from ..llm import load_llm
    from ..llm.base import LLMError

    tools = _tools(toolset)
    config = TeacherConfig(n=n, seed=seed, concurrency=concurrency, retries=retries, temperature=temperature,
                           grammar=grammar, cache_dir=cache_dir, max_plan_tokens=max_tokens)
    if toolset == "assistant":
        from ..assistant.prompt import EXAMPLES, PLANNING_RULES

        config.rules, config.examples = PLANNING_RULES, list(EXAMPLES)
    if paraphrase is not None:
        sources = _load(paraphrase)
        try:
            llm = load_llm(model, endpoint=endpoint, api_key=api_key, mode=mode, timeout=timeout, retries=0)
        except LLMError as exc:
            _fail(str(exc))
            return
        para = Paraphraser(llm, tools, sources, config, variants=variants, verify=verify)
        with _progress() as progress:
            bar = progress.add_task("paraphrase", total=min(n, len(sources)) * variants)
            done = para.run(on_item=lambda _it: progress.advance(bar))
        _write_results(done, out, rejects, "validated paraphrases",
                       lambda it: {"query": it.request, "plan": it.source["plan"], "now": it.source.get("now", ""),
                                   "paraphrase_of": it.source.get("id", "")})
        return
    if toolset == "assistant":
        from ..data.generate import generate_splits

        sample = generate_splits(tools, seed=seed, sizes={"train": 60, "val": 0, "test": 0, "test_heldout": 0})
        config.example_requests = [r["query"] for r in sample.rows["train"]]
    try:
        llm = load_llm(model, endpoint=endpoint, api_key=api_key, mode=mode, timeout=timeout, retries=0)
        teacher = Teacher(llm, tools, config)
    except LLMError as exc:
        _fail(str(exc))
        return
    with _progress() as progress:
        bar = progress.add_task("teacher", total=n)
        items = teacher.run(on_item=lambda _it: progress.advance(bar))
    _write_results(items, out, rejects, "validated rows",
                   lambda it: {"query": it.request, "plan": it.plan_text, "now": format_now(it.now)})


def _write_results(items: Sequence[ItemT], out: Path, rejects: Path | None, what: str,
                   reject_row: Callable[[ItemT], dict[str, Any]]) -> None:
    """Kept rows to ``out``; each reject as ``reject_row(item)`` plus its reason to ``rejects``; counts per reason."""
    from ..dataset import write_rows

    kept = [it.row for it in items if it.row is not None]
    write_rows(out, kept)
    issues = [(it, it.issue) for it in items if it.issue is not None]
    if rejects is not None:
        write_rows(rejects, ({**reject_row(it), "reject_reason": issue.reason, "reject_detail": str(issue)}
                             for it, issue in issues))
    console.print(_reasons_table(Counter(issue.reason for _, issue in issues), len(items), len(kept)))
    console.print(f"{len(kept)} {what} -> {out}")
