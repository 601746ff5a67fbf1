"""Toolsets the data commands work with: the assistant's 16 tools, or any tools from a JSON-schema file."""

from __future__ import annotations

import json
from pathlib import Path

from edgecall.errors import ToolsetError
from edgecall.tools import Toolset, tool_from_json_schema


def load_toolset(spec: str) -> Toolset:
    """"assistant" for the 16 assistant tools, else a JSON file: a list of OpenAI function schemas
    (``{"type": "function", "function": {...}}`` or the bare ``{"name", "description", "parameters"}``)."""
    if spec == "assistant":
        from edgecall.assistant.tools import assistant_toolset

        return assistant_toolset()
    path = Path(spec)
    if not path.is_file():
        raise ToolsetError(f"{spec}: not 'assistant' and not a file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ToolsetError(f"{path}: cannot read tool schemas: {exc}") from None
    if isinstance(data, dict) and "tools" in data:
        data = data["tools"]
    if not isinstance(data, list) or not data:
        raise ToolsetError(f"{path}: expected a non-empty JSON list of function schemas")
    tools = []
    for i, item in enumerate(data):
        try:
            tools.append(tool_from_json_schema(item))
        except Exception as exc:
            raise ToolsetError(f"{path}: schema #{i + 1} is not a valid function schema: {exc}") from None
    return Toolset(tools)
