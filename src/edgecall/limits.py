"""Size caps on text that comes from outside (store files, tool results, model output), in one place.

A 10 MB note once became 31 MB of `--json` output and 30 s of terminal printing, and `"$1"`
repeated in an argument built a 300 MB string. Values keep their full size where a tool
needs them (an exact `"$k"` reference passes the value as is; attachments are paths); what
is interpolated into text, shown, returned as JSON or put into a prompt is cut, with a
visible marker saying how big the whole was.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_INTERPOLATED_CHARS",
    "MAX_OBSERVATION_CHARS",
    "MAX_RESULT_CHARS",
    "cap_value",
    "truncate",
]

MAX_INTERPOLATED_CHARS = 20_000
"""One `$k` written inside longer text (and the whole text it builds)."""
MAX_RESULT_CHARS = 64_000
"""One tool result in `--json` output, events and the server's responses."""
MAX_ANSWER_CHARS = 8_000
"""The answer shown to the user."""
MAX_OBSERVATION_CHARS = 2_000
"""One step's outcome in a joiner or replanner prompt (a small model's context is a few thousand tokens)."""


def truncate(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and a marker "… [truncated, N bytes]" (N: the whole, UTF-8)."""
    if len(text) <= limit:
        return text
    size = len(text.encode("utf-8", errors="surrogatepass"))
    return f"{text[:limit]}… [truncated, {size:,} bytes]"


def cap_value(value: Any, limit: int = MAX_RESULT_CHARS) -> Any:
    """`value` with every string in it (inside lists and dicts too) cut to `limit` characters."""
    if isinstance(value, str):
        return truncate(value, limit)
    if isinstance(value, list | tuple):
        return [cap_value(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: cap_value(v, limit) for k, v in value.items()}
    return value
