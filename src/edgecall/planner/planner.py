"""The planner: prompt -> (grammar-constrained) model stream -> tasks, as they complete.

`plan()` returns the whole plan with its timings (for `edgecall plan` and evaluation);
`stream()` yields tasks while the model is still writing, so the executor can start
the first lookups before the plan is finished.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, overload

from ..errors import RequestError
from ..llm.base import LLM, CompletionStream, LLMError, tokens_per_s
from ..plan import Plan, PlanError, PlanStreamParser, PlanSyntaxError, Task, parse_plan
from ..tools import Toolset
from .prompt import DEFAULT_NOW, ExampleLike, PromptFormat, ReplanContext, get_prompt_format
from .weekdays import unmark

if TYPE_CHECKING:
    from ..retrieval import ExampleRetriever, ToolSelector

STOP = ["<END_OF_PLAN>", "\nQuestion:", "###"]


def check_request(query: str) -> str:
    """`query`, or a `RequestError` saying why it cannot be planned (every front-end asks the planner)."""
    if not query.strip():
        raise RequestError('the request is empty; say what you want done, e.g. "Text Maria that I\'m running late"')
    try:
        query.encode("utf-8")
    except UnicodeEncodeError as exc:  # argv bytes that were not UTF-8 arrive as lone surrogates
        raise RequestError(
            f"the request holds bytes that are not valid UTF-8 (at character {exc.start + 1}); "
            "check the terminal's encoding (LANG, LC_ALL)"
        ) from None
    return query


def select_tools(selector: ToolSelector, query: str, tools: Toolset) -> Toolset:
    """The tools `selector` (Tool RAG) offers for `query`, in the toolset's order: the planner's selection, and
    the training export's, so both prompts list the same tools."""
    return tools.subset(selector.select(query, tools.names()).selected)


def pick_examples(
    query: str,
    fixed: Sequence[ExampleLike],
    retriever: ExampleRetriever | None,
    n_retrieved: int,
    selected: Toolset | None,
) -> list[ExampleLike]:
    """The prompt's examples: `fixed` ones, then `n_retrieved` similar ones with the most similar last (closest to
    the question: a small model copies the nearest one). With a Tool RAG `selected` toolset, only examples that call
    nothing else. The planner and the training export both ask here, so training shows what serving shows."""
    found: list[ExampleLike] = []
    if retriever is not None and n_retrieved > 0:
        allowed = selected.names() if selected is not None else None
        found = list(reversed(retriever.top_k(query, n_retrieved, tools=allowed)))
    return [*fixed, *found]


@dataclass
class PlanOutcome:
    """One planning attempt: the raw text, the plan (or the error), and what it cost."""

    text: str = ""
    plan: Plan | None = None
    error: str | None = None
    parsed: bool = False  # the text reads as plan lines (it may still be invalid)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tools: list[str] | None = None  # the Tool RAG selection offered to the model (None: every tool)
    ttft_s: float | None = None  # time to the first complete task line
    total_s: float = 0.0
    prompt: str = field(default="", repr=False)

    @property
    def valid(self) -> bool:
        return self.plan is not None and self.error is None

    @property
    def tokens_per_s(self) -> float | None:
        """Completion tokens over the whole planning time (prompt processing included)."""
        return tokens_per_s(self.completion_tokens, self.total_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "error": self.error,
            "parsed": self.parsed,
            "valid": self.valid,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tools": self.tools,
            "ttft_s": self.ttft_s,
            "total_s": self.total_s,
        }


class Planner:
    """Builds the prompt, runs the model (with the plan grammar by default) and parses the plan."""

    def __init__(
        self,
        llm: LLM,
        tools: Toolset,
        *,
        grammar: bool = True,
        rules: str = "",
        examples: Sequence[ExampleLike] = (),
        retriever: ExampleRetriever | None = None,
        n_retrieved: int = 3,
        custom_instructions: str = "",
        max_tokens: int = 512,
        prompt_format: str | PromptFormat = "long",
        tool_selector: ToolSelector | None = None,
    ) -> None:
        self.llm = llm
        self.prompt_format = get_prompt_format(prompt_format)
        self.tools = tools
        self.rules = rules
        self.examples = list(examples)
        self.retriever = retriever
        self.n_retrieved = n_retrieved
        self.custom_instructions = custom_instructions
        self.max_tokens = max_tokens
        self.tool_selector = tool_selector
        self._last_selection: tuple[str, Toolset | None] = ("", None)
        self.use_grammar = grammar
        self._grammars: dict[tuple[str, ...], str] = {}
        self.grammar: str | None = self.grammar_for(tools)

    def selected_tools(self, query: str) -> Toolset | None:
        """The tools Tool RAG offers for `query` (None: no selector, every tool); computed once per query."""
        if self.tool_selector is None:
            return None
        last_query, last = self._last_selection
        if last_query == query and last is not None:
            return last
        chosen = select_tools(self.tool_selector, query, self.tools)
        self._last_selection = (query, chosen)
        return chosen

    def grammar_for(self, tools: Toolset) -> str | None:
        """The plan grammar allowing exactly `tools` (one per distinct selection, built once)."""
        if not self.use_grammar:
            return None
        key = tuple(tools.names())
        if key not in self._grammars:
            from ..llm.grammar import plan_grammar

            self._grammars[key] = plan_grammar(tools)
        return self._grammars[key]

    def examples_for(self, query: str) -> list[ExampleLike]:
        """Fixed examples, then the retrieved ones with the most similar closest to the question.

        With Tool RAG, only examples whose tools were all selected (TinyAgent's filtered example bank)."""
        if not self.prompt_format.uses_examples:
            return []
        retrieving = self.retriever is not None and self.n_retrieved > 0
        selected = self.selected_tools(query) if retrieving else None
        return pick_examples(query, self.examples, self.retriever, self.n_retrieved, selected)

    def prompt(self, query: str, *, now: datetime = DEFAULT_NOW, replan: ReplanContext | None = None) -> str:
        check_request(query)
        return self.prompt_format.build(
            query,
            self.tools,
            selected=self.selected_tools(query),
            now=now,
            rules=self.rules,
            examples=self.examples_for(query),
            custom_instructions=self.custom_instructions,
            replan=replan,
        )

    def _open(self, prompt: str, query: str) -> CompletionStream:
        selected = self.selected_tools(query)
        grammar = self.grammar_for(selected) if selected is not None else self.grammar
        return self.llm.stream(prompt, stop=STOP, max_tokens=self.max_tokens, temperature=0.0, grammar=grammar)

    @overload
    def _unmarked(self, item: Task) -> Task: ...
    @overload
    def _unmarked(self, item: Plan) -> Plan: ...
    def _unmarked(self, item: Task | Plan) -> Task | Plan:
        """`item` without the weekday dates this planner's prompt format wrote into the question, where the model
        copied them into a text argument (`weekdays.unmark`); unchanged for formats that write none."""
        if not self.prompt_format.marks_weekdays:
            return item
        if isinstance(item, Plan):
            return replace(item, tasks=tuple(self._unmarked(t) for t in item.tasks))
        return replace(item, args=tuple(unmark(a) for a in item.args))

    def plan(self, query: str, *, now: datetime = DEFAULT_NOW, replan: ReplanContext | None = None) -> PlanOutcome:
        """Plan without executing; never raises for bad model output (the outcome records the error)."""
        out = PlanOutcome(prompt=self.prompt(query, now=now, replan=replan))
        out.tools = _names(self.selected_tools(query))
        start = time.perf_counter()
        watcher = PlanStreamParser(merge_repeats=True)
        stream = self._open(out.prompt, query)
        try:
            for chunk in stream:
                try:
                    if watcher.feed(chunk) and out.ttft_s is None:
                        out.ttft_s = time.perf_counter() - start
                except PlanError:
                    pass  # the full parse below reports the error
                if watcher.done:
                    break
        finally:
            stream.close()
        out.total_s = time.perf_counter() - start
        out.text = watcher.text
        _fill_usage(out, stream)
        try:
            out.plan = self._unmarked(parse_plan(out.text, self.tools, merge_repeats=True))
            out.parsed = True
        except PlanError as exc:
            out.error = str(exc)
            out.parsed = not isinstance(exc, PlanSyntaxError)
        return out

    async def stream(
        self,
        query: str,
        *,
        now: datetime = DEFAULT_NOW,
        replan: ReplanContext | None = None,
        outcome: PlanOutcome,
        on_prompt: Callable[[str], None] | None = None,
    ) -> AsyncIterator[Task]:
        """Yield validated tasks as the model writes them; fills `outcome` as it goes.

        `on_prompt` is called with the prompt once it is built, before the model starts (live UIs show it).

        Raises `PlanError` at the first bad line (tasks already yielded keep running) and
        `LLMError` when the model backend fails.
        """
        outcome.prompt = self.prompt(query, now=now, replan=replan)
        outcome.tools = _names(self.selected_tools(query))
        if on_prompt is not None:
            on_prompt(outcome.prompt)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()
        end = object()
        start = time.perf_counter()
        stream = self._open(outcome.prompt, query)

        def pump() -> None:
            try:
                for chunk in stream:
                    loop.call_soon_threadsafe(queue.put_nowait, chunk)
                    if stop.is_set():
                        break
            except Exception as exc:  # surfaced in the consumer
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            finally:
                stream.close()
                loop.call_soon_threadsafe(queue.put_nowait, end)

        worker = loop.run_in_executor(None, pump)
        parser = PlanStreamParser(self.tools, merge_repeats=True)
        try:
            while True:
                item = await queue.get()
                if item is end:
                    break
                if isinstance(item, Exception):
                    raise item if isinstance(item, LLMError) else LLMError(f"model failed while planning: {item}")
                for task in parser.feed(str(item)):
                    if outcome.ttft_s is None:
                        outcome.ttft_s = time.perf_counter() - start
                    yield self._unmarked(task)
                if parser.done:
                    stop.set()
            outcome.plan = self._unmarked(parser.close())
            outcome.parsed = True
        except PlanError as exc:
            outcome.error = str(exc)
            outcome.parsed = not isinstance(exc, PlanSyntaxError)
            raise
        finally:
            stop.set()
            await worker
            outcome.text = parser.text
            outcome.total_s = time.perf_counter() - start
            _fill_usage(outcome, stream)


def _names(tools: Toolset | None) -> list[str] | None:
    return tools.names() if tools is not None else None


def _fill_usage(out: PlanOutcome, stream: object) -> None:
    usage = getattr(stream, "completion", None)
    if usage is not None:
        out.prompt_tokens = usage.prompt_tokens
        out.completion_tokens = usage.completion_tokens
