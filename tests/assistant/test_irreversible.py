"""Which assistant tool calls cannot be undone follows from the configuration, as each tool declares it."""

from __future__ import annotations

import pytest

from edgecall.assistant import SmtpConfig

SMS_COMMAND = ("kdeconnect-cli", "--send-sms", "{message}", "--destination", "{number}")
SMTP = SmtpConfig(host="smtp.example.org", port=587)

CALLS = {
    "send_sms": [["+1 510 555 0101"], "Running late"],
    "compose_new_email": [["maria.garcia@example.com"], [], "Dinner", "at 8", []],
    "reply_to_email": [["sid.jha@example.com"], "Thanks", []],
    "forward_email": [["maria.garcia@example.com"], [], "FYI", []],
    "get_zoom_meeting_link": ["Sync", "2024-06-04 10:00:00", 30, []],
    "create_calendar_event": ["Dentist", "2024-06-12 09:00:00", "", "", ["maria.garcia@example.com"], "", ""],
    "create_note": ["Trip", "passport", ""],
    "append_note_content": ["Groceries", "eggs", ""],
    "create_reminder": ["Call mum", "", "", "", 0, False],
}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, {}),  # the default: everything stays local and undoable
        ({"sms_command": SMS_COMMAND}, {"send_sms": "send an SMS to +1 510 555 0101 with kdeconnect-cli: 'Running late'"}),
        (
            {"smtp": SMTP},
            {
                "compose_new_email": "send the email 'Dinner' to maria.garcia@example.com over SMTP (smtp.example.org:587)",
                "reply_to_email": "send a reply to the current email, cc sid.jha@example.com over SMTP (smtp.example.org:587)",
                "forward_email": "send the current email forwarded to maria.garcia@example.com over SMTP (smtp.example.org:587)",
            },
        ),
        ({"zoom_token": "t0ken"}, {"get_zoom_meeting_link": "create the Zoom meeting 'Sync' at 2024-06-04 10:00:00 on your Zoom account"}),
    ],
)
def test_irreversible_calls_follow_the_configuration(demo_dir, toolset_for, config, expected):
    tools = toolset_for(demo_dir, **config)
    declared = {name: tools[name].irreversible_act(args) for name, args in CALLS.items()}
    assert {name: act for name, act in declared.items() if act is not None} == expected
