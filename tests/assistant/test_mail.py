"""Mail: drafts in a Maildir, the current email, attachments, SMTP against a local server."""

from __future__ import annotations

import mailbox
import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from edgecall.assistant import SmtpConfig
from edgecall.assistant.store import StoreError
from edgecall.tools import ToolError


def drafts(root: Path) -> list:
    box = mailbox.Maildir(root / "mail", factory=None, create=False).get_folder("Drafts")
    return [message_from_bytes(box.get_bytes(k), policy=policy.default) for k in box.keys()]


def test_compose_with_attachment_writes_a_draft(store, tools, call):
    pdf = call(tools, "open_and_get_file_path", "Q2 report")
    out = call(tools, "compose_new_email", ["sid.jha@example.com", "Lutfi"], ["Dana"], "Q2 report", "It is ready.", [pdf])
    assert out.startswith("Saved draft new email 'Q2 report' to sid.jha@example.com, lutfi.erdogan@example.com")
    (msg,) = drafts(store.root)
    assert msg["To"] == "sid.jha@example.com, lutfi.erdogan@example.com"
    assert msg["Cc"] == "dana.okafor@example.com"
    assert msg.get_body(("plain",)).get_content().strip() == "It is ready."
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == "Q2 report.pdf" and att.get_content_type() == "application/pdf"
    assert att.get_content() == Path(pdf).read_bytes()
    draft_file = Path(out.rsplit("(", 1)[1].rstrip(")"))
    assert draft_file.parent.name == "cur" and draft_file.name.endswith(":2,D")  # Maildir draft flag


def test_reply_goes_to_the_newest_email_by_default(store, tools, call):
    out = call(tools, "reply_to_email", ["Maria"], "Thursday works for me.", [])
    assert "to dana.okafor@example.com" in out
    (msg,) = drafts(store.root)
    assert msg["Subject"] == "Re: Lunch on Thursday?"
    assert msg["Cc"] == "maria.garcia@example.com"
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Thursday works for me.") and "> Are you free for lunch" in body
    original = store.mail.inbox()[0][1]
    assert msg["In-Reply-To"] == original["Message-ID"]


def test_reply_follows_the_selection(store, tools, call):
    store.mail.select("Q2 report")
    call(tools, "reply_to_email", [], "Will review by Wednesday.", [])
    (msg,) = drafts(store.root)
    assert msg["To"] == "sid.jha@example.com" and msg["Subject"] == "Re: Q2 report draft"


def test_forward_attaches_the_original(store, tools, call):
    store.mail.select("2")  # number in `edgecall mail list`
    budget = call(tools, "open_and_get_file_path", "budget")
    call(tools, "forward_email", ["Zoë"], [], "FYI", [budget])
    (msg,) = drafts(store.root)
    assert msg["Subject"] == "Fwd: Contract for the Lisbon venue" and msg["To"] == "zoe.mueller@example.ch"
    parts = list(msg.iter_attachments())
    assert parts[0].get_content_type() == "message/rfc822"
    assert parts[0].get_content()["Subject"] == "Contract for the Lisbon venue"
    assert parts[1].get_filename() == "budget-2024.csv"


def test_selection_of_a_vanished_message(store, tools, call):
    store.mail.select("Offsite")
    box = mailbox.Maildir(store.root / "mail", factory=None, create=False)
    for key in list(box.keys()):
        if "Offsite" in str(box.get_message(key)["Subject"]):
            box.remove(key)
    with pytest.raises(ToolError, match="selected email .* is no longer in the inbox"):
        call(tools, "reply_to_email", [], "ok", [])


def test_select_errors(store):
    with pytest.raises(StoreError, match="'zzz' matches no message"):
        store.mail.select("zzz")
    with pytest.raises(StoreError, match="matches 4 messages"):
        store.mail.select("a")


def test_empty_inbox(tmp_path, toolset_for, call):
    with pytest.raises(ToolError, match="no email to reply to or forward: the inbox .* is empty"):
        call(toolset_for(tmp_path), "reply_to_email", [], "hi", [])


def test_broken_maildir(tmp_path, toolset_for, call):
    (tmp_path / "mail").mkdir()
    with pytest.raises(ToolError, match="is not a Maildir"):
        call(toolset_for(tmp_path), "forward_email", ["a@example.com"], [], "", [])


def test_attachment_outside_roots_is_refused(store, tools, call, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    with pytest.raises(ToolError, match="outside the allowed folders"):
        call(tools, "compose_new_email", ["a@example.com"], [], "x", "y", [str(secret)])
    with pytest.raises(ToolError, match="outside the allowed folders"):
        call(tools, "compose_new_email", ["a@example.com"], [], "x", "y", [str(store.root / "files" / ".." / "contacts" / "Maria Garcia.vcf")])
    assert not (store.root / "mail" / ".Drafts").exists() or not drafts(store.root)


def test_needs_a_recipient(tools, call):
    with pytest.raises(ToolError, match="needs at least one recipient"):
        call(tools, "compose_new_email", [], [], "x", "y", [])


class _SmtpSink:
    """A minimal SMTP server on 127.0.0.1 (RFC 5321 subset) that records what it receives."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received: list[tuple[str, list[str], bytes]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        f = conn.makefile("rb")

        def send(line: str) -> None:
            conn.sendall(line.encode() + b"\r\n")

        send("220 localhost ESMTP test")
        sender, rcpts = "", []
        while line := f.readline():
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                send("250 localhost")
            elif verb == "MAIL":
                sender = cmd.split(":", 1)[1].strip(" <>")
                send("250 OK")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip(" <>"))
                send("250 OK")
            elif verb == "DATA":
                send("354 go ahead")
                data = b""
                while (chunk := f.readline()) != b".\r\n":
                    data += chunk
                self.received.append((sender, rcpts, data))
                send("250 queued")
            elif verb == "QUIT":
                send("221 bye")
                break
            else:
                send("250 OK")
        conn.close()
        self.sock.close()


def test_smtp_sends_and_files_in_sent(demo_dir, toolset_for, call):
    sink = _SmtpSink()
    tools = toolset_for(demo_dir, smtp=SmtpConfig(host="127.0.0.1", port=sink.port, starttls=False, sender="me@example.net"))
    out = call(tools, "compose_new_email", ["Maria"], [], "Hello", "Just saying hi.", [])
    sink.thread.join(5)
    assert out.startswith("Sent new email 'Hello' to maria.garcia@example.com")
    ((sender, rcpts, data),) = sink.received
    assert sender == "me@example.net" and rcpts == ["maria.garcia@example.com"]
    assert b"Just saying hi." in data
    sent = mailbox.Maildir(demo_dir / "mail", factory=None, create=False).get_folder("Sent")
    assert len(sent) == 1


def test_smtp_failure_is_reported(demo_dir, toolset_for, call):
    port = socket.create_server(("127.0.0.1", 0)).getsockname()[1]  # closed again: nothing listens
    tools = toolset_for(demo_dir, smtp=SmtpConfig(host="127.0.0.1", port=port, starttls=False))
    with pytest.raises(ToolError, match=f"sending over SMTP 127.0.0.1:{port} failed"):
        call(tools, "compose_new_email", ["Maria"], [], "Hello", "hi", [])


def test_reply_quotes_an_html_only_email(store, tools, call):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "News <news@example.com>", "me@localhost", "Weekly digest"
    msg["Date"], msg["Message-ID"] = "Mon, 03 Jun 2024 08:59:00 +0000", "<digest@example.com>"
    msg.set_content("<html><style>p{color:red}</style><body><p>Big <b>news</b> today</p><p>Second line</p></body></html>", subtype="html")
    store.mail.deliver(msg)
    call(tools, "reply_to_email", [], "Thanks!", [])
    body = drafts(store.root)[0].get_body(("plain",)).get_content()
    assert "> Big news today\n> Second line" in body and "color" not in body
