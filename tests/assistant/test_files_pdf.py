"""Files (fuzzy search inside the roots only) and PDF summaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgecall.assistant.store.files import match_score
from edgecall.tools import ToolError


@pytest.mark.parametrize(
    "query,name",
    [
        ("Minutes.pdf", "Minutes.pdf"),
        ("minutes", "Minutes.pdf"),
        ("q2 report", "Q2 report.pdf"),
        ("budget", "budget-2024.csv"),
        ("contarct", "Contract.pdf"),  # typo: fuzzy
        ("offsite agenda", "Offsite agenda.md"),
    ],
)
def test_fuzzy_find_returns_an_absolute_path(store, tools, call, query, name):
    path = Path(call(tools, "open_and_get_file_path", query))
    assert path.is_absolute() and path.name == name and path.is_file()


def test_no_match(tools, call):
    with pytest.raises(ToolError, match="no file matching 'tax return 1999' under .*files"):
        call(tools, "open_and_get_file_path", "tax return 1999")


def test_exact_name_beats_substring():
    assert match_score("report.pdf", Path("report.pdf")) > match_score("report.pdf", Path("old report.pdf"))


def test_configured_roots_replace_the_default(tmp_path, toolset_for, call):
    docs = tmp_path / "Documents"
    (docs / "deep" / "er").mkdir(parents=True)
    (docs / "deep" / "er" / "Thesis final.pdf").write_bytes(b"%PDF-1.4")
    (docs / ".hidden").mkdir()
    (docs / ".hidden" / "Thesis secret.pdf").write_bytes(b"%PDF-1.4")
    tools = toolset_for(tmp_path / "data", file_roots=(docs,))
    assert call(tools, "open_and_get_file_path", "thesis") == str(docs / "deep" / "er" / "Thesis final.pdf")


def test_symlink_out_of_the_root_is_refused(store, tools, call, tmp_path):
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"%PDF-1.4")
    (store.root / "files" / "link.pdf").symlink_to(outside)
    with pytest.raises(ToolError, match="outside the allowed folders"):
        call(tools, "summarize_pdf", str(store.root / "files" / "link.pdf"))


def test_summarize_pdf_from_the_path(tools, call):
    path = call(tools, "open_and_get_file_path", "Minutes.pdf")
    summary = call(tools, "summarize_pdf", path)
    assert summary.startswith("Minutes of the product meeting, 28 May 2024. Attendees:")
    assert 50 < len(summary) < 600


def test_summarize_pdf_accepts_a_name_too(tools, call):
    summary = call(tools, "summarize_pdf", "Contract.pdf")
    assert summary.startswith("Venue rental contract - Lisbon offsite. This agreement")
    assert "deposit of 2,000 EUR" in summary


def test_missing_pdf(store, tools, call):
    with pytest.raises(ToolError, match="does not exist"):
        call(tools, "summarize_pdf", str(store.root / "files" / "Documents" / "Gone.pdf"))


def test_not_a_pdf(tools, call):
    with pytest.raises(ToolError, match="budget-2024.csv is not a PDF file"):
        call(tools, "summarize_pdf", call(tools, "open_and_get_file_path", "budget"))


def test_damaged_pdf(store, tools, call):
    bad = store.root / "files" / "Documents" / "Broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(ToolError, match=r"Broken.pdf (is a damaged PDF|has no extractable text)"):
        call(tools, "summarize_pdf", str(bad))


def test_search_skips_symlinks_leading_outside(store, tools, call, tmp_path):
    outside = tmp_path / "Secret plans.pdf"
    outside.write_bytes(b"%PDF-1.4")
    (store.root / "files" / "Secret plans.pdf").symlink_to(outside)
    with pytest.raises(ToolError, match="no file matching 'Secret plans'"):
        call(tools, "open_and_get_file_path", "Secret plans")
