"""The planner prompts: named formats, each ONE function used by `run`, `plan`, `eval` and the
training export, so what a model is fine-tuned on is exactly what it is served.

- ``long`` (untuned models): instructions, guidelines and the rules that name no tool, then the tools with
  descriptions, the rules about them, retrieved examples and the question. Order matters for speed: llama.cpp
  reuses the KV cache of the longest prefix a prompt shares with the previous one, so everything identical
  across requests comes first. Without Tool RAG the tool list is identical too; with Tool RAG it changes per
  request, so it sits after the static part instead of cutting the shared prefix short at its first line.
- ``compact`` (fine-tuned planners): the date, the tools Tool RAG selected (name and signature only, as
  TinyAgent did; no list at all when nothing selects tools) and the question. The model learnt the tools'
  meaning in training, so the ~2,500-token long prompt shrinks to ~40-150 tokens.
- ``compact-week``: ``compact`` after a line with the coming seven days ("Friday 06-07"). "On Friday" then
  means copying the month and day written beside "Friday" instead of counting days from today, the arithmetic
  a 135M-parameter planner got wrong most often (a third of its wrong arguments on held-out requests,
  docs/results.md). The line changes once a day, so it comes first, where the prefix cache keeps it: on a CPU
  that evaluates a prompt at ~400 tokens/s its 60 tokens would otherwise cost ~0.15 s per request. Measured
  (stage 10) and not shipped: 2,400 rows did not teach the planner to use the line.
- ``compact-dated``: ``compact`` with each weekday in the question followed by its date ("on Friday
  (2024-06-07)", `edgecall.planner.weekdays`): the date sits where the model copies from, at no cost when no
  weekday is named. The planner takes the dates back out of the plan's text arguments.

A model preset names its format (`edgecall.llm.presets`), and the trainer builds its prompts through
`PromptFormat.build`, which is why a test can require byte-identical training and serving prompts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from ..dataset import DEFAULT_NOW as DEFAULT_NOW
from ..dataset import Example as Example
from ..errors import PromptFormatError
from ..tools import Toolset
from .weekdays import mark_weekdays

HEADER = """Given a user query, create a plan to solve it with the utmost parallelizability, \
using the actions listed below.
"""

GUIDELINES = """Guidelines:
 - Each action listed below contains input/output types and a description.
 - You must strictly adhere to the input and output types for each action.
 - Each action in the plan should strictly be one of the listed types.
 - Each action MUST have a unique ID, which is strictly increasing.
 - Inputs for actions can either be constants or outputs from preceding actions. In the latter case, use the format $id \
to denote the ID of the previous action whose output will be the input.
 - Always call join as the last action in the plan. Say '<END_OF_PLAN>' after you call join.
 - Ensure the plan maximizes parallelizability.
 - Only use the provided action types. Never introduce new actions other than the ones provided.
"""

ACTIONS_HEADER = "Each plan should comprise an action from the following {n} types:\n"

JOIN_DESCRIPTION = """join() -> None
 - Collects and combines results from prior actions.
 - join should always be the last action in the plan."""


ExampleLike = Example | tuple[str, str]


@dataclass(frozen=True)
class ReplanContext:
    """What the previous attempt did and why it was not good enough."""

    previous_plan: str
    observations: str
    reason: str


def format_now(now: datetime) -> str:
    return f"{now:%A} {now:%Y-%m-%d %H:%M:%S}"


def format_coming_days(now: datetime, days: int) -> str:
    """The `days` days after `now`'s as weekday and MM-DD on one line ("" for none); the year is today's."""
    if days <= 0:
        return ""
    dates = (now.date() + timedelta(days=i) for i in range(1, days + 1))
    return "Coming days: " + ", ".join(f"{d:%A} {d:%m-%d}" for d in dates) + ".\n"


def format_question(query: str, now: datetime) -> str:
    """Every question, example or real, is preceded by its date, so relative dates resolve the same way."""
    return f"Today is {format_now(now)}.\nQuestion: {query}\n"


def format_example(example: ExampleLike) -> str:
    ex = example if isinstance(example, Example) else Example(example[0], example[1])
    return f"{format_question(ex.query, ex.now)}{ex.plan.strip()}\n###\n"


def build_planner_prompt(
    query: str,
    tools: Toolset,
    *,
    now: datetime = DEFAULT_NOW,
    rules: str = "",
    examples: Sequence[ExampleLike] = (),
    custom_instructions: str = "",
    replan: ReplanContext | None = None,
) -> str:
    """The full text prompt; the model's continuation is the plan.

    The part that is the same for every request comes first (see the module docstring): instructions,
    guidelines, the `rules` lines that name none of `tools`, and the user's preferences. Then what depends on the
    request when Tool RAG selects `tools`: the tool list, the rules about those tools, the examples, the question.
    """
    general, about_tools = split_rules(rules, tools)
    parts = [HEADER, GUIDELINES, general]
    if custom_instructions.strip():
        parts.append("User preferences (always follow them):\n" + custom_instructions.strip() + "\n")
    parts.append("\n" + ACTIONS_HEADER.format(n=len(tools) + 1))
    for i, t in enumerate(tools, start=1):
        parts.append(f"{i}. {t.prompt_description()}\n")
    parts.append(f"{len(tools) + 1}. {JOIN_DESCRIPTION}\n")
    if about_tools:
        parts.append("Rules for these actions:\n" + about_tools)
    if examples:
        parts.append("\nHere are some examples:\n")
        parts.extend(format_example(ex) for ex in examples)
    parts.append("\n" + format_question(query, now))
    if replan is not None:
        parts.append(
            f"A previous plan was executed:\n{replan.previous_plan.strip()}\n"
            f"Observations:\n{replan.observations.strip()}\n"
            f"It was not good enough: {replan.reason.strip()}\nWrite a new, corrected plan.\n"
        )
    return "".join(parts)


def build_compact_prompt(
    query: str,
    tools: Toolset | None,
    *,
    now: datetime = DEFAULT_NOW,
    rules: str = "",
    examples: Sequence[ExampleLike] = (),
    custom_instructions: str = "",
    replan: ReplanContext | None = None,
    coming_days: int = 0,
) -> str:
    """The fine-tuned planners' prompt; `tools` None (or empty) means no tool list.

    `rules` and `examples` are accepted for a uniform signature and ignored: a fine-tuned model carries
    them in its weights, and every extra prompt token costs prompt-evaluation time on a CPU. `coming_days`
    lists that many dates after today (``compact-week``).
    """
    del rules, examples
    parts = [format_coming_days(now, coming_days), f"Today is {format_now(now)}.\n"]
    if tools is not None and len(tools):
        parts.append("Tools:\n")
        parts.extend(f"{t.signature()}\n" for t in tools)
    if custom_instructions.strip():
        parts.append("Preferences: " + " ".join(custom_instructions.split()) + "\n")
    parts.append(f"Question: {query}\n")
    if replan is not None:
        parts.append(
            f"Previous plan:\n{replan.previous_plan.strip()}\nObservations:\n{replan.observations.strip()}\n"
            f"Not good enough: {replan.reason.strip()}\n"
        )
    parts.append("Plan:\n")
    return "".join(parts)


def _naming(names: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern matching any of `names` as a whole word (None when there are none)."""
    if not names:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")


def split_rules(rules: str, tools: Toolset) -> tuple[str, str]:
    """(`rules` lines that name none of `tools`, lines that name one of them), each in order, stripped of blank lines.

    The first part is the same whatever Tool RAG selects, so the long prompt puts it in its static prefix; the
    second changes with the selection and follows the tool list.
    """
    named = _naming(tools.names())
    general: list[str] = []
    about: list[str] = []
    for line in rules.splitlines(keepends=True):
        if not line.strip():
            continue
        line = line if line.endswith("\n") else line + "\n"
        (about if named is not None and named.search(line) else general).append(line)
    return "".join(general), "".join(about)


def rules_for_tools(rules: str, tools: Toolset, selected: Toolset | None) -> str:
    """`rules` without the lines that name a tool Tool RAG did not select (all of them without a selection).

    A rule about a tool the prompt does not list (and the grammar forbids) only invites the model to reach for it,
    and costs prompt tokens; rules that name no tool, or only selected ones, stay in their order.
    """
    if selected is None or not rules:
        return rules
    dropped = set(tools.names()) - set(selected.names())
    if not dropped:
        return rules
    named = _naming(sorted(dropped))
    assert named is not None
    return "".join(line for line in rules.splitlines(keepends=True) if not named.search(line))


@dataclass(frozen=True)
class PromptFormat:
    """A named way to turn (question, tools, date, ...) into a planner prompt.

    `lists_all_tools`: with no Tool RAG selection, the long format lists every tool, while the compact
    format lists none (it was trained both ways). `uses_examples`: whether retrieving in-context examples
    is worth its time for this format. `tool_rag`: whether a Tool RAG selection helps this format's planners,
    the default when the settings do not say (the paper's ablation, measured in docs/results.md).
    `marks_weekdays`: the question's weekdays get their dates (`weekdays.mark_weekdays`).
    """

    name: str
    description: str
    builder: Callable[..., str]
    lists_all_tools: bool
    uses_examples: bool
    tool_rag: bool
    marks_weekdays: bool = False

    def build(
        self,
        query: str,
        tools: Toolset,
        *,
        selected: Toolset | None = None,
        now: datetime = DEFAULT_NOW,
        rules: str = "",
        examples: Sequence[ExampleLike] = (),
        custom_instructions: str = "",
        replan: ReplanContext | None = None,
    ) -> str:
        """The prompt for `query`; `selected` is the Tool RAG selection (None: no selection was made)."""
        shown: Toolset | None = selected if selected is not None else (tools if self.lists_all_tools else None)
        return self.builder(
            mark_weekdays(query, now) if self.marks_weekdays else query,
            shown,
            now=now,
            rules=rules_for_tools(rules, tools, selected),
            examples=examples if self.uses_examples else (),
            custom_instructions=custom_instructions,
            replan=replan,
        )


PROMPT_FORMATS: dict[str, PromptFormat] = {
    "long": PromptFormat(
        "long", "tools with descriptions, rules and retrieved examples (untuned models)",
        build_planner_prompt, lists_all_tools=True, uses_examples=True, tool_rag=True,
    ),
    "compact": PromptFormat(
        "compact", "date, selected tool signatures and question (fine-tuned planners)",
        build_compact_prompt, lists_all_tools=False, uses_examples=False, tool_rag=False,
    ),
    "compact-week": PromptFormat(
        "compact-week", "compact, plus the dates of the coming seven days (fine-tuned planners)",
        partial(build_compact_prompt, coming_days=7), lists_all_tools=False, uses_examples=False, tool_rag=False,
    ),
    "compact-dated": PromptFormat(
        "compact-dated", "compact, with each weekday in the question followed by its date (fine-tuned planners)",
        build_compact_prompt, lists_all_tools=False, uses_examples=False, tool_rag=False, marks_weekdays=True,
    ),
}  # fmt: skip


def get_prompt_format(name: str | PromptFormat) -> PromptFormat:
    """The format called `name` (a `PromptFormat` passes through)."""
    if isinstance(name, PromptFormat):
        return name
    try:
        return PROMPT_FORMATS[name]
    except KeyError:
        raise PromptFormatError(
            f"unknown prompt format {name!r}; known formats: {', '.join(sorted(PROMPT_FORMATS))}"
        ) from None
