"""`edgecall demo init` and `edgecall mail list|select`."""

from __future__ import annotations

import json

import icalendar
from typer.testing import CliRunner

from edgecall.assistant.demo import CONTACTS, PDFS
from edgecall.assistant.store import Store
from edgecall.cli.demo import app as demo_app
from edgecall.cli.mail import app as mail_app

runner = CliRunner()


def text(res) -> str:
    return " ".join(res.output.split())


def test_demo_init_creates_a_usable_profile(tmp_path):
    root = tmp_path / "demo"
    res = runner.invoke(demo_app, ["init", "--data-dir", str(root)])
    assert res.exit_code == 0, res.output
    assert "Demo profile created" in text(res)
    store = Store(root)
    assert len(store.contacts.all()) == len(CONTACTS)
    assert len(store.mail.inbox()) == 4
    for rel in PDFS:
        assert len(store.pdf_text(root / "files" / rel)) > 100
    cal = icalendar.Calendar.from_ical((root / "calendar" / "Calendar.ics").read_bytes())
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Product meeting"]
    assert "tomatoes" in store.notes.read("Groceries", "")


def test_demo_init_protects_existing_data(tmp_path):
    (tmp_path / "mine.txt").write_text("precious")
    res = runner.invoke(demo_app, ["init", "--data-dir", str(tmp_path), "--reset"])
    assert res.exit_code == 1 and "is not empty and is not a demo profile" in text(res)
    assert (tmp_path / "mine.txt").read_text() == "precious"


def test_demo_reset(tmp_path):
    root = tmp_path / "demo"
    assert runner.invoke(demo_app, ["init", "--data-dir", str(root)]).exit_code == 0
    again = runner.invoke(demo_app, ["init", "--data-dir", str(root)])
    assert again.exit_code == 1 and "--reset" in text(again)
    (root / "notes" / "Notes" / "Extra.md").write_text("# Extra\n")
    assert runner.invoke(demo_app, ["init", "--data-dir", str(root), "--reset"]).exit_code == 0
    assert not (root / "notes" / "Notes" / "Extra.md").exists()


def test_mail_list_and_select(demo_dir):
    res = runner.invoke(mail_app, ["list", "--data-dir", str(demo_dir), "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["subject"] for r in rows][:2] == ["Lunch on Thursday?", "Contract for the Lisbon venue"]
    assert rows[0]["current"] and not rows[1]["current"]

    res = runner.invoke(mail_app, ["select", "Offsite", "--data-dir", str(demo_dir)])
    assert res.exit_code == 0 and "Offsite agenda" in text(res)
    rows = json.loads(runner.invoke(mail_app, ["list", "--data-dir", str(demo_dir), "--json"]).output)
    assert [r["subject"] for r in rows if r["current"]] == ["Offsite agenda"]

    res = runner.invoke(mail_app, ["select", "nothing like this", "--data-dir", str(demo_dir)])
    assert res.exit_code == 1 and "matches no message" in text(res)


def test_shipped_demo_pdfs_say_what_PDFS_says():
    """The demo ships its PDFs (no PDF writer at run time); their text is exactly the documented PDFS content."""
    from pypdf import PdfReader

    from edgecall.assistant.demo import DEMO_FILES

    assert sorted(p.name for p in DEMO_FILES.glob("*.pdf")) == sorted(rel.split("/")[-1] for rel in PDFS)
    for rel, (title, paragraphs) in PDFS.items():
        extracted = " ".join(" ".join(page.extract_text() for page in PdfReader(DEMO_FILES / rel.split("/")[-1]).pages).split())
        assert extracted.startswith(title)
        for para in paragraphs:
            assert " ".join(para.split()) in extracted, (rel, para[:40])
