"""The assistant's 16 tools, with the paper's exact names and positional signatures.

Each tool is a thin adapter: it validates the planner's arguments, calls the personal data
store (standard files under the data dir) and, where the paper used a sub-agent, an LLM
helper.  The docstrings are what the planner sees, so they state the conventions the
planner must follow (e.g. "use open_and_get_file_path first").  Expected failures (unknown
contact, missing file, ...) raise :class:`edgecall.tools.ToolError` with a clear message.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from edgecall.assistant.dates import parse_date, parse_datetime, same_zone
from edgecall.assistant.store import Store
from edgecall.assistant.subagents import SubAgents
from edgecall.config import AssistantConfig
from edgecall.tools import Arg, ArgKind, Returns, Tool, ToolError, Toolset, tool

DEFAULT_MEETING_MINUTES = 60

# What the parameters and results mean (read by evaluation and the dataset checks; see edgecall.tools.meta).
Name = Annotated[str, Arg(ArgKind.NAME)]
"""Names something the user must have said: a contact, place, file, note, folder or list."""
Place = Annotated[str, Arg(ArgKind.NAME, accepts={"link"})]
"""A place the user named, or a meeting link from an earlier step."""
Title = Annotated[str, Arg(ArgKind.TEXT)]
"""Free text the planner writes from the request (a title, subject, topic); no result feeds it."""
Text = Annotated[str, Arg(ArgKind.TEXT, accepts={"text", "link", "phone", "email"})]
"""Free text that may carry a summary, a note, a link, or a looked-up number or address from an earlier step
("put Ana's number in the reminder", "text Bo Ana's email")."""
Emails = Annotated[list[str], Arg(accepts={"email"}, entity=True)]
Phones = Annotated[list[str], Arg(accepts={"phone"}, entity=True)]
Paths = Annotated[list[str], Arg(accepts={"path"})]
Status = Annotated[str, Returns("status")]
"""A confirmation line for the user; no other step should consume it."""


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


def _build_tools(store: Store, agents: SubAgents) -> dict[str, Tool]:
    # What cannot be undone depends on the configuration: without SMTP mail stays a draft,
    # without an sms_command an SMS stays in the local outbox, and both are undoable.
    def mail_sent(what: str) -> str | None:
        smtp = store.config.smtp
        return None if smtp is None else f"send {what} over SMTP ({smtp.host}:{smtp.port})"

    def sms_sent(recipients: list[str], message: str) -> str | None:
        if not store.sms.command:
            return None
        return f"send an SMS to {', '.join(recipients)} with {store.sms.command[0]}: {message!r}"

    def zoom_created(topic: str, start_time: str, duration: int, invitees: list[str]) -> str | None:
        if not store.config.zoom_token:
            return None  # a Jitsi link is only a URL: nothing is created anywhere
        return f"create the Zoom meeting {topic!r} at {start_time} on your Zoom account"

    @tool
    def get_phone_number(name: Name) -> Annotated[str, Returns("phone")]:
        """Find a contact's phone number.
        Returns the phone number.
        Use it before send_sms, unless the number is given.

        Args:
            name: the contact's name or part of it.
        """
        return store.contacts.phone(name)

    @tool
    def get_email_address(name: Name) -> Annotated[str, Returns("email")]:
        """Find a contact's email address.
        Returns the email address.
        Use it before emailing or inviting someone, unless the address is given.

        Args:
            name: the contact's name or part of it.
        """
        return store.contacts.email(name)

    @tool
    def create_calendar_event(
        title: Title,
        start_date: str,
        end_date: str,
        location: Place,
        invitees: Emails,
        notes: Text,
        calendar: Name,
    ) -> Status:
        """Create a calendar event.
        Returns a confirmation.

        Args:
            title: the event's title.
            start_date: "YYYY-MM-DD HH:MM:SS".
            end_date: "YYYY-MM-DD HH:MM:SS"; a meeting lasts 60 minutes unless told otherwise.
            location: a place or a meeting link; "" if none.
            invitees: email addresses; [] if none.
            notes: extra text; "" if none.
            calendar: the calendar's name; "" for the default.
        """
        start = parse_datetime(start_date, "start_date")
        end = (
            parse_datetime(end_date, "end_date")
            if end_date.strip()
            else start + timedelta(minutes=DEFAULT_MEETING_MINUTES)
        )
        start, end = same_zone(start, end)
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
    def open_and_get_file_path(file_name: Name) -> Annotated[str, Returns("path")]:
        """Find a file by its name and open it.
        Returns the file's path, for summarize_pdf or email attachments.

        Args:
            file_name: the file's name or part of it.
        """
        path = store.files.find(file_name)
        store.open_file(path)
        return str(path)

    @tool
    def summarize_pdf(pdf_path: Annotated[str, Arg(accepts={"path"})]) -> Annotated[str, Returns("text")]:
        """Summarize a PDF file.
        Returns the summary.
        Call open_and_get_file_path first to get the path.

        Args:
            pdf_path: the path from open_and_get_file_path.
        """
        path = store.files.resolve(pdf_path)
        return agents.pdf_summary(store.pdf_text(path))

    @tool(irreversible=lambda recipients, cc, subject, context, attachments: mail_sent(
        f"the email {subject!r} to {', '.join(recipients + cc)}"))
    def compose_new_email(
        recipients: Emails,
        cc: Emails,
        subject: Title,
        context: Text,
        attachments: Paths,
    ) -> Status:
        """Write a new email (saved as a draft).
        Returns a confirmation.

        Args:
            recipients: email addresses.
            cc: email addresses; [] if none.
            subject: the subject.
            context: what the email says, with any links or earlier results.
            attachments: file paths; [] if none.
        """
        to = store.contacts.resolve_emails(recipients)
        if not to:
            raise ToolError("compose_new_email needs at least one recipient")
        files = [store.files.resolve(a) for a in attachments]
        body = agents.email_body(context, subject=subject)
        result = store.mail.draft_new(to, store.contacts.resolve_emails(cc), subject, body, files)
        return result.describe()

    @tool(irreversible=lambda cc, context, attachments: mail_sent(
        "a reply to the current email" + (f", cc {', '.join(cc)}" if cc else "")))
    def reply_to_email(cc: Emails, context: Text, attachments: Paths) -> Status:
        """Reply to the current email (saved as a draft).
        Returns a confirmation.

        Args:
            cc: email addresses; [] if none.
            context: what the reply says.
            attachments: file paths; [] if none.
        """
        original = store.mail.current()
        files = [store.files.resolve(a) for a in attachments]
        body = agents.email_body(context, thread=store.mail.thread_text(original))
        result = store.mail.draft_reply(original, store.contacts.resolve_emails(cc), body, files)
        return result.describe()

    @tool(irreversible=lambda recipients, cc, context, attachments: mail_sent(
        f"the current email forwarded to {', '.join(recipients + cc)}"))
    def forward_email(
        recipients: Emails, cc: Emails, context: Text, attachments: Paths
    ) -> Status:
        """Forward the current email (saved as a draft).
        Returns a confirmation.

        Args:
            recipients: email addresses.
            cc: email addresses; [] if none.
            context: a note to add; "" if none.
            attachments: file paths; [] if none.
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
    def maps_open_location(location: Name) -> Annotated[str, Returns("link")]:
        """Show a place on the map.
        Returns the map URL.

        Args:
            location: a place name or address.
        """
        return store.maps.open_location(location)

    @tool
    def maps_show_directions(start_location: Name, end_location: Name, transport: str) -> Annotated[str, Returns("link")]:
        """Show directions between two places on the map; no need to open the location first.
        Returns the directions URL.

        Args:
            start_location: where to start; "" for the current location.
            end_location: the destination.
            transport: "d" driving, "w" walking or "r" public transit.
        """
        return store.maps.show_directions(start_location, end_location, transport)

    @tool
    def create_note(name: Title, content: Text, folder: Name) -> Status:
        """Create a note.
        Returns a confirmation.

        Args:
            name: the note's title.
            content: the note's text.
            folder: the folder; "" for the default.
        """
        text = agents.note_text(name, content)
        path = store.notes.create(name, text, folder)
        return f"Created note {name!r} in folder {path.parent.name!r} ({path})"

    @tool
    def open_note(name: Name, folder: Name) -> Annotated[str, Returns("text")]:
        """Open a note.
        Returns the note's text.

        Args:
            name: the note's title.
            folder: the folder; "" to search all.
        """
        return store.notes.read(name, folder)

    @tool
    def append_note_content(name: Name, content: Text, folder: Name) -> Status:
        """Append text to a note; no need to open it first.
        Returns a confirmation.

        Args:
            name: the note's title.
            content: the text to add.
            folder: the folder; "" to search all.
        """
        text = agents.note_text(name, content)
        path = store.notes.append(name, text, folder)
        return f"Appended to note {path.stem!r} in folder {path.parent.name!r} ({path})"

    @tool
    def create_reminder(
        name: Title, due_date: str, notes: Text, list_name: Name, priority: int, all_day: bool
    ) -> Status:
        """Create a reminder.
        Returns a confirmation.

        Args:
            name: what to remember.
            due_date: "YYYY-MM-DD HH:MM:SS", or "YYYY-MM-DD" if all_day; "" if none.
            notes: extra text; "" if none.
            list_name: the list; "" for the default.
            priority: 0 none, 1 high, 5 medium, 9 low.
            all_day: True for an all-day reminder.
        """
        if not 0 <= priority <= 9:
            raise ToolError(f"priority {priority} is out of range: use 0 (none), 1 (high) .. 9 (low)")
        due = None
        if due_date.strip():
            due = parse_date(due_date, "due_date") if all_day else parse_datetime(due_date, "due_date")
        path = store.reminders.add_todo(name, due, notes, list_name, priority)
        when = f" due {due}" if due else ""
        return f"Created reminder {name!r}{when} in list {path.stem!r} ({path})"

    @tool(irreversible=sms_sent)
    def send_sms(recipients: Phones, message: Text) -> Status:
        """Send one SMS to one or more phone numbers.
        Returns a confirmation.

        Args:
            recipients: phone numbers.
            message: the text.
        """
        numbers = store.contacts.resolve_phones(recipients)
        if not numbers:
            raise ToolError("send_sms needs at least one recipient")
        if not message.strip():
            raise ToolError("send_sms needs a non-empty message")
        return store.sms.send(numbers, message)

    @tool(irreversible=zoom_created)
    def get_zoom_meeting_link(
        topic: Title, start_time: str, duration: int, meeting_invitees: Emails
    ) -> Annotated[str, Returns("link")]:
        """Create a video meeting.
        Returns the join link; put it in a calendar event's location or an email's context.

        Args:
            topic: the topic.
            start_time: "YYYY-MM-DD HH:MM:SS".
            duration: minutes (60 unless told otherwise).
            meeting_invitees: email addresses; [] if none.
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
