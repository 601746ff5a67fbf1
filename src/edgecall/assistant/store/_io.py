"""Atomic, locked file writes shared by every store module.

Every write goes to a temporary file in the same directory and is moved into place with
``os.replace`` (atomic on POSIX), while holding a ``filelock`` lock on the target's folder, so
two ``edgecall run`` processes updating the same calendar or note never lose an update and
a crash never leaves a half-written file behind.

Every write and folder creation is first shown to the context's :data:`write_observer`
(the run journal of :mod:`edgecall.assistant.store.journal` during a run), so that
`edgecall undo` can restore what a run changed byte for byte.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

from filelock import FileLock

from edgecall.errors import StoreError
from edgecall.tools.cancel import checkpoint

LOCK_TIMEOUT_S = 30.0


class WriteObserver(Protocol):
    """Told about each store change *before* it happens (it may record, never change, anything)."""

    def before_mkdir(self, folder: Path) -> None:
        """``folder`` (and any missing parents) is about to be created if it does not exist."""

    def before_write(self, path: Path, data: bytes) -> None:
        """``path`` is about to be replaced by (or created with) ``data``."""

    def before_maildir_add(self, folder: Path, message_id: str) -> None:
        """A message with ``message_id`` is about to be added to the Maildir ``folder``."""

    def sent(self, what: str) -> None:
        """Something left the machine and cannot be taken back (an SMS, a mail), in words."""


write_observer: ContextVar[WriteObserver | None] = ContextVar("edgecall_write_observer", default=None)
"""The observer of the current context; a context variable so that concurrent runs in one
process (the server) each journal their own writes, and tool threads inherit it."""


def observer() -> WriteObserver | None:
    return write_observer.get()


def cannot_write(path: Path, exc: OSError) -> StoreError:
    """One line for a write the file system refused (a read-only data dir, a full disk)."""
    return StoreError(f"cannot write {path}: {exc.strerror or exc} (is the data store read-only or full?)")


def make_dirs(folder: Path) -> None:
    """``mkdir -p`` that the observer sees first (so undo can remove folders a run created)."""
    if not folder.is_dir() and (obs := observer()) is not None:
        obs.before_mkdir(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(folder, exc) from None


def lock_path(path: Path) -> Path:
    """The lock guarding ``path``: one hidden lock per directory, so a notes folder does not
    fill up with lock files (filelock leaves them in place) and it works on any filesystem."""
    return path.parent / ".edgecall.lock"


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the inter-process lock of ``path`` (creating its directory if needed)."""
    make_dirs(path.parent)
    lock = FileLock(str(lock_path(path)), timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except TimeoutError as exc:  # filelock.Timeout subclasses TimeoutError
        raise StoreError(f"{path} is locked by another process (waited {LOCK_TIMEOUT_S:.0f}s)") from exc
    except OSError as exc:  # a read-only folder: the lock file cannot be created
        raise cannot_write(lock_path(path), exc) from None
    try:
        yield
    finally:
        lock.release()


def write_atomic(path: Path, data: bytes, *, record: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically (caller holds the lock when it matters).

    A write is an act: if this call's step was already reported failed (timed out), it
    stops here with ``ToolCancelled`` (see :mod:`edgecall.tools.cancel`). ``record=True``
    is for writes that record something that already happened (an SMS really sent), which
    must land even then, so the store and the report agree.
    """
    if not record:
        checkpoint(f"writing {path.name}")
    make_dirs(path.parent)
    if (obs := observer()) is not None:
        obs.before_write(path, data)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from None
        raise


def update_file(path: Path, change: Callable[[bytes | None], bytes], *, record: bool = False) -> None:
    """Read-modify-write ``path`` under its lock: ``change(old_bytes_or_None) -> new_bytes``."""
    with locked(path):
        remove_stale_temps(path)
        old = path.read_bytes() if path.exists() else None
        write_atomic(path, change(old), record=record)


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


MAX_NAME_BYTES = 180
"""File systems limit a name to 255 *bytes*; this leaves room for ".md"/".ics" and the temporary
file's ``.<name>.<random>.tmp`` around it (200 × "é" is 400 bytes)."""

_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


def safe_name(name: str, what: str) -> str:
    """A user-given name usable as one file name (no path separators or control characters, not
    empty or hidden), cut to `MAX_NAME_BYTES` of UTF-8 on a character boundary."""
    cleaned = _CONTROL_RE.sub(" ", name.replace("/", " ").replace("\\", " "))
    cleaned = " ".join(cleaned.split()).lstrip(". ")
    if not cleaned:
        raise StoreError(f"{what} name {name!r} is empty or not usable as a file name")
    return cleaned.encode("utf-8", errors="surrogatepass")[:MAX_NAME_BYTES].decode("utf-8", errors="ignore").rstrip()


STALE_TEMP_S = 600.0
"""A temporary file older than this belongs to a writer that crashed (a write takes milliseconds)."""


def remove_stale_temps(path: Path) -> None:
    """Delete ``.<name>.*.tmp`` files a crashed writer of ``path`` left behind.

    Safe because it runs under ``path``'s lock (no locked writer of it is mid-write), only
    touches temporaries of this one file, and only ones older than `STALE_TEMP_S`.
    """
    cutoff = time.time() - STALE_TEMP_S
    try:
        for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            with contextlib.suppress(OSError):
                if tmp.is_file() and not tmp.is_symlink() and tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
    except OSError:
        pass
