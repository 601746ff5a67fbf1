"""Reading plan text, all at once or as it streams from the model.

Arguments are read with `ast` and `ast.literal_eval` on the call's argument nodes: model
output is data, never code. Harmless drift that small models produce (a missing
`<END_OF_PLAN>`, `${1}`, unquoted `$1`, code fences, a renumbered `join()`) is repaired and
reported in `Plan.repairs`; anything that changes meaning is a `PlanError`.

Why a scanner runs before `ast`: `ast.parse` recurses on nesting and operator chains
(`f(-------1)`, `[[[[...`, `a.b.b.b`), fails with `RecursionError`, `MemoryError` or
`ValueError` (4,301-digit numbers), and re-parsing a call continued over many lines is
quadratic. `_CallScanner` reads each line once with one regular expression, allows only
the tokens a literal can contain, bounds depth, length and number size, and tracks
whether brackets are still open, so `ast` only ever sees short, shallow, literal-shaped
text and both parsers are linear in the input. Every failure is a `PlanError` naming
the step and the reason.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import PlanSyntaxError, PlanValidationError
from .model import END_OF_PLAN, JOIN, MAX_REF_DIGITS, REF_RE, Plan, Task

if TYPE_CHECKING:
    from .toolspec import ToolsetLike as Toolset

MAX_PLAN_CHARS = 1_048_576
"""A whole plan (batch text, or everything fed to a stream parser): 1 MiB is far beyond any real plan."""
MAX_STEP_CHARS = 131_072
"""One step, including a call continued over several lines."""
MAX_DEPTH = 16
"""Brackets nested inside a call's argument list."""
MAX_NUMBER_CHARS = 64
"""Characters of one number literal (Python refuses ints over 4,300 digits, with a ValueError)."""

STEP_RE = re.compile(rf"^\s*(\d{{1,{MAX_REF_DIGITS}}})\s*[.:)](.*)$", re.DOTALL)
CALL_HEAD_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(")
THOUGHT_RE = re.compile(r"^\s*Thought\s*:(.*)$", re.DOTALL | re.IGNORECASE)
LINE_EXPECTED = "`N. tool(arg, ...)`, `Thought: ...` or `N. join()`"
LITERAL_EXPECTED = 'a quoted string, number, True/False/None, list or dict (use "$k" for results)'
_BAD_CHARS_RE = re.compile("[\x00\ud800-\udfff]")
_TOKEN_RE = re.compile(
    r"""(?P<ws>\s+)
    |(?P<str>[rRuU]?(?:"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'))
    |(?P<ref>\$\{\d{1,9}\}|\$\d{1,9}(?!\d))
    |(?P<num>0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
    |(?P<name>[^\W\d]\w*)
    |(?P<open>[(\[{])
    |(?P<close>[)\]}])
    |(?P<sep>[,:])
    |(?P<sign>[+-])
    |(?P<comment>\#[^\n]*)""",
    re.VERBOSE,
)
_KEYWORD_RE = re.compile(r"\s*=(?!=)")
_LITERAL_NAMES = frozenset({"True", "False", "None"})


def check_text(text: str, step: int | None = None) -> None:
    """Refuse text `ast` cannot even encode: NUL bytes and lone surrogates (from bad decoding)."""
    bad = _BAD_CHARS_RE.search(text)
    if bad:
        what = "a NUL character" if bad.group() == "\x00" else f"a lone surrogate {bad.group()!r}"
        raise PlanSyntaxError(
            f"the text contains {what} at position {bad.start()}", step=step, expected="valid Unicode text"
        )


class _CallScanner:
    """Linear, non-recursive reader of one `tool(arg, ...)` call, fed line by line.

    It rewrites bare `$k`/`${k}` into `"$k"`, rejects every token a literal cannot contain
    (names other than True/False/None, operators, calls, subscripts, attribute access),
    bounds depth and size, and knows when the call's brackets are closed.
    """

    def __init__(self, step: int) -> None:
        self.step = step
        self.parts: list[str] = []
        self.size = 0
        self.depth = 0
        self.head: str | None = None
        self.opened = False  # saw the `(` after the tool name
        self.closed = False  # that bracket was closed again
        self.quoted_refs = False
        self._prev = "start"  # kind of the last significant token
        self._signs = 0  # consecutive +/- tokens
        self._binops = 0  # +/- after a value, since the last separator or bracket

    @property
    def open(self) -> bool:
        """True while the call's brackets are still open: more lines will complete it."""
        return self.opened and not self.closed

    @property
    def source(self) -> str:
        return "".join(self.parts)

    def _fail(self, message: str, expected: str = LITERAL_EXPECTED) -> PlanSyntaxError:
        return PlanSyntaxError(message, step=self.step, expected=expected)

    def feed(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_STEP_CHARS:
            raise self._fail(
                f"the step is longer than {MAX_STEP_CHARS:,} characters", expected="a shorter call"
            )
        check_text(text, self.step)
        pos, end = 0, len(text)
        while pos < end:
            m = _TOKEN_RE.match(text, pos)
            if m is None:
                raise self._unexpected(text, pos)
            kind, tok = m.lastgroup, m.group()
            pos = m.end()
            if kind == "ws":
                self.parts.append(tok)
                continue
            if kind == "name" and self.opened and tok not in _LITERAL_NAMES and _KEYWORD_RE.match(text, pos):
                raise self._fail(f"keyword arguments ({tok[:30]}) are not allowed", expected="positional arguments only")
            self._token(kind or "", tok)

    def _unexpected(self, text: str, pos: int) -> PlanSyntaxError:
        ch = text[pos]
        if ch in "\"'":
            return self._fail("a string is not closed on its line", expected="a closing quote")
        if self.head is None:
            return self._fail(f"cannot read {text[:60]!r} as a tool call", expected="`tool(arg, ...)`")
        if ch == "*":
            return self._fail("an argument uses *unpacking", expected="a literal")
        return self._fail(f"{ch!r} is not allowed outside a quoted string")

    def _token(self, kind: str, tok: str) -> None:
        if kind in ("ws", "comment"):
            self.parts.append(tok)
            return
        if self.closed:
            raise self._fail(f"unexpected text {tok[:30]!r} after the call", expected="one call per step")
        if self.head is None:
            if kind != "name":
                raise self._fail(f"cannot read {tok[:60]!r} as a tool call", expected="`tool(arg, ...)`")
            self.head = tok
            self.parts.append(tok)
            self._prev = "head"
            return
        if not self.opened:
            if kind != "open" or tok != "(":
                raise self._fail(f"cannot read {self.head[:60]!r} as a tool call", expected="`tool(arg, ...)`")
            self.opened = True
            self.depth = 1
            self.parts.append(tok)
            self._prev = "open"
            return
        if kind == "sign":
            self._sign()
        else:
            self._signs = 0
        if kind == "ref":
            self.quoted_refs = True
            tok = '"$' + tok.strip("${}") + '"'
            kind = "str"
        if kind == "num" and len(tok) > MAX_NUMBER_CHARS:
            raise self._fail(f"a number has more than {MAX_NUMBER_CHARS} characters", expected="a shorter number")
        if kind == "name" and tok not in _LITERAL_NAMES:
            raise self._fail(f"{tok[:30]!r} is not a literal; quote text")
        if kind == "open":
            if self._prev == "value":
                raise self._fail("calls and subscripts are not allowed inside arguments")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self._fail(
                    f"arguments are nested deeper than {MAX_DEPTH - 1} brackets", expected="flatter lists and dicts"
                )
            self._binops = 0
        elif kind == "close":
            self.depth -= 1
            self._binops = 0
            if self.depth == 0:
                self.closed = True
        elif kind == "sep":
            self._binops = 0
        self.parts.append(tok)
        if kind != "sign":
            self._prev = "value" if kind in ("str", "num", "name", "close") else kind

    def _sign(self) -> None:
        if self._prev == "value":
            self._binops += 1
            if self._binops > 1:
                raise self._fail("arithmetic is not allowed in arguments")
        elif self._signs >= (2 if self._prev == "sign_after_value" else 1):
            raise self._fail("more than one sign before a number")
        self._signs += 1
        self._prev = "sign_after_value" if self._prev == "value" else "sign"


def _scan_call(step: int, src: str) -> _CallScanner:
    scan = _CallScanner(step)
    scan.feed(src)
    return scan


def _check_value(value: Any, step: int, pos: int) -> Any:
    """Allow only JSON-like literals; tuples become lists (the plan language has no tuples)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise PlanSyntaxError(f"argument {pos} is not a finite number", step=step, expected="a finite number")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_check_value(v, step, pos) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise PlanSyntaxError(
                f"argument {pos} is a dict with non-string keys", step=step, expected="string keys, as in JSON"
            )
        return {k: _check_value(v, step, pos) for k, v in value.items()}
    raise PlanSyntaxError(
        f"argument {pos} is a {type(value).__name__}, which plans cannot carry",
        step=step,
        expected="str, int, float, bool, None, list or dict literals",
    )


def _retarget_refs(value: Any, aliases: dict[int, int]) -> Any:
    """`value` with each `$k` of a merged repeat k pointing to the step it repeats."""
    if isinstance(value, str):
        def retarget(m: re.Match[str]) -> str:
            step = int(m.group(1) or m.group(2))
            return f"${aliases.get(step, step)}"

        return REF_RE.sub(retarget, value)
    if isinstance(value, list):
        return [_retarget_refs(v, aliases) for v in value]
    if isinstance(value, dict):
        return {_retarget_refs(k, aliases): _retarget_refs(v, aliases) for k, v in value.items()}
    return value


def _normalise_refs(value: Any) -> tuple[Any, bool]:
    """Rewrite `${k}` to `$k` inside strings; returns (value, changed)."""
    if isinstance(value, str):
        new = REF_RE.sub(lambda m: "$" + (m.group(1) or m.group(2)), value)
        return new, new != value
    if isinstance(value, list):
        pairs = [_normalise_refs(v) for v in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    if isinstance(value, dict):
        changed = False
        out = {}
        for k, v in value.items():
            nv, c = _normalise_refs(v)
            out[k] = nv
            changed |= c
        return out, changed
    return value, False


def parse_call(step: int, src: str) -> tuple[str, tuple[Any, ...], list[str]]:
    """Parse `tool(arg, ...)` into (tool, args, repairs). Raises PlanSyntaxError, nothing else."""
    scan = _scan_call(step, src)
    return _read_call(scan)


def _literal(arg: ast.expr, step: int, pos: int) -> Any:
    try:
        return ast.literal_eval(arg)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise PlanSyntaxError(
            f"argument {pos} is not a literal: {ast.unparse(arg)[:60]!r}", step=step, expected=LITERAL_EXPECTED
        ) from None


def _read_call(scan: _CallScanner) -> tuple[str, tuple[Any, ...], list[str]]:
    """Turn a scanned (so bounded and literal-shaped) call into values with `ast.literal_eval`."""
    step = scan.step
    repairs: list[str] = []
    if scan.head is None or not scan.opened:
        raise PlanSyntaxError(f"cannot read {scan.source.strip()[:60]!r} as a tool call", step=step, expected="`tool(arg, ...)`")
    if not scan.closed:
        raise PlanSyntaxError(f"the call to {scan.head} is not closed", step=step, expected="closing brackets")
    if scan.quoted_refs:
        repairs.append(f"step {step}: quoted bare $-references")
    try:
        node = ast.parse(scan.source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise PlanSyntaxError(
            f"arguments of {scan.head} are not valid literals: {exc.msg}",
            step=step,
            expected="comma-separated Python literals",
        ) from None
    except (ValueError, MemoryError, RecursionError, UnicodeError) as exc:  # defence in depth: the scanner bounds these
        raise PlanSyntaxError(f"arguments of {scan.head} cannot be read: {type(exc).__name__}", step=step) from None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise PlanSyntaxError(f"cannot read {scan.source[:60]!r} as a tool call", step=step, expected="`tool(arg, ...)`")
    if node.keywords:
        names = ", ".join(k.arg or "**" for k in node.keywords)
        raise PlanSyntaxError(
            f"keyword arguments ({names}) are not allowed", step=step, expected="positional arguments only"
        )
    for pos, arg in enumerate(node.args, start=1):
        if isinstance(arg, ast.Starred):
            raise PlanSyntaxError(f"argument {pos} uses *unpacking", step=step, expected="a literal")
    try:  # one literal_eval over all arguments: a call with thousands of them stays fast
        values = ast.literal_eval(ast.List(elts=node.args, ctx=ast.Load()))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        values = [_literal(arg, step, pos) for pos, arg in enumerate(node.args, start=1)]
    args: list[Any] = []
    for pos, value in enumerate(values, start=1):
        value, changed = _normalise_refs(_check_value(value, step, pos))
        if changed:
            repairs.append(f"step {step}: rewrote ${{k}} references as $k")
        args.append(value)
    return node.func.id, tuple(args), repairs


@dataclass
class _State:
    """What the line reader has seen so far; shared by the batch and streaming parsers."""

    tasks: list[Task] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    thought: str | None = None
    join_idx: int | None = None
    after_join: list[int] = field(default_factory=list)
    pending: _CallScanner | None = None  # a step whose brackets are still open
    ended: bool = False  # saw <END_OF_PLAN>
    merge_repeats: bool = False  # model output: a call identical to an earlier one is that call (`_call`)
    seen_calls: dict[str, int] = field(default_factory=dict)  # each call's key -> the step that first made it
    aliases: dict[int, int] = field(default_factory=dict)  # a merged repeat's step -> the step it repeats
    last_repeated: bool = False  # the step before was a merged repeat

    def line(self, raw: str) -> Task | None:
        """Consume one complete line; return the task it completed, if any."""
        if self.ended:
            return None
        if self.pending is not None:
            scan = self.pending
            scan.feed("\n" + raw)  # only the new line is scanned: linear however long the call runs
            if scan.open:
                return None
            self.pending = None
            return self._call(scan)
        text = raw.strip()
        if not text:
            return None
        if text.startswith("```"):
            self.repairs.append("removed a code fence")
            return None
        if self.join_idx is not None:
            m = STEP_RE.match(text)
            if m and CALL_HEAD_RE.match(m.group(2).strip()):
                self.after_join.append(int(m.group(1)))
            return None  # prose after join() is the model rambling on: ignored
        m_thought = THOUGHT_RE.match(text)
        if m_thought:
            check_text(text)
            self.thought = m_thought.group(1).strip()
            return None
        m = STEP_RE.match(text)
        if not m:
            raise PlanSyntaxError(f"line {text[:60]!r} is not a plan step", expected=LINE_EXPECTED)
        scan = _scan_call(int(m.group(1)), m.group(2).strip())
        if scan.open:
            self.pending = scan
            return None
        return self._call(scan)

    def _call(self, scan: _CallScanner) -> Task | None:
        idx = scan.step
        tool, args, repairs = _read_call(scan)
        self.repairs.extend(repairs)
        if tool == JOIN:
            if args:
                raise PlanSyntaxError("join() takes no arguments", step=idx, expected="`join()`")
            self.join_idx = idx
            return None
        if self.aliases:
            args = tuple(_retarget_refs(a, self.aliases) for a in args)
        task = Task(idx=idx, tool=tool, args=args, thought=self.thought)
        key = repr((tool, args))
        first = self.seen_calls.get(key) if self.merge_repeats else None
        if first is not None:
            # A small model sometimes writes a lookup it already wrote (the same person twice, for the event and
            # then the email): the same call gives the same value, so the step is merged into the first and the
            # plan goes on, its later `$k` following. A second repeat in a row is a model looping on its steps
            # (under a grammar, until the token limit): the plan ends there.
            if self.last_repeated:
                self.repairs.append(f"step {idx}: repeats step {first} right after another repeat; ended the plan")
                self.join_idx, self.ended = idx, True
                return None
            self.repairs.append(f"step {idx}: repeats step {first}'s call; merged into it")
            self.aliases[idx], self.last_repeated, self.thought = first, True, None
            return None
        self.seen_calls.setdefault(key, idx)
        self.last_repeated, self.thought = False, None
        self.tasks.append(task)
        return task

    def finish(self) -> Plan:
        if self.pending is not None:
            raise PlanSyntaxError(
                "the plan ends inside an unclosed call", step=self.pending.step, expected="closing brackets and quotes"
            )
        if self.after_join:
            raise PlanValidationError(
                "steps after join()", step=self.after_join[0], expected="join() as the last step"
            )
        if not self.ended:
            self.repairs.append(f"added missing {END_OF_PLAN}")
        if self.join_idx is not None and self.tasks:
            last = max(t.idx for t in self.tasks)
            if self.join_idx != last + 1:
                self.repairs.append(f"renumbered join() from {self.join_idx} to {last + 1}")
        return Plan(tasks=tuple(self.tasks), has_join=self.join_idx is not None, repairs=tuple(self.repairs))


def _too_long(size: int) -> PlanSyntaxError:
    return PlanSyntaxError(
        f"the plan is longer than {MAX_PLAN_CHARS:,} characters (read {size:,})", expected="a shorter plan"
    )


def check_step_order(task: Task, earlier: Container[int]) -> None:
    """`task` has a new step number and refers only to `earlier` steps (the parser's and the executor's rule: a
    task waiting for a later or unknown step would wait forever)."""
    if task.idx in earlier:
        raise PlanValidationError(f"duplicate step number {task.idx}", step=task.idx, expected="unique step numbers")
    for ref in task.deps:
        if ref not in earlier:
            what = "its own step" if ref == task.idx else f"step {ref}, which does not come before it"
            raise PlanValidationError(f"${ref} refers to {what}", step=task.idx, expected="an earlier step")


def check_structure(plan: Plan, *, require_join: bool = True) -> None:
    """Tool-independent checks: unique step numbers, references only to earlier steps, a final join()."""
    seen: dict[int, Task] = {}
    for task in plan.tasks:
        if task.idx in seen:
            raise PlanValidationError(f"duplicate step number {task.idx}", step=task.idx, expected="unique step numbers")
        seen[task.idx] = task
    by_idx = {t.idx: t for t in plan.tasks}
    order = {t.idx: pos for pos, t in enumerate(plan.tasks)}
    for task in plan.tasks:
        for ref in task.deps:
            if ref == task.idx:
                raise PlanValidationError(f"${ref} refers to its own step", step=task.idx, expected="an earlier step")
            if ref not in by_idx:
                raise PlanValidationError(
                    f"${ref} refers to step {ref}, which does not exist", step=task.idx, expected="an earlier step"
                )
            if order[ref] > order[task.idx]:
                if _reaches(by_idx, ref, task.idx):
                    raise PlanValidationError(
                        f"cycle: step {task.idx} needs step {ref}, which needs step {task.idx}",
                        step=task.idx,
                        expected="references to earlier steps only",
                    )
                raise PlanValidationError(
                    f"${ref} refers to a later step", step=task.idx, expected="references to earlier steps only"
                )
    if require_join and not plan.has_join:
        raise PlanValidationError("the plan has no join()", expected="a final `N. join()` step")
    if require_join and not plan.tasks:
        raise PlanValidationError("the plan has no tool calls", expected="at least one step before join()")


def _reaches(by_idx: dict[int, Task], start: int, target: int) -> bool:
    stack, seen = [start], set()
    while stack:
        cur = stack.pop()
        if cur == target:
            return True
        if cur in seen or cur not in by_idx:
            continue
        seen.add(cur)
        stack.extend(by_idx[cur].deps)
    return False


class PlanStreamParser:
    """Incremental parser: `feed()` returns each task as soon as its line is complete.

    This is what lets the executor start the first lookups while the model is still
    writing the rest of the plan (LLMCompiler's main latency win). Each character is
    looked at a bounded number of times, whatever the chunk sizes: the incomplete last
    line is kept as a list of pieces and joined only when a newline or `<END_OF_PLAN>`
    arrives, and a huge chunk is walked with an index rather than re-sliced per line.
    """

    def __init__(self, tools: Toolset | None = None, *, merge_repeats: bool = False) -> None:
        self._state = _State(merge_repeats=merge_repeats)
        self._tail: list[str] = []  # the current, incomplete line
        self._tail_len = 0
        self._suffix = ""  # last characters fed, to find an <END_OF_PLAN> split across chunks
        self._text: list[str] = []
        self._size = 0
        self._tools = tools
        self._earlier: set[int] = set()

    @property
    def text(self) -> str:
        """Everything fed so far."""
        if len(self._text) > 1:
            self._text = ["".join(self._text)]
        return self._text[0] if self._text else ""

    @property
    def done(self) -> bool:
        """True once `join()` or `<END_OF_PLAN>` was read: the model can stop generating."""
        return self._state.ended or self._state.join_idx is not None

    def feed(self, chunk: str) -> list[Task]:
        self._size += len(chunk)
        if self._size > MAX_PLAN_CHARS:
            raise _too_long(self._size)
        self._text.append(chunk)
        out: list[Task] = []
        if self._state.ended or not chunk:
            return out
        keep = len(END_OF_PLAN) - 1
        window = self._suffix + chunk
        self._suffix = window[-keep:]
        if "\n" not in chunk and END_OF_PLAN not in window:
            self._tail.append(chunk)
            self._tail_len += len(chunk)
            if self._tail_len > MAX_STEP_CHARS + keep:
                raise PlanSyntaxError(f"a line is longer than {MAX_STEP_CHARS:,} characters", expected="shorter lines")
            return out
        buf = "".join([*self._tail, chunk])
        self._tail, self._tail_len = [], 0
        pos = 0
        while not self._state.ended:
            nl = buf.find("\n", pos)
            stop = nl if nl != -1 else len(buf)
            cut = buf.find(END_OF_PLAN, pos, stop)
            if cut != -1 and (nl == -1 or cut < nl):
                task = self._state.line(buf[pos:cut])
                self._state.ended = True
            elif nl != -1:
                task = self._state.line(buf[pos:nl])
                pos = nl + 1
            else:
                rest = buf[pos:]
                if rest:
                    self._tail, self._tail_len = [rest], len(rest)
                break
            if task is not None:
                self._check_task(task)
                out.append(task)
        return out

    def _check_task(self, task: Task) -> None:
        earlier = self._earlier
        check_step_order(task, earlier)
        earlier.add(task.idx)
        if self._tools is not None:
            from .validate import validate_task

            validate_task(task, self._tools)

    def close(self, *, require_join: bool = True) -> Plan:
        """Finish parsing (the model stopped) and run the whole-plan checks."""
        if self._tail and not self._state.ended:
            task = self._state.line("".join(self._tail))
            self._tail, self._tail_len = [], 0
            if task is not None:
                self._check_task(task)
        plan = self._state.finish()
        check_structure(plan, require_join=require_join)
        return plan


def parse_plan(
    text: str, tools: Toolset | None = None, *, require_join: bool = True, merge_repeats: bool = False
) -> Plan:
    """Parse a whole plan. With `tools`, also check tool names and argument counts/types.

    `merge_repeats` (used on model output) merges a call identical to an earlier one into it, later
    references following, and ends the plan at a second repeat in a row: small models under a grammar
    can loop on one step until the token limit.
    Raises `PlanError` and nothing else, in time linear in `len(text)`.
    """
    if len(text) > MAX_PLAN_CHARS:
        raise _too_long(len(text))
    state = _State(merge_repeats=merge_repeats)
    body, sep, _ = text.partition(END_OF_PLAN)
    for line in body.split("\n"):
        state.line(line)
    state.ended = state.ended or bool(sep)
    plan = state.finish()
    check_structure(plan, require_join=require_join)
    if tools is not None:
        from .validate import validate_plan

        validate_plan(plan, tools)
    return plan
