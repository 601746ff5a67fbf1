"""Tools: plain Python functions with type hints and a docstring, made callable by a plan.

One `Tool` object carries everything each consumer needs from the same source of truth:
the planner prompt line, the GBNF grammar's argument types, an OpenAI-style JSON schema
for remote models, and pydantic validation of the arguments a plan passes at run time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import enum
import functools
import inspect
import operator
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import ToolArgumentError as ToolArgumentError
from ..errors import ToolError as ToolError
from ..plan.model import exact_ref, find_refs
from .cancel import current_scope
from .meta import DEFAULT_ARG, Arg, ArgKind, Returns


@dataclass(frozen=True)
class Param:
    """One positional parameter: its plain type (no `Annotated`), its docstring line and what it means (`Arg`)."""

    name: str
    annotation: Any
    description: str = ""
    meta: Arg = DEFAULT_ARG

    @property
    def kind(self) -> ArgKind:
        return self.meta.kind

    @property
    def accepts(self) -> frozenset[str]:
        return self.meta.accepts

    @property
    def entity(self) -> bool:
        return self.meta.entity


def _split_annotated(annotation: Any, marker: type) -> tuple[Any, Any]:
    """(`annotation` without `Annotated`, its first metadata item of type `marker` or None)."""
    if typing.get_origin(annotation) is typing.Annotated:
        found = next((m for m in annotation.__metadata__ if isinstance(m, marker)), None)
        return annotation.__origin__, found
    return annotation, None


def type_name(annotation: Any) -> str:
    """`list[str]`, `int | None`, ... as a planner-friendly string."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return "Any"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _is_list_type(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (list, Sequence, typing.Sequence) or annotation is list


def _has_enum(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return True
    return any(_has_enum(a) for a in typing.get_args(annotation))


def _split_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Google-style docstring -> (description without the Args block, {param: description})."""
    doc = inspect.cleandoc(doc or "")
    lines = doc.splitlines()
    desc: list[str] = []
    params: dict[str, str] = {}
    current: str | None = None
    in_args = False
    for line in lines:
        stripped = line.strip()
        if re.match(r"^(Args|Arguments|Parameters)\s*:\s*$", stripped):
            in_args = True
            continue
        if in_args:
            if re.match(r"^[A-Z][A-Za-z ]*:\s*$", stripped) or (line and not line.startswith((" ", "\t"))):
                in_args = False
            else:
                m = re.match(r"^(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$", stripped)
                if m:
                    current = m.group(1)
                    params[current] = m.group(2)
                elif current and stripped:
                    params[current] += " " + stripped
                continue
        desc.append(line)
    return "\n".join(desc).strip(), params


class Tool:
    """A callable the planner can use: name, positional signature, description, validation."""

    def __init__(
        self,
        fn: Callable[..., Any] | None,
        *,
        name: str,
        description: str,
        params: Sequence[Param],
        returns: Any = str,
        irreversible: Callable[..., str | None] | None = None,
        produces: str | None = None,
    ) -> None:
        self.fn = fn
        self.irreversible = irreversible
        self.name = name
        self.description = description
        self.params = list(params)
        self.returns = returns
        self.produces = produces
        """The kind of value the tool returns (`Returns`), or None when the tool does not say."""
        self.is_async = fn is not None and inspect.iscoroutinefunction(fn)
        self._adapters = [TypeAdapter(p.annotation if p.annotation is not inspect.Parameter.empty else Any) for p in self.params]

    def __repr__(self) -> str:
        return f"Tool({self.signature()})"

    def signature(self) -> str:
        args = ", ".join(f"{p.name}: {type_name(p.annotation)}" for p in self.params)
        return f"{self.name}({args}) -> {type_name(self.returns)}"

    def prompt_description(self) -> str:
        """The tool as the planner prompt shows it: signature, then the docstring as bullet lines."""
        lines = [self.signature()]
        for line in self.description.splitlines():
            if line.strip():
                lines.append(f" - {line.strip()}")
        for p in self.params:
            if p.description:
                lines.append(f" - {p.name}: {p.description}")
        return "\n".join(lines)

    def json_schema(self) -> dict[str, Any]:
        """OpenAI-style function schema (for remote models and the JSON toolset format)."""
        props: dict[str, Any] = {}
        for p, adapter in zip(self.params, self._adapters):
            schema = adapter.json_schema()
            if p.description:
                schema["description"] = p.description
            if p.meta.to_json():
                schema["x-edgecall"] = p.meta.to_json()
            props[p.name] = schema
        function: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "parameters": {"type": "object", "properties": props, "required": [p.name for p in self.params]},
        }
        if self.produces is not None:
            function["x-edgecall"] = {"returns": self.produces}
        return {"type": "function", "function": function}

    def static_arg_problem(self, args: Sequence[Any]) -> str | None:
        """Type-check a plan's literal arguments before anything runs; `$k` stands for any type.

        Strict: a plan that passes "3" where an int belongs is wrong, even though run-time
        validation would coerce it, because the dataset and grammar must teach the right form.
        """
        for pos, (p, adapter, value) in enumerate(zip(self.params, self._adapters, args), start=1):
            if exact_ref(value) is not None:
                continue
            if isinstance(value, str) and find_refs(value) and not _is_list_type(p.annotation):
                try:
                    adapter.validate_python("text", strict=True)
                    continue
                except ValidationError:
                    return f"argument {pos} ({p.name}) interpolates a result into text but must be {type_name(p.annotation)}"
            try:
                # enums are written as their values ("red"), which strict mode would refuse
                adapter.validate_python(value, strict=not _has_enum(p.annotation))
            except ValidationError:
                return f"argument {pos} ({p.name}) must be {type_name(p.annotation)}, got {type(value).__name__} {value!r:.60}"
        return None

    def check_args(self, args: Sequence[Any]) -> list[Any]:
        """Validate and coerce run-time argument values (references already substituted).

        A single value given for a list parameter becomes a one-item list: a plan that
        passes `"$1"` (one email address) as `recipients` means "this one recipient".
        """
        if len(args) != len(self.params):
            raise ToolArgumentError(f"{self.name} takes {len(self.params)} argument(s), got {len(args)}: {self.signature()}")
        out: list[Any] = []
        for p, adapter, value in zip(self.params, self._adapters, args):
            if _is_list_type(p.annotation) and value is not None and not isinstance(value, (list, tuple)):
                value = [value]
            try:
                out.append(adapter.validate_python(value))
            except ValidationError as exc:
                msg = exc.errors()[0].get("msg", str(exc))
                raise ToolArgumentError(
                    f"{self.name}: argument {p.name} must be {type_name(p.annotation)} ({msg}; got {value!r:.80})"
                ) from None
        return out

    def irreversible_act(self, args: Sequence[Any]) -> str | None:
        """What this call would do that cannot be undone, in words, or None for an undoable call.

        The tool declares it (``@tool(irreversible=fn)``, ``fn`` taking the validated
        arguments) because only the tool knows its configuration: `send_sms` is a local
        outbox entry until an ``sms_command`` is configured. Arguments that do not validate
        count as undoable: the call will fail before it acts.
        """
        if self.irreversible is None:
            return None
        try:
            values = self.check_args(args)
        except ToolArgumentError:
            return None
        return self.irreversible(*values)

    async def acall(self, args: Sequence[Any], *, pool: concurrent.futures.Executor | None = None) -> Any:
        """Validate, then call; sync functions run in a worker thread (of `pool`) so they can overlap.

        Inside the executor the call has a `CallScope` (see `edgecall.tools.cancel`); it is
        marked started only when the function really starts, so time spent queueing for a
        worker thread never counts against the task's timeout.
        """
        if self.fn is None:
            raise ToolError(f"tool {self.name} has no implementation in this process")
        values = self.check_args(args)
        scope = current_scope()
        if self.is_async:
            if scope is not None:
                scope.start()
            return await self.fn(*values)
        ctx = contextvars.copy_context()  # the scope travels into the worker thread
        return await asyncio.get_running_loop().run_in_executor(pool, ctx.run, self._run_sync, values)

    def _run_sync(self, values: list[Any]) -> Any:
        scope = current_scope()
        assert self.fn is not None
        if scope is None:
            return self.fn(*values)
        scope.start()
        try:
            scope.check(f"running {self.name}")
            value = self.fn(*values)
        except Exception as exc:
            scope.finish(f"failed later: {exc}")
            raise
        scope.finish(f"finished later: {value!s:.200}")
        return value


@typing.overload
def tool(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    description: str | None = None,
    irreversible: Callable[..., str | None] | None = None,
) -> Tool: ...


@typing.overload
def tool(
    fn: None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    irreversible: Callable[..., str | None] | None = None,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    irreversible: Callable[..., str | None] | None = None,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Decorator: `@tool` or `@tool(name=...)` turns a typed, documented function into a `Tool`.

    `irreversible`, given the call's arguments, says in words what the call would do that
    cannot be undone (or None); the executor asks for consent first (see `Tool.irreversible_act`).
    """

    def make(f: Callable[..., Any]) -> Tool:
        hints = typing.get_type_hints(f, include_extras=True)
        desc, param_docs = _split_docstring(f.__doc__ or "")
        params: list[Param] = []
        for p in inspect.signature(f).parameters.values():
            if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                raise TypeError(f"tool {f.__name__}: parameter {p.name} must be positional")
            annotation, meta = _split_annotated(hints.get(p.name, Any), Arg)
            params.append(Param(p.name, annotation, param_docs.get(p.name, ""), meta or DEFAULT_ARG))
        returns, produced = _split_annotated(hints.get("return", Any), Returns)
        return Tool(
            f,
            name=name or f.__name__,
            description=description if description is not None else desc,
            params=params,
            returns=returns,
            produces=produced.kind if produced is not None else None,
            irreversible=irreversible,
        )

    return make(fn) if fn is not None else make


_JSON_TYPES: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "null": type(None)}


def _annotation_from_schema(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        parts = [_annotation_from_schema({**schema, "type": k}) for k in kind]
        return functools.reduce(operator.or_, parts)
    if kind == "array":
        return list[_annotation_from_schema(schema.get("items", {}))]  # type: ignore[misc]
    if kind == "object":
        return dict[str, Any]
    if kind in _JSON_TYPES:
        return _JSON_TYPES[kind]
    return Any


def tool_from_json_schema(schema: dict[str, Any], fn: Callable[..., Any] | None = None) -> Tool:
    """Build a tool from an OpenAI function schema (`{"type": "function", "function": {...}}` or the inner dict).

    Parameter order is the order of `properties`, since plans pass arguments by position.
    """
    spec = schema.get("function", schema)
    if "name" not in spec:
        raise ValueError("tool schema has no 'name'")
    props = (spec.get("parameters") or {}).get("properties") or {}
    params = []
    for pname, pschema in props.items():
        try:
            meta = Arg.from_json(pschema["x-edgecall"]) if "x-edgecall" in pschema else DEFAULT_ARG
        except ValueError as exc:
            raise ValueError(f"parameter {pname!r}: {exc}") from None
        params.append(Param(pname, _annotation_from_schema(pschema), str(pschema.get("description", "")), meta))
    ext = spec.get("x-edgecall") or {}
    produces = ext.get("returns") if isinstance(ext, dict) else None
    if produces is not None and not isinstance(produces, str):
        raise ValueError(f"'x-edgecall' returns must be a string, got {produces!r}")
    return Tool(fn, name=spec["name"], description=str(spec.get("description", "")), params=params, returns=str,
                produces=produces)


class Toolset:
    """An ordered, name-indexed collection of tools; the unit planners and executors receive."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools:
            if t.name in self._tools:
                raise ValueError(f"duplicate tool name {t.name!r}")
            self._tools[t.name] = t

    def __getitem__(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise ToolError(f"unknown tool {name!r}; available: {', '.join(self._tools)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def names(self) -> list[str]:
        return list(self._tools)

    def subset(self, names: Iterable[str]) -> Toolset:
        """The named tools, in this toolset's order (so prompts stay stable across requests)."""
        wanted = set(names)
        return Toolset(t for t in self if t.name in wanted)
