"""Fixtures: a fresh demo profile per test (real files in tmp_path) and a tool caller."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edgecall.assistant import AssistantConfig, Store, assistant_toolset
from edgecall.assistant.demo import init_demo
from edgecall.tools import Toolset


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "data"
    init_demo(root)
    return root


@pytest.fixture
def demo_dir(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo profile (creating PDFs once per session keeps tests fast)."""
    return Path(shutil.copytree(demo_template, tmp_path / "data"))


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
