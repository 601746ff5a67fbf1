"""Scoring a predicted plan against a gold plan (pure functions, no model, no I/O).

* **Success** is the TinyAgent paper's metric: the two plans' DAGs are isomorphic, with tool
  names as node labels and `$k` references as edges; `join()` and argument values are ignored.
* **Argument accuracy** is judged only on successes, under the isomorphism that agrees best
  (several exist when a plan has interchangeable steps, e.g. two parallel lookups). Each
  argument is compared by its *kind*, which the tool declares (`edgecall.tools.ArgKind`, read from the
  `Toolset` the plans were written for):

  - ``exact``: dates, numbers, booleans, transport codes, emails, phone numbers, paths and
    references. Strings are compared after stripping surrounding whitespace; numbers by value
    (``60 == 60.0``) but never a bool against a number; a reference ``$k`` in the prediction
    is translated through the isomorphism before comparing.
  - ``name``: contact, place, file, folder, list and existing-note names; compared
    case-, accent- and whitespace-insensitively.
  - ``text``: free text (messages, email context, note content, subjects, titles): not
    required to match; scored separately by token F1.

  References are data flow, never free text: a value that is a pure reference (``"$2"``) is
  compared exactly whatever the parameter's kind, and for free text the *set* of references
  it carries must match exactly (``"Directions: $2"`` and ``"$2"`` agree; ``"Directions"``
  does not) while its words count only towards the F1. Lists are compared as multisets (the order
  of recipients does not matter). ``None`` and ``""`` (and ``None`` and ``[]``) count as the
  same "unused" value. Unknown tools and parameters, or scoring without a toolset, default to ``exact``.
* **Tool confusion** pairs, for failed plans, each gold tool that is missing from the
  prediction with a predicted tool that is not in the gold plan (in step order), so that
  "called maps_open_location instead of maps_show_directions" can be counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from edgecall.plan import Plan, iter_isomorphisms
from edgecall.plan.model import REF_RE, exact_ref, find_refs
from edgecall.text import fold
from edgecall.tools import ArgKind, Toolset

NONE_TOOL = "<none>"
"""Stands for "nothing" in a confusion pair: a missing or an extra step."""


def arg_kind(tools: Toolset | None, tool: str, position: int) -> ArgKind:
    """How `tool`'s argument at 0-based `position` is compared, as the tool declares it (``exact`` when unknown)."""
    if tools is None or tool not in tools:
        return ArgKind.EXACT
    params = tools[tool].params
    return params[position].kind if position < len(params) else ArgKind.EXACT


# --- normalisation -------------------------------------------------------------------------


_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(fold(text))


def token_f1(pred: str, gold: str) -> float:
    """SQuAD-style token F1 on folded word tokens; two empty texts agree fully."""
    p, g = tokens(pred), tokens(gold)
    if not p and not g:
        return 1.0
    common = sum((Counter(p) & Counter(g)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _is_unused(value: Any) -> bool:
    return value is None or value == "" or value == []


def _remap_refs(value: Any, mapping: dict[int, int]) -> Any:
    """Rewrite the prediction's `$k` as the gold step it corresponds to.

    A reference to a step the prediction does not have becomes `$0`, which no gold plan
    has (steps start at 1), so it never matches.
    """
    if isinstance(value, str):
        return REF_RE.sub(lambda m: f"${mapping.get(int(m.group(1) or m.group(2)), 0)}", value)
    if isinstance(value, list):
        return [_remap_refs(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _remap_refs(v, mapping) for k, v in value.items()}
    return value


def _scalar_key(value: Any, kind: ArgKind) -> Any:
    """A hashable, normalised form of one value for comparison by `kind`."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("num", float(value))
    if isinstance(value, str):
        if exact_ref(value) is not None:
            return ("ref", value.strip())
        return ("str", fold(value) if kind is ArgKind.NAME else value.strip())
    if isinstance(value, list):
        return ("list", tuple(sorted((_scalar_key(v, kind) for v in value), key=repr)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((repr(k), _scalar_key(v, kind)) for k, v in value.items()), key=repr)))
    return ("other", repr(value))


def values_match(pred: Any, gold: Any, kind: ArgKind) -> bool:
    """Whether a (ref-remapped) predicted value matches the gold value for a strict kind."""
    if _is_unused(pred) and _is_unused(gold):
        return True
    return bool(_scalar_key(pred, kind) == _scalar_key(gold, kind))


def _strip_refs(text: str) -> str:
    return REF_RE.sub(" ", text)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_as_text(v) for v in value)
    return str(value)


# --- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArgMismatch:
    """One strict argument that differs, for the per-example report."""

    gold_step: int
    tool: str
    position: int
    kind: ArgKind
    gold: Any
    predicted: Any

    def describe(self) -> str:
        return f"step {self.gold_step} {self.tool} arg {self.position + 1} ({self.kind.value}): " \
               f"expected {self.gold!r}, got {self.predicted!r}"


@dataclass(frozen=True)
class ArgScore:
    """How well the arguments agree under one isomorphism."""

    mismatches: tuple[ArgMismatch, ...]
    strict_total: int
    text_f1: float | None  # mean over free-text arguments; None when there are none

    @property
    def all_match(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True)
class PlanScore:
    """Everything the metrics say about one prediction."""

    parsed: bool
    valid: bool
    success: bool
    args_match: bool | None  # None unless success
    text_f1: float | None
    mismatches: tuple[ArgMismatch, ...] = ()
    confusion: tuple[tuple[str, str], ...] = ()  # (gold tool, predicted tool)
    error: str | None = None
    mapping: dict[int, int] = field(default_factory=dict)  # predicted step -> gold step


def score_args(pred: Plan, gold: Plan, mapping: dict[int, int], tools: Toolset | None = None) -> ArgScore:
    """Compare every argument of mapped steps; `mapping` is predicted step -> gold step."""
    mismatches: list[ArgMismatch] = []
    strict_total = 0
    f1s: list[float] = []
    for p_idx, g_idx in sorted(mapping.items(), key=lambda kv: kv[1]):
        p_task, g_task = pred.task(p_idx), gold.task(g_idx)
        n = max(len(p_task.args), len(g_task.args))
        for pos in range(n):
            g_val = g_task.args[pos] if pos < len(g_task.args) else None
            p_val = _remap_refs(p_task.args[pos], mapping) if pos < len(p_task.args) else None
            kind = arg_kind(tools, g_task.tool, pos)
            if pos >= len(p_task.args) or pos >= len(g_task.args):
                kind = ArgKind.EXACT  # a missing or surplus argument is always wrong
            if kind is ArgKind.TEXT:
                # the data flow inside free text is exact ("Directions: $2" and "$2" both carry
                # step 2), the words around it are only scored by F1
                g_refs, p_refs = find_refs(g_val), find_refs(p_val)
                if g_refs or p_refs:
                    strict_total += 1
                    if g_refs != p_refs:
                        mismatches.append(ArgMismatch(g_idx, g_task.tool, pos, kind, g_val, p_val))
                if exact_ref(g_val) is None:
                    f1s.append(token_f1(_strip_refs(_as_text(p_val)), _strip_refs(_as_text(g_val))))
                continue
            strict_total += 1
            if pos >= len(p_task.args) or pos >= len(g_task.args) or not values_match(p_val, g_val, kind):
                mismatches.append(ArgMismatch(g_idx, g_task.tool, pos, kind, g_val, p_val))
    text_f1 = sum(f1s) / len(f1s) if f1s else None
    return ArgScore(tuple(mismatches), strict_total, text_f1)


def best_arg_score(
    pred: Plan, gold: Plan, *, tools: Toolset | None = None, max_isomorphisms: int = 1000
) -> tuple[dict[int, int], ArgScore] | None:
    """The isomorphism whose arguments agree best (fewest mismatches, then highest text F1).

    None when the DAGs are not isomorphic. The search is capped because a plan of many
    interchangeable lookups has factorially many isomorphisms; the cap is far above what
    real plans (at most a few parallel lookups) reach.
    """
    best: tuple[dict[int, int], ArgScore] | None = None
    for n, mapping in enumerate(iter_isomorphisms(pred, gold)):
        if n >= max_isomorphisms:
            break
        score = score_args(pred, gold, mapping, tools)
        if best is None or _better(score, best[1]):
            best = (dict(mapping), score)
            if score.all_match and (score.text_f1 is None or score.text_f1 == 1.0):
                break
    return best


def _better(a: ArgScore, b: ArgScore) -> bool:
    return (len(a.mismatches), -(a.text_f1 or 0.0)) < (len(b.mismatches), -(b.text_f1 or 0.0))


def tool_confusion(pred: Plan | None, gold: Plan) -> tuple[tuple[str, str], ...]:
    """(gold tool, predicted tool) pairs for the tools the prediction got wrong.

    Gold tools missing from the prediction are paired, in step order, with predicted tools
    absent from the gold plan; leftovers pair with :data:`NONE_TOOL` (a missing or an extra
    step). An unparsable prediction confuses every gold tool with nothing.
    """
    gold_tools = [t.tool for t in gold.tasks]
    pred_tools = [t.tool for t in pred.tasks] if pred is not None else []
    missing = _ordered_difference(gold_tools, pred_tools)
    extra = _ordered_difference(pred_tools, gold_tools)
    pairs = list(zip(missing, extra))
    pairs += [(g, NONE_TOOL) for g in missing[len(extra):]]
    pairs += [(NONE_TOOL, p) for p in extra[len(missing):]]
    return tuple(pairs)


def _ordered_difference(a: list[str], b: list[str]) -> list[str]:
    """Items of `a` not covered by `b` as multisets, in `a`'s order."""
    budget = Counter(b)
    out = []
    for item in a:
        if budget[item] > 0:
            budget[item] -= 1
        else:
            out.append(item)
    return out


def score_plan(
    pred: Plan | None, gold: Plan, *, tools: Toolset | None = None, valid: bool = True, error: str | None = None
) -> PlanScore:
    """Score one prediction. `pred` is None when the output did not parse (then `error` says why).

    `tools` (the toolset the plans are written for) says how each argument is compared.
    A prediction that parsed but failed validation against the tools (`valid=False`) can still
    be a DAG match (the paper's metric ignores arguments); its arguments then rarely match.
    """
    if pred is None:
        return PlanScore(
            parsed=False, valid=False, success=False, args_match=None, text_f1=None,
            confusion=tool_confusion(None, gold), error=error or "no plan",
        )
    best = best_arg_score(pred, gold, tools=tools)
    if best is None:
        return PlanScore(
            parsed=True, valid=valid, success=False, args_match=None, text_f1=None,
            confusion=tool_confusion(pred, gold), error=error,
        )
    mapping, args = best
    return PlanScore(
        parsed=True, valid=valid, success=True, args_match=args.all_match, text_f1=args.text_f1,
        mismatches=args.mismatches, error=error, mapping=mapping,
    )
