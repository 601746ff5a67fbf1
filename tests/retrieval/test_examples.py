"""Example retrieval: similar requests retrieve plans of the same shape."""

from __future__ import annotations

import pytest

from edgecall.assistant.tools import assistant_toolset
from edgecall.data.bank import example_bank
from edgecall.planner import Example
from edgecall.retrieval import ExampleRetriever
from edgecall.retrieval.examples import _content_words


@pytest.fixture(scope="module")
def bank():
    return example_bank(assistant_toolset())


@pytest.fixture(scope="module")
def retriever(bank):
    return ExampleRetriever(bank)


def test_entity_words_do_not_count():
    assert _content_words("Email Sid and Lutfi the budget.xlsx file") == ["email", "file", "file"]
    assert _content_words('Text Bo "see you at the cinema at 5"') == ["text"]
    assert "pdf" in _content_words("Summarize Minutes.pdf")


@pytest.mark.parametrize(
    ("query", "tool"),
    [
        ("Text Maria that I'm running late", "send_sms"),
        ("Reply to this email saying Thursday works for me", "reply_to_email"),
        ("Summarize Minutes.pdf and save it in a note", "summarize_pdf"),
        ("remind me to water the plants tomorrow", "create_reminder"),
        ("How do I get to the airport by train?", "maps_show_directions"),
        ("Forward this email to Dana", "forward_email"),
    ],
)
def test_similar_requests_retrieve_the_right_tools(retriever, query, tool):
    top = retriever.top_k(query, 3)
    assert len(top) == 3
    assert sum(tool in ex.plan for ex in top) >= 2, [e.query for e in top]


def test_unknown_words_fall_back_gracefully():
    r = ExampleRetriever([Example("text Bo", '1. get_phone_number("Bo")\n2. join()')])
    assert len(r.top_k("zzzz qqqq", 3)) == 1
    with pytest.raises(ValueError):
        ExampleRetriever([])


@pytest.mark.parametrize(
    ("query", "allowed"),
    [
        ("Text Maria that I'm running late", {"get_phone_number", "send_sms"}),
        ("Email Dana the report.pdf", {"get_email_address", "compose_new_email", "open_and_get_file_path"}),
        ("Summarize Minutes.pdf and save it in a note", {"open_and_get_file_path", "summarize_pdf", "create_note"}),
    ],
)
def test_tool_rag_filters_examples_to_the_selected_tools(retriever, query, allowed):
    """TinyAgent's filtered bank: only examples whose plans call nothing but the selected tools."""
    from edgecall.retrieval.examples import _plan_tools

    found = retriever.top_k(query, 4, tools=allowed)
    assert len(found) == 4
    assert all(_plan_tools(e.plan) <= allowed for e in found)
    unfiltered = retriever.top_k(query, 40)
    assert any(not _plan_tools(e.plan) <= allowed for e in unfiltered)  # the filter did remove something


def test_tool_rag_filter_without_any_fitting_example_falls_back(retriever):
    assert len(retriever.top_k("Text Maria that I'm running late", 3, tools={"no_such_tool"})) == 3
