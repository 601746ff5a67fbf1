"""Training-ready export: prompt/completion pairs built by the runtime's own prompt builder.

The prompt comes from the named ``edgecall.planner`` prompt format (``long`` with the assistant's rules
and, by default, its in-context examples; ``compact`` for fine-tuned planners) through the same
``PromptFormat.build`` call the planner makes, so a fine-tuned model sees at training time the text it
will see when served.  The completion is the canonical plan text.  Optional Tool-RAG-style subsets keep
only the tools a plan uses plus random distractors, as the paper did; ``no_tools`` is the share of rows
shown with no selection at all (how the planner prompts before Tool RAG selects anything).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from edgecall.dataset import row_now
from edgecall.plan import parse_plan, render_plan
from edgecall.planner import PromptFormat, get_prompt_format
from edgecall.planner.planner import pick_examples, select_tools
from edgecall.planner.prompt import ExampleLike
from edgecall.tools import Toolset

if TYPE_CHECKING:
    from edgecall.retrieval import ExampleRetriever, ToolSelector


def _tool_subset(tools: Toolset, used: list[str], distractors: int, rng: random.Random) -> Toolset:
    others = [n for n in tools.names() if n not in used]
    keep = set(used) | set(rng.sample(others, min(distractors, len(others))))
    return tools.subset([n for n in tools.names() if n in keep])  # keep the toolset's order


def export_rows(rows: Iterable[dict[str, Any]], tools: Toolset, *, rules: str = "",
                examples: list[tuple[str, str]] | None = None, distractors: int | tuple[int, int] | None = None,
                seed: int = 0, prompt_format: str | PromptFormat = "long",
                no_tools: float = 0.0, retriever: ExampleRetriever | None = None, n_retrieved: int = 0,
                custom_instructions: str = "", tool_selector: ToolSelector | None = None,
                ) -> Iterator[dict[str, str]]:
    """Yield ``{"id", "prompt", "completion"}``.

    ``distractors`` None means no tool selection (the format decides: long lists every tool, compact none);
    an int N or a range (lo, hi) selects the plan's tools plus N (or lo..hi) random others; without
    ``distractors``, ``tool_selector`` (the served planner's Tool RAG) picks each request's tools. ``examples`` are the
    fixed in-context examples; ``retriever`` adds ``n_retrieved`` similar ones per request, chosen as the planner
    chooses them (:func:`edgecall.planner.planner.pick_examples`).
    """
    fmt = get_prompt_format(prompt_format)
    rng = random.Random(seed)
    for row in rows:
        plan = parse_plan(row["plan"], tools)
        selected = None
        if distractors is not None and not (no_tools and rng.random() < no_tools):
            n = distractors if isinstance(distractors, int) else rng.randint(*distractors)
            selected = _tool_subset(tools, sorted({t.tool for t in plan.tasks}), n, rng)
        elif distractors is None and tool_selector is not None:
            selected = select_tools(tool_selector, row["query"], tools)
        shots: list[ExampleLike] = []
        if fmt.uses_examples:
            shots = pick_examples(row["query"], examples or (), retriever, n_retrieved, selected)
        prompt = fmt.build(row["query"], tools, selected=selected, now=row_now(row), rules=rules, examples=shots,
                           custom_instructions=custom_instructions)
        yield {"id": str(row.get("id", "")), "prompt": prompt, "completion": render_plan(plan)}
