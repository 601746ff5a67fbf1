"""Aggregation of per-example results (pure) and report files from hand-built results."""

from __future__ import annotations

import json

import pytest
from matplotlib.image import imread

from edgecall.evaluation.report import write_report
from edgecall.evaluation.runner import ExampleResult, percentile, summarize


def result(i: int, steps: int, *, success: bool, args: bool | None = None, parsed: bool = True,
           total: float | None = 1.0, tokens: int | None = 50, f1: float | None = None) -> ExampleResult:
    return ExampleResult(
        id=f"e{i}", query=f"q{i}", now="2024-06-03 09:00:00", gold="1. x()\n2. join()", predicted="...",
        n_steps=steps, parsed=parsed, valid=parsed, success=success, args_match=args if success else None,
        text_f1=f1, ttft_s=None if total is None else total / 4, total_s=total,
        prompt_tokens=1000, completion_tokens=tokens,
        confusion=[] if success else [["send_sms", "compose_new_email"]],
    )


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([3.0], 90) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([0, 10], 90) == pytest.approx(9.0)


def test_summarize():
    results = [
        result(1, 1, success=True, args=True, total=1.0, f1=1.0),
        result(2, 1, success=True, args=False, total=2.0, f1=0.5),
        result(3, 2, success=False, total=3.0),
        result(4, 3, success=False, parsed=False, total=4.0, tokens=100),
    ]
    s = summarize(results)
    assert s["n"] == 4 and s["success_rate"] == 0.5
    assert s["arg_accuracy"] == 0.5 and s["exact_rate"] == 0.25 and s["n_success"] == 2
    assert s["parse_rate"] == 0.75 and s["valid_rate"] == 0.75
    assert s["text_f1"] == 0.75
    assert s["latency_p50_s"] == 2.5 and s["latency_p90_s"] == pytest.approx(3.7)
    assert s["ttft_p50_s"] == pytest.approx(0.625)
    assert s["tokens_per_s"] == pytest.approx(250 / 10)
    assert s["by_steps"] == {"1": {"n": 2, "success_rate": 1.0}, "2": {"n": 1, "success_rate": 0.0},
                             "3": {"n": 1, "success_rate": 0.0}}
    assert s["confusion"] == {"send_sms -> compose_new_email": 2}
    json.dumps(s)  # the --json line must serialise


def test_summarize_without_matches_or_timings():
    s = summarize([result(1, 2, success=False, parsed=False, total=None, tokens=None)])
    assert s["arg_accuracy"] == 0.0 and s["n_success"] == 0 and s["text_f1"] is None
    assert s["latency_p50_s"] is None and s["tokens_per_s"] is None


def test_report_files(tmp_path):
    results = [result(i, 1 + i % 4, success=i % 3 == 0, args=True, total=0.5 + i / 10) for i in range(12)]
    files = write_report(tmp_path, results, summarize(results), title="unit")
    assert [f.name for f in files] == ["records.jsonl", "summary.json", "summary.md",
                                       "success_by_steps.png", "latency_hist.png"]
    assert len((tmp_path / "records.jsonl").read_text().splitlines()) == 12
    md = (tmp_path / "summary.md").read_text()
    assert md.startswith("# unit") and "| success rate (DAG match) | 33.3% |" in md and "send_sms -> compose_new_email" in md
    for png in files[3:]:
        height, width, _ = imread(png).shape
        assert width > 600 and height > 400


def test_report_without_the_charts_extra_keeps_records_and_summary(tmp_path, monkeypatch):
    """matplotlib is the optional [report] extra: without it the report still has everything but the PNGs."""
    from edgecall.evaluation import report as report_mod
    from edgecall.evaluation.runner import ExampleResult, summarize

    monkeypatch.setattr(report_mod, "charts_available", lambda: False)
    results = [ExampleResult(id="a", query="q", now="2024-06-03 09:00:00", gold="1. join()", predicted="1. join()",
                             n_steps=0, parsed=True, valid=True, success=True)]
    files = report_mod.write_report(tmp_path, results, summarize(results), title="t")
    assert sorted(f.name for f in files) == ["records.jsonl", "summary.json", "summary.md"]
    assert "pip install 'edgecall[report]'" in (tmp_path / "summary.md").read_text()
    assert not list(tmp_path.glob("*.png"))
