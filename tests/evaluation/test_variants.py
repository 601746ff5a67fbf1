"""Variant specs for `edgecall eval --compare`."""

from __future__ import annotations

import pytest

from edgecall.evaluation.variants import VariantError, parse_inline, parse_variants


def test_inline_alternatives_expand_to_the_cross_product():
    variants = parse_inline("model=smollm2-135m|gemma3-270m,grammar=on|off")
    assert [v.overrides for v in variants] == [
        {"model": "smollm2-135m", "grammar": True},
        {"model": "smollm2-135m", "grammar": False},
        {"model": "gemma3-270m", "grammar": True},
        {"model": "gemma3-270m", "grammar": False},
    ]
    assert variants[1].label == "smollm2-135m grammar=off"


def test_inline_label_and_types():
    (v,) = parse_inline("label=tight,max_plan_tokens=128,examples=no")
    assert v.label == "tight" and v.overrides == {"max_plan_tokens": 128, "examples": False}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("modle=x", "unknown key 'modle'"),
        ("grammar=maybe", "grammar must be on/off"),
        ("max_plan_tokens=lots", "must be an integer"),
        ("model", "is not key=value"),
        ("grammar=on,grammar=off", "given twice"),
        ("label=x,grammar=on|off", "expands to 2"),
        ("label=only", "sets nothing"),
    ],
)
def test_inline_errors(spec, message):
    with pytest.raises(VariantError, match=message):
        parse_inline(spec)


def test_toml_file_and_duplicate_labels(tmp_path):
    f = tmp_path / "v.toml"
    f.write_text(
        '[[variant]]\nlabel = "smol"\nmodel = "smollm2-135m"\ngrammar = true\n\n'
        '[[variant]]\nmodel = "gemma3-270m"\nexamples = false\ncustom_instructions = "always cc Nick, please"\n'
    )
    a, b = parse_variants([str(f)])
    assert a.label == "smol" and a.overrides == {"model": "smollm2-135m", "grammar": True}
    assert b.overrides["custom_instructions"] == "always cc Nick, please"
    assert b.label.startswith("gemma3-270m examples=off")
    with pytest.raises(VariantError, match="duplicate variant labels: smol"):
        parse_variants([str(f), "label=smol,grammar=off"])


def test_bad_toml_files(tmp_path):
    with pytest.raises(VariantError, match="no such file"):
        parse_variants([str(tmp_path / "missing.toml")])
    bad = tmp_path / "bad.toml"
    bad.write_text("[[variant]\n")
    with pytest.raises(VariantError, match="cannot read TOML"):
        parse_variants([str(bad)])
    empty = tmp_path / "empty.toml"
    empty.write_text('title = "x"\n')
    with pytest.raises(VariantError, match=r"expected one or more \[\[variant\]\] tables"):
        parse_variants([str(empty)])
    typo = tmp_path / "typo.toml"
    typo.write_text('[[variant]]\ngramar = true\n')
    with pytest.raises(VariantError, match=r"typo.toml: variant 1: unknown key 'gramar'"):
        parse_variants([str(typo)])
