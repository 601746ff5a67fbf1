"""Sub-agents: deterministic fallbacks, the guards against small-model failure modes, and
one run with the packaged SmolLM2-135M model."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from edgecall.assistant import Store, SubAgents, assistant_toolset
from edgecall.assistant.subagents import clean_generation, extractive_summary, faithful, grounded, keep_links
from edgecall.tools import ToolError


@dataclass
class _Text:
    text: str


class ScriptedLLM:
    """Returns a fixed text: stands in for a model's known failure modes (loops, placeholders)."""

    def __init__(self, text: str) -> None:
        self.text, self.prompts = text, []

    def complete(self, prompt, *, stop=None, max_tokens=256, temperature=0.0):
        self.prompts.append(prompt)
        return _Text(self.text)


class BrokenLLM:
    def complete(self, prompt, **kw):
        raise ConnectionError("server at 127.0.0.1:8080 went away")


def test_fallbacks_without_a_model():
    agents = SubAgents()
    assert agents.email_body("  See you at 7.  ") == "See you at 7."
    assert agents.email_body("", subject="Hello") == "Hello"
    assert agents.note_text("x", "eggs") == "eggs"
    assert agents.pdf_summary("One. Two. Three.") == "One. Two. Three."


def test_extractive_summary_keeps_order_and_first_sentence():
    text = "Intro sentence here. Cats purr. Budget budget budget rises. Dogs bark. The budget grows again."
    out = extractive_summary(text, n=3)
    assert out.startswith("Intro sentence here.")
    assert out.index("Budget budget") < out.index("The budget grows")
    assert "Cats purr" not in out


def test_clean_generation_cuts_loops_and_unfinished_sentences():
    looping = "Hi Dana.\n\nSee you at 7.\n\nSee you at 7.\n\nSee you at 7."
    assert clean_generation(looping) == "Hi Dana.\n\nSee you at 7."
    assert clean_generation("It is done. And then the") == "It is done."


def test_faithful_rejects_placeholders_and_lost_facts():
    ctx = "The Q2 report is attached and ready for review by Wednesday."
    assert faithful(ctx, "Hi, the Q2 report is attached and ready for your review by Wednesday.")
    assert not faithful(ctx, "Dear [Company Name], the Q2 report is attached, ready for review by Wednesday.")
    assert not faithful(ctx, "Hello! Hope you are well.")


def test_grounded_rejects_invented_summaries():
    doc = "The venue contract requires a deposit of 2,000 EUR by 14 June."
    assert grounded(doc, "A deposit of 2,000 EUR is due by 14 June for the venue.")
    assert not grounded(doc, "Apple will release a new iPhone with satellite messaging.")


def test_ungrounded_model_summary_falls_back_to_extraction(demo_dir, call):
    tools = assistant_toolset(store=Store(demo_dir), subagents=SubAgents(ScriptedLLM("Apple unveiled the iPhone 15 today.")))
    assert call(tools, "summarize_pdf", "Minutes.pdf").startswith("Minutes of the product meeting, 28 May 2024.")


def test_keep_links_restores_a_lost_meeting_link():
    assert keep_links("Join https://meet.jit.si/X-1", "Please join the call.") == (
        "Please join the call.\n\nhttps://meet.jit.si/X-1"
    )


def test_unfaithful_model_text_falls_back_to_the_users_words(demo_dir, call):
    llm = ScriptedLLM("Dear [Company Name],\nWe are pleased to announce.\nWe are pleased to announce.")
    tools = assistant_toolset(store=Store(demo_dir), subagents=SubAgents(llm))
    call(tools, "compose_new_email", ["Maria"], [], "Late", "I'm running 10 minutes late.", [])
    draft = Store(demo_dir).mail.drafts()[0]
    assert draft.get_body(("plain",)).get_content().strip() == "I'm running 10 minutes late."
    assert "I'm running 10 minutes late." in llm.prompts[0]


def test_model_failure_is_a_tool_error(demo_dir, call):
    tools = assistant_toolset(store=Store(demo_dir), subagents=SubAgents(BrokenLLM()))
    with pytest.raises(ToolError, match="the PDF summarizer model failed: server at 127.0.0.1:8080 went away"):
        call(tools, "summarize_pdf", "Minutes.pdf")


@pytest.fixture(scope="session")
def smollm():
    from edgecall.llm import load_llm

    return load_llm("smollm2-135m", n_ctx=2048)


def test_real_model_summary(demo_dir, call, smollm):
    agents = SubAgents(smollm, max_tokens=48)
    tools = assistant_toolset(store=Store(demo_dir), subagents=agents)
    doc = Store(demo_dir).pdf_text(Store(demo_dir).files.find("Minutes.pdf"))
    summary = call(tools, "summarize_pdf", "Minutes.pdf")
    assert summary and summary != extractive_summary(doc)  # the model wrote it
    assert grounded(doc, summary)
