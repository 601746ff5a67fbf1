"""Planner prompt material for the assistant: conventions as rules, and in-context examples.

These are static text, so the prompt builder can put them first and the llama.cpp KV cache
of that prefix is reused across requests.  The examples use a fixed "now" of
2024-06-03 09:00:00 (a Monday) so their dates are consistent; the builder states that date.
"""

from __future__ import annotations

EXAMPLES_NOW = "2024-06-03 09:00:00"

PLANNING_RULES = """\
 - Start the plan with step "1." and number the steps in order.
 - Pass arguments by position only, never by name, and fill EVERY argument: use "" or [] when an argument does not apply.
 - Write dates as "YYYY-MM-DD HH:MM:SS"; an all-day reminder's due date is "YYYY-MM-DD".
 - Unless the request says otherwise, a meeting lasts 60 minutes.
 - To use the result of an earlier step, write "$" and its number, e.g. "$1".
 - Before emailing, replying with cc, forwarding or inviting someone, call get_email_address for each person, unless the request gives their email address.
 - Before texting someone, call get_phone_number for each person, unless the request gives their phone number.
 - To text several people, send ONE send_sms with all their numbers in the list.
 - summarize_pdf takes the path returned by open_and_get_file_path, so call open_and_get_file_path first.
 - Attachments are file paths from open_and_get_file_path.
 - Put a video meeting link from get_zoom_meeting_link in the calendar event's location or in the email's context.
 - To append to a note you do not need open_note first; to show directions you do not need maps_open_location first.
 - Send every email or text before join().
 - End the plan with join() followed by <END_OF_PLAN>, and use join() only at the very end.
"""

EXAMPLES: list[tuple[str, str]] = [
    (
        "Text Maria and Dana that I'm running late.",
        '1. get_phone_number("Maria")\n'
        '2. get_phone_number("Dana")\n'
        '3. send_sms(["$1", "$2"], "I\'m running late.")\n'
        "4. join()<END_OF_PLAN>",
    ),
    (
        "Send the Q2 report to Sid and Lutfi and tell them it is ready for review.",
        '1. get_email_address("Sid")\n'
        '2. get_email_address("Lutfi")\n'
        '3. open_and_get_file_path("Q2 report")\n'
        '4. compose_new_email(["$1", "$2"], [], "Q2 report", "The Q2 report is attached and ready for review.", ["$3"])\n'
        "5. join()<END_OF_PLAN>",
    ),
    (
        "Summarize Minutes.pdf and save the summary in a note called Minutes summary in my Work folder.",
        '1. open_and_get_file_path("Minutes.pdf")\n'
        '2. summarize_pdf("$1")\n'
        '3. create_note("Minutes summary", "$2", "Work")\n'
        "4. join()<END_OF_PLAN>",
    ),
    (
        "Set up a Zoom call with Dana tomorrow at 2pm about the roadmap and put it on my calendar.",
        '1. get_email_address("Dana")\n'
        '2. get_zoom_meeting_link("Roadmap", "2024-06-04 14:00:00", 60, ["$1"])\n'
        '3. create_calendar_event("Roadmap", "2024-06-04 14:00:00", "2024-06-04 15:00:00", "$2", ["$1"], "", "")\n'
        "4. join()<END_OF_PLAN>",
    ),
    (
        "Remind me to pay the rent on Friday, it's important.",
        '1. create_reminder("Pay the rent", "2024-06-07", "", "", 1, True)\n'
        "2. join()<END_OF_PLAN>",
    ),
    (
        "How do I walk from Union Square to the Ferry Building?",
        '1. maps_show_directions("Union Square", "Ferry Building", "w")\n'
        "2. join()<END_OF_PLAN>",
    ),
    (
        "Reply to this email saying I'll be there, and cc Sofía.",
        '1. get_email_address("Sofía")\n'
        '2. reply_to_email(["$1"], "I will be there.", [])\n'
        "3. join()<END_OF_PLAN>",
    ),
    (
        "Forward this email to Lutfi and attach the budget spreadsheet.",
        '1. get_email_address("Lutfi")\n'
        '2. open_and_get_file_path("budget")\n'
        '3. forward_email(["$1"], [], "", ["$2"])\n'
        "4. join()<END_OF_PLAN>",
    ),
    (
        "Add oat milk and coffee to my Groceries note.",
        '1. append_note_content("Groceries", "oat milk, coffee", "")\n'
        "2. join()<END_OF_PLAN>",
    ),
    (
        "What is in my Packing list note? Also show me the Louvre on the map.",
        '1. open_note("Packing list", "")\n'
        '2. maps_open_location("Louvre")\n'
        "3. join()<END_OF_PLAN>",
    ),
    (
        "Book lunch with Siddharth on Wednesday at noon at Café Rio and text him the plan.",
        '1. get_email_address("Siddharth")\n'
        '2. get_phone_number("Siddharth")\n'
        '3. create_calendar_event("Lunch with Siddharth", "2024-06-05 12:00:00", "2024-06-05 13:00:00", "Café Rio", ["$1"], "", "")\n'
        '4. send_sms(["$2"], "Lunch on Wednesday at noon at Café Rio?")\n'
        "5. join()<END_OF_PLAN>",
    ),
    (
        "Email Maria a summary of Contract.pdf.",
        '1. get_email_address("Maria")\n'
        '2. open_and_get_file_path("Contract.pdf")\n'
        '3. summarize_pdf("$2")\n'
        '4. compose_new_email(["$1"], [], "Summary of Contract.pdf", "$3", [])\n'
        "5. join()<END_OF_PLAN>",
    ),
]
