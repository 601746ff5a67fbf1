"""Video meetings: Zoom's REST API (``POST /users/me/meetings``) when an OAuth token is
configured, otherwise a Jitsi Meet room link, which needs no account.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx

from edgecall.assistant.store._io import StoreError, observer
from edgecall.tools.cancel import checkpoint, remaining

ZOOM_TIMEOUT_S = 20.0


def zoom_payload(topic: str, start: datetime, duration: int, invitees: list[str]) -> dict[str, Any]:
    """The request body Zoom's "Create a meeting" endpoint expects (pure).

    A naive ``start`` is local wall-clock time; it is sent as UTC ("...Z") so no time zone
    name is needed.
    """
    start_utc = start.astimezone(UTC) if start.tzinfo else start.astimezone().astimezone(UTC)
    return {
        "topic": topic,
        "type": 2,  # scheduled meeting
        "start_time": start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": duration,
        "settings": {"meeting_invitees": [{"email": e} for e in invitees]},
    }


def jitsi_room(topic: str) -> str:
    """A hard-to-guess room name from the topic: Jitsi rooms are open to whoever knows it."""
    slug = "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", topic))[:40] or "Meeting"
    return f"{slug}-{secrets.token_hex(5)}"


class Meetings:
    def __init__(self, zoom_token: str | None, zoom_api_url: str, jitsi_url: str) -> None:
        self.zoom_token = zoom_token
        self.zoom_api_url = zoom_api_url.rstrip("/")
        self.jitsi_url = jitsi_url.rstrip("/")

    def create(self, topic: str, start: datetime, duration: int, invitees: list[str]) -> str:
        if not topic.strip():
            raise StoreError("a meeting needs a topic")
        if not self.zoom_token:
            return f"{self.jitsi_url}/{jitsi_room(topic)}"
        url = f"{self.zoom_api_url}/users/me/meetings"
        checkpoint("creating the Zoom meeting")
        try:
            resp = httpx.post(
                url,
                json=zoom_payload(topic, start, duration, invitees),
                headers={"Authorization": f"Bearer {self.zoom_token}"},
                timeout=max(remaining(ZOOM_TIMEOUT_S), 0.1),
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the Zoom API at {url}: {exc}") from None
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if resp.status_code >= 400:
            reason = data.get("message") if isinstance(data, dict) else None
            raise StoreError(f"Zoom refused to create the meeting (HTTP {resp.status_code}): {reason or resp.text[:200]}")
        join_url = data.get("join_url") if isinstance(data, dict) else None
        if (obs := observer()) is not None:
            obs.sent(f"Zoom meeting {topic!r} created at {self.zoom_api_url}")
        if not join_url:
            raise StoreError(f"Zoom's reply from {url} has no join_url")
        return str(join_url)
