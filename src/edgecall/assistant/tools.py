"""The assistant's 16 tools, with the paper's exact names and positional signatures.

Each tool is a thin adapter: it validates the planner's arguments, calls the personal data
store (standard files under the data dir) and, where the paper used a sub-agent, an LLM
helper.  The docstrings are what the planner sees, so they state the conventions the
planner must follow (e.g. "use open_and_get_file_path first").  Expected failures (unknown
contact, missing file, ...) raise :class:`edgecall.tools.ToolError` with a clear message.
"""

from __future__ import annotations

from datetime import timedelta

from edgecall.assistant.config import AssistantConfig
from edgecall.assistant.dates import parse_date, parse_datetime
from edgecall.assistant.store import Store
from edgecall.assistant.subagents import SubAgents
from edgecall.tools import Tool, ToolError, Toolset, tool

DEFAULT_MEETING_MINUTES = 60


def assistant_toolset(
    store: Store | None = None,
    subagents: SubAgents | None = None,
    config: AssistantConfig | None = None,
) -> Toolset:
    """Build the assistant's tools bound to one store, sub-agents and config.

    Tools are closures rather than module functions so that several stores (e.g. a test's
    temporary data dir and the demo profile) can coexist in one process.  Only the tools of
    the apps enabled in ``config.apps`` are returned (the paper's Preferences window).
    """
    config = config or AssistantConfig()
    store = store or Store(config.data_dir, config=config)
    agents = subagents or SubAgents()
    tools = _build_tools(store, agents)
    enabled = config.enabled_tools()
    return Toolset([tools[name] for name in enabled])


def _build_tools(store: Store, agents: SubAgents) -> dict[str, Tool]:  # noqa: C901 - one closure per tool
    @tool
    def get_phone_number(name: str) -> str:
        """Search the contacts for a person and return their phone number.
        Returns the phone number, e.g. "+1 510 555 0134".
        Use it before send_sms, unless the request gives their phone number.

        Args:
            name: the contact's name or part of it (first name is enough, e.g. "Sid").
        """
        return store.contacts.phone(name)

    @tool
    def get_email_address(name: str) -> str:
        """Search the contacts for a person and return their email address.
        Returns the email address, e.g. "sid.jha@example.com".
        Use it before emailing or inviting someone, unless the request gives their email address.

        Args:
            name: the contact's name or part of it (first name is enough, e.g. "Sid").
        """
        return store.contacts.email(name)

    @tool
    def create_calendar_event(
        title: str,
        start_date: str,
        end_date: str,
        location: str,
        invitees: list[str],
        notes: str,
        calendar: str,
    ) -> str:
        """Create a calendar event.
        Returns a confirmation naming the event, its time and the calendar file.

        Args:
            title: the event's title.
            start_date: start, formatted "YYYY-MM-DD HH:MM:SS".
            end_date: end, formatted "YYYY-MM-DD HH:MM:SS"; unless told otherwise a meeting
                lasts 60 minutes; "" means 60 minutes after start_date.
            location: a place, or a video meeting link from get_zoom_meeting_link; "" if none.
            invitees: email addresses of the invitees (from get_email_address); [] if none.
            notes: extra text for the event; "" if none.
            calendar: the calendar's name; "" for the default calendar.
        """
        start = parse_datetime(start_date, "start_date")
        end = (
            parse_datetime(end_date, "end_date")
            if end_date.strip()
            else start + timedelta(minutes=DEFAULT_MEETING_MINUTES)
        )
        if end <= start:
            raise ToolError(f"end_date {end_date!r} is not after start_date {start_date!r}")
        emails = store.contacts.resolve_emails(invitees)
        path = store.calendar.add_event(
            title=title, start=start, end=end, location=location,
            attendees=emails, notes=notes, calendar=calendar,
            organizer=store.config.user_email,
        )
        who = f" with {', '.join(emails)}" if emails else ""
        return (
            f"Created event {title!r} on {start:%Y-%m-%d %H:%M}-{end:%H:%M}{who} "
            f"in calendar {path.stem!r} ({path})"
        )

    @tool
    def open_and_get_file_path(file_name: str) -> str:
        """Find a file by (part of) its name in the user's folders, open it and return its path.
        Returns the file's absolute path.
        Use it to get the path that summarize_pdf needs and the paths of email attachments.

        Args:
            file_name: the file's name or part of it, with or without extension (e.g. "Minutes.pdf").
        """
        path = store.files.find(file_name)
        store.open_file(path)
        return str(path)

    @tool
    def summarize_pdf(pdf_path: str) -> str:
        """Summarize the text of a PDF file.
        Returns a short summary of the PDF's text.
        Only call it with a path returned by open_and_get_file_path (e.g. "$1").

        Args:
            pdf_path: the PDF's path, from open_and_get_file_path.
        """
        path = store.files.resolve(pdf_path)
        return agents.pdf_summary(store.pdf_text(path))

    @tool
    def compose_new_email(
        recipients: list[str],
        cc: list[str],
        subject: str,
        context: str,
        attachments: list[str],
    ) -> str:
        """Write a new email and save it as a draft for the user to review and send.
        Returns a confirmation naming the recipients and the draft's file.

        Args:
            recipients: email addresses of the recipients (from get_email_address).
            cc: email addresses to copy; [] if none.
            subject: the subject line.
            context: what the email should say; put links (meeting, map) and earlier results
                ("$2") here; the body is written from it.
            attachments: file paths from open_and_get_file_path; [] if none.
        """
        to = store.contacts.resolve_emails(recipients)
        if not to:
            raise ToolError("compose_new_email needs at least one recipient")
        files = [store.files.resolve(a) for a in attachments]
        body = agents.email_body(context, subject=subject)
        result = store.mail.draft_new(to, store.contacts.resolve_emails(cc), subject, body, files)
        return result.describe()

    @tool
    def reply_to_email(cc: list[str], context: str, attachments: list[str]) -> str:
        """Reply to the current email (the one the user selected, else the newest in the inbox).
        Returns a confirmation naming the recipient and the draft's file.
        The reply is saved as a draft addressed to the sender, quoting the original.

        Args:
            cc: email addresses to copy (from get_email_address); [] if none.
            context: what the reply should say; links and earlier results ("$1") go here.
            attachments: file paths from open_and_get_file_path; [] if none.
        """
        original = store.mail.current()
        files = [store.files.resolve(a) for a in attachments]
        body = agents.email_body(context, thread=store.mail.thread_text(original), reply=True)
        result = store.mail.draft_reply(original, store.contacts.resolve_emails(cc), body, files)
        return result.describe()

    @tool
    def forward_email(
        recipients: list[str], cc: list[str], context: str, attachments: list[str]
    ) -> str:
        """Forward the current email (the one the user selected, else the newest in the inbox).
        Returns a confirmation naming the recipients and the draft's file.
        The forward is saved as a draft with the original message attached.

        Args:
            recipients: email addresses to forward to (from get_email_address).
            cc: email addresses to copy; [] if none.
            context: a note to put above the forwarded message; "" if none.
            attachments: extra file paths from open_and_get_file_path; [] if none.
        """
        to = store.contacts.resolve_emails(recipients)
        if not to:
            raise ToolError("forward_email needs at least one recipient")
        original = store.mail.current()
        files = [store.files.resolve(a) for a in attachments]
        body = agents.email_body(context) if context.strip() else ""
        result = store.mail.draft_forward(
            original, to, store.contacts.resolve_emails(cc), body, files
        )
        return result.describe()

    @tool
    def maps_open_location(location: str) -> str:
        """Show a place on the map (OpenStreetMap).
        Returns the map URL of the place.

        Args:
            location: a place name, an address or "latitude,longitude".
        """
        return store.maps.open_location(location)

    @tool
    def maps_show_directions(start_location: str, end_location: str, transport: str) -> str:
        """Show directions between two places on the map (OpenStreetMap).
        Returns the URL of the directions.
        No need to call maps_open_location first.

        Args:
            start_location: where to start; "" for the user's current location.
            end_location: the destination.
            transport: "d" driving (default), "w" walking or "r" public transit.
        """
        return store.maps.show_directions(start_location, end_location, transport)

    @tool
    def create_note(name: str, content: str, folder: str) -> str:
        """Create a new note.
        Returns a confirmation naming the note's file.

        Args:
            name: the note's title.
            content: the note's text, or an earlier result such as a summary ("$2").
            folder: the folder to put it in; "" for the default folder.
        """
        text = agents.note_text(name, content)
        path = store.notes.create(name, text, folder)
        return f"Created note {name!r} in folder {path.parent.name!r} ({path})"

    @tool
    def open_note(name: str, folder: str) -> str:
        """Open an existing note and return its text.
        Returns the note's content.

        Args:
            name: the note's title or part of it.
            folder: the note's folder; "" to search all folders.
        """
        return store.notes.read(name, folder)

    @tool
    def append_note_content(name: str, content: str, folder: str) -> str:
        """Append text to an existing note (creating it if it does not exist yet).
        Returns a confirmation naming the note's file.
        No need to call open_note first.

        Args:
            name: the note's title or part of it.
            content: the text to add.
            folder: the note's folder; "" to search all folders.
        """
        text = agents.note_text(name, content)
        path = store.notes.append(name, text, folder)
        return f"Appended to note {path.stem!r} in folder {path.parent.name!r} ({path})"

    @tool
    def create_reminder(
        name: str, due_date: str, notes: str, list_name: str, priority: int, all_day: bool
    ) -> str:
        """Create a reminder (a to-do).
        Returns a confirmation naming the reminder, its due date and the list's file.

        Args:
            name: what to be reminded of.
            due_date: when, "YYYY-MM-DD HH:MM:SS", or "YYYY-MM-DD" when all_day is True; "" for no due date.
            notes: extra text; "" if none.
            list_name: the reminder list; "" for the default list.
            priority: 0 none, 1 high, 5 medium, 9 low (iCalendar's scale).
            all_day: True for a whole-day reminder, else False.
        """
        if not 0 <= priority <= 9:
            raise ToolError(f"priority {priority} is out of range: use 0 (none), 1 (high) .. 9 (low)")
        due = None
        if due_date.strip():
            due = parse_date(due_date, "due_date") if all_day else parse_datetime(due_date, "due_date")
        path = store.reminders.add_todo(name, due, notes, list_name, priority)
        when = f" due {due}" if due else ""
        return f"Created reminder {name!r}{when} in list {path.stem!r} ({path})"

    @tool
    def send_sms(recipients: list[str], message: str) -> str:
        """Send one text message (SMS) to one or more people.
        Returns a confirmation naming the recipients.
        Several recipients go in one call, as a list.

        Args:
            recipients: phone numbers (from get_phone_number).
            message: the text to send.
        """
        numbers = store.contacts.resolve_phones(recipients)
        if not numbers:
            raise ToolError("send_sms needs at least one recipient")
        if not message.strip():
            raise ToolError("send_sms needs a non-empty message")
        return store.sms.send(numbers, message)

    @tool
    def get_zoom_meeting_link(
        topic: str, start_time: str, duration: int, meeting_invitees: list[str]
    ) -> str:
        """Create a video meeting and return its join link.
        Returns the meeting's join URL.
        Put the link in a calendar event's location or in an email's context.

        Args:
            topic: the meeting's topic.
            start_time: start, formatted "YYYY-MM-DD HH:MM:SS".
            duration: length in minutes (60 unless told otherwise).
            meeting_invitees: email addresses of the invitees (from get_email_address); [] if none.
        """
        start = parse_datetime(start_time, "start_time")
        if duration <= 0:
            raise ToolError(f"duration must be a positive number of minutes, got {duration}")
        invitees = store.contacts.resolve_emails(meeting_invitees)
        return store.meetings.create(topic, start, duration, invitees)

    built = [
        get_phone_number, get_email_address, create_calendar_event, open_and_get_file_path,
        summarize_pdf, compose_new_email, reply_to_email, forward_email, maps_open_location,
        maps_show_directions, create_note, open_note, append_note_content, create_reminder,
        send_sms, get_zoom_meeting_link,
    ]
    return {t.name: t for t in built}
