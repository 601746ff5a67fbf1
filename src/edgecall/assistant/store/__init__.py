"""The personal data store: one data directory of standard files Linux apps can read.

Layout under the root (``platformdirs.user_data_dir("edgecall")`` unless overridden)::

    contacts/*.vcf            vCard address book (vdir)
    calendar/<Name>.ics       iCalendar VEVENTs, one file per calendar
    reminders/<List>.ics      iCalendar VTODOs, one file per list
    notes/<Folder>/<Name>.md  Markdown notes
    mail/                     Maildir: inbox at the root, .Drafts, .Sent
    sms/outbox.jsonl          sent/queued text messages
    files/                    default root searched by open_and_get_file_path
    state/current-email       the Message-ID chosen by `edgecall mail select`
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from edgecall.assistant.store._io import StoreError
from edgecall.assistant.store.calendar import Calendar, Reminders
from edgecall.assistant.store.contacts import Contact, ContactBook
from edgecall.assistant.store.desktop import desktop_open
from edgecall.assistant.store.files import Files
from edgecall.assistant.store.mail import Mail
from edgecall.assistant.store.maps import Maps
from edgecall.assistant.store.meetings import Meetings
from edgecall.assistant.store.notes import Notes
from edgecall.assistant.store.pdf import pdf_text
from edgecall.assistant.store.sms import Sms
from edgecall.config import AssistantConfig

__all__ = ["Contact", "Store", "StoreError", "default_data_dir"]


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("edgecall"))


class Store:
    """All assistant data under one root, plus the config-driven side effects."""

    def __init__(self, root: Path | str | None = None, *, config: AssistantConfig | None = None) -> None:
        self.config = config or AssistantConfig()
        self.root = Path(root or self.config.data_dir or default_data_dir()).expanduser()
        self.contacts = ContactBook(self.root / "contacts")
        self.calendar = Calendar(self.root / "calendar", default="Calendar")
        self.reminders = Reminders(self.root / "reminders", default="Reminders")
        self.notes = Notes(self.root / "notes")
        smtp = self.config.smtp
        sender = (smtp and smtp.sender) or f"{self.config.user_name} <{self.config.user_email}>"
        self.mail = Mail(self.root / "mail", self.root / "state", sender=sender, smtp=self.config.smtp)
        self.sms = Sms(self.root / "sms", self.config.sms_command)
        roots = list(self.config.file_roots) or [self.root / "files"]
        self.files = Files(roots)
        self.maps = Maps(open_browser=self.config.open_browser)
        self.meetings = Meetings(self.config.zoom_token, self.config.zoom_api_url, self.config.jitsi_url)

    def pdf_text(self, path: Path) -> str:
        return pdf_text(path)

    def open_file(self, path: Path) -> None:
        """Open a found file in the desktop's default app, only when configured."""
        if self.config.open_files:
            desktop_open(str(path))
