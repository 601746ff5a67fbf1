"""Wiring: settings -> model, assistant toolset, planner, joiner, agent.

`edgecall run`, `plan`, `execute` and `eval` all build their parts here, so a setting
means the same thing everywhere (the same prompt, grammar and examples for run and eval).
"""

from __future__ import annotations

from functools import lru_cache

from .assistant.prompt import EXAMPLES, PLANNING_RULES
from .assistant.store import Store
from .assistant.subagents import SubAgents
from .assistant.tools import assistant_toolset
from .config import Settings
from .llm import load_llm
from .llm.base import LLM
from .planner import Planner
from .retrieval import ExampleRetriever, default_bank
from .runtime import Agent, LLMJoiner, RuleJoiner
from .runtime.approval import Approver
from .runtime.events import EventHandler
from .tools import Toolset


def build_llm(settings: Settings, model: str | None = None) -> LLM:
    """The planner's model (or `model`); local models are loaded once per process by the backend."""
    return _cached_llm(model or settings.model, settings.endpoint, settings.api_key, settings.chat, settings.n_ctx)


@lru_cache(maxsize=4)
def _cached_llm(model: str, endpoint: str | None, api_key: str | None, chat: bool, n_ctx: int) -> LLM:
    if endpoint:
        return load_llm(model, endpoint=endpoint, api_key=api_key, mode="chat" if chat else "completions")
    return load_llm(model, n_ctx=n_ctx)


def build_toolset(settings: Settings, llm: LLM | None = None) -> Toolset:
    """The assistant's tools on the configured data store; sub-agents write with `llm`."""
    config = settings.assistant.to_config()
    writer = build_llm(settings, settings.subagent_model) if settings.subagent_model else llm
    return assistant_toolset(Store(config.data_dir, config=config), SubAgents(writer), config)


@lru_cache(maxsize=1)
def example_retriever() -> ExampleRetriever:
    """The example bank's BM25 index, built once per process."""
    return ExampleRetriever(default_bank())


def build_planner(settings: Settings, tools: Toolset, llm: LLM) -> Planner:
    return Planner(
        llm,
        tools,
        grammar=settings.grammar,
        rules=PLANNING_RULES,
        examples=EXAMPLES if settings.examples else (),
        retriever=example_retriever() if settings.retrieved_examples > 0 else None,
        n_retrieved=settings.retrieved_examples,
        custom_instructions=settings.custom_instructions,
        max_tokens=settings.max_plan_tokens,
    )


def build_agent(
    settings: Settings, *, on_event: EventHandler | None = None, approve: Approver | None = None
) -> Agent:
    """The agent for `settings`; `approve` answers consent questions (None: never ask)."""
    llm = build_llm(settings)
    tools = build_toolset(settings, llm)
    joiner = LLMJoiner(llm) if settings.joiner == "llm" else RuleJoiner()
    return Agent(
        build_planner(settings, tools, llm),
        joiner=joiner,
        max_replans=settings.max_replans,
        task_timeout=settings.task_timeout,
        on_event=on_event,
        approve=approve,
    )
