"""Tool definitions: the `@tool` decorator, JSON-schema tools, and toolsets."""

from .base import Param, Tool, ToolArgumentError, ToolError, Toolset, tool, tool_from_json_schema, type_name

__all__ = ["Param", "Tool", "ToolArgumentError", "ToolError", "Toolset", "tool", "tool_from_json_schema", "type_name"]
