"""The run journal: what each run changed in the data store, so `edgecall undo` can put it back.

A run's tools write drafts, notes, calendar and reminder files and the SMS outbox; none of
that needs a question first, because every change is journaled *before* it happens and can
be reverted byte for byte. Layout, one folder per run so concurrent runs (two terminals,
the server) never write the same journal file::

    <data dir>/.journal/<run id>/run.json     the request, start time, pid and host
    <data dir>/.journal/<run id>/0001.json    one change, fsynced before the change is made
    <data dir>/.journal/<run id>/0001.bin     a file's bytes before the run first changed it
    <data dir>/.journal/<run id>/end.json     the run ended
    <data dir>/.journal/<run id>/undone.json  `edgecall undo` reverted it

Run ids start with the start time in nanoseconds, so they sort oldest first. A change is
one of: a folder the run created (``dir``), a file replaced or created (``file``, with the
SHA-256 of every version the run wrote), a message added to a Maildir (``maildir``, found
again by its Message-ID because :mod:`mailbox` names the file), or something that left the
machine (``sent``: an SMS, a mail; undo can only report it). Undo restores a file only while
it still holds what the run wrote and no other run wrote it after this one did, so it never
destroys a later edit (by the user or a concurrent run): such a file is reported and left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from filelock import FileLock

from edgecall.assistant.store._io import StoreError, cannot_write, lock_path, write_atomic, write_observer

JOURNAL_DIR = ".journal"
KEEP_RUNS = 100
"""Journals of older runs are pruned when a new run starts writing."""
HOUSEKEEPING = frozenset({".edgecall.lock", "maildirfolder"})
"""Files a created folder may hold and still be removed by undo (locks, Maildir++ markers)."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _abs(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _dump(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=1) + "\n").encode()


class RunJournal:
    """The write observer of one run (see `edgecall.assistant.store._io.WriteObserver`).

    Thread-safe (tools run in worker threads). The run's folder is created on the first
    change, so read-only runs leave nothing behind.
    """

    def __init__(self, root: Path, request: str) -> None:
        self.root = _abs(Path(root).expanduser())
        self.base = self.root / JOURNAL_DIR
        self.request = request
        self.id = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(3)}"
        self.folder = self.base / self.id
        self._lock = threading.RLock()
        self._count = 0
        self._files: dict[str, tuple[str, dict[str, Any]]] = {}  # rel path -> (entry name, entry)
        self._dirs: set[str] = set()
        self.started = False

    # -- observer ---------------------------------------------------------------------------
    def _rel(self, path: Path) -> str | None:
        """``path`` relative to the data dir, or None when the journal does not cover it."""
        p = _abs(path)
        if p == self.base or self.base in p.parents or (p != self.root and self.root not in p.parents):
            return None
        return p.relative_to(self.root).as_posix()

    def before_mkdir(self, folder: Path) -> None:
        if self._rel(folder) is None:
            return
        missing = [p for p in [_abs(folder), *_abs(folder).parents] if self.root in p.parents and not p.exists()]
        with self._lock:
            for p in reversed(missing):  # shallowest first; undo removes in reverse
                rel = p.relative_to(self.root).as_posix()
                if rel not in self._dirs:
                    self._dirs.add(rel)
                    self._entry({"kind": "dir", "path": rel})

    def before_write(self, path: Path, data: bytes) -> None:
        rel = self._rel(path)
        if rel is None:
            return
        with self._lock:
            write = {"sha": _sha(data), "at": time.time_ns()}
            if rel in self._files:  # written before in this run: the first "before" stands
                name, entry = self._files[rel]
                entry["writes"].append(write)
                write_atomic(self.folder / f"{name}.json", _dump(entry), record=True)  # records an act: never cancelled
                return
            p = _abs(path)
            before = p.read_bytes() if p.is_file() else None
            name = self._next()
            entry = {"kind": "file", "path": rel, "before": None, "writes": [write]}
            if before is not None:
                entry["before"] = f"{name}.bin"
                write_atomic(self.folder / f"{name}.bin", before)
            write_atomic(self.folder / f"{name}.json", _dump(entry), record=True)  # records an act: never cancelled
            self._files[rel] = (name, entry)

    def before_maildir_add(self, folder: Path, message_id: str) -> None:
        rel = self._rel(folder)
        if rel is not None:
            with self._lock:
                self._entry({"kind": "maildir", "path": rel, "message_id": message_id})

    def sent(self, what: str) -> None:
        with self._lock:
            self._entry({"kind": "sent", "what": what, "time": datetime.now().isoformat(timespec="seconds")})

    # -- files ------------------------------------------------------------------------------
    def _next(self) -> str:
        self._start()
        self._count += 1
        return f"{self._count:04d}"

    def _entry(self, entry: dict[str, Any]) -> None:
        name = self._next()
        write_atomic(self.folder / f"{name}.json", _dump(entry), record=True)  # records an act: never cancelled

    def _start(self) -> None:
        if self.started:
            return
        try:
            self.folder.mkdir(parents=True)
        except OSError as exc:  # a read-only data dir: one StoreError, not a PermissionError traceback
            raise cannot_write(self.folder, exc) from None
        meta = {
            "id": self.id,
            "request": self.request,
            "started": datetime.now().isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        write_atomic(self.folder / "run.json", _dump(meta), record=True)
        self.started = True
        _prune(self.base, keep=KEEP_RUNS, current=self.id)

    def close(self) -> None:
        with self._lock:
            if self.started:
                write_atomic(
                    self.folder / "end.json", _dump({"ended": datetime.now().isoformat(timespec="seconds")}), record=True
                )


@contextmanager
def journal_run(root: Path, request: str) -> Iterator[RunJournal]:
    """Journal every store change made in this context (and the tool threads it starts)."""
    journal = RunJournal(root, request)
    token = write_observer.set(journal)
    try:
        yield journal
    finally:
        write_observer.reset(token)
        journal.close()


def _runs(base: Path) -> list[Path]:
    """Journaled runs, newest first (only folders whose run.json was written)."""
    if not base.is_dir():
        return []
    return sorted((d for d in base.iterdir() if (d / "run.json").is_file()), key=lambda d: d.name, reverse=True)


def _prune(base: Path, *, keep: int, current: str) -> None:
    for old in _runs(base)[keep:]:
        if old.name != current and ((old / "end.json").exists() or (old / "undone.json").exists()):
            shutil.rmtree(old, ignore_errors=True)


# -- undo -----------------------------------------------------------------------------------
@dataclass
class UndoReport:
    """What `undo_last_run` did, for the CLI and the server to show."""

    run_id: str
    request: str
    started: str
    restored: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Paths of the conflicts: the run's writes there stay, so later undos must still respect them."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "request": self.request,
            "started": self.started,
            "restored": self.restored,
            "removed": self.removed,
            "conflicts": self.conflicts,
            "sent": self.sent,
            "kept": self.kept,
        }


def _alive(meta: dict[str, Any]) -> bool:
    if meta.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(meta["pid"]), 0)
    except (ProcessLookupError, ValueError, KeyError):
        return False
    except PermissionError:
        return True
    return True


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise StoreError(f"journal file {path} is unreadable ({exc}); the run cannot be undone safely") from None
    if not isinstance(data, dict):
        raise StoreError(f"journal file {path} does not hold a JSON object")
    return data


def undo_last_run(root: Path) -> UndoReport | None:
    """Revert the newest run that changed something and is not undone yet; None if there is none.

    Each call walks one run further back, like an editor's undo. A run that is still going
    (its process alive) is refused rather than raced.
    """
    root = _abs(Path(root).expanduser())
    base = root / JOURNAL_DIR
    if not base.is_dir():
        return None
    with FileLock(str(base / ".edgecall.lock"), timeout=30):
        run = next((d for d in _runs(base) if not (d / "undone.json").exists()), None)
        if run is None:
            return None
        meta = _load(run / "run.json")
        if not (run / "end.json").exists() and _alive(meta):
            raise StoreError(
                f"the last run ({meta.get('request')!r}, pid {meta.get('pid')}) is still going; undo it when it ends"
            )
        report = UndoReport(run.name, str(meta.get("request", "")), str(meta.get("started", "")))
        later = _last_writes(base, exclude=run)
        for entry_path in _entries(run, newest_first=True):
            entry = _load(entry_path)
            kind = entry.get("kind")
            if kind == "file":
                _undo_file(root, run, entry, later, report)
            elif kind == "maildir":
                _undo_maildir(root, entry, report)
            elif kind == "dir":
                _undo_dir(root, entry, report)
            elif kind == "sent":
                report.sent.insert(0, str(entry.get("what")))
        write_atomic(run / "undone.json", _dump({"undone": datetime.now().isoformat(timespec="seconds"), **report.to_dict()}))
        return report


def _entries(run: Path, *, newest_first: bool = False) -> list[Path]:
    return sorted(run.glob("[0-9][0-9][0-9][0-9].json"), key=lambda p: p.name, reverse=newest_first)


def _last_writes(base: Path, *, exclude: Path) -> dict[str, tuple[int, str]]:
    """For each file, the time of the newest write by another run that is still in the file (the run is not
    undone, or its undo kept that file), and that run's request."""
    last: dict[str, tuple[int, str]] = {}
    for run in _runs(base):
        if run == exclude:
            continue
        kept = set(_load(run / "undone.json").get("kept", [])) if (run / "undone.json").exists() else None
        request = str(_load(run / "run.json").get("request", run.name))
        for entry_path in _entries(run):
            entry = _load(entry_path)
            if kept is not None and entry.get("path") not in kept:
                continue
            if entry.get("kind") == "file" and entry.get("writes"):
                at = max(int(w["at"]) for w in entry["writes"])
                if at > last.get(str(entry["path"]), (0, ""))[0]:
                    last[str(entry["path"])] = (at, request)
    return last


def _undo_file(
    root: Path, run: Path, entry: dict[str, Any], later: dict[str, tuple[int, str]], report: UndoReport
) -> None:
    rel = str(entry["path"])
    path = root / rel
    writes = entry.get("writes") or []
    if writes and later.get(rel, (0, ""))[0] > int(writes[0]["at"]):
        report.conflicts.append(f"{rel}: also changed by the run {later[rel][1]!r} since; left as it is")
        report.kept.append(rel)
        return
    before = (run / entry["before"]).read_bytes() if entry.get("before") else None
    lock = FileLock(str(lock_path(path)), timeout=30) if path.parent.is_dir() else None
    if lock is not None:
        lock.acquire()
    try:
        current = path.read_bytes() if path.is_file() else None
        if current == before:
            return  # the write never happened (the run stopped first) or was already reverted
        if current is None or _sha(current) not in {w["sha"] for w in writes}:
            report.conflicts.append(f"{rel}: changed after the run; left as it is")
            report.kept.append(rel)
            return
        if before is None:
            path.unlink()
            report.removed.append(rel)
        else:
            write_atomic(path, before)
            report.restored.append(rel)
    finally:
        if lock is not None:
            lock.release()


def _undo_maildir(root: Path, entry: dict[str, Any], report: UndoReport) -> None:
    folder = root / str(entry["path"])
    wanted = str(entry.get("message_id", "")).strip()
    for sub in ("cur", "new"):
        d = folder / sub
        if not d.is_dir():
            continue
        for path in sorted(d.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            with path.open("rb") as fh:
                headers = BytesHeaderParser().parse(fh)
            if str(headers.get("Message-ID", "")).strip() == wanted:
                path.unlink()
                report.removed.append(path.relative_to(root).as_posix())
                return


def _undo_dir(root: Path, entry: dict[str, Any], report: UndoReport) -> None:
    rel = str(entry["path"])
    folder = root / rel
    if not folder.is_dir():
        return
    leftovers = [p for p in folder.rglob("*") if not p.is_dir() and p.name not in HOUSEKEEPING]
    if leftovers:
        return  # something else lives there now (another run, the user): keep the folder
    shutil.rmtree(folder)
    report.removed.append(f"{rel}/")


__all__ = ["JOURNAL_DIR", "RunJournal", "UndoReport", "journal_run", "undo_last_run"]
