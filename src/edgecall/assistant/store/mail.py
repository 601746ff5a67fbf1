"""Mail: a Maildir (Maildir++ folders: the inbox at the root, ``.Drafts``, ``.Sent``), the
format mutt, neomutt, aerc, offlineimap/mbsync and Thunderbird (maildir mode) share.

"The current email" that reply/forward act on is the message chosen with
``edgecall mail select`` (its Message-ID is kept in ``state/current-email``), else the newest
message in the inbox.  New mail, replies and forwards are saved as drafts for the user to
review, as the paper opened drafts; with SMTP configured they are sent and filed in Sent.
"""

from __future__ import annotations

import mailbox
import mimetypes
import smtplib
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import (
    format_datetime,
    getaddresses,
    localtime,
    make_msgid,
    parsedate_to_datetime,
)
from html.parser import HTMLParser
from pathlib import Path

from edgecall.assistant.store._io import StoreError, observer, read_text, write_atomic
from edgecall.config import SmtpConfig
from edgecall.tools.cancel import checkpoint, remaining

DRAFTS = "Drafts"
SENT = "Sent"


@dataclass(frozen=True)
class MailSummary:
    key: str
    message_id: str
    sender: str
    subject: str
    date: str


@dataclass(frozen=True)
class DraftResult:
    kind: str  # "new", "reply" or "forward"
    to: tuple[str, ...]
    subject: str
    path: Path
    sent: bool

    def describe(self) -> str:
        verb = "Sent" if self.sent else "Saved draft"
        return f"{verb} {self.kind} email {self.subject!r} to {', '.join(self.to)} ({self.path})"


def _parse(data: bytes) -> EmailMessage:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _date_key(msg: EmailMessage) -> float:
    try:
        return parsedate_to_datetime(str(msg["Date"])).timestamp()
    except (TypeError, ValueError, IndexError):
        return 0.0


def one_line(text: str) -> str:
    """A header value on one line: an encoded subject can hide CR/LF ("=?utf-8?q?a=0D=0ABcc:...?="),
    which the email package refuses in a new header (or a reader would take as a new header)."""
    return " ".join(text.split())


class _HtmlText(HTMLParser):
    """Visible text of an HTML mail part (HTML-only mail is common in real inboxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def plain_body(msg: EmailMessage) -> str:
    """The message's text: the plain part, else the HTML part's visible text."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "(no text body)"
    content = part.get_content()
    return (html_to_text(content) if part.get_content_subtype() == "html" else content).strip()


def attach_files(msg: EmailMessage, files: list[Path]) -> None:
    for path in files:
        ctype, encoding = mimetypes.guess_type(path.name)
        if ctype is None or encoding is not None:
            ctype = "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot attach {path}: {exc.strerror}") from None
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)


class Mail:
    def __init__(
        self, folder: Path, state_dir: Path, *, sender: str, smtp: SmtpConfig | None = None
    ) -> None:
        self.folder = folder
        self.selection_file = state_dir / "current-email"
        self.sender = sender
        self.smtp = smtp

    # -- reading ---------------------------------------------------------------------------
    def _maildir(self) -> mailbox.Maildir:
        if self.folder.exists() and not all((self.folder / d).is_dir() for d in ("cur", "new", "tmp")):
            raise StoreError(f"mail folder {self.folder} is not a Maildir (needs cur/, new/ and tmp/)")
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        return mailbox.Maildir(self.folder, factory=None, create=True)

    def _subfolder(self, name: str) -> mailbox.Maildir:
        box = self._maildir()
        return box.get_folder(name) if name in box.list_folders() else box.add_folder(name)

    def inbox(self) -> list[tuple[str, EmailMessage]]:
        """Inbox messages, newest first."""
        if not self.folder.exists():
            return []
        box = self._maildir()
        items = [(key, _parse(box.get_bytes(key))) for key in box.keys()]
        return sorted(items, key=lambda kv: _date_key(kv[1]), reverse=True)

    def summaries(self) -> list[MailSummary]:
        return [
            MailSummary(key, str(m["Message-ID"] or ""), str(m["From"] or ""),
                        str(m["Subject"] or ""), str(m["Date"] or ""))
            for key, m in self.inbox()
        ]

    def deliver(self, msg: EmailMessage) -> str:
        """Put a message into the inbox (used by the demo profile and tests)."""
        return self._maildir().add(msg)

    def select(self, which: str) -> MailSummary:
        """Make an inbox message current: by its number in :meth:`list` (1 = newest), its
        Maildir key, its Message-ID, or a unique part of its subject."""
        found = self.summaries()
        if not found:
            raise StoreError(f"the inbox {self.folder} is empty")
        chosen: list[MailSummary]
        if which.isdigit() and 1 <= int(which) <= len(found):
            chosen = [found[int(which) - 1]]
        else:
            chosen = [s for s in found if which in (s.key, s.message_id)] or [
                s for s in found if which.casefold() in s.subject.casefold()
            ]
        if len(chosen) != 1:
            problem = "matches no message" if not chosen else f"matches {len(chosen)} messages"
            raise StoreError(f"{which!r} {problem} in the inbox; use its number from `edgecall mail list`")
        if not chosen[0].message_id:
            raise StoreError(f"message {chosen[0].key} has no Message-ID and cannot be selected")
        write_atomic(self.selection_file, chosen[0].message_id.encode())
        return chosen[0]

    def current(self) -> EmailMessage:
        """The selected message, else the newest one in the inbox."""
        inbox = self.inbox()
        if self.selection_file.exists():
            wanted = read_text(self.selection_file, "mail selection").strip()
            for _, msg in inbox:
                if str(msg["Message-ID"] or "").strip() == wanted:
                    return msg
            raise StoreError(
                f"the selected email {wanted} is no longer in the inbox {self.folder}; "
                f"select another with `edgecall mail select` (selection kept in {self.selection_file})"
            )
        if not inbox:
            raise StoreError(f"there is no email to reply to or forward: the inbox {self.folder} is empty")
        return inbox[0][1]

    @staticmethod
    def thread_text(msg: EmailMessage) -> str:
        return f"From: {msg['From']}\nSubject: {msg['Subject']}\n\n{plain_body(msg)}"

    # -- writing ---------------------------------------------------------------------------
    def _new_message(self, to: list[str], cc: list[str], subject: str, body: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(to)
        if cc:
            msg["Cc"] = ", ".join(cc)
        msg["Subject"] = one_line(subject)
        msg["Date"] = format_datetime(localtime())
        msg["Message-ID"] = make_msgid(domain="edgecall.local")
        msg.set_content(body)
        return msg

    def _store(self, msg: EmailMessage, kind: str) -> DraftResult:
        to = tuple(a for _, a in getaddresses([str(msg["To"] or "")]))
        if self.smtp is not None:
            self._send(msg)
            name, flags = SENT, "S"
        else:
            checkpoint("saving the draft")  # a sent mail is filed even then: it did leave
            name, flags = DRAFTS, "D"
        mm = mailbox.MaildirMessage(msg)
        mm.set_subdir("cur")
        mm.set_flags(flags)
        if (obs := observer()) is not None:  # the run journal: mailbox creates the folder and file itself
            obs.before_mkdir(self.folder / f".{name}" / "cur")
            obs.before_maildir_add(self.folder / f".{name}", str(msg["Message-ID"]))
        key = self._subfolder(name).add(mm)
        path = next((self.folder / f".{name}" / "cur").glob(f"{key}*"))  # Maildir++ folder layout
        return DraftResult(kind, to, str(msg["Subject"]), path, self.smtp is not None)

    def _send(self, msg: EmailMessage) -> None:
        cfg = self.smtp
        assert cfg is not None
        checkpoint("sending the email over SMTP")
        try:
            with smtplib.SMTP(cfg.host, cfg.port, timeout=max(remaining(30.0), 0.1)) as smtp:
                if cfg.starttls:
                    smtp.starttls()
                if cfg.username:
                    smtp.login(cfg.username, cfg.password or "")
                checkpoint("sending the email over SMTP")  # the last moment it can still be stopped
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise StoreError(f"sending over SMTP {cfg.host}:{cfg.port} failed: {exc}") from None
        if (obs := observer()) is not None:
            obs.sent(f"email {msg['Subject']!r} to {msg['To']} over SMTP {cfg.host}:{cfg.port}")

    def draft_new(self, to: list[str], cc: list[str], subject: str, body: str, files: list[Path]) -> DraftResult:
        msg = self._new_message(to, cc, subject, body)
        attach_files(msg, files)
        return self._store(msg, "new")

    def draft_reply(self, original: EmailMessage, cc: list[str], body: str, files: list[Path]) -> DraftResult:
        reply_to = [a for _, a in getaddresses([str(original["Reply-To"] or original["From"] or "")]) if a]
        if not reply_to:
            raise StoreError("the current email has no sender address to reply to")
        subject = str(original["Subject"] or "")
        if not subject.lower().startswith("re:"):
            subject = f"Re: {subject}"
        quoted = "\n".join(f"> {line}" for line in plain_body(original).splitlines())
        text = f"{body.strip()}\n\nOn {original['Date']}, {original['From']} wrote:\n{quoted}\n"
        msg = self._new_message(reply_to, cc, subject, text)
        if original["Message-ID"]:
            msg["In-Reply-To"] = str(original["Message-ID"])
            refs = f"{original['References'] or ''} {original['Message-ID']}".strip()
            msg["References"] = refs
        attach_files(msg, files)
        return self._store(msg, "reply")

    def draft_forward(
        self, original: EmailMessage, to: list[str], cc: list[str], body: str, files: list[Path]
    ) -> DraftResult:
        subject = str(original["Subject"] or "")
        if not subject.lower().startswith(("fwd:", "fw:")):
            subject = f"Fwd: {subject}"
        msg = self._new_message(to, cc, subject, body.strip() or "Forwarded message attached.")
        msg.add_attachment(original)  # message/rfc822, keeps the original's attachments intact
        attach_files(msg, files)
        return self._store(msg, "forward")

    def drafts(self) -> list[EmailMessage]:
        box = self._subfolder(DRAFTS)
        return [_parse(box.get_bytes(k)) for k in box.keys()]
