"""Reading plan text, all at once or as it streams from the model.

Arguments are read with `ast` and `ast.literal_eval` on the call's argument nodes: model
output is data, never code. Harmless drift that small models produce (a missing
`<END_OF_PLAN>`, `${1}`, unquoted `$1`, code fences, a renumbered `join()`) is repaired and
reported in `Plan.repairs`; anything that changes meaning is a `PlanError`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import PlanSyntaxError, PlanValidationError
from .model import END_OF_PLAN, JOIN, REF_RE, Plan, Task

if TYPE_CHECKING:
    from ..tools import Toolset

STEP_RE = re.compile(r"^\s*(\d+)\s*[.:)]\s*(.*?)\s*$", re.DOTALL)
CALL_HEAD_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(")
THOUGHT_RE = re.compile(r"^\s*Thought\s*:\s*(.*?)\s*$", re.DOTALL | re.IGNORECASE)
BARE_REF_RE = re.compile(r"\$\{?(\d+)\}?")
LINE_EXPECTED = "`N. tool(arg, ...)`, `Thought: ...` or `N. join()`"


def _quote_bare_refs(src: str) -> tuple[str, bool]:
    """Wrap `$k`/`${k}` written outside any string literal in quotes, so `send_sms([$1], "hi")` reads."""
    out: list[str] = []
    quote: str | None = None
    changed = False
    i = 0
    while i < len(src):
        ch = src[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(src):
                out.append(src[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch == "$":
            m = BARE_REF_RE.match(src, i)
            if m:
                out.append(f'"${m.group(1)}"')
                changed = True
                i = m.end()
                continue
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out), changed


def _is_unclosed(src: str) -> bool:
    """True when `src` is a call whose brackets are still open: more lines will complete it."""
    try:
        ast.parse(src, mode="eval")
    except SyntaxError as exc:
        return "was never closed" in str(exc.msg) or "unexpected EOF" in str(exc.msg)
    return False


def _check_value(value: Any, step: int, pos: int) -> Any:
    """Allow only JSON-like literals; tuples become lists (the plan language has no tuples)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_check_value(v, step, pos) for v in value]
    if isinstance(value, dict):
        return {_check_value(k, step, pos): _check_value(v, step, pos) for k, v in value.items()}
    raise PlanSyntaxError(
        f"argument {pos} is a {type(value).__name__}, which plans cannot carry",
        step=step,
        expected="str, int, float, bool, None, list or dict literals",
    )


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
    """Parse `tool(arg, ...)` into (tool, args, repairs). Raises PlanSyntaxError."""
    repairs: list[str] = []
    head = CALL_HEAD_RE.match(src)
    if not head:
        raise PlanSyntaxError(f"cannot read {src[:60]!r} as a tool call", step=step, expected="`tool(arg, ...)`")
    fixed, changed = _quote_bare_refs(src)
    if changed:
        repairs.append(f"step {step}: quoted bare $-references")
    try:
        node = ast.parse(fixed, mode="eval").body
    except SyntaxError as exc:
        raise PlanSyntaxError(
            f"arguments of {head.group(1)} are not valid literals: {exc.msg}",
            step=step,
            expected="comma-separated Python literals",
        ) from None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise PlanSyntaxError(f"cannot read {src[:60]!r} as a tool call", step=step, expected="`tool(arg, ...)`")
    if node.keywords:
        names = ", ".join(k.arg or "**" for k in node.keywords)
        raise PlanSyntaxError(
            f"keyword arguments ({names}) are not allowed", step=step, expected="positional arguments only"
        )
    args: list[Any] = []
    for pos, arg in enumerate(node.args, start=1):
        if isinstance(arg, ast.Starred):
            raise PlanSyntaxError(f"argument {pos} uses *unpacking", step=step, expected="a literal")
        try:
            value = ast.literal_eval(arg)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise PlanSyntaxError(
                f"argument {pos} is not a literal: {ast.unparse(arg)[:60]!r}",
                step=step,
                expected='a quoted string, number, True/False/None, list or dict (use "$k" for results)',
            ) from None
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
    pending: str = ""  # a step whose brackets are still open
    ended: bool = False  # saw <END_OF_PLAN>
    stop_on_repeat: bool = False  # end the plan at a call identical to an earlier one (a model stuck in a loop)

    def line(self, raw: str) -> Task | None:
        """Consume one complete line; return the task it completed, if any."""
        if self.ended:
            return None
        if self.pending:
            raw = self.pending + "\n" + raw
            self.pending = ""
        text = raw.strip()
        if not text:
            return None
        if text.startswith("```"):
            self.repairs.append("removed a code fence")
            return None
        if self.join_idx is not None:
            m = STEP_RE.match(text)
            if m and CALL_HEAD_RE.match(m.group(2)):
                self.after_join.append(int(m.group(1)))
            return None  # prose after join() is the model rambling on: ignored
        m_thought = THOUGHT_RE.match(text)
        if m_thought:
            self.thought = m_thought.group(1)
            return None
        m = STEP_RE.match(text)
        if not m:
            raise PlanSyntaxError(f"line {text[:60]!r} is not a plan step", expected=LINE_EXPECTED)
        idx, call = int(m.group(1)), m.group(2)
        if _is_unclosed(_quote_bare_refs(call)[0]):
            self.pending = raw
            return None
        tool, args, repairs = parse_call(idx, call)
        self.repairs.extend(repairs)
        if tool == JOIN:
            if args:
                raise PlanSyntaxError("join() takes no arguments", step=idx, expected="`join()`")
            self.join_idx = idx
            return None
        task = Task(idx=idx, tool=tool, args=args, thought=self.thought)
        if self.stop_on_repeat and any(t.tool == tool and t.args == args for t in self.tasks):
            self.repairs.append(f"step {idx}: repeats an earlier identical call; ended the plan there")
            self.join_idx, self.ended = idx, True
            return None
        self.thought = None
        self.tasks.append(task)
        return task

    def finish(self) -> Plan:
        if self.pending:
            raise PlanSyntaxError("the plan ends inside an unclosed call", expected="closing brackets and quotes")
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
    writing the rest of the plan (LLMCompiler's main latency win).
    """

    def __init__(self, tools: Toolset | None = None, *, stop_on_repeat: bool = False) -> None:
        self._state = _State(stop_on_repeat=stop_on_repeat)
        self._buffer = ""
        self._tools = tools
        self.text = ""

    @property
    def done(self) -> bool:
        """True once `join()` or `<END_OF_PLAN>` was read: the model can stop generating."""
        return self._state.ended or self._state.join_idx is not None

    def feed(self, chunk: str) -> list[Task]:
        self.text += chunk
        self._buffer += chunk
        out: list[Task] = []
        while not self._state.ended:
            cut = self._buffer.find(END_OF_PLAN)
            nl = self._buffer.find("\n")
            if cut != -1 and (nl == -1 or cut < nl):
                line, self._buffer = self._buffer[:cut], ""
                task = self._state.line(line)
                self._state.ended = True
            elif nl != -1:
                line, self._buffer = self._buffer[:nl], self._buffer[nl + 1 :]
                task = self._state.line(line)
            else:
                break
            if task is not None:
                self._check_task(task)
                out.append(task)
        return out

    def _check_task(self, task: Task) -> None:
        earlier = {t.idx for t in self._state.tasks[:-1]}
        if task.idx in earlier:
            raise PlanValidationError(f"duplicate step number {task.idx}", step=task.idx, expected="unique step numbers")
        for ref in task.deps:
            if ref not in earlier:
                what = "its own step" if ref == task.idx else f"step {ref}, which does not come before it"
                raise PlanValidationError(f"${ref} refers to {what}", step=task.idx, expected="an earlier step")
        if self._tools is not None:
            from .validate import validate_task

            validate_task(task, self._tools)

    def close(self, *, require_join: bool = True) -> Plan:
        """Finish parsing (the model stopped) and run the whole-plan checks."""
        if self._buffer and not self._state.ended:
            task = self._state.line(self._buffer)
            self._buffer = ""
            if task is not None:
                self._check_task(task)
        plan = self._state.finish()
        check_structure(plan, require_join=require_join)
        return plan


def parse_plan(
    text: str, tools: Toolset | None = None, *, require_join: bool = True, stop_on_repeat: bool = False
) -> Plan:
    """Parse a whole plan. With `tools`, also check tool names and argument counts/types.

    `stop_on_repeat` (used on model output) ends the plan at the first call identical to an
    earlier one: small models under a grammar can loop on one step until the token limit.
    """
    state = _State(stop_on_repeat=stop_on_repeat)
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
