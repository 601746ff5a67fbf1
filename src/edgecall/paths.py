"""Where edgecall keeps files it can rebuild (assembled models, the example bank): one cache directory.

`EDGECALL_CACHE_DIR` overrides the XDG cache dir (``~/.cache/edgecall``); the test suite points it at pytest's own
cache so tests never write into the real one.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """`$EDGECALL_CACHE_DIR`, else the XDG cache dir for edgecall (not created here)."""
    return Path(os.environ.get("EDGECALL_CACHE_DIR") or user_cache_dir("edgecall"))
