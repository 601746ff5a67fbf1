"""SMS: every message is appended to ``sms/outbox.jsonl`` (one JSON object per line), and
really sent only through a configured command such as
``kdeconnect-cli --send-sms {message} --destination {number}`` (KDE Connect pairs a phone).
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

from edgecall.assistant.store._io import StoreError, observer, read_text, update_file

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
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=SEND_TIMEOUT_S, check=False)
        except FileNotFoundError:
            raise StoreError(f"SMS command {argv[0]!r} was not found; check sms_command in the config") from None
        except subprocess.TimeoutExpired:
            raise StoreError(f"SMS command {argv[0]!r} did not finish within {SEND_TIMEOUT_S}s") from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip()[:200]
            raise StoreError(f"SMS command {argv[0]!r} failed for {number} (exit {done.returncode}): {detail}")
        if (obs := observer()) is not None:
            obs.sent(f"SMS to {number} with {argv[0]}: {message!r}")

    def send(self, numbers: list[str], message: str) -> str:
        """Record the message in the outbox and, when a command is configured, send it."""
        if self.command:
            for number in numbers:
                self._run(number, message)
        record = {
            "time": datetime.now().isoformat(timespec="seconds"),
            "to": numbers,
            "message": message,
            "status": "sent" if self.command else "queued",
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        update_file(self.outbox, lambda old: (old or b"") + line)
        verb = "Sent" if self.command else "Queued"
        return f"{verb} SMS to {', '.join(numbers)} ({self.outbox})"

    def messages(self) -> list[dict]:
        """All outbox records; a malformed line is reported with its file and line number."""
        if not self.outbox.exists():
            return []
        records = []
        for n, line in enumerate(read_text(self.outbox, "SMS outbox").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise StoreError(f"SMS outbox {self.outbox} line {n} is not JSON: {exc.msg}") from None
        return records
