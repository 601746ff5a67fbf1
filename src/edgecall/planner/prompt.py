"""The planner prompt: ONE function builds it for `run`, `plan`, `eval` and the training export,
so what a model is fine-tuned on is exactly what it is served.

Order matters for speed: the static part (instructions, tools, rules, examples) comes first
and is identical across requests, so llama.cpp reuses its KV cache; only the date, the
question (and any replan context) follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..dataset import DEFAULT_NOW, Example
from ..tools import Toolset

HEADER = """Given a user query, create a plan to solve it with the utmost parallelizability. \
Each plan should comprise an action from the following {n} types:
"""

GUIDELINES = """Guidelines:
 - Each action described above contains input/output types and a description.
 - You must strictly adhere to the input and output types for each action.
 - Each action in the plan should strictly be one of the above types.
 - Each action MUST have a unique ID, which is strictly increasing.
 - Inputs for actions can either be constants or outputs from preceding actions. In the latter case, use the format $id \
to denote the ID of the previous action whose output will be the input.
 - Always call join as the last action in the plan. Say '<END_OF_PLAN>' after you call join.
 - Ensure the plan maximizes parallelizability.
 - Only use the provided action types. Never introduce new actions other than the ones provided.
"""

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
    """The full text prompt; the model's continuation is the plan."""
    parts = [HEADER.format(n=len(tools) + 1)]
    for i, t in enumerate(tools, start=1):
        parts.append(f"{i}. {t.prompt_description()}\n")
    parts.append(f"{len(tools) + 1}. {JOIN_DESCRIPTION}\n\n")
    parts.append(GUIDELINES)
    if rules.strip():
        parts.append(rules.strip() + "\n")
    if custom_instructions.strip():
        parts.append("User preferences (always follow them):\n" + custom_instructions.strip() + "\n")
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
