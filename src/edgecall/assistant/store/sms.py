"""SMS: every message is appended to ``sms/outbox.jsonl`` (one JSON object per line), and
really sent only through a configured command such as
``kdeconnect-cli --send-sms {message} --destination {number}`` (KDE Connect pairs a phone).

The outbox tells the truth about each number. The command runs as a subprocess that is
killed the moment the step is given up on (a timeout; see :mod:`edgecall.tools.cancel`),
so a step reported "timed out" sends nothing afterwards; a number whose command finished
is recorded as sent even if a later number fails or the step was cancelled meanwhile.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from edgecall.assistant.store._io import StoreError, observer, read_text, update_file
from edgecall.errors import ToolError
from edgecall.tools.cancel import checkpoint, remaining, wait_process

SEND_TIMEOUT_S = 30


def command_for(template: tuple[str, ...], number: str, message: str) -> list[str]:
    """Fill ``{number}`` and ``{message}`` into an argv template (no shell, so no injection)."""
    return [part.replace("{number}", number).replace("{message}", message) for part in template]


class Sms:
    def __init__(self, folder: Path, command: tuple[str, ...] | None = None) -> None:
        self.outbox = folder / "outbox.jsonl"
        self.command = command

    def _run(self, number: str, message: str) -> None:
        assert self.command is not None
        argv = command_for(self.command, number, message)
        checkpoint(f"sending the SMS to {number}")
        timeout = remaining(SEND_TIMEOUT_S)
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        except FileNotFoundError:
            raise StoreError(f"SMS command {argv[0]!r} was not found; check sms_command in the config") from None
        except OSError as exc:
            raise StoreError(f"SMS command {argv[0]!r} cannot run: {exc.strerror}") from None
        try:
            out, err = wait_process(proc, timeout, f"sending the SMS to {number}")
        except subprocess.TimeoutExpired:
            raise StoreError(f"SMS command {argv[0]!r} did not finish within {timeout:g}s (stopped)") from None
        if proc.returncode != 0:
            detail = (err or out).strip()[:200]
            raise StoreError(f"SMS command {argv[0]!r} failed for {number} (exit {proc.returncode}): {detail}")
        if (obs := observer()) is not None:
            obs.sent(f"SMS to {number} with {argv[0]}: {message!r}")

    def _record(self, numbers: list[str], message: str, status: str) -> None:
        record = {
            "time": datetime.now().isoformat(timespec="seconds"),
            "to": numbers,
            "message": message,
            "status": status,
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        update_file(self.outbox, lambda old: (old or b"") + line, record=status == "sent")

    def send(self, numbers: list[str], message: str) -> str:
        """Record the message in the outbox and, when a command is configured, send it."""
        if not self.command:
            self._record(numbers, message, "queued")
            return f"Queued SMS to {', '.join(numbers)} ({self.outbox})"
        sent: list[str] = []
        try:
            for number in numbers:
                self._run(number, message)
                sent.append(number)
        except ToolError as exc:
            if sent:  # those messages left: the outbox says so, and so does the error
                self._record(sent, message, "sent")
                raise type(exc)(f"{exc} (already sent to {', '.join(sent)})") from None
            raise
        self._record(sent, message, "sent")
        return f"Sent SMS to {', '.join(numbers)} ({self.outbox})"

    def messages(self) -> list[dict[str, Any]]:
        """All outbox records; a malformed line is reported with its file and line number."""
        if not self.outbox.exists():
            return []
        records: list[dict[str, Any]] = []
        for n, line in enumerate(read_text(self.outbox, "SMS outbox").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise StoreError(f"SMS outbox {self.outbox} line {n} is not JSON: {exc.msg}") from None
        return records
