"""The wiring in app.py: each setting reaches the part it configures (the same way for run, plan and eval)."""

from __future__ import annotations

from pathlib import Path

from edgecall.app import build_agent, build_llm, build_planner, build_toolset, example_retriever
from edgecall.assistant.prompt import EXAMPLES, PLANNING_RULES
from edgecall.config import AssistantConfig, Settings
from edgecall.runtime import LLMJoiner, RuleJoiner


def _settings(tmp_path: Path, **kw) -> Settings:
    return Settings(assistant=AssistantConfig(data_dir=tmp_path / "store", apps=("contacts", "sms")), **kw)


def test_toolset_follows_the_assistant_table(tmp_path, packaged_llm):
    tools = build_toolset(_settings(tmp_path), packaged_llm)
    assert tools.names() == ["get_phone_number", "get_email_address", "send_sms"]
    tools["send_sms"].fn(["+15550100"], "hi")
    assert list((tmp_path / "store").rglob("*"))  # the SMS went into the configured store, nowhere else


def test_planner_settings(tmp_path, packaged_llm):
    settings = _settings(tmp_path, grammar=False, examples=True, retrieved_examples=2, custom_instructions="Be brief.",
                         max_plan_tokens=77)
    tools = build_toolset(settings, packaged_llm)
    planner = build_planner(settings, tools, packaged_llm)
    assert planner.grammar is None and planner.max_tokens == 77 and planner.rules == PLANNING_RULES
    assert planner.examples == list(EXAMPLES)
    assert planner.retriever is None  # the default planner's compact prompt shows no examples: no index is built
    assert "Be brief." in planner.prompt("Text Ana hi")
    long = build_planner(_settings(tmp_path, model="smollm2-135m", retrieved_examples=2), tools, packaged_llm)
    assert long.retriever is example_retriever() and long.n_retrieved == 2

    plain = build_planner(_settings(tmp_path, retrieved_examples=0), tools, packaged_llm)
    assert plain.grammar is not None and plain.retriever is None and plain.examples == []


def test_agent_settings(tmp_path, packaged_llm):
    agent = build_agent(_settings(tmp_path, joiner="llm", max_replans=0, task_timeout=5.0))
    assert isinstance(agent.joiner, LLMJoiner)
    assert (agent.max_replans, agent.task_timeout) == (0, 5.0)
    assert isinstance(build_agent(_settings(tmp_path)).joiner, RuleJoiner)
    assert build_llm(_settings(tmp_path)) is build_llm(_settings(tmp_path))  # one model load per process


def test_the_deadline_setting_reaches_every_backend(tmp_path):
    local = build_llm(_settings(tmp_path, deadline=7.5))
    served = build_llm(_settings(tmp_path, deadline=2.5, endpoint="http://127.0.0.1:9/v1", model="x"))
    assert (local.deadline, served.deadline) == (7.5, 2.5)


def test_a_fine_tuned_planner_writes_with_its_untuned_base(tmp_path):
    from edgecall.app import subagent_model

    assert subagent_model(_settings(tmp_path, model="edgecall-planner")) == "smollm2-135m"
    assert subagent_model(_settings(tmp_path, model="gemma3-270m")) == "gemma3-270m"
    assert subagent_model(_settings(tmp_path, model="edgecall-planner", subagent_model="gemma3-270m")) == "gemma3-270m"
    served = _settings(tmp_path, model="edgecall-planner", endpoint="http://127.0.0.1:9/v1")
    assert subagent_model(served) == "edgecall-planner"


def test_the_writer_model_loads_when_a_sub_agent_first_writes(tmp_path):
    """A fine-tuned planner's writer (its untuned base) is a second model: built on the first free-text write, so
    requests that never write one do not pay its memory. (n_ctx 640 keeps this test's engines apart from others'.)"""
    from edgecall.llm import llamacpp, preset_path

    settings = Settings(assistant=AssistantConfig(data_dir=tmp_path / "store", apps=("notes",)),
                        model="edgecall-planner", n_ctx=640)
    writer_key = str(preset_path("smollm2-135m").resolve())

    def writer_loaded() -> bool:
        return any(key[0] == writer_key and key[1] == 640 for key in llamacpp._ENGINES)

    tools = build_toolset(settings, None)
    assert not writer_loaded()
    assert "Created note" in tools["create_note"].fn("Packing", "tent, stove and two sleeping bags", "")
    assert writer_loaded()
    assert any(p.is_file() for p in (tmp_path / "store").rglob("*"))  # the note was written
