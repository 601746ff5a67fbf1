"""Scenario generator for the 16 assistant tools: request text and gold plan built together.

A request is one to three *units* (an SMS, a meeting flow, a PDF summary saved to a note...).  Each unit
draws entities, renders an imperative clause from one of its phrasing templates and appends its tool calls
to a shared :class:`PlanBuilder`, so references (``$k``) are right by construction.  The composer joins the
clauses, wraps them in a politeness/terse frame and adds surface noise (see ``surface``).

Templates and frames are split into *seen* and *held-out* ones (every fifth of each list is held out);
entity pools likewise.  Train/val/test draw only seen ones, the held-out test split only held-out ones,
which measures generalisation to new phrasings and names rather than memorisation.

Gold plans follow the assistant's planning conventions (``edgecall.assistant.prompt.PLANNING_RULES``):
lookups before mailing/texting unless an address/number is given, one SMS for several people, PDF path
from ``open_and_get_file_path``, meeting links into the event's location or the message, 60-minute default
meetings, every argument filled.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import pools
from .surface import join_names, protected_words, surface
from .timeexpr import (
    DATE_FMT,
    When,
    random_duration,
    random_meeting_when,
    random_now,
    random_when,
    render_clock,
    when_date_only,
    when_day_and_time,
)

MAX_STEPS = 8


# ------------------------------------------------------------------------------------------------ plan building
class PlanBuilder:
    """Collects tool calls; ``add`` returns the ``$k`` reference of the new step."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, tuple[Any, ...]]] = []

    def add(self, tool: str, *args: Any) -> str:
        self.steps.append((tool, args))
        return f"${len(self.steps)}"


@dataclass
class Example:
    query: str
    now: datetime
    steps: list[tuple[str, tuple[Any, ...]]]
    scenario: str
    template: str


# ---------------------------------------------------------------------------------------------------- context
def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum())


def _held_out_index(i: int) -> bool:
    return i % 5 == 4


@dataclass
class Pools:
    first: list[str]
    last: list[str]
    places: list[str]
    files: list[str]
    notes: list[str]
    topics: list[str]
    tasks: list[str]

    @classmethod
    def build(cls, held_out: bool) -> Pools:
        part = 1 if held_out else 0
        return cls(*(pools.split_pool(p)[part] for p in (
            pools.FIRST_NAMES, pools.LAST_NAMES, pools.PLACES, pools.FILE_STEMS, pools.NOTE_NAMES, pools.TOPICS,
            pools.REMINDER_TASKS)))


@dataclass
class Person:
    mention: str  # how the request names them
    lookup: str  # what the lookup tool gets


@dataclass
class Ctx:
    """Per-example state: randomness, ``now``, which templates/entities are allowed, names used so far."""

    rng: random.Random
    now: datetime
    held_out: bool
    pools: Pools
    used: set[str] = field(default_factory=set)
    templates: list[str] = field(default_factory=list)

    def template(self, kind: str, options: Sequence[str], allow: Callable[[str], bool] | None = None) -> str:
        """Pick a phrasing of this split's part (seen or held out) and record its id."""
        allowed = [i for i in range(len(options))
                   if _held_out_index(i) == self.held_out and (allow is None or allow(options[i]))]
        i = self.rng.choice(allowed)
        self.templates.append(f"{kind}:{i}")
        return options[i]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def person(self) -> Person:
        rng = self.rng
        for _ in range(50):
            first, last = rng.choice(self.pools.first), rng.choice(self.pools.last)
            r = rng.random()
            if r < 0.5:
                p = Person(first, first)
            elif r < 0.82:
                p = Person(f"{first} {last}", f"{first} {last}")
            elif r < 0.95:
                p = Person(f"{rng.choice(pools.TITLES)} {last}", last)
            else:
                rel = rng.choice(("Mom", "Dad", "Grandma"))
                p = Person(rel, rel)
            key = p.lookup.lower()
            if key not in self.used and not any(key in u or u in key for u in self.used):
                self.used.add(key)
                return p
        raise RuntimeError("could not draw a distinct person")

    def people(self, max_n: int = 3) -> list[Person]:
        n = self.rng.choices(range(1, max_n + 1), weights=(6, 3, 1)[:max_n])[0]
        return [self.person() for _ in range(n)]

    def email_address(self) -> str:
        first = _ascii(self.rng.choice(self.pools.first)).lower()
        last = _ascii(self.rng.choice(self.pools.last)).lower()
        local = self.rng.choice((f"{first}.{last}", f"{first}", f"{first[0]}{last}", f"{first}_{last}"))
        return f"{local}@{self.rng.choice(pools.EMAIL_DOMAINS)}"

    def phone_number(self) -> str:
        r = self.rng
        return r.choice((
            f"+1 {r.randrange(200, 999)} 555 {r.randrange(1000, 9999)}",
            f"({r.randrange(200, 999)}) 555-{r.randrange(1000, 9999)}",
            f"+44 20 {r.randrange(1000, 9999)} {r.randrange(1000, 9999)}",
            f"+49 30 {r.randrange(100000, 999999)}",
            f"555-{r.randrange(1000, 9999)}",
            f"+33 6 {r.randrange(10, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)}",
        ))

    def place(self) -> tuple[str, str]:
        """(mention, argument): "the Louvre" is looked up as "Louvre"."""
        if self.chance(0.3):
            r = self.rng
            addr = f"{r.randrange(1, 250)} {r.choice(pools.STREET_NAMES)}"
            if self.chance(0.5):
                addr += f", {r.choice(pools.CITIES)}"
            return addr, addr
        p = self.rng.choice(self.pools.places)
        return p, p[4:] if p.startswith("the ") else p

    def file(self, pdf: bool = False) -> tuple[str, str]:
        """(mention, argument) for a file: "Q3 Budget.pdf" as written, or "the Q3 Budget pdf" -> "Q3 Budget"."""
        stem = self.rng.choice(self.pools.files)
        ext = ".pdf" if pdf else self.rng.choice(pools.DOC_EXTENSIONS)
        if self.chance(0.5):
            name = stem + ext
            return self.rng.choice((name, f"'{name}'", f'"{name}"', f"the file {name}")), name
        kind = ext[1:] if self.chance(0.5) else self.rng.choice(("file", "document", "doc"))
        return self.rng.choice((f"the {stem} {kind}", f"my {stem} {kind}", f"the {stem} {kind}")), stem


def _sentence(text: str) -> str:
    """Message/context text as the plan carries it: first letter up, final punctuation."""
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _title(text: str) -> str:
    return text[0].upper() + text[1:]


# --------------------------------------------------------------------------------------- recipients / lookups
def _recipients(ctx: Ctx, b: PlanBuilder, kind: str, max_n: int = 3, explicit_p: float = 0.12) -> tuple[str, list[str]]:
    """Mention text and plan values for recipients: lookups (``$k``) or explicit addresses/numbers."""
    tool = "get_email_address" if kind == "email" else "get_phone_number"
    people = ctx.people(max_n)
    mentions: list[str] = []
    values: list[str] = []
    for p in people:
        if ctx.chance(explicit_p):
            value = ctx.email_address() if kind == "email" else ctx.phone_number()
            mentions.append(value)
            values.append(value)
        else:
            mention = p.mention
            if len(people) == 1 and ctx.chance(0.04):  # self-correction: only the final name counts
                wrong = ctx.person()
                mention = f"{wrong.mention}, no sorry, {p.mention},"
            mentions.append(mention)
            values.append(b.add(tool, p.lookup))
    return join_names(mentions, ctx.rng), values


def _email_lookups(ctx: Ctx, b: PlanBuilder, people: list[Person]) -> list[str]:
    return [b.add("get_email_address", p.lookup) for p in people]


# -------------------------------------------------------------------------------------------------------- units
SMS_STATEMENT = (
    "text {to} that {msg}", "send {to} a text saying {msg}", "let {to} know by text that {msg}",
    "tell {to} via SMS that {msg}", "sms {to} that {msg}", "text {to} to say {msg}",
    "message {to} that {msg}", "send a text message to {to} saying that {msg}", "tell {to} by sms {msg}",
    "drop {to} a quick text that {msg}",
)
STATEMENT_STARTS = {"i", "i'm", "i'll", "the", "my", "dinner", "we're", "we", "it's"}
"""Messages that read as a clause after "that" ("text Ana that I'm late"); others are quoted."""
SMS_QUOTED = (
    'text {to} "{msg}"', 'send {to} an SMS: "{msg}"', "sms {to}: {msg}", 'send a text to {to} saying "{msg}"',
    "shoot {to} a message: {msg}", "text {to}: {msg}", 'message {to} "{msg}"', 'send an sms to {to} with "{msg}"',
    "send {to} the text {msg}", "ping {to} by sms: {msg}",
)


def unit_sms(ctx: Ctx, b: PlanBuilder) -> str:
    msg = ctx.rng.choice(pools.SMS_MESSAGES)
    to, numbers = _recipients(ctx, b, "phone")
    plain = msg.split()[0].lower() in STATEMENT_STARTS and msg[-1] not in "?!"
    tpl = ctx.template("sms_statement" if plain else "sms_quoted", SMS_STATEMENT if plain else SMS_QUOTED)
    b.add("send_sms", numbers, _sentence(msg))
    return tpl.format(to=to, msg=msg)


EMAIL_BASE = (
    "email {to} that {ctx}", "send an email to {to} saying {ctx}", "write {to} an email about {subj} saying {ctx}",
    'compose an email to {to} with the subject "{Subj}" saying that {ctx}', "draft an email to {to}: {ctx}",
    "let {to} know by email that {ctx}", 'send {to} an email titled "{Subj}" to say {ctx}',
    "mail {to} that {ctx}", "write an email to {to} telling them {ctx}", "shoot {to} an email that {ctx}",
    "email {to} about {subj}: {ctx}", "write to {to} by email that {ctx}", "send a mail to {to} saying {ctx}",
    'new email to {to}, subject "{Subj}": {ctx}', "fire off an email to {to} explaining {ctx}",
)
CC_SUFFIX = (" and cc {cc}", ", cc {cc}", " and copy {cc}", " (cc {cc})", ", cc'ing {cc}")
ATTACH_SUFFIX = (" and attach {files}", " with {files} attached", ", attaching {files}", " and include {files}",
                 " and add {files} as an attachment")


def _attachments(ctx: Ctx, b: PlanBuilder, max_n: int = 2) -> tuple[str, list[str]]:
    n = ctx.rng.choices((1, 2), weights=(4, 1))[0] if max_n > 1 else 1
    mentions, refs, seen = [], [], set()
    for _ in range(n):
        mention, arg = ctx.file()
        if arg.lower() in seen:
            continue
        seen.add(arg.lower())
        mentions.append(mention)
        refs.append(b.add("open_and_get_file_path", arg))
    return join_names(mentions, ctx.rng), refs


def _cc(ctx: Ctx, b: PlanBuilder) -> tuple[str, list[str]]:
    if not ctx.chance(0.25):
        return "", []
    text, values = _recipients(ctx, b, "email", max_n=2, explicit_p=0.1)
    return ctx.rng.choice(CC_SUFFIX).format(cc=text), values


def _attach(ctx: Ctx, b: PlanBuilder, p: float = 0.25) -> tuple[str, list[str]]:
    if not ctx.chance(p):
        return "", []
    text, refs = _attachments(ctx, b)
    return ctx.rng.choice(ATTACH_SUFFIX).format(files=text), refs


def unit_email(ctx: Ctx, b: PlanBuilder) -> str:
    subject, context = ctx.rng.choice(pools.EMAIL_SUBJECTS_AND_CONTEXTS)
    to, recipients = _recipients(ctx, b, "email")
    cc_text, cc = _cc(ctx, b)
    att_text, atts = _attach(ctx, b)
    tpl = ctx.template("email", EMAIL_BASE)
    b.add("compose_new_email", recipients, cc, subject, _sentence(context), atts)
    return tpl.format(to=to, ctx=context, subj=subject.lower(), Subj=subject) + cc_text + att_text


REPLY = (
    "reply to this email saying {ctx}", "reply that {ctx}", "answer the email and say {ctx}",
    "respond to the last email saying {ctx}", "write back that {ctx}", "reply to the current email: {ctx}",
    "send a reply saying {ctx}", "reply to the message telling them {ctx}", "respond that {ctx}",
    "hit reply and say {ctx}",
)


def unit_reply(ctx: Ctx, b: PlanBuilder) -> str:
    _, context = ctx.rng.choice(pools.EMAIL_SUBJECTS_AND_CONTEXTS)
    cc_text, cc = _cc(ctx, b)
    att_text, atts = _attach(ctx, b, 0.3)
    tpl = ctx.template("reply", REPLY)
    b.add("reply_to_email", cc, _sentence(context), atts)
    return tpl.format(ctx=context) + cc_text + att_text


FORWARD = (
    "forward this email to {to}", "forward the email to {to}", "send this mail on to {to}",
    "fwd this to {to}", "forward the current email to {to}", "pass this email along to {to}",
    "forward the message to {to}", "forward it to {to}", "share this email with {to} by forwarding it",
    "forward the latest email to {to}",
)
FORWARD_NOTE = (" saying {ctx}", " with a note that {ctx}", " and tell them {ctx}", " and mention {ctx}")


def unit_forward(ctx: Ctx, b: PlanBuilder) -> str:
    to, recipients = _recipients(ctx, b, "email")
    note_text, context = "", ""
    if ctx.chance(0.5):
        _, raw = ctx.rng.choice(pools.EMAIL_SUBJECTS_AND_CONTEXTS)
        note_text, context = ctx.rng.choice(FORWARD_NOTE).format(ctx=raw), _sentence(raw)
    cc_text, cc = _cc(ctx, b)
    att_text, atts = _attach(ctx, b, 0.2)
    tpl = ctx.template("forward", FORWARD)
    b.add("forward_email", recipients, cc, context, atts)
    return tpl.format(to=to) + note_text + cc_text + att_text


CALENDAR_WITH = (
    "schedule a {topic} with {who} {when}", "set up a {topic} with {who} {when}",
    "add a {topic} with {who} to my calendar {when}", "book a {topic} with {who} {when}",
    "invite {who} to a {topic} {when}", "put a {topic} with {who} on the calendar {when}",
    "create an event for a {topic} with {who} {when}", "plan a {topic} with {who} {when}",
    "arrange a {topic} with {who} {when}", "get a {topic} with {who} on the books {when}",
)
CALENDAR_ALONE = (
    'put "{Title}" on my calendar {when}', "create a calendar event called {Title} {when}",
    "block {when} for the {topic}", "add {topic} to my calendar {when}", "schedule the {topic} {when}",
    "make a calendar entry for the {topic} {when}", 'new event "{Title}" {when}', "calendar: {topic} {when}",
    "add an event {Title} {when}", "pencil in the {topic} {when}",
)
EVENT_NOTES = ("bring the slides", "agenda in the shared doc", "remember the badge", "dial-in details to follow",
               "prepare questions", "bring the signed contract")


def _meeting_time(ctx: Ctx) -> tuple[str, datetime, int]:
    """(phrase, start, minutes): a meeting time with an optional explicit length or "from..to" range."""
    w = random_meeting_when(ctx.now, ctx.rng)
    if ctx.chance(0.25) and w.start.hour <= 20:
        minutes, dur_phrase = random_duration(ctx.rng)
        return f"{w.phrase} for {dur_phrase}", w.start, minutes
    if ctx.chance(0.12):
        base = when_day_and_time(ctx.now, ctx.rng)
        minutes = ctx.rng.choice((30, 45, 60, 90, 120))
        end = base.start + timedelta(minutes=minutes)
        day_phrase = base.phrase.split(" at ")[0] if " at " in base.phrase and not base.phrase.startswith("at ") \
            else None
        if day_phrase and end.date() == base.start.date():
            t1, t2 = render_clock(base.start.time(), ctx.rng), render_clock(end.time(), ctx.rng)
            if not any(x.startswith(("half", "quarter", "noon", "midday")) or x.isdigit() for x in (t1, t2)):
                return f"{day_phrase} from {t1} to {t2}", base.start, minutes
    return w.phrase, w.start, 60


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def unit_calendar(ctx: Ctx, b: PlanBuilder) -> str:
    topic = ctx.rng.choice(ctx.pools.topics)
    when, start, minutes = _meeting_time(ctx)
    invitees: list[str] = []
    if ctx.chance(0.6):
        people = ctx.people()
        who = join_names([p.mention for p in people], ctx.rng)
        invitees = _email_lookups(ctx, b, people)
        text = ctx.template("calendar_with", CALENDAR_WITH).format(topic=topic, who=who, when=when)
    else:
        text = ctx.template("calendar_alone", CALENDAR_ALONE).format(topic=topic, Title=_title(topic), when=when)
    location, notes, cal = "", "", ""
    if ctx.chance(0.3):
        mention, location = ctx.place()
        text += ctx.rng.choice((" at {p}", " at {p}", ", location {p}", " in {p}")).format(p=mention)
    if ctx.chance(0.15):
        cal = ctx.rng.choice(("Work", "Personal", "Family", "Home", "School"))
        text += ctx.rng.choice((" in my {c} calendar", " on the {c} calendar", " ({c} calendar)")).format(c=cal)
    if ctx.chance(0.12):
        notes = ctx.rng.choice(EVENT_NOTES)
        text += ctx.rng.choice((' with the note "{n}"', ", notes: {n}", " and add a note to {n}")).format(n=notes)
    end = start + timedelta(minutes=minutes)
    b.add("create_calendar_event", _title(topic), _fmt(start), _fmt(end), location, invitees, notes, cal)
    return text


ZOOM = (
    "set up a zoom meeting with {who} {when} about the {topic}", "create a Zoom call with {who} {when} for the {topic}",
    "schedule a video call with {who} {when} to discuss the {topic}",
    "make a zoom link for a {topic} with {who} {when}",
    "organize an online {topic} with {who} {when}", "get me a zoom meeting with {who} {when} about the {topic}",
    "start a zoom for the {topic} with {who} {when}", "open a video meeting with {who} {when}, topic: {topic}",
    "book a zoom with {who} {when} on the {topic}", "line up a video chat with {who} {when} about the {topic}",
)
ZOOM_ALONE = (
    "create a zoom link for the {topic} {when}", "get a Zoom meeting link for the {topic} {when}",
    "set up a zoom for the {topic} {when}", "make a video meeting for the {topic} {when}",
    "generate a zoom link for {topic} {when}",
)
ZOOM_CAL = (" and add it to my calendar", " and put it on my calendar", " and create a calendar event for it",
            ", then add it to the calendar", " and block it in my calendar")
ZOOM_MAIL = (" and email them the link", " and send everyone the link by email", ", then email the invite link",
             " and mail them the zoom link")
ZOOM_SMS = (" and text them the link", " and send them the link by SMS", ", then text the link to them")


def unit_zoom(ctx: Ctx, b: PlanBuilder) -> str:
    """Meeting flow: email lookups -> video link -> (calendar event) -> (email or SMS with the link)."""
    topic = ctx.rng.choice(ctx.pools.topics)
    when, start, minutes = _meeting_time(ctx)
    title = _title(topic)
    if ctx.chance(0.15):
        text = ctx.template("zoom_alone", ZOOM_ALONE).format(topic=topic, when=when)
        link = b.add("get_zoom_meeting_link", title, _fmt(start), minutes, [])
        if ctx.chance(0.5):
            text += ctx.rng.choice(ZOOM_CAL)
            b.add("create_calendar_event", title, _fmt(start), _fmt(start + timedelta(minutes=minutes)), link, [], "",
                  "")
        return text
    people = ctx.people()
    who = join_names([p.mention for p in people], ctx.rng)
    emails = _email_lookups(ctx, b, people)
    text = ctx.template("zoom", ZOOM).format(who=who, when=when, topic=topic)
    link = b.add("get_zoom_meeting_link", title, _fmt(start), minutes, emails)
    if ctx.chance(0.6):
        text += ctx.rng.choice(ZOOM_CAL)
        b.add("create_calendar_event", title, _fmt(start), _fmt(start + timedelta(minutes=minutes)), link, emails, "",
              "")
    r = ctx.rng.random()
    if r < 0.3:
        text += ctx.rng.choice(ZOOM_MAIL)
        b.add("compose_new_email", emails, [], title, link, [])
    elif r < 0.45:
        text += ctx.rng.choice(ZOOM_SMS)
        phones = [b.add("get_phone_number", p.lookup) for p in people]
        b.add("send_sms", phones, link)
    return text


REMINDER_TIMED = (
    "remind me to {task} {when}", "set a reminder to {task} {when}", "create a reminder {when} to {task}",
    "don't let me forget to {task} {when}", "I need a reminder to {task} {when}", "remind me {when} to {task}",
    "add a reminder: {task}, {when}", "make sure I remember to {task} {when}", "ping me {when} to {task}",
    "nudge me {when} to {task}",
)
REMINDER_UNDATED = (
    "add {task} to my {list} list", "put {task} on the {list} list", "add a reminder to {task} to my {list} list",
    "new reminder in {list}: {task}", "I have to {task}, add it to {list}",
)
PRIORITIES = ((1, ("it's important", "high priority", "mark it urgent", "make it high priority")),
              (5, ("medium priority",)), (9, ("low priority", "no rush, low priority")))


def unit_reminder(ctx: Ctx, b: PlanBuilder) -> str:
    task = ctx.rng.choice(ctx.pools.tasks)
    list_name, priority, due, all_day = "", 0, "", False
    r = ctx.rng.random()
    if r < 0.2:
        list_name = ctx.rng.choice(pools.LIST_NAMES)
        text = ctx.template("reminder_list", REMINDER_UNDATED).format(task=task, list=list_name)
    else:
        w: When = when_date_only(ctx.now, ctx.rng) if r < 0.45 else random_when(ctx.now, ctx.rng)
        phrase = w.phrase
        if ctx.chance(0.04) and not w.all_day:  # self-correction of the time
            wrong = random_when(ctx.now, ctx.rng)
            if wrong.start != w.start:
                phrase = f"{wrong.phrase}, actually no, make that {w.phrase}"
        text = ctx.template("reminder", REMINDER_TIMED).format(task=task, when=phrase)
        due, all_day = w.start.strftime(DATE_FMT) if w.all_day else _fmt(w.start), w.all_day
        if ctx.chance(0.12):
            list_name = ctx.rng.choice(pools.LIST_NAMES)
            text += ctx.rng.choice((" on my {l} list", " in the {l} list", " ({l} list)")).format(l=list_name)
    if ctx.chance(0.15):
        priority, phrases = ctx.rng.choice(PRIORITIES)
        text += ", " + ctx.rng.choice(phrases)
    b.add("create_reminder", _title(task), due, "", list_name, priority, all_day)
    return text


NOTE_CREATE = (
    "make a note called {name} saying {content}", 'create a note titled "{name}" with {content}',
    "new note {name}: {content}", "jot down {content} in a new note named {name}",
    "save a note {name} that says {content}", 'write a note "{name}": {content}',
    "start a new note called {name} with {content}", "create a note named {name} containing {content}",
    "take a note called {name}: {content}", "note down {content} in a new note {name}",
)
NOTE_APPEND = (
    "add {content} to my {name} note", "append {content} to the note {name}", "update the {name} note with {content}",
    "put {content} in my {name} note", 'add "{content}" to the {name} note', "append to {name}: {content}",
    "stick {content} at the end of my {name} note", "add this to the {name} note: {content}",
    "extend my {name} note with {content}", "tack {content} onto the {name} note",
)
NOTE_OPEN = (
    "open my {name} note", "show me the note {name}", "pull up the {name} note", "open the note called {name}",
    "display my {name} note", "read me my {name} note", "bring up the {name} note", "open {name} in notes",
    "show the {name} note", "get the {name} note open",
)
FOLDER_SUFFIX = (" in my {f} folder", " in the {f} folder", " in {f}", " (folder {f})")


def _folder(ctx: Ctx, p: float) -> tuple[str, str]:
    if not ctx.chance(p):
        return "", ""
    folder = ctx.rng.choice(pools.FOLDERS)
    return ctx.rng.choice(FOLDER_SUFFIX).format(f=folder), folder


def unit_note_create(ctx: Ctx, b: PlanBuilder) -> str:
    name, content = ctx.rng.choice(ctx.pools.notes), ctx.rng.choice(pools.NOTE_CONTENTS)
    f_text, folder = _folder(ctx, 0.3)
    b.add("create_note", name, content, folder)
    return ctx.template("note_create", NOTE_CREATE).format(name=name, content=content) + f_text


def unit_note_append(ctx: Ctx, b: PlanBuilder) -> str:
    name, content = ctx.rng.choice(ctx.pools.notes), ctx.rng.choice(pools.NOTE_CONTENTS)
    f_text, folder = _folder(ctx, 0.15)
    b.add("append_note_content", name, content, folder)
    return ctx.template("note_append", NOTE_APPEND).format(name=name, content=content) + f_text


def unit_note_open(ctx: Ctx, b: PlanBuilder) -> str:
    name = ctx.rng.choice(ctx.pools.notes)
    f_text, folder = _folder(ctx, 0.25)
    b.add("open_note", name, folder)
    return ctx.template("note_open", NOTE_OPEN).format(name=name) + f_text


MAPS_OPEN = (
    "show {place} on the map", "find {place} on the map", "open maps at {place}", "show me where {place} is",
    "pull up {place} in maps", "locate {place} on the map", "map {place}", "open the map for {place}",
    "put {place} on the map for me", "look up {place} on the map",
)
DIRECTIONS_TO = (
    "get directions to {end} {by}", "show me how to get to {end} {by}", "navigate to {end} {by}",
    "directions to {end} {by}", "take me to {end} {by}", "route to {end} {by}",
    "how do I get to {end} {by}? show me the way", "find the way to {end} {by}", "plot a route to {end} {by}",
    "guide me to {end} {by}",
)
DIRECTIONS_FROM = (
    "get directions from {start} to {end} {by}", "show the route from {start} to {end} {by}",
    "how do I get from {start} to {end} {by}? show directions", "directions from {start} to {end} {by}",
    "map a route between {start} and {end} {by}",
)
TRANSPORT = {"d": ("by car", "driving", "for driving", "in the car"),
             "w": ("on foot", "walking", "by walking", "for walking"),
             "r": ("by public transit", "by train", "by bus", "using public transport", "by transit")}


def unit_maps_open(ctx: Ctx, b: PlanBuilder) -> str:
    mention, arg = ctx.place()
    b.add("maps_open_location", arg)
    return ctx.template("maps_open", MAPS_OPEN).format(place=mention)


def unit_directions(ctx: Ctx, b: PlanBuilder) -> str:
    mode = ctx.rng.choices(("d", "w", "r"), weights=(5, 3, 3))[0]
    by = ctx.rng.choice(TRANSPORT[mode])
    end_m, end = ctx.place()
    if ctx.chance(0.4):
        start_m, start = ctx.place()
        if start == end:
            start_m, start = "", ""
    else:
        start_m, start = "", ""
    if start:
        text = ctx.template("directions_from", DIRECTIONS_FROM).format(start=start_m, end=end_m, by=by)
    else:
        text = ctx.template("directions_to", DIRECTIONS_TO).format(end=end_m, by=by)
    b.add("maps_show_directions", start, end, mode)
    return text.replace(" ?", "?")


FILE_OPEN = (
    "open {file}", "find {file} and open it", "pull up {file}", "get me the path of {file}", "locate {file}",
    "open up {file}", "show me {file}", "find {file}", "bring up {file}", "dig out {file}",
)


def unit_file_open(ctx: Ctx, b: PlanBuilder) -> str:
    mention, arg = ctx.file()
    b.add("open_and_get_file_path", arg)
    return ctx.template("file_open", FILE_OPEN).format(file=mention)


SUMMARIZE = (
    "summarize {file}", "give me a summary of {file}", "sum up {file}", "tl;dr {file}",
    "what's the gist of {file}? summarize it", "write a short summary of {file}", "summarise {file}",
    "read {file} and summarize it", "boil {file} down to a summary", "make a summary of {file}",
)
SUMMARY_TO_NOTE = (" and save the summary as a note called {note}", " and put the summary in a new note named {note}",
                   ", then create a note {note} with the summary", " and store the summary in a note titled {note}")
SUMMARY_APPEND = (" and add the summary to my {note} note", " and append the summary to the {note} note",
                  ", then add it to my {note} note")
SUMMARY_EMAIL = (
    "email {to} a summary of {file}", "send {to} a summary of {file} by email", "summarize {file} and email it to {to}",
    "summarize {file} and send the summary to {to}", "mail {to} the gist of {file}",
)
SUMMARY_SMS = ("text {to} a summary of {file}", "summarize {file} and text it to {to}",
               "send {to} a text with a summary of {file}", "sms {to} the summary of {file}",
               "summarize {file} and sms the summary to {to}")
SUMMARY_REPLY = ("reply to this email with a summary of {file}", "summarize {file} and reply to the email with it",
                 "answer the current email with a summary of {file}", "reply with the gist of {file}",
                 "write back with a summary of {file}")


def unit_summarize(ctx: Ctx, b: PlanBuilder) -> str:
    """Chains: file -> summary -> (nothing | note | appended note | email | SMS | reply)."""
    mention, arg = ctx.file(pdf=True)
    r = ctx.rng.random()
    if r < 0.4:
        path = b.add("open_and_get_file_path", arg)
        summary = b.add("summarize_pdf", path)
        text = ctx.template("summarize", SUMMARIZE).format(file=mention)
        if r < 0.14:
            note = ctx.rng.choice(ctx.pools.notes)
            f_text, folder = _folder(ctx, 0.2)
            b.add("create_note", note, summary, folder)
            return text + ctx.rng.choice(SUMMARY_TO_NOTE).format(note=note) + f_text
        if r < 0.24:
            note = ctx.rng.choice(ctx.pools.notes)
            b.add("append_note_content", note, summary, "")
            return text + ctx.rng.choice(SUMMARY_APPEND).format(note=note)
        return text
    if r < 0.7:
        to, recipients = _recipients(ctx, b, "email", max_n=2)
        path = b.add("open_and_get_file_path", arg)
        summary = b.add("summarize_pdf", path)
        text = ctx.template("summary_email", SUMMARY_EMAIL).format(to=to, file=mention)
        atts: list[str] = []
        if ctx.chance(0.3):
            text += ctx.rng.choice((" and attach the file", " with the pdf attached", ", attaching the document"))
            atts = [path]
        b.add("compose_new_email", recipients, [], f"Summary of {arg}", summary, atts)
        return text
    if r < 0.85:
        to, numbers = _recipients(ctx, b, "phone", max_n=2)
        path = b.add("open_and_get_file_path", arg)
        summary = b.add("summarize_pdf", path)
        b.add("send_sms", numbers, summary)
        return ctx.template("summary_sms", SUMMARY_SMS).format(to=to, file=mention)
    path = b.add("open_and_get_file_path", arg)
    summary = b.add("summarize_pdf", path)
    b.add("reply_to_email", [], summary, [])
    return ctx.template("summary_reply", SUMMARY_REPLY).format(file=mention)


Unit = Callable[[Ctx, PlanBuilder], str]
UNITS: dict[str, tuple[Unit, float]] = {
    "sms": (unit_sms, 10), "email": (unit_email, 9), "reply": (unit_reply, 5), "forward": (unit_forward, 6),
    "calendar": (unit_calendar, 9), "zoom": (unit_zoom, 9), "reminder": (unit_reminder, 9),
    "note_create": (unit_note_create, 6), "note_append": (unit_note_append, 5), "note_open": (unit_note_open, 5),
    "maps_open": (unit_maps_open, 5), "directions": (unit_directions, 5), "file_open": (unit_file_open, 4),
    "summarize": (unit_summarize, 10),
}
CONNECTORS = (", and ", " and ", ". Also, ", ", then ", "; also ", ". And ", " and also ", ". Then ", ", plus ")


def _unit(ctx: Ctx, kind: str, b: PlanBuilder) -> str:
    return UNITS[kind][0](ctx, b)


def generate_example(rng: random.Random, *, held_out: bool, pools_: Pools, now: datetime | None = None,
                     kinds: Sequence[str] | None = None) -> Example:
    """One request with its gold plan; ``kinds`` forces the units (tests), else they are drawn."""
    names = list(UNITS)
    weights = [UNITS[k][1] for k in names]
    for _ in range(100):
        ctx = Ctx(rng=rng, now=now or random_now(rng), held_out=held_out, pools=pools_)
        if kinds is None:
            n_units = rng.choices((1, 2, 3), weights=(62, 29, 9))[0]
            chosen: list[str] = []
            while len(chosen) < n_units:
                k = rng.choices(names, weights=weights)[0]
                if k not in chosen:
                    chosen.append(k)
        else:
            chosen = list(kinds)
        b = PlanBuilder()
        clauses = [_unit(ctx, k, b) for k in chosen]
        if len(b.steps) > MAX_STEPS:
            continue
        text = clauses[0]
        for c in clauses[1:]:
            conn = rng.choice(CONNECTORS)
            text += conn + c
        query = surface(text, ctx, protected_words(b.steps))
        scenario = "+".join(chosen) if len(chosen) > 1 else chosen[0]
        return Example(query=query, now=ctx.now, steps=b.steps, scenario=scenario,
                       template="+".join(ctx.templates))
    raise RuntimeError("could not generate a plan within the step limit")

