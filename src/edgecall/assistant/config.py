"""Settings the assistant's tools need, independent of how the CLI loads configuration.

The CLI (pydantic-settings, TOML in the XDG config dir) builds an :class:`AssistantConfig`;
tests build one directly.  Everything defaults to "local files only": nothing leaves the
machine (no SMTP, no SMS command, no browser, no Zoom) unless it is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The paper's Preferences window groups tools by app; enabling an app enables its tools.
APPS: dict[str, tuple[str, ...]] = {
    "contacts": ("get_phone_number", "get_email_address"),
    "calendar": ("create_calendar_event",),
    "files": ("open_and_get_file_path", "summarize_pdf"),
    "mail": ("compose_new_email", "reply_to_email", "forward_email"),
    "maps": ("maps_open_location", "maps_show_directions"),
    "notes": ("create_note", "open_note", "append_note_content"),
    "reminders": ("create_reminder",),
    "sms": ("send_sms",),
    "zoom": ("get_zoom_meeting_link",),
}


@dataclass(frozen=True)
class SmtpConfig:
    """An SMTP relay; when given, drafts are also sent (the default only writes drafts)."""

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str | None = None


@dataclass(frozen=True)
class AssistantConfig:
    """What the assistant may touch and which real side effects are switched on.

    Attributes:
        data_dir: root of the personal data store; ``None`` means the XDG data dir.
        file_roots: folders ``open_and_get_file_path`` searches (default: ``<data_dir>/files``).
        apps: enabled apps (keys of :data:`APPS`); ``None`` enables all.
        open_browser: open map URLs in the desktop browser (off by default: tools stay headless).
        open_files: open found files with ``xdg-open`` (the paper's "open_..." really opened them).
        smtp: send composed mail over SMTP in addition to saving the draft.
        sms_command: argv template for real SMS sending, e.g.
            ``["kdeconnect-cli", "--send-sms", "{message}", "--destination", "{number}"]``.
        zoom_token: Zoom OAuth access token; without it meetings get a Jitsi Meet link.
        zoom_api_url: Zoom REST API base (overridable so tests can use a local fake server).
        jitsi_url: Jitsi Meet server used when no Zoom token is configured.
        user_name / user_email: the sender identity written into drafts.
    """

    data_dir: Path | None = None
    file_roots: tuple[Path, ...] = ()
    apps: tuple[str, ...] | None = None
    open_browser: bool = False
    open_files: bool = False
    smtp: SmtpConfig | None = None
    sms_command: tuple[str, ...] | None = None
    zoom_token: str | None = None
    zoom_api_url: str = "https://api.zoom.us/v2"
    jitsi_url: str = "https://meet.jit.si"
    user_name: str = "Me"
    user_email: str = "me@localhost"

    def enabled_tools(self) -> list[str]:
        """Tool names of the enabled apps, in the canonical order of :data:`APPS`."""
        apps = self.apps if self.apps is not None else tuple(APPS)
        unknown = [a for a in apps if a not in APPS]
        if unknown:
            raise ValueError(f"unknown app(s) {unknown}; known apps: {sorted(APPS)}")
        return [name for app, names in APPS.items() if app in apps for name in names]
