"""Variants for `edgecall eval --compare`: which settings to run side by side.

A variant is a handful of setting overrides plus a label. They are written either inline,
``model=smollm2-135m|gemma3-270m,grammar=on|off`` (``|`` lists alternatives and the
variant expands to their cross product: here four runs), or in a TOML file::

    [[variant]]
    label = "smol, no examples"
    model = "smollm2-135m"
    grammar = true
    examples = false

Only settings that change planning are allowed, so a typo is an error rather than a
silently ignored key.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgecall.errors import VariantError

KEYS: dict[str, type] = {
    "model": str,
    "endpoint": str,
    "grammar": bool,
    "tool_rag": bool,
    "examples": bool,
    "retrieved_examples": int,
    "custom_instructions": str,
    "max_plan_tokens": int,
}
"""Setting overrides a variant may carry (names of `edgecall.config.Settings` fields)."""

_TRUE = {"on", "true", "yes", "1"}
_FALSE = {"off", "false", "no", "0"}


@dataclass(frozen=True)
class Variant:
    label: str
    overrides: dict[str, Any] = field(default_factory=dict)
    auto_label: bool = False  # built by label_for(): the CLI may prefix the base model

    def display_label(self, base_model: str) -> str:
        """The label, naming the model when the variant keeps the base one (else rows look alike)."""
        if self.auto_label and "model" not in self.overrides:
            return f"{base_model} {self.label}"
        return self.label


def _coerce(key: str, raw: Any, where: str) -> Any:
    kind = KEYS.get(key)
    if kind is None:
        raise VariantError(f"{where}: unknown key {key!r} (allowed: {', '.join(KEYS)}, label)")
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise VariantError(f"{where}: {key} must be on/off, got {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise VariantError(f"{where}: {key} must be an integer, got {raw!r}") from None
    if not isinstance(raw, str) or not raw.strip():
        raise VariantError(f"{where}: {key} must be a non-empty string, got {raw!r}")
    return raw.strip()


def label_for(overrides: dict[str, Any]) -> str:
    """A short readable label: `smollm2-135m grammar=on examples=off`."""
    parts = [str(overrides["model"])] if "model" in overrides else []
    for key, value in overrides.items():
        if key == "model":
            continue
        shown = ("on" if value else "off") if isinstance(value, bool) else value
        parts.append(f"{key}={shown}")
    return " ".join(parts) or "default"


def parse_inline(spec: str) -> list[Variant]:
    """`key=value[|value...],key=value...` -> one variant per combination of alternatives."""
    choices: dict[str, list[Any]] = {}
    label: str | None = None
    for item in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise VariantError(f"variant {spec!r}: {item!r} is not key=value")
        if key == "label":
            label = value.strip()
            continue
        if key in choices:
            raise VariantError(f"variant {spec!r}: {key!r} given twice (use | for alternatives)")
        choices[key] = [_coerce(key, v, f"variant {spec!r}") for v in value.split("|")]
    if not choices:
        raise VariantError(f"variant {spec!r} sets nothing")
    combos = [dict(zip(choices, values)) for values in itertools.product(*choices.values())]
    if label and len(combos) > 1:
        raise VariantError(f"variant {spec!r}: a label names one variant, but it expands to {len(combos)}")
    return [Variant(label or label_for(c), c, auto_label=not label) for c in combos]


def load_variant_file(path: Path) -> list[Variant]:
    """Variants from a TOML file with `[[variant]]` tables (inline `|` alternatives allowed)."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VariantError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VariantError(f"{path}: cannot read TOML: {exc}") from None
    tables = doc.get("variant")
    if not isinstance(tables, list) or not tables:
        raise VariantError(f"{path}: expected one or more [[variant]] tables")
    out: list[Variant] = []
    for n, table in enumerate(tables, start=1):
        where = f"{path}: variant {n}"
        label = table.get("label")
        overrides = {k: _coerce(k, v, where) for k, v in table.items() if k != "label"}
        if not overrides:
            raise VariantError(f"{where} sets nothing")
        out.append(Variant(str(label) if label else label_for(overrides), overrides, auto_label=not label))
    return out


def parse_variants(specs: list[str]) -> list[Variant]:
    """Each spec is an inline variant or a path to a `.toml` file; labels must be unique."""
    variants: list[Variant] = []
    for spec in specs:
        if spec.endswith(".toml") or Path(spec).is_file():
            variants += load_variant_file(Path(spec))
        else:
            variants += parse_inline(spec)
    labels = [v.display_label("") for v in variants]
    dupes = sorted({lab for lab in labels if labels.count(lab) > 1})
    if dupes:
        raise VariantError(f"duplicate variant labels: {', '.join(dupes)}")
    return variants
