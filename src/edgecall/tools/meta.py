"""What a tool's parameters and result *mean*, declared on the tool itself, beyond their Python types.

Evaluation (how to compare an argument), the dataset checks (what must the user have said, which result may feed
which parameter) and anything else that reasons about plans read these facts from the `Toolset`, so they hold for
any toolset, including custom and JSON-schema tools, and can never disagree with the tools.

Declare them with `typing.Annotated` on the signature that `@tool` already reads::

    @tool
    def get_email_address(name: Annotated[str, Arg(ArgKind.NAME)]) -> Annotated[str, Returns("email")]: ...

    @tool
    def send_email(to: Annotated[list[str], Arg(accepts={"email"}, entity=True)], body: Annotated[str, Arg(ArgKind.TEXT)]): ...

JSON-schema tools carry the same facts in an ``"x-edgecall"`` object: per property ``{"kind": "name",
"accepts": ["email"], "entity": true}``, and on the function ``{"returns": "email"}``.

Value kinds (`Returns.kind`, `Arg.accepts`) are free strings chosen by the toolset; the assistant uses
``email``, ``phone``, ``path``, ``text``, ``link`` and ``status``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["Arg", "ArgKind", "Returns"]


class ArgKind(str, Enum):
    """How evaluation compares an argument with the gold plan's."""

    EXACT = "exact"
    """Dates, numbers, flags, codes, addresses, paths, references: equal after stripping whitespace."""
    NAME = "name"
    """Names of contacts, places, files, notes, folders, lists: case-, accent- and whitespace-insensitive."""
    TEXT = "text"
    """Free text written by the planner (messages, titles, content): scored by token F1, not required to match."""


@dataclass(frozen=True, init=False)
class Arg:
    """`Annotated` metadata for one parameter.

    Attributes:
        kind: how evaluation compares it (default `ArgKind.EXACT`).
        accepts: the value kinds a `$k` reference may feed into it; empty means literal values only (checked only
            for tools that declare `Returns`).
        entity: a literal value must appear in the user's request (a name, file, place, address); default: true
            exactly for `ArgKind.NAME`.
    """

    kind: ArgKind
    accepts: frozenset[str]
    entity: bool

    def __init__(
        self, kind: ArgKind | str = ArgKind.EXACT, *, accepts: Iterable[str] = (), entity: bool | None = None
    ) -> None:
        kind = ArgKind(kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "accepts", frozenset(accepts))
        object.__setattr__(self, "entity", kind is ArgKind.NAME if entity is None else entity)

    def to_json(self) -> dict[str, Any]:
        """The ``"x-edgecall"`` object of a JSON-schema property (only what differs from the default)."""
        out: dict[str, Any] = {}
        if self.kind is not ArgKind.EXACT:
            out["kind"] = self.kind.value
        if self.accepts:
            out["accepts"] = sorted(self.accepts)
        if self.entity != (self.kind is ArgKind.NAME):
            out["entity"] = self.entity
        return out

    @classmethod
    def from_json(cls, data: Any) -> Arg:
        if not isinstance(data, dict):
            raise ValueError(f"'x-edgecall' must be an object, got {data!r}")
        unknown = set(data) - {"kind", "accepts", "entity"}
        if unknown:
            raise ValueError(f"unknown 'x-edgecall' key(s) {sorted(unknown)}; expected kind, accepts, entity")
        try:
            kind = ArgKind(data.get("kind", "exact"))
        except ValueError:
            raise ValueError(f"'x-edgecall' kind must be exact, name or text, got {data.get('kind')!r}") from None
        accepts = data.get("accepts", [])
        if not isinstance(accepts, list) or not all(isinstance(a, str) for a in accepts):
            raise ValueError(f"'x-edgecall' accepts must be a list of strings, got {accepts!r}")
        entity = data.get("entity")
        if entity is not None and not isinstance(entity, bool):
            raise ValueError(f"'x-edgecall' entity must be true or false, got {entity!r}")
        return cls(kind, accepts=accepts, entity=entity)


DEFAULT_ARG = Arg()


@dataclass(frozen=True)
class Returns:
    """`Annotated` metadata on a tool's return type: the kind of value it produces (``"email"``, ``"status"``...).

    A tool that declares it takes part in the reference-kind check of the dataset checks: its result may feed only
    parameters that accept this kind, and its own parameters accept only what their `Arg.accepts` lists.
    """

    kind: str = field(default="status")
