"""The example bank: valid, deterministic, cached in the cache dir under a content hash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgecall.assistant.tools import assistant_toolset
from edgecall.data import bank as bank_mod
from edgecall.data.bank import bank_key, bank_path, example_bank
from edgecall.plan import parse_plan
from edgecall.tools import Toolset


@pytest.fixture(scope="module")
def tools() -> Toolset:
    return assistant_toolset()


def test_bank_is_valid_and_read_back_identically(tools: Toolset) -> None:
    bank = example_bank(tools)
    assert len(bank) == 4000
    assert len({e.query for e in bank}) == len(bank)
    for ex in bank[:500]:
        parse_plan(ex.plan, tools)
    assert bank_path(tools).is_file()
    assert example_bank(tools) == bank  # cached file read back identically (queries, plans and dates)


def test_bank_lives_in_the_configured_cache_dir(tools: Toolset) -> None:
    assert Path(os.environ["EDGECALL_CACHE_DIR"]) in bank_path(tools).parents  # conftest: never the real ~/.cache
    assert bank_path(tools, root=Path("/x")).parent == Path("/x")


def test_key_changes_with_the_tools_seed_size_and_generator(tools: Toolset, monkeypatch, tmp_path) -> None:
    key = bank_key(tools, seed=0, size=4000)
    assert bank_key(tools, seed=0, size=4000) == key
    assert bank_key(tools.subset(tools.names()[:-1]), seed=0, size=4000) != key
    assert bank_key(tools, seed=1, size=4000) != key
    assert bank_key(tools, seed=0, size=10) != key
    # a changed generator source gives a new key: copy the data package's sources and edit one
    fake = tmp_path / "data"
    fake.mkdir()
    for src in Path(bank_mod.__file__).parent.glob("*.py"):
        (fake / src.name).write_bytes(src.read_bytes())
    (tmp_path / "dataset.py").write_bytes((Path(bank_mod.__file__).parent.parent / "dataset.py").read_bytes())
    monkeypatch.setattr(bank_mod, "__file__", str(fake / "bank.py"))
    assert bank_key(tools, seed=0, size=4000) == key
    (fake / "scenarios.py").write_text((fake / "scenarios.py").read_text() + "\n# changed\n")
    assert bank_key(tools, seed=0, size=4000) != key


def test_stale_bank_is_not_read(tools: Toolset, tmp_path: Path) -> None:
    """A cached bank of another key (an older generator) is ignored; a fresh one is built next to it."""
    small = example_bank(tools, size=20, root=tmp_path)
    assert len(small) == 20 and len(list(tmp_path.glob("example-bank-*.jsonl"))) == 1
    stale = tmp_path / "example-bank-0000000000000000.jsonl"
    stale.write_text('{"query": "stale", "plan": "1. join()"}\n')
    assert example_bank(tools, size=20, root=tmp_path) == small
