"""Atomic, locked file writes shared by every store module.

Every write goes to a temporary file in the same directory and is moved into place with
``os.replace`` (atomic on POSIX), while holding a ``filelock`` lock on the target's folder, so
two ``edgecall run`` processes updating the same calendar or note never lose an update and
a crash never leaves a half-written file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from edgecall.tools import ToolError

LOCK_TIMEOUT_S = 30.0


class StoreError(ToolError):
    """A data-store failure the user can act on (missing/corrupt file, unknown name...)."""


def lock_path(path: Path) -> Path:
    """The lock guarding ``path``: one hidden lock per directory, so a notes folder does not
    fill up with lock files (filelock leaves them in place) and it works on any filesystem."""
    return path.parent / ".edgecall.lock"


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the inter-process lock of ``path`` (creating its directory if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(path)), timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            yield
    except TimeoutError as exc:  # filelock.Timeout subclasses TimeoutError
        raise StoreError(f"{path} is locked by another process (waited {LOCK_TIMEOUT_S:.0f}s)") from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (caller holds the lock when it matters)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_file(path: Path, change: Callable[[bytes | None], bytes]) -> None:
    """Read-modify-write ``path`` under its lock: ``change(old_bytes_or_None) -> new_bytes``."""
    with locked(path):
        old = path.read_bytes() if path.exists() else None
        write_atomic(path, change(old))


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 text file, turning I/O and decoding problems into a clear StoreError."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(f"{what} file {path} does not exist") from None
    except UnicodeDecodeError as exc:
        raise StoreError(f"{what} file {path} is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise StoreError(f"cannot read {what} file {path}: {exc.strerror}") from None


def safe_name(name: str, what: str) -> str:
    """A user-given name usable as one file name (no path separators, not empty or hidden)."""
    cleaned = " ".join(name.replace("/", " ").replace("\\", " ").replace("\0", "").split())
    cleaned = cleaned.lstrip(". ")
    if not cleaned:
        raise StoreError(f"{what} name {name!r} is empty or not usable as a file name")
    return cleaned[:120]
