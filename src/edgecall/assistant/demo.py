"""The demo profile: a realistic sample data dir so the first `edgecall run` has real effects.

Contacts (with diacritics and one deliberately ambiguous first name), an inbox, notes,
calendar entries and real PDFs written with fpdf2.  Dates sit around the project's default
"now", Monday 2024-06-03 09:00.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import platformdirs

from edgecall.assistant.store import Contact, Store, StoreError

MARKER = ".edgecall-demo"

CONTACTS: list[Contact] = [
    Contact("Maria Garcia", ("maria.garcia@example.com",), ("+1 510 555 0101",)),
    Contact("Sofía Ruiz Hernández", ("sofia.ruiz@example.org",), ("+34 600 555 102",)),
    Contact("Siddharth Jha", ("sid.jha@example.com",), ("+1 510 555 0103",), ("Sid",)),
    Contact("Lutfi Eren Erdoğan", ("lutfi.erdogan@example.com",), ("+90 555 555 0104",)),
    Contact("Dana Okafor", ("dana.okafor@example.com",), ("+1 415 555 0105",)),
    Contact("Nick Fischer", ("nick.fischer@example.de",), ("+49 30 5550 106",)),
    Contact("Chen Wei", ("chen.wei@example.cn",), ("+86 10 5555 0107",)),
    Contact("Zoë Müller", ("zoe.mueller@example.ch",), ("+41 44 555 01 08",)),
    Contact("Björn Andersson", ("bjorn.andersson@example.se",), ("+46 8 555 0109",)),
    Contact("Aisha Khan", ("aisha.khan@example.co.uk",), ("+44 20 5550 0110",)),
    Contact("Alex Morgan", ("alex.morgan@example.com",), ("+1 212 555 0111",)),
    Contact("Alex Chen", ("alex.chen@example.com",), ("+1 206 555 0112",)),
]

INBOX: list[tuple[str, str, str, datetime]] = [
    (
        "Sofía Ruiz Hernández <sofia.ruiz@example.org>",
        "Offsite agenda",
        "Hi!\n\nHere is my first idea for the offsite agenda: strategy in the morning, "
        "team building in the afternoon, dinner at 7. Could you check whether the budget "
        "allows a boat trip?\n\nSofía",
        datetime(2024, 5, 30, 16, 12),
    ),
    (
        "Siddharth Jha <sid.jha@example.com>",
        "Q2 report draft",
        "Hey,\n\nThe Q2 report draft is in the shared folder. Revenue is up 12% and the "
        "new onboarding flow cut churn. Can you review it by Wednesday?\n\nThanks,\nSid",
        datetime(2024, 5, 31, 10, 45),
    ),
    (
        "Maria Garcia <maria.garcia@example.com>",
        "Contract for the Lisbon venue",
        "Hello,\n\nThe venue in Lisbon sent their contract (see Contract.pdf). The deposit "
        "is due on June 14. Let me know if anything looks off.\n\nBest,\nMaria",
        datetime(2024, 6, 1, 9, 5),
    ),
    (
        "Dana Okafor <dana.okafor@example.com>",
        "Lunch on Thursday?",
        "Hi,\n\nAre you free for lunch on Thursday around 12:30? The new ramen place on "
        "Shattuck Avenue just opened.\n\nDana",
        datetime(2024, 6, 3, 8, 20),
    ),
]

NOTES: dict[tuple[str, str], str] = {
    ("Notes", "Groceries"): "- eggs\n- tomatoes\n- basil",
    ("Notes", "Packing list"): "- passport\n- charger\n- swimsuit\n- sunscreen",
    ("Work", "Roadmap ideas"): "- grammar-constrained planning for small models\n- tool retrieval\n- offline demo",
}

PDFS: dict[str, tuple[str, list[str]]] = {
    "Documents/Minutes.pdf": (
        "Minutes of the product meeting, 28 May 2024",
        [
            "Attendees: Maria Garcia, Siddharth Jha, Dana Okafor and Chen Wei.",
            "The team agreed to ship the offline assistant in the July release.",
            "Siddharth will finish the grammar-constrained planner by June 14.",
            "Dana raised concerns about battery use on older laptops; Chen will benchmark three devices.",
            "The marketing launch moves to the second week of July so that the documentation is complete.",
            "Next meeting: Tuesday 4 June at 10:00 in the small conference room.",
        ],
    ),
    "Documents/Contract.pdf": (
        "Venue rental contract - Lisbon offsite",
        [
            "This agreement is made between Casa do Rio Events and Example Corp for the rental of the river hall.",
            "The event takes place from 20 to 22 June 2024 for up to 40 guests.",
            "A deposit of 2,000 EUR is due on 14 June 2024; the remaining 6,000 EUR is due on arrival.",
            "Cancellations later than 7 days before the event forfeit the deposit.",
            "Catering is provided by the venue; outside food is not allowed.",
        ],
    ),
    "Documents/Q2 report.pdf": (
        "Quarterly report Q2 2024",
        [
            "Revenue grew 12% compared with the first quarter, driven by the new team plan.",
            "Churn fell from 4.1% to 3.2% after the redesigned onboarding flow launched in April.",
            "Operating costs rose 5% because of two new hires in support.",
            "The outlook for Q3 is cautious: two large renewals are still under negotiation.",
        ],
    ),
}

TEXT_FILES: dict[str, str] = {
    "Documents/budget-2024.csv": "item,amount_eur\nvenue,8000\ncatering,3200\nboat trip,900\ntravel,5400\n",
    "Documents/Offsite agenda.md": "# Offsite agenda\n\n1. Strategy\n2. Team building\n3. Dinner at 7\n",
    "Pictures/README.txt": "Holiday photos from Lisbon go here.\n",
}


def default_demo_dir() -> Path:
    """Where `edgecall demo init` writes by default (kept apart from the user's real data)."""
    return Path(platformdirs.user_data_dir("edgecall-demo"))


DEMO_FILES = Path(__file__).parent / "demo_files"
"""The demo's PDFs, shipped as files (written once by `write_pdf` from :data:`PDFS`; tests check they agree), so
the runtime needs no PDF writer."""


def write_pdf(path: Path, title: str, paragraphs: list[str]) -> None:
    """A real, text-extractable PDF (Helvetica, so the text must be Latin-1); regenerates `DEMO_FILES` with fpdf2
    (a dev dependency): ``python -c "from edgecall.assistant.demo import regenerate_pdfs; regenerate_pdfs()"``."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, title)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=12)
    for para in paragraphs:
        pdf.multi_cell(0, 7, para)
        pdf.ln(2)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


def _message(sender: str, subject: str, body: str, when: datetime, to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when.astimezone())
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content(body)
    return msg


def regenerate_pdfs() -> None:
    """Rewrite the shipped demo PDFs from :data:`PDFS` (after editing their text)."""
    for rel, (title, paragraphs) in PDFS.items():
        write_pdf(DEMO_FILES / Path(rel).name, title, paragraphs)


def init_demo(root: Path, *, reset: bool = False) -> Store:
    """Create the demo profile in ``root``; refuses to touch a non-empty dir it did not create.

    ``reset`` deletes an earlier demo profile first (only one carrying the demo marker, so a
    mistyped path can never wipe real data).
    """
    root = root.expanduser()
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise StoreError(f"{root} is not empty and is not a demo profile; choose another --data-dir")
        if not reset:
            raise StoreError(f"{root} already holds a demo profile; use --reset to recreate it")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("created by `edgecall demo init`\n")
    store = Store(root)
    for contact in CONTACTS:
        store.contacts.add(contact)
    me = f"{store.config.user_name} <{store.config.user_email}>"
    for sender, subject, body, when in INBOX:
        store.mail.deliver(_message(sender, subject, body, when, me))
    for (folder, name), text in NOTES.items():
        store.notes.create(name, text, folder)
    files = root / "files"
    for rel in PDFS:
        (files / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEMO_FILES / Path(rel).name, files / rel)
    for rel, text in TEXT_FILES.items():
        (files / rel).parent.mkdir(parents=True, exist_ok=True)
        (files / rel).write_text(text, encoding="utf-8")
    store.calendar.add_event(
        title="Product meeting", start=datetime(2024, 6, 4, 10), end=datetime(2024, 6, 4, 11),
        location="Small conference room", attendees=["maria.garcia@example.com", "sid.jha@example.com"],
    )
    store.reminders.add_todo("Pay the venue deposit", date(2024, 6, 14), "2,000 EUR to Casa do Rio", "", 1)
    return store
