"""Fixtures: a fresh demo profile per test (real files in tmp_path) and a tool caller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edgecall.assistant import AssistantConfig, Store, assistant_toolset
from edgecall.assistant.demo import init_demo
from edgecall.tools import Toolset


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    init_demo(root)
    return root


@pytest.fixture
def store(demo_dir: Path) -> Store:
    return Store(demo_dir)


@pytest.fixture
def tools(store: Store) -> Toolset:
    return assistant_toolset(store=store)


@pytest.fixture
def call() -> Callable[..., Any]:
    """Call a tool the way the executor does (validation, then a worker thread)."""

    def _call(tools: Toolset, name: str, *args: Any) -> Any:
        return asyncio.run(tools[name].acall(list(args)))

    return _call


@pytest.fixture
def toolset_for() -> Callable[..., Toolset]:
    """Tools on a given data dir with config overrides (file roots, Zoom, SMS command...)."""

    def _make(root: Path, **config: Any) -> Toolset:
        cfg = AssistantConfig(data_dir=root, **config)
        return assistant_toolset(store=Store(root, config=cfg), config=cfg)

    return _make
