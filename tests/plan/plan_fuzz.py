"""Hypothesis generators of hostile plan text, shared by the unit tests and benchmarks/fuzz_plans.py.

Each family reproduces a class of input that once escaped the parser as something other
than a `PlanError` or took super-linear time: deep nesting and operator chains (RecursionError,
MemoryError), long numbers and long calls (ValueError, quadratic re-parsing), text with
lone surrogates or NUL (UnicodeEncodeError, ValueError), odd literals (TypeError), and any
of these fed to the streaming parser in arbitrary chunks.
"""

from __future__ import annotations

from hypothesis import strategies as st

from edgecall.plan import PlanError, PlanStreamParser, Task, parse_plan, render_plan
from edgecall.plan.model import Plan

CHAINS = ["-", "+", "~", "not ", "lambda:", ".b", "()", "[0]", "+1", "(", "[", "{", "{(", "[{", "*"]
OPENERS = ["(", "[", "{", '{"k": ', "[1, "]


@st.composite
def deep(draw) -> str:
    """Operator chains and bracket nesting, up to 1,000 deep, inside an argument or after the call."""
    piece = draw(st.sampled_from(CHAINS + OPENERS))
    n = draw(st.integers(1, 1000))
    body = piece * n
    where = draw(st.sampled_from(["arg", "after", "continued"]))
    if where == "arg":
        return f"1. f({body}1)\n2. join()"
    if where == "after":
        return f"1. f(){body}\n2. join()"
    return "1. f(\n" + "\n".join([piece] * n) + "\n1)\n2. join()"


@st.composite
def long(draw) -> str:
    """Huge numbers and step numbers, long strings, calls continued over many lines, many steps."""
    kind = draw(st.sampled_from(["number", "step", "ref", "string", "lines", "steps", "line"]))
    n = draw(st.integers(1, 2500))  # numbers past Python's 4,300-digit limit; calls of ~10 KB
    if kind == "number":
        return f"1. f({'9' * n})\n2. join()"
    if kind == "step":
        return f"{'7' * n}. f(1)\n{'8' * n}. join()"
    if kind == "ref":
        return f'1. f("x")\n2. g("${"1" * n}", ${"2" * n})\n3. join()'
    if kind == "string":
        return f'1. f("{"ab " * n}")\n2. join()'
    if kind == "lines":
        return "1. f(\n" + '"x",\n' * n + ")\n2. join()"
    if kind == "steps":
        return "".join(f'{i}. f("$1" if False else "a{i}")\n' for i in range(1, min(n, 400) + 1)) + "join()"
    return "1. f(" + " " * n * 10 + "1)" + " " * n + "\n2. join()"


weird_chars = st.characters(codec=None, categories=None, exclude_characters=None)


@st.composite
def unicode(draw) -> str:
    """Text with lone surrogates, NUL, control and non-BMP characters, inside or outside strings."""
    junk = draw(st.text(weird_chars, min_size=1, max_size=20))
    form = draw(st.sampled_from(['1. f("{j}")\n2. join()', "1. f({j})\n2. join()", "{j}", "1. {j}(1)\n2. join()",
                                 'Thought: {j}\n1. f("x")\n2. join()', '1. f("x"){j}']))
    return form.replace("{j}", junk)


odd_literals = st.sampled_from([
    "1. f({(1, 2): 3})\n2. join()", "1. f({[1]: 2})\n2. join()", "1. f({1: 2})\n2. join()", "1. f(1e999)\n2. join()",
    "1. f(-1e999)\n2. join()", "1. f(b'x')\n2. join()", "1. f(1j)\n2. join()", "1. f(1+2j)\n2. join()",
    "1. f(f'{x}')\n2. join()", "1. f(...)\n2. join()", "1. f(- -1)\n2. join()", "1. f(0x1F)\n2. join()",
    "1. f('a' 'b')\n2. join()", "1. f(*[1])\n2. join()", "1. f(**{})\n2. join()", "1. f(x=1)\n2. join()",
    "1. f(1 if 1 else 2)\n2. join()", "1. f([i for i in 'ab'])\n2. join()", "1. f()()\n2. join()",
    '1. f("\\N{BOGUS}")\n2. join()', "1. f('\\x')\n2. join()", "1. f(\"a\nb\")\n2. join()",
])

_literal = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=5,
)


@st.composite
def mutated(draw) -> str:
    """A valid rendered plan with junk spliced in somewhere."""
    n = draw(st.integers(1, 4))
    tasks = [Task(i, draw(st.sampled_from(["f", "get_x", "send"])), tuple(draw(st.lists(_literal, max_size=3))))
             for i in range(1, n + 1)]
    text = render_plan(Plan(tuple(tasks)))
    pos = draw(st.integers(0, len(text)))
    junk = draw(st.sampled_from(["(", ")", '"', "$", "$9", "\n", "\n3. ", "join()", "[", "{", "\\", "'", ",", "#",
                                 "-" * 50, "<END_OF_PLAN>", "\x00", "\ud800", "9" * 80]))
    return text[:pos] + junk + text[pos + draw(st.integers(0, 3)):]


hostile_plans = st.one_of(deep(), long(), unicode(), odd_literals, mutated())


@st.composite
def chunked(draw) -> tuple[str, list[int]]:
    """A hostile plan and the sizes of the chunks a model stream might deliver it in."""
    text = draw(hostile_plans)
    sizes = draw(st.lists(st.integers(1, max(1, len(text))), min_size=1, max_size=8))
    return text, sizes


def parse_both(text: str, sizes: list[int] | None = None) -> None:
    """Parse `text` in batch and streaming (in chunks of `sizes`, cycling); PlanError is the only allowed failure."""
    try:
        parse_plan(text)
    except PlanError:
        pass
    parser = PlanStreamParser()
    sizes = sizes or [len(text) or 1]
    try:
        pos, i = 0, 0
        while pos < len(text):
            step = sizes[i % len(sizes)]
            parser.feed(text[pos : pos + step])
            pos, i = pos + step, i + 1
        parser.close()
    except PlanError:
        pass
