"""The example bank: solved requests from the synthetic generator that retrieval shows the planner.

It is built here, in the data layer, and handed to `edgecall.retrieval.ExampleRetriever` by the wiring (app.py), so
retrieval never runs the generator. The bank comes from the same generator as the training data (seen templates
only, its own seed), so held-out test templates stay unseen by retrieval too.

Building 4000 examples takes seconds, so the bank is cached as JSONL in the cache dir (`edgecall.paths.cache_dir`).
The file name carries a hash of what the bank is made from (the generator's source, the toolset's schemas, seed and
size), so changing the generator or a tool builds a new bank instead of reading a stale one.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from edgecall.dataset import Example, load_rows, row_now, write_rows
from edgecall.paths import cache_dir
from edgecall.tools import Toolset

__all__ = ["bank_key", "bank_path", "build_bank", "example_bank"]

DEFAULT_SIZE = 4000
GENERATOR_SEED_OFFSET = 1000  # the bank's generator seed differs from any training split's


def bank_key(tools: Toolset, *, seed: int, size: int) -> str:
    """A short hash of everything the bank's content depends on."""
    h = hashlib.sha256(f"seed={seed} size={size}\n".encode())
    here = Path(__file__).parent
    for source in sorted(here.glob("*.py")) + [here.parent / "dataset.py"]:
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    h.update(json.dumps([t.json_schema() for t in tools], sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def bank_path(tools: Toolset, *, seed: int = 0, size: int = DEFAULT_SIZE, root: Path | None = None) -> Path:
    return (root or cache_dir()) / f"example-bank-{bank_key(tools, seed=seed, size=size)}.jsonl"


def build_bank(tools: Toolset, *, seed: int = 0, size: int = DEFAULT_SIZE) -> list[Example]:
    """Generate the bank (no cache)."""
    from .generate import generate_splits

    report = generate_splits(tools, seed=seed + GENERATOR_SEED_OFFSET,
                             sizes={"train": size, "val": 0, "test": 0, "test_heldout": 0})
    return [Example(r["query"], r["plan"], row_now(r)) for r in report.rows["train"]]


def example_bank(tools: Toolset, *, seed: int = 0, size: int = DEFAULT_SIZE, root: Path | None = None) -> list[Example]:
    """The bank for `tools`, read from the cache, or built and cached on first use (atomically, so concurrent
    first runs never read half a file)."""
    path = bank_path(tools, seed=seed, size=size, root=root)
    if path.is_file():
        return [Example(r["query"], r["plan"], row_now(r)) for r in load_rows(path)]
    bank = build_bank(tools, seed=seed, size=size)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    write_rows(tmp, (ex.to_row() for ex in bank))
    tmp.replace(path)
    return bank
