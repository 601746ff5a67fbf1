"""Training-ready export: prompt/completion pairs built by the runtime's own prompt builder.

The prompt comes from ``edgecall.planner.build_planner_prompt`` with the assistant's rules (and, by
default, its in-context examples), exactly as ``edgecall run`` builds it, so a fine-tuned model sees at
training time the text it will see when served.  The completion is the canonical plan text.  Optional
Tool-RAG-style subsets keep only the tools a plan uses plus random distractors, as the paper did.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import Any

from edgecall.dataset import row_now
from edgecall.plan import parse_plan, render_plan
from edgecall.planner import build_planner_prompt
from edgecall.tools import Toolset



def _tool_subset(tools: Toolset, used: list[str], distractors: int, rng: random.Random) -> Toolset:
    others = [n for n in tools.names() if n not in used]
    keep = set(used) | set(rng.sample(others, min(distractors, len(others))))
    return tools.subset([n for n in tools.names() if n in keep])  # keep the toolset's order


def export_rows(rows: Iterable[dict[str, Any]], tools: Toolset, *, rules: str = "",
                examples: list[tuple[str, str]] | None = None, distractors: int | None = None,
                seed: int = 0) -> Iterator[dict[str, str]]:
    """Yield ``{"id", "prompt", "completion"}``; ``distractors`` None means every tool is in the prompt."""
    rng = random.Random(seed)
    for row in rows:
        plan = parse_plan(row["plan"], tools)
        prompt_tools = tools
        if distractors is not None:
            prompt_tools = _tool_subset(tools, sorted({t.tool for t in plan.tasks}), distractors, rng)
        prompt = build_planner_prompt(row["query"], prompt_tools, now=row_now(row), rules=rules,
                                      examples=examples or ())
        yield {"id": str(row.get("id", "")), "prompt": prompt, "completion": render_plan(plan)}
