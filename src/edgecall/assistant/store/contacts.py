"""Contacts: a folder of vCard files (the vdir layout that khard, vdirsyncer and
Evolution/Thunderbird imports understand).

Lookup is forgiving in the way people refer to each other: case, diacritics and partial
names are tolerated ("sid" finds "Siddharth Jha", "sofia" finds "Sofía Ruiz"), and a name
that matches nobody or several people gives an error that says so and lists candidates.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

import vobject

from edgecall.assistant.store._io import StoreError, read_text, safe_name, update_file
from edgecall.text import best_matches, fold

_PHONE_RE = re.compile(r"^\+?[\d\s().\-/]{3,}$")
_NAME_SEP = re.compile(r"[\s\-'.]+")


@dataclass(frozen=True)
class Contact:
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    nicknames: tuple[str, ...] = ()
    source: Path | None = field(default=None, compare=False)


normalize = fold
"""Case- and accent-insensitive form: "Sofía" and "SOFIA" both become "sofia" (`edgecall.text.fold`)."""


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_RE.match(text.strip())) and sum(c.isdigit() for c in text) >= 3


def looks_like_email(text: str) -> bool:
    addr = parseaddr(text)[1]
    return "@" in addr and "." in addr.rsplit("@", 1)[-1]


def match_contacts(query: str, contacts: Iterable[Contact]) -> list[Contact]:
    """The best-matching contacts for ``query`` (pure; several means ambiguous).

    Levels, best first: the whole name (or a nickname) equals the query; every query word
    starts a word of the name; the query occurs inside the name.  Only the best
    non-empty level counts, so "Dana" is not ambiguous with "Danalyn" if a Dana exists.
    """
    return best_matches(query, contacts, lambda c: (c.name, *c.nicknames), words=_NAME_SEP.split)


def _resolve(items: Iterable[str], one: Callable[[str], str]) -> list[str]:
    """``one(item)`` for each non-blank item (stripped), in order, each value once: a recipient named twice, or
    by name and by address, gets one message."""
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item:
            value = one(item)
            if value not in out:
                out.append(value)
    return out


def _card_blocks(text: str) -> list[tuple[int, str]]:
    """Split a .vcf into (first line number, text) per card, so one broken card loses only itself."""
    blocks: list[tuple[int, str]] = []
    start: int | None = None
    buf: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if start is None:
            if not line.strip():
                continue
            start, buf = n, []
        buf.append(line)
        if line.strip().upper() == "END:VCARD":
            blocks.append((start, "\n".join(buf) + "\n"))
            start = None
    if start is not None:
        blocks.append((start, "\n".join(buf) + "\n"))
    return blocks


def _bad_line(exc: Exception, start: int, block: str) -> int:
    """The real line of a vobject error (its own `lineNumber` is off: it counts CRLF twice and more)."""
    msg = str(exc)
    marker = "Failed to parse line: "
    if marker in msg:
        wanted = msg.split(marker, 1)[1].strip()
        for offset, line in enumerate(block.splitlines()):
            if line.strip() == wanted:
                return start + offset
    return start


def _parse_vcards(path: Path) -> tuple[list[Contact], list[str]]:
    """The contacts of one file, and a problem (file and line) for each card that cannot be read."""
    text = read_text(path, "contacts")
    contacts: list[Contact] = []
    problems: list[str] = []
    for start, block in _card_blocks(text):
        try:
            cards = list(vobject.readComponents(block))
        except Exception as exc:  # vobject raises ParseError and assorted ValueErrors
            reason = str(exc).split(": ", 1)[-1] if str(exc).startswith("At line") else str(exc)
            problems.append(f"{path} line {_bad_line(exc, start, block)}: {reason[:120]}")
            continue
        for card in cards:
            if card.name != "VCARD":
                problems.append(f"{path} line {start}: a {card.name}, not a VCARD")
                continue
            fn = card.contents.get("fn")
            if not fn or not str(fn[0].value).strip():
                problems.append(f"{path} line {start}: a vCard without a name (FN)")
                continue
            contacts.append(
                Contact(
                    name=str(fn[0].value).strip(),
                    emails=tuple(str(e.value).strip() for e in card.contents.get("email", [])),
                    phones=tuple(str(t.value).strip() for t in card.contents.get("tel", [])),
                    nicknames=tuple(
                        n.strip()
                        for nick in card.contents.get("nickname", [])
                        for n in str(nick.value).split(",")
                        if n.strip()
                    ),
                    source=path,
                )
            )
    return contacts, problems


def to_vcard(contact: Contact) -> str:
    """Serialize one contact as a vCard 3.0 (what most Linux address books import)."""
    card = vobject.vCard()
    card.add("uid").value = str(uuid.uuid4())
    card.add("fn").value = contact.name
    parts = contact.name.split()
    card.add("n").value = vobject.vcard.Name(family=parts[-1] if len(parts) > 1 else "",
                                             given=" ".join(parts[:-1]) or contact.name)
    for email in contact.emails:
        card.add("email").value = email
    for phone in contact.phones:
        card.add("tel").value = phone
    if contact.nicknames:
        card.add("nickname").value = ",".join(contact.nicknames)
    text: str = card.serialize()  # vobject is untyped
    return text


class ContactBook:
    """The ``contacts/`` folder: every ``*.vcf`` in it (one or many vCards per file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []
        """Cards skipped by the last `all()`, as "file line N: reason" (named when a lookup fails)."""

    def all(self) -> list[Contact]:
        """Every readable contact; a broken card (or unreadable file) is skipped and noted in `problems`,
        so one corrupt .vcf does not block every lookup."""
        self.problems = []
        if not self.folder.is_dir():
            return []
        out: list[Contact] = []
        for path in sorted(self.folder.glob("*.vcf")):
            try:
                contacts, problems = _parse_vcards(path)
            except StoreError as exc:  # not UTF-8, unreadable
                self.problems.append(str(exc))
                continue
            out.extend(contacts)
            self.problems.extend(problems)
        return out

    def _skipped(self) -> str:
        if not self.problems:
            return ""
        more = f" and {len(self.problems) - 1} more" if len(self.problems) > 1 else ""
        return f"; skipped an unreadable card: {self.problems[0]}{more}"

    def add(self, contact: Contact) -> Path:
        path = self.folder / f"{safe_name(contact.name, 'contact')}.vcf"
        data = to_vcard(contact).encode()
        update_file(path, lambda old: (old or b"") + data)
        return path

    def find(self, name: str) -> Contact:
        contacts = self.all()
        found = match_contacts(name, contacts)
        if not found:
            if not contacts:
                raise StoreError(f"no contact matches {name!r}: the address book {self.folder} is empty{self._skipped()}")
            raise StoreError(
                f"no contact matches {name!r} (searched {len(contacts)} contacts in {self.folder}){self._skipped()}"
            )
        if len(found) > 1:
            names = ", ".join(sorted(c.name for c in found))
            raise StoreError(f"{name!r} is ambiguous: it matches {names}; use the full name")
        return found[0]

    def email(self, name: str) -> str:
        contact = self.find(name)
        if not contact.emails:
            raise StoreError(f"contact {contact.name!r} has no email address")
        return contact.emails[0]

    def phone(self, name: str) -> str:
        contact = self.find(name)
        if not contact.phones:
            raise StoreError(f"contact {contact.name!r} has no phone number")
        return contact.phones[0]

    def resolve_emails(self, items: Iterable[str]) -> list[str]:
        """Email addresses for a list of addresses or names (names are looked up), deduplicated."""
        return _resolve(items, lambda item: parseaddr(item)[1] if looks_like_email(item) else self.email(item))

    def resolve_phones(self, items: Iterable[str]) -> list[str]:
        """Phone numbers for a list of numbers or names (names are looked up), deduplicated."""
        return _resolve(items, lambda item: item if looks_like_phone(item) else self.phone(item))
