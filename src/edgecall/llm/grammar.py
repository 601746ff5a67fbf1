"""GBNF grammars that let a small model write only valid LLMCompiler plans for a given toolset.

A 100M-class model rarely produces a parseable plan on its own; constrained decoding makes every sampled
token keep the text inside the plan language, so whatever the model writes parses and validates:

* steps are numbered 1, 2, 3... in order and the plan ends with `N. join()<END_OF_PLAN>` (N = last step + 1);
* each step calls an existing tool with exactly its number of positional arguments;
* each argument is a literal of the parameter's type (strict, as `Tool.static_arg_problem` checks it), or the
  exact reference `"$k"`; strings may interpolate `$k`; any `k` is an *earlier* step, so references never
  point forward, to the step itself, or to a missing step;
* optional `Thought: ...` lines may precede any step;
* strings, lists and dicts are bounded (`max_string`, `max_items`), so a model looping inside a literal is
  forced out of it. Bounds cannot promise the plan fits `max_tokens`: pick `max_steps` and `max_tokens` together.

Step-dependent reference rules are why rules are generated per step (`-sN` suffixes): GBNF has no parameters.
Alternatives are kept prefix-disjoint where possible so llama.cpp's grammar engine tracks few parse stacks.
"""

from __future__ import annotations

import enum
import json
import re
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from ..errors import GrammarError

DEFAULT_MAX_STEPS = 12
DEFAULT_MAX_STRING = 120  # characters in one string literal (and one Thought line)
DEFAULT_MAX_ITEMS = 10  # items in one list or dict literal

# Step-independent building blocks. Plain string characters exclude `$`: in plans `$<digits>` is a reference,
# so a literal dollar amount would be misread; references get their own, step-bounded rules.
# Every repetition is bounded: a small model that starts repeating itself inside a string or list ("Sid@Sid@...")
# is forced to close it and move on, instead of running into max_tokens with an unparseable plan.
# `{0,S}` below becomes the string bound.
BASE_RULES = {
    "plain-char": r'[^"\\$\n\r]',
    "esc": r'"\\" (["\\nrtbf] | "u" hex hex hex hex)',
    "hex": r"[0-9a-fA-F]",
    "char": r"plain-char | esc",
    "char-nd": r'[^"\\$\n\r0-9] | esc',
    "plain-str": r'"\"" char{0,S} "\""',
    "int": r'"-"? ("0" | [1-9] [0-9]{0,17})',
    "float": r'int ("." [0-9]{1,17})? ([eE] [-+]? [0-9]{1,3})?',
    "bool": r'"True" | "False"',
    "none": r'"None"',
    "thought": r'"Thought: " [^\n]{0,S} "\n"',
}


class _ParamLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def annotation(self) -> Any: ...


class _ToolLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def params(self) -> Sequence[_ParamLike]: ...


def _gbnf_literal(text: str) -> str:
    """A GBNF string literal matching `text` exactly."""
    return json.dumps(text, ensure_ascii=False)


def _python_literal(value: Any) -> str:
    """How the plan language (Python literals, double-quoted strings) writes a constant."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return repr(value)
    raise GrammarError(f"Literal value {value!r} is not a plan literal (str, int, float, bool, None)")


class _Builder:
    """Accumulates rules; one typed rule per (annotation, step), named deterministically."""

    def __init__(self, max_string: int, max_items: int) -> None:
        self.rules = {k: v.replace("{0,S}", f"{{0,{max_string}}}") for k, v in BASE_RULES.items()}
        self.max_string = max_string
        self.more = f"{{0,{max_items - 1}}}"  # repetitions after the first item
        self._type_ids: dict[str, int] = {}  # repr(annotation) -> number used in rule names

    def add(self, name: str, body: str) -> str:
        self.rules[name] = body
        return name

    # -- references ---------------------------------------------------------------------------------------
    def refnum(self, step: int) -> str | None:
        """Rule matching the numbers of steps before `step`; None for step 1 (nothing to reference)."""
        if step <= 1:
            return None
        name = f"refnum-s{step}"
        if name not in self.rules:
            self.add(name, " | ".join(f'"{k}"' for k in range(1, step)))
        return name

    def ref(self, step: int) -> str | None:
        num = self.refnum(step)
        if num is None:
            return None
        name = f"ref-s{step}"
        if name not in self.rules:
            self.add(name, f'"\\"$" {num} "\\""')
        return name

    def string(self, step: int) -> str:
        """A string that may interpolate earlier results: `"$2"`, `"Notes: $1"`; a digit never follows `$k`."""
        num = self.refnum(step)
        if num is None:
            return "plain-str"
        name = f"str-s{step}"
        if name not in self.rules:
            unit = f'(char | "$" {num} char-nd){{0,{self.max_string}}}'
            self.add(name, f'"\\"" {unit} ("$" {num})? "\\""')
        return name

    # -- types --------------------------------------------------------------------------------------------
    def typed(self, annotation: Any, step: int) -> str:
        """Rule name for a value of `annotation` at `step`, including the exact `"$k"` reference."""
        type_id = self._type_ids.setdefault(repr(annotation), len(self._type_ids))
        name = f"t{type_id}-s{step}"
        if name in self.rules:
            return name
        self.rules[name] = ""  # reserve the name before recursing into item types
        alts = self._alternatives(annotation, step)
        ref = self.ref(step)
        if ref is not None and not {self.string(step), f"any-s{step}"} & set(alts):
            alts.append(ref)  # str and any alternatives already match "$k"
        return self.add(name, " | ".join(dict.fromkeys(alts)))

    def _alternatives(self, annotation: Any, step: int) -> list[str]:
        """Grammar alternatives for the literal forms of `annotation` (without the bare reference)."""
        if annotation is Any or annotation is typing.Any or annotation is object:
            return [self.any_value(step)]
        if annotation is None or annotation is type(None):
            return ["none"]
        if annotation is str:
            return [self.string(step)]
        if annotation is bool:
            return ["bool"]
        if annotation is int:
            return ["int"]
        if annotation is float:
            return ["float"]
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return [_gbnf_literal(_python_literal(m.value)) for m in annotation]
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is typing.Union or origin is types.UnionType:
            out: list[str] = []
            for arg in args:
                out.extend(self._alternatives(arg, step))
            return out
        if origin is typing.Literal:
            return [_gbnf_literal(_python_literal(v)) for v in args]
        if origin is typing.Annotated:
            return self._alternatives(args[0], step)
        if annotation in (list, tuple, set, frozenset) or origin in (list, tuple, set, frozenset, Sequence, Iterable):
            items = [a for a in args if a is not Ellipsis]
            item = self.typed(items[0], step) if len(set(map(repr, items))) == 1 else self.any_value(step)
            return [f'"[" ({item} (", " {item}){self.more})? "]"']
        if annotation is dict or origin is dict or origin is typing.Mapping:
            value = self.typed(args[1], step) if len(args) == 2 else self.any_value(step)
            return [f'"{{" (plain-str ": " {value} (", " plain-str ": " {value}){self.more})? "}}"']
        # Anything else (datetime, pydantic models, forward-reference strings) is checked at run time:
        # allow any literal rather than guess.
        return [self.any_value(step)]

    def any_value(self, step: int) -> str:
        name = f"any-s{step}"
        if name not in self.rules:
            self.rules[name] = ""  # reserve the name: the body refers to itself
            s = self.string(step)
            self.add(
                name,
                f'{s} | float | bool | none | "[" ({name} (", " {name}){self.more})? "]" '
                f'| "{{" (plain-str ": " {name} (", " plain-str ": " {name}){self.more})? "}}"',
            )
        return name

    # -- calls and steps ----------------------------------------------------------------------------------
    def call(self, tools: Sequence[_ToolLike], step: int) -> str:
        alts = []
        for tool in tools:
            args = ' ", " '.join(self.typed(p.annotation, step) for p in tool.params)
            alts.append(f'"{tool.name}(" {args} ")"' if args else f'"{tool.name}()"')
        return self.add(f"call-s{step}", " | ".join(alts))


_RULE_LINE = re.compile(r"^[a-z0-9-]+$")
_TOOL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def plan_grammar(
    tools: Iterable[_ToolLike],
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    thoughts: bool = True,
    max_string: int = DEFAULT_MAX_STRING,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> str:
    """GBNF for plans over `tools` with at most `max_steps` tool calls before `join()`.

    `thoughts=False` forbids `Thought:` lines (fewer tokens for models that ramble); `max_string` and
    `max_items` bound string literals (characters; a `$k` counts as one) and list/dict literals.
    """
    tool_list = list(tools)
    if not tool_list:
        raise GrammarError("cannot build a plan grammar for an empty toolset")
    for label, value in (("max_steps", max_steps), ("max_string", max_string), ("max_items", max_items)):
        if value < 1:
            raise GrammarError(f"{label} must be at least 1, got {value}")
    for tool in tool_list:
        if not _TOOL_NAME.match(tool.name) or tool.name == "join":
            raise GrammarError(f"tool name {tool.name!r} cannot appear in a plan (identifier other than 'join')")
    b = _Builder(max_string, max_items)
    lead = "thought? " if thoughts else ""
    last = max_steps + 1
    b.add(f"step-{last}", f'{lead}"{last}. join()<END_OF_PLAN>"')
    for step in range(max_steps, 0, -1):
        call = b.call(tool_list, step)
        nxt = f"step-{step + 1}"
        if step == 1:  # a plan calls at least one tool
            body = f'{lead}"1. " {call} "\\n" {nxt}'
        else:
            body = f'{lead}"{step}. " ({call} "\\n" {nxt} | "join()<END_OF_PLAN>")'
        b.add(f"step-{step}", body)
    b.add("root", "step-1")
    if not thoughts:
        del b.rules["thought"]
    ordered = ["root"] + [n for n in b.rules if n != "root"]
    assert all(_RULE_LINE.match(n) for n in ordered)
    return "\n".join(f"{n} ::= {b.rules[n]}" for n in ordered) + "\n"


def grammar_literals(grammar: str) -> list[str]:
    """The text of a GBNF grammar's string literals of more than two characters (the text a model under it must
    write verbatim: tool names, fixed syntax), in order, without repeats."""
    found = []
    for match in _GBNF_TOKEN.finditer(grammar):
        if not match.group(0).startswith('"'):
            continue  # a character class: its quotes are characters, not a literal's
        try:
            text = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        if len(text) > 2:
            found.append(text)
    return list(dict.fromkeys(found))


_GBNF_TOKEN = re.compile(r'\[(?:[^\]\\]|\\.)*\]|"(?:[^"\\\n]|\\.)*"')  # a character class or a string literal
