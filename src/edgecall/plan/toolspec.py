"""What the plan language needs to know about tools, as Protocols.

`edgecall.tools.Toolset` satisfies them; the plan package stays below tools/ (tools/ reads the plan's `$k`
references), so neither imports the other in a cycle, not even for type checking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["ToolLike", "ToolsetLike"]


class ToolLike(Protocol):
    @property
    def params(self) -> Sequence[Any]: ...

    def signature(self) -> str: ...

    def static_arg_problem(self, args: Sequence[Any]) -> str | None: ...


class ToolsetLike(Protocol):
    def __contains__(self, name: object) -> bool: ...

    def __getitem__(self, name: str) -> ToolLike: ...

    def names(self) -> list[str]: ...
