"""Stopping a tool call that its step has already given up on, before it acts.

A sync tool runs in a worker thread, and Python cannot kill a thread: when the executor
reports a step as timed out, the thread goes on. Without help it would still send the SMS
or write the note seconds later, after the user was told it failed. So the executor runs
each call inside a `CallScope` (a context variable, copied into the worker thread) and
cancels the scope when it gives up; tools call `checkpoint()` right before every act that
leaves a trace (a store write, a send, a subprocess), and long waits go through
`wait_process()`, which kills a subprocess the moment its scope is cancelled.
"""

from __future__ import annotations

import contextvars
import subprocess
import threading
import time
from collections.abc import Callable

from ..errors import ToolCancelled

__all__ = [
    "CallScope", "ToolCancelled", "checkpoint", "current_scope", "remaining", "reset_scope", "use_scope", "wait_process",
]

POLL_S = 0.05


class CallScope:
    """One tool call's cancellation flag and deadline, shared by the event loop and the tool's thread."""

    def __init__(self, timeout: float | None = None, on_start: Callable[[], None] | None = None) -> None:
        self.timeout = timeout
        self._cancelled = threading.Event()
        self.reason = ""
        self.deadline: float | None = None
        self._on_start = on_start
        self._on_finish: Callable[[str], None] | None = None
        self._lock = threading.Lock()
        self.outcome: str | None = None

    def start(self) -> None:
        """The call really begins (it has its thread): the timeout counts from here, not from the queue."""
        if self.timeout is not None:
            self.deadline = time.monotonic() + self.timeout
        if self._on_start is not None:
            self._on_start()

    def finish(self, outcome: str) -> None:
        """Called in the tool's thread when the function returns or raises (`outcome` in words)."""
        with self._lock:
            self.outcome = outcome
            listener = self._on_finish
        if listener is not None:
            listener(outcome)

    def on_finish(self, listener: Callable[[str], None]) -> None:
        """Call `listener(outcome)` when the call ends, in its thread (at once if it already has).

        Works after the event loop is gone: how the executor records what a call it reported
        as still running finally did.
        """
        with self._lock:
            self._on_finish = listener
            outcome = self.outcome
        if outcome is not None:
            listener(outcome)

    def cancel(self, reason: str) -> None:
        self.reason = reason
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self, act: str) -> None:
        if self._cancelled.is_set():
            raise ToolCancelled(f"stopped before {act}: {self.reason}")


_scope: contextvars.ContextVar[CallScope | None] = contextvars.ContextVar("edgecall_call_scope", default=None)


def current_scope() -> CallScope | None:
    return _scope.get()


def use_scope(scope: CallScope) -> contextvars.Token[CallScope | None]:
    return _scope.set(scope)


def checkpoint(act: str) -> None:
    """Raise `ToolCancelled` if this call's step was given up on; call it right before `act` happens."""
    scope = _scope.get()
    if scope is not None:
        scope.check(act)


def remaining(default: float) -> float:
    """Seconds left before this call's deadline (at most `default`; `default` outside the executor)."""
    scope = _scope.get()
    if scope is None or scope.deadline is None:
        return default
    return max(0.0, min(default, scope.deadline - time.monotonic()))


def wait_process(proc: subprocess.Popen[str], timeout: float, act: str) -> tuple[str, str]:
    """`proc.communicate()`, but the process is killed as soon as this call is cancelled or `timeout` passes.

    Raises `ToolCancelled` (cancelled) or `subprocess.TimeoutExpired` (timed out) after killing it.
    """
    scope = _scope.get()
    end = time.monotonic() + timeout
    while True:
        try:
            out, err = proc.communicate(timeout=POLL_S)
            return out or "", err or ""
        except subprocess.TimeoutExpired:
            if (scope is not None and scope.cancelled) or time.monotonic() >= end:
                proc.kill()
                proc.communicate()
                if scope is not None and scope.cancelled:
                    raise ToolCancelled(f"stopped {act} (the process was killed): {scope.reason}") from None
                raise


def reset_scope(token: contextvars.Token[CallScope | None]) -> None:
    _scope.reset(token)
