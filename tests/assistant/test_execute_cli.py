"""`edgecall execute --plan FILE` on the demo profile: multi-tool plans with visible effects."""

from __future__ import annotations

import json
import mailbox
from email import message_from_bytes, policy

from typer.testing import CliRunner

from edgecall.cli.main import app

PLAN = """\
1. get_email_address("Sid")
2. get_email_address("Lutfi")
3. open_and_get_file_path("Q2 report")
4. compose_new_email(["$1", "$2"], [], "Q2 report", "The Q2 report is attached and ready for review.", ["$3"])
5. open_and_get_file_path("Minutes.pdf")
6. summarize_pdf("$5")
7. create_note("Minutes summary", "$6", "Work")
8. join()<END_OF_PLAN>
"""


def test_execute_plan_on_the_demo_profile(demo_dir, tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN)
    res = CliRunner().invoke(app, ["execute", "--plan", str(plan), "--data-dir", str(demo_dir), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output.strip().splitlines()[-1])  # machine-readable report

    box = mailbox.Maildir(demo_dir / "mail", factory=None, create=False).get_folder("Drafts")
    (key,) = box.keys()
    draft = message_from_bytes(box.get_bytes(key), policy=policy.default)
    assert draft["To"] == "sid.jha@example.com, lutfi.erdogan@example.com"
    assert [a.get_filename() for a in draft.iter_attachments()] == ["Q2 report.pdf"]

    note = (demo_dir / "notes" / "Work" / "Minutes summary.md").read_text(encoding="utf-8")
    assert note.startswith("# Minutes summary\n\nMinutes of the product meeting")


def test_execute_reports_an_unknown_contact(demo_dir, tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text('1. get_phone_number("Gandalf")\n2. send_sms(["$1"], "hi")\n3. join()<END_OF_PLAN>\n')
    res = CliRunner().invoke(app, ["execute", "--plan", str(plan), "--data-dir", str(demo_dir)])
    out = " ".join(res.output.split())
    assert "no contact matches 'Gandalf'" in out
    assert not (demo_dir / "sms" / "outbox.jsonl").exists()
