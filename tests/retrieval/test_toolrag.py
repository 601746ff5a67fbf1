"""Tool RAG: training, the selection policy, the artifact, and its use by the planner (real model) and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edgecall.errors import ToolRAGError
from edgecall.retrieval.toolrag import (
    ToolClassifier,
    default_classifier,
    default_classifier_path,
    explicit_tools,
)
from edgecall.retrieval.toolrag_train import (
    calibrate_thresholds,
    plan_tools,
    resolve_calibration,
    template_folds,
    train_classifier,
)

# A custom toolset (not the assistant's), as OpenAI function schemas.
CUSTOM_SCHEMAS = [
    {"name": "get_weather", "description": "Weather forecast for a city.",
     "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
    {"name": "convert_currency", "description": "Convert an amount between currencies.",
     "parameters": {"type": "object", "properties": {"amount": {"type": "number"}, "source": {"type": "string"},
                                                     "target": {"type": "string"}},
                    "required": ["amount", "source", "target"]}},
    {"name": "set_timer", "description": "Start a countdown timer.",
     "parameters": {"type": "object", "properties": {"minutes": {"type": "integer"}}, "required": ["minutes"]}},
]
CITIES = ["Oslo", "Lima", "Pune", "Perth", "Quito", "Riga", "Accra", "Hanoi"]
WEATHER = ["what's the weather in {c}", "will it rain in {c} today", "forecast for {c} please", "is it cold in {c}"]
MONEY = ["convert {n} dollars to euros", "how much is {n} USD in yen", "change {n} pounds into dollars",
         "{n} euros in rupees?"]
TIMER = ["set a timer for {n} minutes", "countdown {n} min", "start a {n} minute timer", "remind me in {n} minutes"]


def _custom_rows(offset: int = 0, templates: bool = False) -> list[dict]:
    """Rows of the custom toolset; with `templates`, each names the phrasings it was built from, as generated
    rows do (``weather:2+timer:2``)."""
    rows = []
    for i, c in enumerate(CITIES):
        n = 5 + i + offset
        for k, (w, m, t) in enumerate(zip(WEATHER, MONEY, TIMER)):
            batch = [
                ({"query": w.format(c=c), "plan": f'1. get_weather("{c}")\n2. join()<END_OF_PLAN>'}, f"weather:{k}"),
                ({"query": m.format(n=n), "plan": f'1. convert_currency({n}.0, "USD", "EUR")\n2. join()<END_OF_PLAN>'},
                 f"money:{k}"),
                ({"query": t.format(n=n), "plan": f"1. set_timer({n})\n2. join()<END_OF_PLAN>"}, f"timer:{k}"),
                ({"query": f"{w.format(c=c)} and {t.format(n=n)}",
                  "plan": f'1. get_weather("{c}")\n2. set_timer({n})\n3. join()<END_OF_PLAN>'},
                 f"weather:{k}+timer:{k}"),
            ]
            rows += [{**row, "template": template} if templates else row for row, template in batch]
    return rows


TOOLS = ["get_weather", "convert_currency", "set_timer"]


@pytest.fixture(scope="module")
def custom() -> ToolClassifier:
    return train_classifier(_custom_rows(), _custom_rows(offset=40), TOOLS, min_tools=1, max_tools=3,
                            fallback_below=0.0).classifier


def test_custom_toolset_trains_and_classifies(custom: ToolClassifier) -> None:
    assert custom.select("what's the weather in Bergen").selected == ["get_weather"]
    assert custom.select("set a timer for 12 minutes").selected == ["set_timer"]
    both = custom.select("will it rain in Cusco today and start a 3 minute timer")
    assert both.selected == ["get_weather", "set_timer"]
    assert both.reasons == {"get_weather": "classifier", "set_timer": "classifier"}
    scores = custom.scores("how much is 30 USD in yen")
    assert max(scores, key=scores.get) == "convert_currency"
    assert 0.0 <= min(scores.values()) and max(scores.values()) <= 1.0


def test_artifact_round_trip(custom: ToolClassifier, tmp_path: Path) -> None:
    path = custom.save(tmp_path / "clf.npz")
    loaded = ToolClassifier.load(path)
    assert loaded.tools == custom.tools
    assert loaded.thresholds == custom.thresholds
    assert (loaded.min_tools, loaded.max_tools, loaded.fallback_below) == (1, 3, 0.0)
    assert loaded.pooling == custom.pooling == "request"  # the default
    pooled = ToolClassifier.load(custom.with_policy(pooling="clauses").save(tmp_path / "pooled.npz"))
    assert pooled.pooling == "clauses"
    both, fresh = "what's the weather in Lima and countdown 9 min", custom.with_policy(pooling="clauses")
    assert all(abs(pooled.scores(both)[t] - fresh.scores(both)[t]) < 2e-3 for t in TOOLS)
    for q in ("forecast for Nairobi please", "convert 7 dollars to euros", "countdown 9 min"):
        a, b = custom.scores(q), loaded.scores(q)
        assert a.keys() == b.keys()
        assert all(abs(a[t] - b[t]) < 2e-3 for t in a)  # weights are stored as float16
        assert loaded.select(q).selected == custom.select(q).selected


def test_custom_toolset_through_the_cli(tmp_path: Path) -> None:
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(CUSTOM_SCHEMAS))
    for name, rows in (("train", _custom_rows()), ("val", _custom_rows(offset=40))):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "custom.npz"
    proc = subprocess.run(
        [sys.executable, "-m", "edgecall.cli", "train", "toolrag", "--toolset", str(schemas), "--data", str(tmp_path),
         "--out", str(out), "--min-tools", "1", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["tools"] == 3 and report["train_rows"] == len(_custom_rows())
    clf = ToolClassifier.load(out)
    assert clf.tools == TOOLS
    assert clf.select("is it cold in Tromso").selected[0] == "get_weather"


def test_cli_calibrates_out_of_template_without_a_val_split(tmp_path: Path) -> None:
    schemas = tmp_path / "tools.json"
    schemas.write_text(json.dumps(CUSTOM_SCHEMAS))
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in _custom_rows(templates=True)))
    base = [sys.executable, "-m", "edgecall.cli", "train", "toolrag", "--toolset", str(schemas), "--train", str(train),
            "--min-tools", "1"]
    proc = subprocess.run([*base, "--out", str(tmp_path / "a.npz"), "--json"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["calibration"] == "templates"  # the default, auto: every row has a template
    assert report["train_rows"] == len(_custom_rows()) and report["val_rows"] == 0  # no rows cut off for val
    assert ToolClassifier.load(tmp_path / "a.npz").meta["calibration"] == "templates"
    for args, message in ((["--calibrate", "oof"], "--calibrate must be one of auto, templates, val, got 'oof'"),
                          (["--folds", "1"], "--folds must be at least 2, got 1")):
        bad = subprocess.run([*base, "--out", str(tmp_path / "b.npz"), *args], capture_output=True, text=True,
                             timeout=300)
        assert bad.returncode == 1 and message in bad.stderr and "Traceback" not in bad.stderr
        assert not (tmp_path / "b.npz").exists()


def test_training_rejects_plans_with_unknown_tools() -> None:
    rows = [{"query": "fly me to the moon", "plan": '1. launch_rocket("moon")\n2. join()<END_OF_PLAN>'}]
    with pytest.raises(ToolRAGError, match=r"training row 1: plan calls 'launch_rocket', which is not in the toolset"):
        train_classifier(rows, rows, TOOLS)


def test_calibrated_thresholds_keep_the_target_recall() -> None:
    probs = np.array([[0.9, 0.1], [0.6, 0.2], [0.3, 0.05], [0.05, 0.7], [0.8, 0.01]])
    y = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [1, 0]])
    exact = calibrate_thresholds(probs, y, ["a", "b"], target_recall=1.0)
    assert exact["a"] == pytest.approx(0.3 * 0.999)  # the weakest positive still passes
    assert exact["b"] == pytest.approx(0.5)  # capped: never stricter than a plain classifier
    loose = calibrate_thresholds(probs, y, ["a", "b"], target_recall=0.75)
    assert loose["a"] == pytest.approx(0.5)  # one of four positives may be lost: 0.6 would do, capped at 0.5
    none = calibrate_thresholds(probs, np.zeros_like(y), ["a", "b"], target_recall=1.0)
    assert none == {"a": 0.5, "b": 0.5}


def test_template_folds_are_deterministic_and_hold_out_every_row() -> None:
    rows = _custom_rows(templates=True)
    folds = template_folds(rows, 3, seed=0)
    assert folds.shape == (len(rows), 3)
    assert folds.any(axis=1).all()  # every row is scored out of template in some fold
    assert (template_folds(rows, 3, seed=0) == folds).all()  # crc32, not Python's salted hash()
    assert any((template_folds(rows, 3, seed=s) != folds).any() for s in (1, 2, 3))  # the seed moves templates
    # rows sharing a template share its fold: a two-template row is held out wherever either template is
    index = {r["template"]: i for i, r in enumerate(rows)}
    both = folds[index["weather:0+timer:0"]]
    assert (both == (folds[index["weather:0"]] | folds[index["timer:0"]])).all()


def test_out_of_template_calibration_is_lower_where_phrasings_do_not_generalise() -> None:
    """Val shares train's templates, so val-calibrated thresholds sit at the cap; scores of templates a head never
    saw are lower, and so are the thresholds that keep their recall. The same data and seed give the same model."""
    rows = _custom_rows(templates=True)
    by_val = train_classifier(rows, _custom_rows(offset=40), TOOLS, calibration="val", target_recall=1.0).classifier
    report = train_classifier(rows, [], TOOLS, calibration="templates", folds=3, seed=0, target_recall=1.0)
    oot = report.classifier
    assert report.calibration == "templates" and oot.meta["calibration"] == "templates"
    assert (oot.meta["folds"], oot.meta["seed"]) == (3, 0)
    assert 0 < report.calibration_rows <= len(rows)
    assert report.calibration_probs is not None and report.calibration_probs.shape == (report.calibration_rows, 3)
    assert all(oot.thresholds[t] <= by_val.thresholds[t] for t in TOOLS)
    assert any(oot.thresholds[t] < by_val.thresholds[t] - 0.05 for t in TOOLS)
    assert (oot.bias == by_val.bias).all()  # the shipped head is trained on all rows either way
    again = train_classifier(rows, [], TOOLS, calibration="templates", folds=3, seed=0, target_recall=1.0).classifier
    assert again.thresholds == oot.thresholds


def test_calibration_choice_and_its_errors() -> None:
    assert resolve_calibration("auto", _custom_rows(templates=True)) == "templates"
    assert resolve_calibration("auto", _custom_rows()) == "val"  # e.g. teacher rows: no templates
    assert resolve_calibration("val", _custom_rows(templates=True)) == "val"
    with pytest.raises(ToolRAGError, match="unknown calibration 'oof'; known: auto, templates, val"):
        train_classifier(_custom_rows(), [], TOOLS, calibration="oof")
    with pytest.raises(ToolRAGError, match=r"training row 1 has no 'template' .* \(--calibrate val\)"):
        train_classifier(_custom_rows(), [], TOOLS, calibration="templates")
    with pytest.raises(ToolRAGError, match="no validation rows to calibrate thresholds on"):
        train_classifier(_custom_rows(), [], TOOLS, calibration="auto")
    with pytest.raises(ToolRAGError, match="at least 2 folds, got 1"):
        template_folds(_custom_rows(templates=True), 1, seed=0)


def _toy(weight: float = 12.0, **policy) -> ToolClassifier:
    """Four tools, each scored high by one fruit word: the selection rules are tested apart from training."""
    tools = ["alpha", "beta", "gamma", "delta"]
    from edgecall.retrieval.toolrag import ngram_counts

    words = ["apple", "banana", "cherry", "dates"]
    vocab = np.array(sorted({int(h) for w in words for h in ngram_counts(w)[0]}), dtype=np.uint32)
    weights = np.zeros((len(vocab), 4), dtype=np.float32)
    for j, w in enumerate(words):
        cols = np.searchsorted(vocab, ngram_counts(w)[0])
        weights[cols, j] += weight
    kw = dict(thresholds={t: 0.5 for t in tools}, min_tools=1, max_tools=None, fallback_below=0.0)
    kw.update(policy)
    return ToolClassifier(tools, np.full(4, -4.0), ngram={"vocab": vocab, "idf": np.ones(len(vocab), np.float32),
                                                          "weights": weights}, **kw)


def test_thresholds_min_and_max_tools() -> None:
    clf = _toy()
    assert clf.select("apple").selected == ["alpha"]
    assert clf.select("apple banana cherry").selected == ["alpha", "beta", "gamma"]
    assert len(_toy(max_tools=2).select("apple banana cherry").selected) == 2
    topped = _toy(min_tools=3).select("apple")
    assert topped.selected[0] == "alpha" and len(topped.selected) == 3
    assert topped.reasons["alpha"] == "classifier"
    assert sorted(topped.reasons.values()) == ["classifier", "min_tools", "min_tools"]


def test_clause_pooling_keeps_each_clause_s_evidence() -> None:
    """Features are normalised over the whole request, so in a request of four intents each intent's evidence is
    diluted below its threshold; scored clause by clause, each tool keeps its full score."""
    request = "apple, then banana; cherry and also dates"
    diluted = _toy(weight=1.5, pooling="request")
    assert diluted.select("apple").selected == ["alpha"]  # alone, the clause clears its threshold
    assert all(p < 0.5 for p in diluted.scores(request).values())  # in company, no tool does
    pooled = _toy(weight=1.5, pooling="clauses")
    assert pooled.select(request).selected == ["alpha", "beta", "gamma", "delta"]
    assert set(pooled.select(request).reasons.values()) == {"classifier"}
    assert pooled.scores("apple") == diluted.scores("apple")  # one clause: the request itself
    for q in (request, "banana and cherry"):  # pooling only ever adds evidence
        assert all(pooled.scores(q)[t] >= diluted.scores(q)[t] for t in pooled.tools)


def test_clauses_split_intents_not_times_or_addresses() -> None:
    from edgecall.retrieval.toolrag import clauses

    assert clauses("Open the Ideas note, email it to Bo and cc Al. Then remind me at 5:30pm") == [
        "Open the Ideas note", "email it to Bo", "cc Al", "remind me at 5:30pm"]
    assert clauses("mail bo.li@example.com - plus text Ann") == ["mail bo.li@example.com", "text Ann"]
    assert clauses("Text Ann") == ["Text Ann"]
    assert clauses(" , and then . ") == []
    with pytest.raises(ToolRAGError, match="unknown pooling 'mean'; known: request, clauses"):
        _toy(pooling="mean")


def test_low_confidence_falls_back_to_every_tool() -> None:
    clf = _toy(fallback_below=0.5)
    sel = clf.select("something else entirely")
    assert sel.fallback and sel.selected == ["alpha", "beta", "gamma", "delta"]
    assert set(sel.reasons.values()) == {"fallback"}
    assert not clf.select("cherry").fallback


def test_named_tools_are_never_dropped() -> None:
    clf = _toy(max_tools=1)
    assert explicit_tools("please use DELTA and send_sms", ["delta", "send_sms", "sms"]) == ["delta", "send_sms"]
    assert explicit_tools("send sms to Ann", ["send_sms"]) == ["send_sms"]
    assert explicit_tools("alphabet soup", ["alpha"]) == []
    sel = clf.select("apple banana, and call delta too")
    assert "delta" in sel.selected and sel.reasons["delta"] == "explicit"
    assert len(sel.selected) == 2  # max_tools cut beta, the named tool survived


def test_selection_respects_the_enabled_tools() -> None:
    sel = _toy().select("apple banana", available=["beta", "gamma", "omega"])
    assert "alpha" not in sel.selected  # a disabled tool is never offered
    assert sel.reasons["omega"] == "untrained"  # a tool the classifier never saw cannot be ruled out
    assert "beta" in sel.selected and set(sel.scores) == {"beta", "gamma"}


@pytest.mark.parametrize("query", ["", "   \n"])
def test_empty_request_is_a_clear_error(query: str) -> None:
    with pytest.raises(ToolRAGError, match="empty request"):
        _toy().select(query)


def test_unknown_tool_in_the_artifact_is_a_clear_error(custom: ToolClassifier) -> None:
    with pytest.raises(ToolRAGError, match=r"knows tool\(s\) convert_currency, set_timer that the toolset does not "
                                            r"have; retrain it"):
        custom.check_tools(["get_weather", "send_sms"])


def test_corrupt_or_foreign_artifacts_are_clear_errors(tmp_path: Path, custom: ToolClassifier) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 this is not a zip file")
    with pytest.raises(ToolRAGError, match=r"bad.npz: not a readable Tool RAG artifact"):
        ToolClassifier.load(bad)
    with pytest.raises(ToolRAGError, match=r"missing.npz: no such Tool RAG artifact"):
        ToolClassifier.load(tmp_path / "missing.npz")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, meta=np.frombuffer(b'{"format": "other/9"}', dtype=np.uint8))
    with pytest.raises(ToolRAGError, match=r"artifact format 'other/9' is not 'edgecall-toolrag/1'"):
        ToolClassifier.load(foreign)
    arrays = dict(np.load(custom.save(tmp_path / "ok.npz")))
    del arrays["ngram_weights"]
    np.savez(tmp_path / "cut.npz", **arrays)
    with pytest.raises(ToolRAGError, match=r"cut.npz: incomplete Tool RAG artifact"):
        ToolClassifier.load(tmp_path / "cut.npz")
    arrays = dict(np.load(custom.save(tmp_path / "ok.npz")))
    meta = json.loads(arrays["meta"].tobytes())
    arrays["meta"] = np.frombuffer(json.dumps({**meta, "pooling": "mean"}).encode(), dtype=np.uint8)
    np.savez(tmp_path / "pool.npz", **arrays)
    with pytest.raises(ToolRAGError, match=r"pool.npz: unknown pooling 'mean'"):
        ToolClassifier.load(tmp_path / "pool.npz")
    del meta["pooling"]  # an artifact from before pooling existed scores whole requests
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "old.npz", **arrays)
    assert ToolClassifier.load(tmp_path / "old.npz").pooling == "request"


def test_packaged_classifier_for_the_assistant() -> None:
    from edgecall.assistant.tools import assistant_toolset

    path = default_classifier_path()
    assert path.is_file() and path.stat().st_size <= 20 * 1024 * 1024
    clf = default_classifier()
    assert clf.meta["calibration"] == "templates"  # thresholds from out-of-template scores (docs/results.md)
    names = assistant_toolset().names()
    clf.check_tools(names)
    assert sorted(clf.tools) == sorted(names)
    sel = clf.select("Text Maria that I'm running late", names)
    assert {"send_sms", "get_phone_number"} <= set(sel.selected)
    assert len(sel.selected) < len(names)
    assert plan_tools('1. get_phone_number("Maria")\n2. send_sms(["$1"], "Late")\n3. join()<END_OF_PLAN>') == {
        "get_phone_number", "send_sms"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edgecall.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})


def test_cli_tools_explain_json_is_one_object() -> None:
    proc = _cli("tools", "--explain", "Email Dana the Q3 report.pdf", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"selected", "scores"}
    assert {"get_email_address", "compose_new_email", "open_and_get_file_path"} <= set(data["selected"])
    assert len(data["scores"]) == 16 and all(0 <= p <= 1 for p in data["scores"].values())


def test_cli_tools_lists_and_explains() -> None:
    listing = _cli("tools")
    assert listing.returncode == 0 and "16 enabled tools" in listing.stdout and "send_sms" in listing.stdout
    explained = _cli("tools", "--explain", "use create_note to save: buy milk")
    assert explained.returncode == 0, explained.stderr
    assert "create_note" in explained.stdout and "threshold" in explained.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--explain", " "], "error: empty request"),
        (["--explain", "hi", "--toolrag-model", "/nonexistent/x.npz"], "no such Tool RAG artifact"),
    ],
)
def test_cli_tools_bad_input(args: list[str], message: str) -> None:
    proc = _cli("tools", *args)
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_plan_with_tool_rag_reports_the_offered_tools(tmp_path: Path) -> None:
    proc = _cli("plan", "--tool-rag", "--json", "Text Maria that I'm running late")
    assert proc.returncode in (0, 1), proc.stderr  # 1: the untuned model wrote an invalid plan
    data = json.loads(proc.stdout)
    assert {"get_phone_number", "send_sms"} <= set(data["tools"]) and len(data["tools"]) < 16
    bad = tmp_path / "corrupt.npz"
    bad.write_bytes(b"\x00" * 64)
    proc = subprocess.run([sys.executable, "-m", "edgecall.cli", "plan", "--tool-rag", "hello"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "EDGECALL_TOOL_RAG_MODEL": str(bad)})
    assert proc.returncode == 1
    assert "corrupt.npz: not a readable Tool RAG artifact" in proc.stderr and "Traceback" not in proc.stderr
