"""Tool definitions: the `@tool` decorator, JSON-schema tools, toolsets, and the metadata tools declare about
their parameters and results (`Arg`, `ArgKind`, `Returns`)."""

from .base import Param, Tool, ToolArgumentError, ToolError, Toolset, tool, tool_from_json_schema, type_name
from .meta import Arg, ArgKind, Returns

__all__ = [
    "Arg",
    "ArgKind",
    "Param",
    "Returns",
    "Tool",
    "ToolArgumentError",
    "ToolError",
    "Toolset",
    "tool",
    "tool_from_json_schema",
    "type_name",
]
