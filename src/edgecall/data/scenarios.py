"""Scenario generator for the 16 assistant tools: request text and gold plan built together.

A request is one to three *intents* joined naturally (an SMS, a meeting flow, a PDF summary saved to a
note, a question that only looks something up...).  Each intent draws entities, renders a clause from
its phrase grammar (``grammar.expand``: templates with inline alternatives) and appends its tool calls to
a shared :class:`PlanBuilder`, so references (``$k``) are right by construction.

*Flows* connect intents: a producer (a phone number, an email address, directions, a map location, a PDF
summary, a note, a video link) feeds one or two consumers (an SMS or email body, a reply, a forward note,
a new or appended note, a reminder's or event's notes, an event's location, recipients).  Either the
producer is folded into the consumer's sentence ("text Ana the directions to the Louvre") or it has its own
clause and the consumer refers back to it ("get directions to the Louvre and text them to Ana").  People
may be reached twice in one request ("book a meeting with Odette and text her that..."): the second
mention reuses the first lookup when the channel is the same, and looks up the other channel otherwise, so
a plan never repeats an identical call.

Templates and frames are split into *seen* and *held-out* ones (every fifth of each list is held out);
entity pools likewise.  Train/val/test draw only seen ones, the held-out test split only held-out ones,
which measures generalisation to new phrasings and names rather than memorisation.

A second pass follows the fine-tuned planner's error *classes* on hand-written requests (never their
sentences): one place, note or event acted on twice ("show X on the map and give me directions there",
"...and remind me 15 minutes before"), a different message per person, one call per listed item ("summarize
both A and B"), arguments said as adjectives ("a high-priority reminder", "bus directions", "a 30-minute
call"), time ranges with a shared am/pm, file names in every style (``q3_timesheet.xlsx``), venues, generic
places and more explicit addresses.  A third pass: invitees named after the event ("..., invite Ana and Bo")
and two results of different kinds in one message ("open my Agenda note, summarize minutes.pdf and email both
to Di").  A seventh pass (the fourth to sixth are in docs/results.md) roughly doubles the phrasings of the
composition frames, connectors and short single-intent lists, appended so that every earlier held-out phrasing
stays held out: with four seen wordings per frame the planner learned the wordings rather than the intents (an
intent dropped or taken for another when phrased differently); more seen wordings teach intents from variety.

Gold plans follow the assistant's planning conventions (``edgecall.assistant.prompt.PLANNING_RULES``):
lookups before mailing/texting unless an address/number is given, one SMS for several people, PDF path
from ``open_and_get_file_path``, meeting links into the event's location or the message, 60-minute default
meetings, every argument filled.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import pools
from .grammar import expand, held_out_index
from .surface import join_names, protected_words, surface
from .timeexpr import (
    DATE_FMT,
    When,
    duration_adjective,
    meeting_span,
    random_duration,
    random_meeting_when,
    random_now,
    random_when,
    when_date_only,
    when_range,
)

MAX_STEPS = 8


# ------------------------------------------------------------------------------------------------ plan building
class PlanBuilder:
    """Collects tool calls; ``add`` returns the ``$k`` reference of the new step.

    A call identical to an earlier one is not repeated (its ``$k`` is returned): two intents that mention
    the same file or place share one lookup, and the planner's loop cut never fires on gold plans."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, tuple[Any, ...]]] = []

    def add(self, tool: str, *args: Any) -> str:
        for i, (t, a) in enumerate(self.steps, 1):
            if t == tool and a == args:
                return f"${i}"
        self.steps.append((tool, args))
        return f"${len(self.steps)}"


@dataclass
class Sample:
    """One generated request with the tool calls that solve it (rendered into a dataset row by generate.py;
    the row type itself is `edgecall.dataset.Example`)."""

    query: str
    now: datetime
    steps: list[tuple[str, tuple[Any, ...]]]
    scenario: str
    template: str


# ---------------------------------------------------------------------------------------------------- context
def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum())


_held_out_index = held_out_index


@dataclass
class Pools:
    first: list[str]
    last: list[str]
    places: list[str]
    files: list[str]
    notes: list[str]
    topics: list[str]
    tasks: list[str]
    descriptions: list[str]
    sms: list[str]
    email_topics: list[tuple[str, str]]
    file_words: list[str]
    calendars: list[str]

    @classmethod
    def build(cls, held_out: bool) -> Pools:
        part = 1 if held_out else 0

        def split(pool: Sequence[str]) -> list[str]:  # each pool on its own: additions never move old items
            return pools.split_pool(pool)[part]

        def split_topics(pool: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:  # split by subject
            keep = set(split([subject for subject, _ in pool]))
            return [t for t in pool if t[0] in keep]

        return cls(
            first=split(pools.FIRST_NAMES) + split(pools.MORE_FIRST_NAMES) + split(pools.RARE_FIRST_NAMES),
            last=split(pools.LAST_NAMES) + split(pools.MORE_LAST_NAMES),
            places=split(pools.PLACES) + split(pools.GENERIC_PLACES) + split(pools.BUSINESSES),
            files=split(pools.FILE_STEMS), notes=split(pools.NOTE_NAMES) + split(pools.MORE_NOTE_NAMES),
            topics=split(pools.TOPICS),
            tasks=split(pools.REMINDER_TASKS),
            descriptions=split(pools.FILE_DESCRIPTIONS) + split(pools.NOTE_LIKE_FILE_DESCRIPTIONS),
            sms=split(pools.SMS_MESSAGES + pools.SMS_TEMPLATES) + split(pools.SMS_DAY_TEMPLATES),
            email_topics=split_topics(pools.EMAIL_SUBJECTS_AND_CONTEXTS + pools.EMAIL_TOPICS)
            + split_topics(pools.EMAIL_DAY_TOPICS),
            file_words=split(pools.FILE_WORDS), calendars=split(pools.CALENDARS))


@dataclass
class Person:
    mention: str  # how the request names them
    lookup: str  # what the lookup tool gets
    pronoun: str = "them"


@dataclass
class Ctx:
    """Per-example state: randomness, ``now``, which templates/entities are allowed, names used so far."""

    rng: random.Random
    now: datetime
    held_out: bool
    pools: Pools
    used: set[str] = field(default_factory=set)
    templates: list[str] = field(default_factory=list)
    lookups: dict[tuple[str, str], str] = field(default_factory=dict)
    last_people: list[Person] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    last_event: tuple[str, datetime] | None = None
    """(title, start) of the latest event or video meeting, for "...and remind me 15 minutes before"."""

    def template(self, kind: str, options: Sequence[str], allow: Callable[[str], bool] | None = None) -> str:
        """Pick a phrasing of this split's part (seen or held out) and record its id."""
        allowed = [i for i in range(len(options))
                   if _held_out_index(i) == self.held_out and (allow is None or allow(options[i]))]
        if not allowed:  # a short list has no held-out member: share it (frames still differ elsewhere)
            allowed = [i for i in range(len(options)) if allow is None or allow(options[i])]
        i = self.rng.choice(allowed)
        self.templates.append(f"{kind}:{i}")
        return options[i]

    def phrase(self, kind: str, options: Sequence[str], **slots: str) -> str:
        """A template of this split, its ``[a|b]`` alternatives resolved, its slots filled."""
        return expand(self.template(kind, options), self.rng).format(**slots)

    def pick(self, options: str) -> str:
        """Resolve one inline ``[a|b]`` string (shared by all splits: connective words, not frames)."""
        return expand(options, self.rng)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def person(self) -> Person:
        rng = self.rng
        for _ in range(50):
            first, last = rng.choice(self.pools.first), rng.choice(self.pools.last)
            r = rng.random()
            if r < 0.55:
                p = Person(first, first)
            elif r < 0.84:
                p = Person(f"{first} {last}", f"{first} {last}")
            elif r < 0.95:
                titled = f"{rng.choice(pools.TITLES)} {last}"
                p = Person(titled, titled)
            else:
                rel = rng.choice(("Mom", "Dad", "Grandma", "Grandpa"))
                p = Person(rng.choice((rel, rel.lower())), rel)
            p.pronoun = rng.choice(("them", "her", "him", "them"))
            key = p.lookup.lower()
            if key not in self.used and not any(key in u or u in key for u in self.used):
                self.used.add(key)
                return p
        raise RuntimeError("could not draw a distinct person")

    def people(self, max_n: int = 3) -> list[Person]:
        n = self.rng.choices(range(1, max_n + 1), weights=(60, 27, 10, 3, 1)[:max_n])[0]
        return [self.person() for _ in range(n)]

    def lookup(self, b: PlanBuilder, tool: str, p: Person) -> str:
        """The ``$k`` of this person's lookup: reused when the plan already has it (no repeated calls)."""
        key = (tool, p.lookup)
        if key not in self.lookups:
            self.lookups[key] = b.add(tool, p.lookup)
        return self.lookups[key]

    def email_address(self) -> str:
        first = _ascii(self.rng.choice(self.pools.first)).lower() or "info"
        last = _ascii(self.rng.choice(self.pools.last)).lower() or "mail"
        local = self.rng.choice((f"{first}.{last}", f"{first}", f"{first[0]}{last}", f"{first}_{last}",
                                 "team", "office", "hello", "billing", f"{first}{self.rng.randrange(10, 99)}",
                                 f"{first}.{last}", f"{first}", self.rng.choice(pools.EMAIL_ROLES)))
        return f"{local}@{self.rng.choice(pools.EMAIL_DOMAINS + pools.MORE_EMAIL_DOMAINS)}"

    def phone_number(self) -> str:
        r = self.rng
        return r.choice((
            f"+1 {r.randrange(200, 999)} 555 {r.randrange(1000, 9999)}",
            f"({r.randrange(200, 999)}) 555-{r.randrange(1000, 9999)}",
            f"+44 20 {r.randrange(1000, 9999)} {r.randrange(1000, 9999)}",
            f"+49 30 {r.randrange(100000, 999999)}",
            f"555-{r.randrange(1000, 9999)}",
            f"07{r.randrange(100, 999)} {r.randrange(100000, 999999)}",
            f"06{r.randrange(10000000, 99999999)}",
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
        """(mention, argument) for a file: by name ("Q3 Budget.pdf", "q3_timesheet.xlsx"), by stem ("the Q3
        Budget pdf" -> "Q3 Budget") or by description ("my signed lease" -> "signed lease")."""
        r = self.rng.random()
        if r < 0.28:
            desc = self.rng.choice(self.pools.descriptions)
            owner = self.rng.choice(pools.DESCRIPTION_OWNERS)
            if owner.startswith("the ") and owner != "the latest":
                owner = "the"
            mention = f"{owner} {desc}"
            if pdf and self.chance(0.3):
                mention += self.rng.choice((" pdf", " PDF"))
            return mention, desc
        stem = self.file_stem()
        ext = ".pdf" if pdf else self.rng.choice(pools.DOC_EXTENSIONS)
        if r < 0.7:
            name = stem + ext
            return self.rng.choice((name, f"'{name}'", f'"{name}"', f"the file {name}", name, f"the {name}",
                                    f"my {name}")), name
        kind = ext[1:] if self.chance(0.5) else self.rng.choice(("file", "document", "doc"))
        return self.rng.choice((f"the {stem} {kind}", f"my {stem} {kind}", f"the {stem} {kind}")), stem

    def file_stem(self) -> str:
        """A file name without extension, in the styles people's files have: "Q3 Budget", "q3_budget",
        "q3-budget", "Q3Budget", "timesheet_march", "manuscript_v2" (the plan copies it verbatim)."""
        rng = self.rng
        if self.chance(0.35):
            word, qualifier = rng.choice(self.pools.file_words), rng.choice(pools.FILE_QUALIFIERS)
            parts = [qualifier, word] if self.chance(0.5) else [word, qualifier]
            if self.chance(0.3):
                parts = [word]
        else:
            parts = rng.choice(self.pools.files).split()
        r = rng.random()
        if r < 0.3:
            stem = " ".join(p if any(c.isupper() for c in p) else p.capitalize() for p in parts)
        elif r < 0.6:
            stem = "_".join(p.lower() for p in parts)
        elif r < 0.72:
            stem = "-".join(p.lower() for p in parts)
        elif r < 0.82:
            stem = " ".join(p.lower() for p in parts)
        elif r < 0.9:
            stem = "".join(p[:1].upper() + p[1:] for p in parts)
        else:
            stem = "_".join(parts)
        if self.chance(0.12):
            stem += rng.choice(("_v2", "_v3", "_final", "-final", "_draft", "_signed", "_rev1", "_copy", "2"))
        return stem

    def venue(self) -> tuple[str, str]:
        """(mention, argument) for where an event happens: "Room 4C", "Conference Room B", "Nico's place"."""
        rng = self.rng
        pattern = rng.choice(pools.VENUE_PATTERNS)
        text = pattern.format(n=rng.randrange(1, 10), n2=rng.randrange(1, 10), l=rng.choice("ABCDEF"),
                              L=rng.choice("ABCDEFG"), first=rng.choice(self.pools.first),
                              l2=rng.choice(pools.VENUE_LOUNGES))
        return text, text[4:] if text.startswith("the ") else text

    def note_name(self) -> tuple[str, str]:
        """(mention, argument) of a note: its name, sometimes quoted or lower-cased as people type it."""
        name = self.rng.choice(self.pools.notes)
        r = self.rng.random()
        if r < 0.12:
            return f"'{name}'", name
        if r < 0.2:
            return f'"{name}"', name
        if r < 0.32:
            return name.lower(), name.lower()
        return name, name

    def sms_message(self) -> str:
        msg = self.rng.choice(self.pools.sms)
        slots = {k: self.rng.choice(v) for k, v in pools.SMS_SLOTS.items()}
        slots["n"] = self.rng.choice(pools.SMS_NUMBERS)
        slots["place"] = self.place()[0]
        return msg.format(**slots)


def _sentence(text: str) -> str:
    """Message/context text as the plan carries it: first letter up, final punctuation."""
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _title(text: str) -> str:
    return text[0].upper() + text[1:]


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") and not name.endswith("ss") and name[0].isupper() else "'s")


# --------------------------------------------------------------------------------------- recipients / lookups
def _recipients(ctx: Ctx, b: PlanBuilder, kind: str, max_n: int = 3, explicit_p: float = 0.18,
                reuse_p: float = 0.0) -> tuple[str, list[str]]:
    """Mention text and plan values for recipients: lookups (``$k``) or explicit addresses/numbers.

    With ``reuse_p`` the people of the previous intent are addressed again ("...and text her too")."""
    tool = "get_email_address" if kind == "email" else "get_phone_number"
    if ctx.last_people and ctx.chance(reuse_p):
        people = ctx.last_people
        if len(people) == 1:
            mention = people[0].pronoun if ctx.chance(0.6) else people[0].mention
        else:
            mention = ctx.pick("[them|them all|all of them|everyone|" + join_names([p.mention for p in people],
                                                                                 ctx.rng) + "]")
        return mention, [ctx.lookup(b, tool, p) for p in people]
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
                mention = ctx.pick(f"{wrong.mention}[, no sorry,|, no wait,| - I mean|, sorry, I meant|, actually] "
                                   f"{p.mention}[,|]")
            mentions.append(mention)
            values.append(ctx.lookup(b, tool, p))
    ctx.last_people = [p for p, v in zip(people, values) if v.startswith("$")]
    return join_names(mentions, ctx.rng), values


def _invitees(ctx: Ctx, b: PlanBuilder, reuse_p: float = 0.0) -> tuple[str, list[str]]:
    return _recipients(ctx, b, "email", explicit_p=0.14, reuse_p=reuse_p)


# -------------------------------------------------------------------------------------------------------- SMS
SMS_STATEMENT = (
    "[text|txt|message|sms] {to} [that|to say] {msg}", "send {to} a [text|message|quick text] [saying|that says] {msg}",
    "let {to} know [by text|via text|over sms|by message] that {msg}", "tell {to} [via|by] [SMS|text] that {msg}",
    "[shoot|drop] {to} a [text|message|line] [saying|that] {msg}", "text {to} and [say|tell them] {msg}",
    "[can you |]message {to} [that|saying] {msg}", "send a text [message |]to {to} [saying|that says] {msg}",
    "[inform|notify] {to} by text that {msg}", "[ping|nudge] {to} [by text|on sms|with a text] [saying|that] {msg}",
    "sms {to} {msg}", "text {to} {msg}", "[send|write] {to} [an SMS|an sms|a text] [that says|saying] {msg}",
    "let {to} know {msg}, by text", "[get word to|tell] {to} [by text|via sms] {msg}",
)
STATEMENT_STARTS = {"i", "i'm", "i'll", "the", "my", "dinner", "we're", "we", "it's", "parking", "door", "table"}
"""Messages that read as a clause after "that" ("text Ana that I'm late"); others are quoted."""
SMS_QUOTED = (
    '[text|txt] {to} "{msg}"', 'send {to} [an SMS|an sms|a text]: "{msg}"', "sms {to}: {msg}",
    'send a text to {to} [saying|that says] "{msg}"', "[shoot|send] {to} a [message|text]: {msg}",
    "text {to}: {msg}", 'message {to} "{msg}"', 'send an sms to {to} with "{msg}"', "text {to} - {msg}",
    "[ping|buzz] {to} [by sms|with a text]: {msg}", "[text|message] to {to}: {msg}", "{to} by text: {msg}",
    "send this to {to} by text: {msg}", "[write|send] {to} [a text|an sms] that reads \"{msg}\"",
    "text message {to}: {msg}",
)


def unit_sms(ctx: Ctx, b: PlanBuilder) -> str:
    msg = ctx.sms_message()
    to, numbers = _recipients(ctx, b, "phone", max_n=5, reuse_p=0.35)
    plain = msg.split()[0].lower() in STATEMENT_STARTS and msg[-1] not in "?!"
    text = ctx.phrase("sms_statement" if plain else "sms_quoted", SMS_STATEMENT if plain else SMS_QUOTED,
                      to=to, msg=msg)
    b.add("send_sms", numbers, _sentence(msg))
    return text


# ------------------------------------------------------------------------------------------------------ email
EMAIL_BASE = (
    "email {to} [that|to say] {ctx}", "send an email to {to} [saying|telling them] {ctx}",
    "write {to} an email about {subj} [saying|to say] {ctx}",
    'compose an email to {to} with the subject "{Subj}" saying that {ctx}', "draft an email to {to}: {ctx}",
    "let {to} know [by email|via email|over email] that {ctx}", 'send {to} an email titled "{Subj}" to say {ctx}',
    "[mail|e-mail] {to} that {ctx}", "write an email to {to} telling them {ctx}",
    "[shoot|fire off|drop] {to} an email [that|saying] {ctx}", "email {to} about {subj}: {ctx}",
    "write to {to} [by email|via e-mail] that {ctx}", "send a mail to {to} saying {ctx}",
    'new email to {to}, subject "{Subj}": {ctx}', "[fire off|send] an email to {to} explaining [that |]{ctx}",
    "email {to} re {subj} - {ctx}", "email {to}, subject {subj}, [saying|to say] {ctx}",
    "[could you |]email {to} and [say|tell them|mention] {ctx}", "[tell|inform] {to} by email that {ctx}",
    "e-mail {to} with the news that {ctx}", "put together an email to {to} [about {subj} |]saying {ctx}",
    "email {to} [to let them know|letting them know] {ctx}", "[send|write] {to} a [short |quick |]note by email: {ctx}",
    "[mail|email] {to} about {subj} and say {ctx}", "get an email out to {to} [saying|that] {ctx}",
)
CC_SUFFIX = (" and cc {cc}", ", cc {cc}", " and copy {cc}", " (cc {cc})", ", cc'ing {cc}", " and copy in {cc}",
             ", with {cc} in cc", " - cc {cc}")
ATTACH_SUFFIX = (" and attach {files}", " with {files} attached", ", attaching {files}", " and include {files}",
                 " and add {files} as an attachment", " - attach {files}", " plus {files} as an attachment",
                 " and put {files} in as an attachment")


def _attachments(ctx: Ctx, b: PlanBuilder, max_n: int = 2) -> tuple[str, list[str]]:
    n = ctx.rng.choices((1, 2, 3), weights=(12, 4, 1))[0] if max_n > 1 else 1
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
    if not ctx.chance(0.26):
        return "", []
    text, values = _recipients(ctx, b, "email", max_n=2, explicit_p=0.25)
    return ctx.rng.choice(CC_SUFFIX).format(cc=text), values


def _attach(ctx: Ctx, b: PlanBuilder, p: float = 0.25) -> tuple[str, list[str]]:
    if not ctx.chance(p):
        return "", []
    text, refs = _attachments(ctx, b)
    return ctx.rng.choice(ATTACH_SUFFIX).format(files=text), refs


EMAIL_FILE = (
    "[email|mail|e-mail] {to} {files}", "send {files} to {to} [by email|over email|]",
    "[email|mail] {files} to {to}", "send {to} {files} [by email|via email|in an email]",
    "attach {files} to an email to {to}", "[share|send over] {files} with {to} by email",
    "[forward|email] {to} a copy of {files}", "get {files} over to {to} by email", "[mail|email] {to} {files} please",
    "[write|send] {to} an email with {files} attached", "[email|send] {to} {files} [for review|to look at|to check]",
    "put {files} in an email to {to}", "[can you |]email {files} over to {to}",
    "email {to} and attach {files}", "[pass|send] {files} on to {to} by email",
)


def unit_email(ctx: Ctx, b: PlanBuilder) -> str:
    """An email with its own message, or an email whose point is the attached file(s)."""
    if ctx.chance(0.3):  # "mail Ana the invoice spreadsheet": lookups, file lookups, one email with attachments
        to, recipients = _recipients(ctx, b, "email", reuse_p=0.3)
        files, atts = _attachments(ctx, b)
        cc_text, cc = _cc(ctx, b)
        first = files.split(" and ")[0].removeprefix("the ").removeprefix("my ").removeprefix("the file ")
        text = ctx.phrase("email_file", EMAIL_FILE, to=to, files=files) + cc_text
        b.add("compose_new_email", recipients, cc, _title(first.strip("'\"")), "Please find the file attached.", atts)
        return text
    subject, context = ctx.rng.choice(ctx.pools.email_topics)
    to, recipients = _recipients(ctx, b, "email", max_n=5, reuse_p=0.3)
    cc_text, cc = _cc(ctx, b)
    att_text, atts = _attach(ctx, b)
    text = ctx.phrase("email", EMAIL_BASE, to=to, ctx=context, subj=subject.lower(), Subj=subject)
    b.add("compose_new_email", recipients, cc, subject, _sentence(context), atts)
    return text + cc_text + att_text


REPLY = (
    "reply to this email saying {ctx}", "reply [that|and say] {ctx}", "answer the email and say {ctx}",
    "respond to the last email saying {ctx}", "write back [that|saying] {ctx}", "reply to the current email: {ctx}",
    "send a reply saying {ctx}", "reply to the message telling them {ctx}", "respond [that|saying] {ctx}",
    "hit reply and say {ctx}", "reply to [this|that|the] [email|mail|message] [that|and tell them] {ctx}",
    "answer [this|the] email: {ctx}", "[reply|respond] to the sender [that|saying] {ctx}",
    "write a reply that {ctx}", "reply [back |]with {ctx}",
)


def unit_reply(ctx: Ctx, b: PlanBuilder) -> str:
    _, context = ctx.rng.choice(ctx.pools.email_topics)
    cc_text, cc = _cc(ctx, b)
    att_text, atts = _attach(ctx, b, 0.3)
    text = ctx.phrase("reply", REPLY, ctx=context)
    b.add("reply_to_email", cc, _sentence(context), atts)
    return text + cc_text + att_text


FORWARD = (
    "forward this email to {to}", "forward the email to {to}", "send this [mail|email] on to {to}",
    "fwd this to {to}", "forward the current email to {to}", "pass this email along to {to}",
    "forward the message to {to}", "forward it to {to}", "share this email with {to} by forwarding it",
    "forward the latest email to {to}", "[forward|fwd] [this|that] [one |]to {to}",
    "send [this|the] email over to {to}", "[loop|bring] {to} in by forwarding this email",
    "forward [this|the] [thread|message] to {to}", "[pass|send] [this|it] on to {to}",
)
FORWARD_NOTE = (" saying {ctx}", " with a note that {ctx}", " and tell them {ctx}", " and mention {ctx}",
                " and add that {ctx}", " with the comment that {ctx}",
                " with the message that {ctx}", ", letting them know {ctx}", " and point out that {ctx}",
                " plus a line saying {ctx}", " adding a quick note: {ctx}", " with an FYI that {ctx}")


def unit_forward(ctx: Ctx, b: PlanBuilder) -> str:
    to, recipients = _recipients(ctx, b, "email", reuse_p=0.2)
    note_text, context = "", ""
    if ctx.chance(0.45):
        _, raw = ctx.rng.choice(ctx.pools.email_topics)
        note_text, context = ctx.rng.choice(FORWARD_NOTE).format(ctx=raw), _sentence(raw)
    cc_text, cc = _cc(ctx, b)
    att_text, atts = _attach(ctx, b, 0.2)
    text = ctx.phrase("forward", FORWARD, to=to)
    b.add("forward_email", recipients, cc, context, atts)
    return text + note_text + cc_text + att_text


# --------------------------------------------------------------------------------------------------- calendar
CALENDAR_WITH = (
    "schedule a {topic} with {who} {when}", "set up a {topic} with {who} {when}",
    "add a {topic} with {who} to my [calendar|diary] {when}", "book a {topic} with {who} {when}",
    "invite {who} to a {topic} {when}", "put a {topic} with {who} on the calendar {when}",
    "create an event for a {topic} with {who} {when}", "plan a {topic} with {who} {when}",
    "arrange a {topic} with {who} {when}", "get a {topic} with {who} on the books {when}",
    "[organise|organize] a {topic} with {who} {when}", "[book|schedule] {who} in for a {topic} {when}",
    "I'd like a {topic} with {who} {when}, [add it to my calendar|put it in the calendar]",
    "[send|set up] a calendar invite to {who} for a {topic} {when}", "{topic} with {who} {when}, add it to the calendar",
    "make a {topic} with {who} {when}", "[set|put] up a meeting with {who} {when} [about|for] the {topic}",
    "[schedule|book] time with {who} {when} for the {topic}", "[meet|a meeting] with {who} {when} about the {topic}, "
    "put it in my calendar", "add {topic} with {who} {when} to the [calendar|diary]",
)
CALENDAR_ALONE = (
    'put "{Title}" on my calendar {when}', "create a calendar event called {Title} {when}",
    "block {when} for the {topic}", "add {topic} to my calendar {when}", "schedule the {topic} {when}",
    "make a calendar entry for the {topic} {when}", 'new event "{Title}" {when}', "calendar: {topic} {when}",
    "add an event {Title} {when}", "pencil in the {topic} {when}", "[block out|reserve] time {when} for the {topic}",
    "put the {topic} in my [diary|calendar] {when}", "[save|note] the {topic} {when} in my calendar",
    "[I have|there's] a {topic} {when}, add it to my calendar", "create an event: {topic}, {when}",
    "[add|put] {topic} [in|on] the calendar {when}", "set up the {topic} {when}",
    "[add|create] a [calendar |]event for the {topic} {when}", "schedule {topic} {when}",
    "{topic} {when} - [put it on|add it to] my calendar",
)
INVITE_SUFFIX = (
    ", invite {who}", " and invite {who}", " with {who} invited", ", invitees: {who}", " - invite {who}",
    " and send {who} an invite", ", [add|include] {who} as [guests|attendees]", " and [add|include] {who}",
    ", [guests|attendees]: {who}", " and get {who} on the invite", ", [send|with] an invite to {who}",
    " and invite {who} [to it|too|as well]",
)
"""Invitees said after the event ("... Jan 6 2pm-5pm in Room 1, invite Ana and Bo"): still email lookups."""
EVENT_NOTES = ("bring the slides", "agenda in the shared doc", "remember the badge", "dial-in details to follow",
               "prepare questions", "bring the signed contract", "ask about parking", "bring a laptop",
               "room on the second floor", "wear something warm")


def _meeting_time(ctx: Ctx) -> tuple[str, datetime, int, str]:
    """(phrase, start, minutes, adjective): a meeting time with an optional explicit length, range, end or
    day-part span; ``adjective`` is a length said before the noun ("a 30-minute call"), else ""."""
    r = ctx.rng.random()
    if r < 0.08:
        span = meeting_span(ctx.now, ctx.rng)
        if span is not None:
            return (*span, "")
    if r < 0.3:
        ranged = when_range(ctx.now, ctx.rng)
        if ranged is not None:
            return (*ranged, "")
    w = random_meeting_when(ctx.now, ctx.rng)
    if r < 0.52 and w.start.hour <= 20:
        minutes, dur_phrase = random_duration(ctx.rng)
        if ctx.chance(0.4):
            return w.phrase, w.start, minutes, duration_adjective(minutes, ctx.rng)
        layout = ctx.rng.choice(("{w} for {d}", "{w} for {d}", "{w} lasting {d}", "{w}, for {d}", "{w}, duration {d}",
                                 "{w}, {d}", "{w} ({d})", "{w}, {d} long", "for {d} {w}"))
        return layout.format(w=w.phrase, d=dur_phrase), w.start, minutes, ""
    return w.phrase, w.start, 60, ""


def _with_length(adjective: str, topic: str) -> str:
    return f"{adjective} {topic}" if adjective else topic


def unit_calendar(ctx: Ctx, b: PlanBuilder, content: Content | None = None) -> str:
    """An event; ``content`` (a link, directions, a summary...) goes into its notes or, for a link, its location."""
    topic = ctx.rng.choice(ctx.pools.topics)
    when, start, minutes, adj = _meeting_time(ctx)
    invitees: list[str] = []
    if ctx.chance(0.55):
        who, invitees = _invitees(ctx, b, reuse_p=0.3)
        if ctx.chance(0.25):  # the event first, the people it invites at the end
            text = ctx.phrase("calendar_alone", CALENDAR_ALONE, topic=_with_length(adj, topic), Title=_title(topic),
                              when=when) + ctx.phrase("invite_suffix", INVITE_SUFFIX, who=who)
        else:
            text = ctx.phrase("calendar_with", CALENDAR_WITH, topic=_with_length(adj, topic), who=who, when=when)
    else:
        text = ctx.phrase("calendar_alone", CALENDAR_ALONE, topic=_with_length(adj, topic), Title=_title(topic),
                          when=when)
    location, notes, cal = "", "", ""
    if content is not None and content.kind == "link" and content.placeable and ctx.chance(0.6):
        location = content.ref
        text += ctx.pick(f"[ with {content.np} as the location| and [use|put] {content.np} [as|for] the location|"
                         f", location: {content.np}]")
    elif content is not None:
        notes = content.ref
        text += ctx.pick(f"[ and put {content.np} in the [event |]notes| with {content.np} in the notes|"
                         f", [add|include] {content.np} in the [event's |]notes| and [add|attach] {content.np} to "
                         f"the event notes]")
    elif ctx.chance(0.35):
        mention, location = ctx.venue() if ctx.chance(0.4) else ctx.place()
        text += ctx.pick("[ at| at| in|, location|, at|, venue:|, place:| @] ") + mention
    if ctx.chance(0.15):
        cal = ctx.rng.choice(ctx.pools.calendars)
        text += ctx.rng.choice((" in my {c} calendar", " on the {c} calendar", " ({c} calendar)", " in the {c} calendar",
                                ", calendar: {c}", " to my {c} calendar", " in {c} calendar")).format(c=cal)
    if not notes and ctx.chance(0.1):
        notes = ctx.rng.choice(EVENT_NOTES)
        text += ctx.rng.choice((' with the note "{n}"', ", notes: {n}", " and add a note to {n}", ", note: {n}",
                                " (notes: {n})", " with notes '{n}'")).format(n=notes)
    end = start + timedelta(minutes=minutes)
    b.add("create_calendar_event", _title(topic), _fmt(start), _fmt(end), location, invitees, notes, cal)
    ctx.last_event = (_title(topic), start)
    return text


# ----------------------------------------------------------------------------------------------- meeting flow
ZOOM = (
    "set up a zoom meeting with {who} {when} about the {topic}", "create a Zoom call with {who} {when} for the {topic}",
    "schedule a video call with {who} {when} to discuss the {topic}",
    "make a zoom link for a {topic} with {who} {when}",
    "[organize|organise] an online {topic} with {who} {when}", "get me a zoom meeting with {who} {when} about the {topic}",
    "start a zoom for the {topic} with {who} {when}", "open a video meeting with {who} {when}, topic: {topic}",
    "book a zoom with {who} {when} on the {topic}", "line up a video chat with {who} {when} about the {topic}",
    "[set up|arrange] a [video|zoom|online] meeting [with|for] {who} {when} [about|on|re] the {topic}",
    "I need a zoom with {who} {when} for the {topic}", "[create|generate] a meeting link for the {topic} with {who} "
    "{when}", "[schedule|plan] an online {topic} with {who} {when}", "[get|book] a video call [with|for] {who} {when}, "
    "topic {topic}",
)
ZOOM_ALONE = (
    "create a zoom link for the {topic} {when}", "get a Zoom meeting link for the {topic} {when}",
    "set up a zoom for the {topic} {when}", "make a video meeting for the {topic} {when}",
    "generate a zoom link for {topic} {when}", "I need a video link for the {topic} {when}",
    "[create|make] a [zoom|video] meeting called {Title} {when}", "[open|start] a zoom room for the {topic} {when}",
    "[get|grab] me a meeting link for the {topic} {when}", "zoom link for the {topic} {when}, please",
    "[set up|arrange] a video call for the {topic} {when}",
    "the {topic} {when} [will be|is] on zoom - [make|create] the link",
    "[I'll need|we'll need] a meeting link for the {topic} {when}",
    "[spin up|put together] a zoom [meeting |room ]for the {topic} {when}",
    "[can I get|let's have] an online meeting for the {topic} {when}",
)
ZOOM_CAL = (" and add it to my calendar", " and put it on my calendar", " and create a calendar event for it",
            ", then add it to the calendar", " and block it in my calendar", " and [also |]put it in my diary",
            " and add the event [too|as well]", ", [plus|and] a calendar entry with the link",
            ", and [make sure it's|get it] on my calendar", " and [log|record] it as a calendar event",
            ", and also [stick|pop] it in my schedule",
            "; [make sure it shows|it should show] up in my calendar[ too|]",
            " and [create|add] the matching calendar event", " and [drop|pop] the meeting into my calendar",
            " - put it on the calendar [with the link|including the link]",
            ", plus an entry in my calendar [for it|to go with it]")
ZOOM_MAIL = (" and email them the link", " and send everyone the link by email", ", then email the invite link",
             " and mail them the zoom link", " and [email|send] the invite [link |]to them", " and email the link out",
             ", plus an email to [everyone|all of them] with the link",
             "; also [email|e-mail] [the attendees|the invitees] the [join |meeting |]link",
             " and [send|get] them an email with the [zoom |]link",
             " and [drop|put] the link in an email to [everyone|the group]",
             ", then [mail|email] out the link to [everyone|the group]",
             " - email the meeting link to [the attendees|whoever's invited]")
ZOOM_SMS = (" and text them the link", " and send them the link by SMS", ", then text the link to them",
            " and [sms|text] everyone the link", " and send the link to them by text",
            ", and [text|sms] the [zoom |meeting |]link to [everyone|all of them] [too|as well]",
            " and get them a text [with|containing] the link", "; also text [them|the attendees] the [join |]link",
            ", plus [an sms|a text] to [each of them|them] with the link",
            " and make sure everyone gets the link [by sms|in a text]")


def unit_zoom(ctx: Ctx, b: PlanBuilder) -> str:
    """Meeting flow: email lookups -> video link -> (calendar event with link + invitees) -> (invite email or
    SMS carrying the link: the same people reached a second way)."""
    topic = ctx.rng.choice(ctx.pools.topics)
    when, start, minutes, adj = _meeting_time(ctx)
    title = _title(topic)
    end = _fmt(start + timedelta(minutes=minutes))
    topic = _with_length(adj, topic)
    ctx.last_event = (title, start)
    if ctx.chance(0.15):
        text = ctx.phrase("zoom_alone", ZOOM_ALONE, topic=topic, when=when, Title=title)
        link = b.add("get_zoom_meeting_link", title, _fmt(start), minutes, [])
        if ctx.chance(0.5):
            text += ctx.pick(ctx.rng.choice(ZOOM_CAL))
            b.add("create_calendar_event", title, _fmt(start), end, link, [], "", "")
        return text
    who, emails = _invitees(ctx, b, reuse_p=0.2)
    people = list(ctx.last_people)
    text = ctx.phrase("zoom", ZOOM, who=who, when=when, topic=topic)
    link = b.add("get_zoom_meeting_link", title, _fmt(start), minutes, emails)
    if ctx.chance(0.6):
        text += ctx.pick(ctx.rng.choice(ZOOM_CAL))
        b.add("create_calendar_event", title, _fmt(start), end, link, emails, "", "")
    r = ctx.rng.random()
    if r < 0.3 or 0.45 <= r < 0.5:
        text += ctx.pick(ctx.rng.choice(ZOOM_MAIL))
        b.add("compose_new_email", emails, [], title, link, [])
    if 0.3 <= r < 0.5 and people and all(e.startswith("$") for e in emails):
        text += ctx.pick(ctx.rng.choice(ZOOM_SMS))
        phones = [ctx.lookup(b, "get_phone_number", p) for p in people]
        b.add("send_sms", phones, link)
    return text


# -------------------------------------------------------------------------------------------------- reminders
REMINDER_TIMED = (
    "remind me to {task} {when}", "set a reminder to {task} {when}", "create a reminder {when} to {task}",
    "don't let me forget to {task} {when}", "I need a reminder to {task} {when}", "remind me {when} to {task}",
    "add a reminder: {task}, {when}", "make sure I remember to {task} {when}", "ping me {when} to {task}",
    "nudge me {when} to {task}", "[set|create] a reminder for {when}: {task}", "remind me {when}: {task}",
    "[I have to|I need to|I must] {task} {when}, remind me", "reminder to {task} {when}",
    "[can you |]remind me [that I need|that I have] to {task} {when}", "[new|add a] reminder {when} - {task}",
    "[put in|set up] a reminder to {task} {when}", "[alert|notify] me {when} to {task}",
    "[give me a|I want a] reminder {when} to {task}", "remember to {task} {when}, [set a reminder|remind me]",
)
REMINDER_UNDATED = (
    "add {task} to my {list} list", "put {task} on the {list} list", "add a reminder to {task} to my {list} list",
    "new reminder in {list}: {task}", "I have to {task}, add it to {list}", "[stick|put] '{task}' on my {list} list",
    "add a to-do to {task} in {list}", "{list} list: {task}", "[add|put] {task} in [my|the] {list} reminders",
    "[save|note] a reminder to {task} in {list}",
    "{task} - [put it|add it] on the {list} list",
    "[I need to|I should] {task} at some point, [put it|add it] in [my|the] {list} [list|reminders]",
    "[log|jot] '{task}' in my {list} reminders", "[throw|pop] {task} on my {list} list",
    "[remind me to|I want to remember to] {task} - [file|keep] it under {list}",
)
PRIORITIES = ((1, ("it's important", "high priority", "mark it urgent", "make it high priority", "flag it as urgent",
                   "priority high", "priority: high")),
              (5, ("medium priority", "normal priority", "priority medium")),
              (9, ("low priority", "no rush, low priority", "it's not urgent, low priority", "priority low",
                   "priority: low")))
PRIORITY_ADJECTIVES = {1: ("high priority", "high-priority", "urgent", "important", "top-priority"),
                       5: ("medium priority", "medium-priority", "normal-priority"),
                       9: ("low priority", "low-priority", "non-urgent")}
"""Priority said before the noun: "a high-priority reminder to ..."."""
REMINDER_MODIFIED = (
    "set a {adj}reminder{pp} to {task} {when}", "create a {adj}reminder{pp} {when} to {task}",
    "add a {adj}reminder{pp}: {task}, {when}", "I need a {adj}reminder{pp} to {task} {when}",
    "make a {adj}reminder{pp} for {when}: {task}", "new {adj}reminder{pp}: {task} {when}",
    "put a {adj}reminder{pp} {when} to {task}", "[set up|add] a {adj}reminder{pp} [to|that I need to] {task} {when}",
    "{adj}reminder{pp} {when}: {task}", "[give me|I want] a {adj}reminder{pp} {when} to {task}",
    "[could you |][add|schedule] a {adj}reminder{pp} {when} about this: {task}",
    "{when}, please add a {adj}reminder{pp} saying {task}",
    "please log a {adj}reminder{pp} for me, due {when}, that says {task}",
    "{task} {when} - [save|store] that as a {adj}reminder{pp}",
    "{when} there's something I can't miss: {task}. make it a {adj}reminder{pp}",
)
"""Reminders whose priority and/or list come before the task ("a low-priority reminder in the Home list to ...")."""
LIST_PHRASES = (" in the {l} list", " on my {l} list", " in {l}", " for the {l} list", " in my {l} reminders",
                " on the {l} list")
REMINDER_NOTE_SUFFIX = (", notes: {n}", " with the note '{n}'", ", note: {n}", " and note '{n}'", ", notes '{n}'",
                        " (note: {n})", " - add a note: {n}", " with notes saying {n}")


PERSON_TASKS = ("call {p}", "ring {p}", "phone {p}", "visit {p}", "thank {p}", "meet {p}", "pick up {p}",
                "check in with {p}", "congratulate {p}", "catch up with {p}")
"""Reminder tasks that name a person ("call Ana", "thank Dr. Ito"): only the reminder, no lookup; the person's
number or address is looked up only when the request asks for it in the reminder (`unit_reminder_person`).
No acts a tool does ("text Ana", "email Ana", "write back"): trained on those, the planner turned "write back that
..." and messages into reminders (stage 12, docs/results.md)."""


def _task(ctx: Ctx) -> str:
    """A reminder's task: a chore from the pool, or (one in five) an act towards a person."""
    if ctx.chance(0.2):
        p = ctx.person()
        return ctx.rng.choice(PERSON_TASKS).format(p=p.mention)
    return ctx.rng.choice(ctx.pools.tasks)


def unit_reminder(ctx: Ctx, b: PlanBuilder, content: Content | None = None) -> str:
    task = _task(ctx)
    list_name, priority, due, all_day, notes = "", 0, "", False, ""
    prio_said: str | None = None
    if ctx.chance(0.16):
        priority, phrases = ctx.rng.choice(PRIORITIES)
        prio_said = ctx.rng.choice(phrases)
    r = ctx.rng.random()
    if r < 0.13 and content is None and prio_said is None:
        list_name = ctx.rng.choice(pools.LIST_NAMES)
        text = ctx.phrase("reminder_list", REMINDER_UNDATED, task=task, list=list_name)
    else:
        w: When = when_date_only(ctx.now, ctx.rng) if r < 0.4 else random_when(ctx.now, ctx.rng)
        phrase = w.phrase
        if ctx.chance(0.04) and not w.all_day:  # self-correction of the time
            wrong = random_when(ctx.now, ctx.rng)
            if wrong.start != w.start:
                phrase = ctx.pick(f"{wrong.phrase}[, actually no, make that|, no wait,| - sorry, I mean|, or rather] "
                                  f"{w.phrase}")
        due, all_day = w.start.strftime(DATE_FMT) if w.all_day else _fmt(w.start), w.all_day
        if ctx.chance(0.14):
            list_name = ctx.rng.choice(pools.LIST_NAMES)
        adj = ctx.rng.choice(PRIORITY_ADJECTIVES[priority]) + " " if prio_said and ctx.chance(0.5) else ""
        pp = ctx.rng.choice(LIST_PHRASES).format(l=list_name) if list_name and ctx.chance(0.5) else ""
        if adj or pp:
            prio_said = None if adj else prio_said
            text = ctx.phrase("reminder_mod", REMINDER_MODIFIED, adj=adj, pp=pp, task=task, when=phrase)
        else:
            text = ctx.phrase("reminder", REMINDER_TIMED, task=task, when=phrase)
        if list_name and not pp:
            text += ctx.rng.choice((" on my {l} list", " in the {l} list", " ({l} list)", ", list: {l}",
                                    " in {l}")).format(l=list_name)
    if content is not None and content.np == content.it:  # pronoun: "...and put it in the notes"
        notes = content.ref
        text += ctx.pick(f"[ and put {content.it} in the notes| with {content.it} in the notes| and add {content.it} "
                         f"to the reminder's notes|, {content.it} in the notes]")
    elif content is not None:
        notes = content.ref
        text += ctx.pick(f"[ and put {content.np} in the notes| with {content.np} in the notes|, and add "
                         f"{content.np} to [it|the reminder]| - include {content.np}]")
    elif ctx.chance(0.1):
        notes = ctx.rng.choice(pools.REMINDER_NOTES)
        text += ctx.rng.choice(REMINDER_NOTE_SUFFIX).format(n=notes)
        notes = _sentence(notes)
    if prio_said is not None:
        text += ", " + prio_said
    b.add("create_reminder", _title(task), due, notes, list_name, priority, all_day)
    return text


REMINDER_PERSON = (
    "remind me to {act} {who} {when} and [include|add|put in] {pron} {what}",
    "set a reminder {when} to {act} {who}, with {pron} {what} in the notes",
    "[create|make] a reminder to {act} {who} {when} [and|-] [attach|add] {poss} {what}",
    "remind me {when} to {act} {who}; put {poss} {what} in the reminder",
    "I need to {act} {who} {when}, remind me and [add|include] {pron} {what}",
    "[add|create] a reminder {when} to {act} {who} [that has|containing] {poss} {what}",
    "[don't let me forget|make sure I remember] to {act} {who} {when}, and [stick|save] {pron} {what} in the "
    "reminder's notes",
    "remind me to {act} {who} {when} - [look up|find] {pron} {what} and [put|include] it "
    "[in the notes|with the reminder]",
    "{when}, remind me to {act} {who} - attach {poss} {what} to the reminder",
    "[ping|alert] me {when} to {act} {who}, [along with|plus] {pron} {what}",
)


def unit_reminder_person(ctx: Ctx, b: PlanBuilder) -> str:
    """"Remind me to call Ana tomorrow and add her number": one person, looked up, and named in the task."""
    p = ctx.person()
    phone = ctx.chance(0.6)
    act = ctx.rng.choice(("call", "ring", "phone", "text") if phone else ("email", "write to", "mail"))
    what = ctx.pick("[number|phone number|mobile number|cell number]" if phone else "[email|email address|address]")
    w = random_when(ctx.now, ctx.rng)
    ref = ctx.lookup(b, "get_phone_number" if phone else "get_email_address", p)
    text = ctx.phrase("reminder_person", REMINDER_PERSON, act=act, who=p.mention, when=w.phrase, pron=p.pronoun
                      .replace("them", "their").replace("him", "his"), poss=_possessive(p.mention), what=what)
    b.add("create_reminder", _title(f"{act} {p.mention}"), _fmt(w.start), ref, "", 0, False)
    ctx.last_people = [p]
    return text


# ------------------------------------------------------------------------------------------------------ notes
NOTE_CREATE = (
    "make a note called {name} saying {content}", 'create a note titled "{name}" with {content}',
    "new note {name}: {content}", "jot down {content} in a new note named {name}",
    "save a note {name} that says {content}", 'write a note "{name}": {content}',
    "start a new note called {name} with {content}", "create a note named {name} containing {content}",
    "take a note called {name}: {content}", "note down {content} in a new note {name}",
    "[make|create] a [new |]note, title {name}, [text|content]: {content}", "[write|put] {content} in a new {name} note",
    "[open|start] a fresh note {name} [and write|with] {content}", "[save|record] {content} as a note called {name}",
    "note: {name} - {content}",
)
NOTE_APPEND = (
    "add {content} to my {name} note", "append {content} to the note {name}", "update the {name} note with {content}",
    "put {content} in my {name} note", 'add "{content}" to the {name} note', "append to {name}: {content}",
    "stick {content} at the end of my {name} note", "add this to the {name} note: {content}",
    "extend my {name} note with {content}", "tack {content} onto the {name} note",
    "[write|jot] {content} [into|in] my {name} note", "{name} note: add {content}",
    "[add|append] a line to {name}: {content}", "in my {name} note, add {content}",
    "[update|amend] {name} [with|adding] {content}",
)
NOTE_OPEN = (
    "open my {name} note", "show me the note {name}", "pull up the {name} note", "open the note called {name}",
    "display my {name} note", "read me my {name} note", "bring up the {name} note", "open {name} in notes",
    "show the {name} note", "get the {name} note open", "what's in my {name} note?", "[let me see|show me] {name}",
    "[find|open up] the note [named|titled] {name}", "what did I write in the {name} note?", "I need my {name} note",
)
FOLDER_SUFFIX = (" in my {f} folder", " in the {f} folder", " in {f}", " (folder {f})", " under {f}", ", folder {f}",
                 " in {f} folder", ", folder: {f}", " (in {f})")
FOLDER_FROM = (" from the {f} folder", " from my {f} folder", " from {f}",
               " out of the {f} folder", " that's saved in {f}", " from inside my {f} folder")
"""Where a note is read from (opening only)."""


def _folder(ctx: Ctx, p: float, opening: bool = False) -> tuple[str, str]:
    if not ctx.chance(p):
        return "", ""
    folder = ctx.rng.choice(pools.FOLDERS)
    phrases = FOLDER_SUFFIX + FOLDER_FROM if opening else FOLDER_SUFFIX
    return ctx.rng.choice(phrases).format(f=folder), folder


_DOUBLE_QUOTED = re.compile(r"([\"'])([\"'])([^\"']+)\2\1")


def _single_quotes(text: str) -> str:
    """A quoted mention put into a template that quotes it already: ``"'Ideas'"`` -> ``"Ideas"``."""
    return _DOUBLE_QUOTED.sub(r"\1\3\1", text)


def _note_content(ctx: Ctx) -> tuple[str, str]:
    """(mention, content): what to write, sometimes quoted ("add 'call the bank' to ...")."""
    content = ctx.rng.choice(pools.NOTE_CONTENTS)
    return (f"'{content}'" if ctx.chance(0.15) else content), content


def unit_note_create(ctx: Ctx, b: PlanBuilder) -> str:
    (mention, name), (said, content) = ctx.note_name(), _note_content(ctx)
    f_text, folder = _folder(ctx, 0.3)
    b.add("create_note", name, content, folder)
    return _single_quotes(ctx.phrase("note_create", NOTE_CREATE, name=mention, content=said)) + f_text


def unit_note_append(ctx: Ctx, b: PlanBuilder) -> str:
    (mention, name), (said, content) = ctx.note_name(), _note_content(ctx)
    f_text, folder = _folder(ctx, 0.15)
    b.add("append_note_content", name, content, folder)
    return _single_quotes(ctx.phrase("note_append", NOTE_APPEND, name=mention, content=said)) + f_text


def unit_note_open(ctx: Ctx, b: PlanBuilder) -> str:
    mention, name = ctx.note_name()
    f_text, folder = _folder(ctx, 0.25, opening=True)
    b.add("open_note", name, folder)
    text = _single_quotes(ctx.phrase("note_open", NOTE_OPEN, name=mention))
    return text[:-1] + f_text + "?" if text.endswith("?") else text + f_text


# ------------------------------------------------------------------------------------------------------- maps
MAPS_OPEN = (
    "show {place} on the map", "find {place} on the map", "open maps at {place}", "show me where {place} is",
    "pull up {place} in maps", "locate {place} on the map", "map {place}", "open the map for {place}",
    "put {place} on the map for me", "look up {place} on the map", "where is {place}?", "[find|search for] {place}",
    "[open|show] {place} in [maps|google maps|apple maps]", "where's {place}? show me on the map",
    "[zoom|center] the map on {place}", "I'm looking for {place}, show it on the map",
    "[display|bring up] {place} on a map", "[can you |]find {place} for me on the map", "map of {place}",
    "what's the location of {place}?",
)
DIRECTIONS_TO = (
    "get directions to {end} {by}", "show me how to get to {end} {by}", "navigate to {end} {by}",
    "directions to {end} {by}", "take me to {end} {by}", "route to {end} {by}",
    "how do I get to {end} {by}? show me the way", "find the way to {end} {by}", "plot a route to {end} {by}",
    "guide me to {end} {by}", "how do I get to {end} {by}?", "[get|find] me a route to {end} {by}",
    "what's the [best |quickest |]way to {end} {by}?", "[I need to|I have to|I want to] get to {end} {by}, "
    "[show me the way|give me directions]", "[start|begin] navigation to {end} {by}",
    "[show|give me] [the |]directions [to|for] {end} {by}", "how far is {end} {by}? show the route",
    "[get|take] me over to {end} {by}", "[plan|map out] the trip to {end} {by}", "lead me to {end} {by}",
)
DIRECTIONS_FROM = (
    "get directions from {start} to {end} {by}", "show the route from {start} to {end} {by}",
    "how do I get from {start} to {end} {by}? show directions", "directions from {start} to {end} {by}",
    "map a route between {start} and {end} {by}", "[route|directions] {start} to {end} {by}",
    "how do I go from {start} to {end} {by}?", "[plan|show] a trip from {start} to {end} {by}",
    "from {start} to {end} {by} - show me the way", "[navigate|guide me] from {start} to {end} {by}",
    "directions to {end} from {start} {by}", "how do I get to {end} {by} from {start}?",
    "show me how to get to {end} from {start} {by}", "route to {end} from {start} {by}",
    "[get|give] me directions to {end}, starting [at|from] {start}, {by}",
)
DIRECTIONS_ADJ_TO = (
    "{adj} directions to {end}", "get me {adj} directions to {end}", "show [me |]{adj} directions to {end}",
    "[a|the] {adj} route to {end}", "I need {adj} directions [to|for] {end}", "[find|plan] a {adj} route to {end}",
    "{adj} directions [to|for] {end}, please", "[give me|open] the {adj} route to {end}",
    "[which|what] {adj} route [gets me|goes] to {end}?", "[pull up|bring up] {adj} navigation [to|for] {end}",
    "[can I get|let me have] the {adj} directions over to {end}",
    "[map out|work out] {adj} directions to {end} [for me|]",
    "[I'm heading to|I'm going to] {end} - what are the {adj} directions?",
)
DIRECTIONS_ADJ_FROM = (
    "{adj} directions from {start} to {end}", "show me {adj} directions from {start} to {end}",
    "{adj} route from {start} to {end}", "get {adj} directions to {end} from {start}",
    "[a|the] {adj} route to {end} from {start}", "[plan|find] {adj} directions between {start} and {end}",
    "{adj} directions for the trip from {start} to {end}, [please|thanks]",
    "[what's|which is] the {adj} route [between|linking] {start} and {end}?",
    "I'm at {start}; [get|show me] {adj} directions to {end}",
    "{adj} navigation, [leaving|setting off] from {start}, [going|headed] to {end}",
    "from {start}, how do I get to {end}? [give me|I want] {adj} directions",
    "{start} to {end}: which {adj} route [works best|should I take]?",
)
DIRECTIONS_VERB_TO = (
    "how do I {verb} to {end}?", "how can I {verb} to {end}?", "I want to {verb} to {end}, show me the way",
    "show me how to {verb} to {end}", "what's the best way to {verb} to {end}?", "help me {verb} to {end}",
    "I'd like to {verb} to {end} - [which way do I go|what's the route]?", "[tell|show] me how I'd {verb} to {end}",
    "[is it easy|is it possible] to {verb} to {end}? show me [how|the route]",
    "[planning|hoping] to {verb} to {end} - [what's my route|which way is it]?",
    "[explain|describe] how I can {verb} to {end}", "[gotta|have to] {verb} to {end} - show me the route [please|]",
)
DIRECTIONS_VERB_FROM = (
    "how do I {verb} from {start} to {end}?", "how can I {verb} to {end} from {start}?",
    "show me how to {verb} from {start} to {end}", "I'd like to {verb} from {start} to {end}, [give me|show me] "
    "directions", "what's the way to {verb} from {start} to {end}?",
    "help me figure out how to {verb} from {start} to {end}",
    "I'm at {start} and want to {verb} to {end}, [how do I go|show me the way]",
    "[leaving|heading out] from {start}, how [should|would] I {verb} to {end}?",
    "[explain|describe] how to {verb} from {start} over to {end}",
    "can I {verb} between {start} and {end}? [show|plan] [the|a] route",
)
TRANSPORT = {"d": ("by car", "driving", "for driving", "in the car", "by [car|auto]", "[driving|drive]"),
             "w": ("on foot", "walking", "by walking", "for walking", "[walking|on foot]", "as a walk"),
             "r": ("by public transit", "by train", "by bus", "using public transport", "by transit",
                   "on the [subway|metro|tube|underground|tram]", "by [train|bus|public transport]")}
TRANSPORT_WORDS = {"d": ("by car", "driving"), "w": ("on foot", "walking"), "r": ("by bus", "by transit")}
TRANSPORT_ADJ = {"d": ("driving", "driving", "car", "road"), "w": ("walking", "walking", "on-foot", "pedestrian"),
                 "r": ("transit", "public transit", "public transport", "bus", "train", "subway", "metro", "tram")}
"""Transport said as an adjective: "bus directions to ...", "a walking route from ..."."""
TRANSPORT_VERB = {"d": ("drive", "drive", "get by car"), "w": ("walk", "walk", "get on foot"),
                  "r": ("take the bus", "take the train", "take transit", "go by bus", "go by train", "take the metro")}
"""Transport said as the verb: "how do I walk to ...", "how can I take the train to ..."."""


def _transport(ctx: Ctx) -> tuple[str, str]:
    """(mode, phrase); sometimes a self-correction ("by car, actually on foot") or nothing for driving."""
    mode = ctx.rng.choices(("d", "w", "r"), weights=(5, 3, 3))[0]
    by = ctx.pick(ctx.rng.choice(TRANSPORT[mode]))
    if mode == "d" and ctx.chance(0.2):
        return mode, ""
    if ctx.chance(0.06):
        wrong = ctx.rng.choice([m for m in TRANSPORT if m != mode])
        by = ctx.pick(f"{ctx.rng.choice(TRANSPORT_WORDS[wrong])}[, actually|, no,|, sorry,|... actually] {by}")
    return mode, by


def unit_maps_open(ctx: Ctx, b: PlanBuilder) -> str:
    mention, arg = ctx.place()
    b.add("maps_open_location", arg)
    return ctx.phrase("maps_open", MAPS_OPEN, place=mention)


def _directions(ctx: Ctx, b: PlanBuilder) -> tuple[str, str, str, str]:
    """Adds the directions call; (clause, ref, destination as mentioned ("X" or "X from Y"), transport phrase).

    Transport is said with "by ..." after the places, as an adjective ("bus directions"), or as the verb ("how
    do I walk to ..."); a start, when given, may come before or after the destination."""
    mode, by = _transport(ctx)
    end_m, end = ctx.place()
    if ctx.chance(0.04):  # "to the Louvre, no wait, Tate Modern": only the final place counts
        wrong_m, wrong = ctx.place()
        if wrong != end:
            end_m = ctx.pick(f"{wrong_m}[, no wait,|, sorry, I mean| - actually|, no,] {end_m}")
    start_m, start = "", ""
    if ctx.chance(0.4):
        start_m, start = ctx.place()
        if start == end:
            start_m, start = "", ""
    form = ctx.rng.random()
    if form < 0.22 and "," not in by:
        adj = ctx.rng.choice(TRANSPORT_ADJ[mode])
        text = (ctx.phrase("directions_adj_from", DIRECTIONS_ADJ_FROM, start=start_m, end=end_m, adj=adj) if start
                else ctx.phrase("directions_adj", DIRECTIONS_ADJ_TO, end=end_m, adj=adj))
    elif form < 0.34 and "," not in by:
        verb = ctx.rng.choice(TRANSPORT_VERB[mode])
        text = (ctx.phrase("directions_verb_from", DIRECTIONS_VERB_FROM, start=start_m, end=end_m, verb=verb) if start
                else ctx.phrase("directions_verb", DIRECTIONS_VERB_TO, end=end_m, verb=verb))
    elif start:
        text = ctx.phrase("directions_from", DIRECTIONS_FROM, start=start_m, end=end_m, by=by)
    else:
        text = ctx.phrase("directions_to", DIRECTIONS_TO, end=end_m, by=by)
    ref = b.add("maps_show_directions", start, end, mode)
    dest = f"{end_m} from {start_m}" if start else end_m
    return " ".join(text.replace(" ?", "?").replace(" ,", ",").split()).rstrip(","), ref, dest, by


def unit_directions(ctx: Ctx, b: PlanBuilder) -> str:
    return _directions(ctx, b)[0]


# ------------------------------------------------------------------------------------------------------ files
FILE_OPEN = (
    "open {file}", "find {file} and open it", "pull up {file}", "get me the path of {file}", "locate {file}",
    "open up {file}", "show me {file}", "find {file}", "bring up {file}", "dig out {file}",
    "where is {file}?", "[where did I save|where did I put] {file}?", "[can you |]find {file} for me",
    "[search for|look for] {file}", "I need {file}, [open it|find it]", "[get|fetch] {file}",
    "[open|show] {file} please", "where's {file}?", "[grab|get hold of] {file}", "[display|launch] {file}",
)


def unit_file_open(ctx: Ctx, b: PlanBuilder) -> str:
    mention, arg = ctx.file()
    b.add("open_and_get_file_path", arg)
    return ctx.phrase("file_open", FILE_OPEN, file=mention)


SUMMARIZE = (
    "[summarize|summarise] {file}", "give me a summary of {file}", "sum up {file}", "tl;dr {file}",
    "what's the gist of {file}? [summarize|summarise] it", "write a short summary of {file}", "summarise {file}",
    "read {file} and summarize it", "boil {file} down to a summary", "make a summary of {file}",
    "what does {file} say?", "[give me|I want] the [key points|highlights|main points] of {file}",
    "[summarize|summarise] {file} for me", "what's {file} about?", "[quick|short] summary of {file}[ please|]",
    "[condense|digest] {file} into a summary", "can you [summarize|summarise] {file}?",
    "[I need|get me] a [summary|recap] of {file}", "[skim|go through] {file} and [summarize|sum up] it",
    "[tell me|let me know] what {file} says",
)


def unit_summarize(ctx: Ctx, b: PlanBuilder) -> str:
    mention, arg = ctx.file(pdf=True)
    path = b.add("open_and_get_file_path", arg)
    b.add("summarize_pdf", path)
    return ctx.phrase("summarize", SUMMARIZE, file=mention)


# ---------------------------------------------------------------------------------------- lookup-only questions
LOOKUP_PHONE = (
    "what's {poss} [phone |mobile |cell |]number?", "look up {poss} [phone |]number", "find {poss} number",
    "do I have a number for {who}?", "what is the [phone |]number [of|for] {who}?", "get me {poss} number",
    "[can you |could you |]look up {who}'s number[ for me|]?", "[search|check] my contacts for {poss} number",
    "[give me|tell me] {poss} [phone |mobile |]number", "I need {poss} number",
    "what number do I have for {who}?", "[pull up|show me] {poss} [phone number|number]", "{poss} number?",
    "[which|what] is {poss} phone?", "[find|get] the phone number of {who}",
    "number for {who}?", "contact number for {who}[, please|]", "{poss} [mobile|cell], please",
    "[need|want] the number [of|for] {who}", "phone [no.|number] [of|for] {who}?",
)
LOOKUP_EMAIL = (
    "what's {poss} email[ address|]?", "look up {poss} email", "find {poss} email address",
    "do I have an email [address |]for {who}?", "what is the email [address |]of {who}?", "get me {poss} email",
    "[can you |could you |]look up {who}'s e-mail[ for me|]?", "[search|check] my contacts for {poss} email",
    "[give me|tell me] {poss} [email|e-mail] [address|]", "I need {poss} email address",
    "which email do I have for {who}?", "[pull up|show me] {poss} [email address|email]", "{poss} email?",
    "what's the [best |]address to email {who}?", "[find|get] the email address of {who}",
    "contact email for {who}[, please|]", "{poss} email address, please", "email of {who}?",
    "[need|want] the [email|e-mail] [of|for] {who}", "[which|what] address does {who} use for email?",
)
LOOKUP_BOTH = (
    "[what are|get me|look up] {poss} [phone number|number] and email[ address|]",
    "I need {poss} email and [phone |]number", "[find|pull up] {poss} contact details: number and email",
    "[give me|tell me] {poss} email address and phone number", "what's {poss} number and email?",
    "[look up|find] both the phone number and the email [address |]for {who}",
    "[do I have|have I got] a number and an email for {who}?", "{poss} [phone|mobile] and email, please",
    "[search|check] my contacts for {poss} number [as well as|plus] the email",
    "what contact info [do I have|have I got] for {who}, phone and email?",
)


_CONTACT_NOUN = r" (?:(?:phone|mobile|cell) )?(?:number|phone|mobile|cell|e-mail|email)(?: address)?\b"


def unit_lookup(ctx: Ctx, b: PlanBuilder) -> str:
    """A question that only asks for contact details: lookups and nothing after them."""
    r = ctx.rng.random()
    if r < 0.12:
        people = [ctx.person() for _ in range(ctx.rng.choices((1, 2), weights=(4, 1))[0])]
        names = join_names([p.mention for p in people], ctx.rng)
        poss = _possessive(people[0].mention) if len(people) == 1 else names + "'s"
        text = ctx.phrase("lookup_both", LOOKUP_BOTH, poss=poss, who=names)
        for p in people:
            ctx.lookup(b, "get_phone_number", p)
            ctx.lookup(b, "get_email_address", p)
        ctx.last_people = people
        return text
    phone = r < 0.55
    people = [ctx.person() for _ in range(ctx.rng.choices((1, 2, 3), weights=(8, 3, 1))[0])]
    names = join_names([p.mention for p in people], ctx.rng)
    poss = _possessive(people[0].mention) if len(people) == 1 else names + ("'" if len(people) > 1 else "")
    if len(people) > 1:
        poss = ctx.pick(f"[{names}'s|the {{w}} of {names}|{names}'s]")
        poss = poss.replace("{w}", "numbers" if phone else "email addresses")
    text = ctx.phrase("lookup_phone" if phone else "lookup_email", LOOKUP_PHONE if phone else LOOKUP_EMAIL,
                      poss=poss, who=names)
    if poss.startswith("the "):  # "the email addresses of A and B" already says what: not "... of A and B email"
        text = re.sub(re.escape(poss) + _CONTACT_NOUN, lambda m: poss, text, count=1)
    for p in people:
        ctx.lookup(b, "get_phone_number" if phone else "get_email_address", p)
    ctx.last_people = people
    return text


# ------------------------------------------------------------------------------------------- mixed channels
MIXED = (
    "[text|sms|txt] {a} and [email|mail|e-mail] {e} that {msg}", "let {a} know by text and {e} by email that {msg}",
    "tell {a} (text) and {e} (email) that {msg}", "[email|mail] {e} and [text|message] {a}: {msg}",
    "send {a} a text and {e} an email saying {msg}", "[sms|text] {a}, [email|mail] {e}: {msg}",
    "[notify|inform] {a} by sms and {e} by email that {msg}", "[message|text] {a} and [send|write] {e} an email: {msg}",
    "[email|mail] {e} and [sms|text] {a} [saying|that] {msg}", "text {a} and drop {e} an email that {msg}",
    "[text|sms] {a} [that|saying] {msg}, and [put the same thing|say the same] in an email to {e}",
    "a text for {a}, an email for {e}, [same message|same words]: {msg}",
    "same message to {a} by sms and to {e} by email: {msg}",
    "text {a} and also email {e}, [same message|the same words] for both: {msg}",
    "[drop|fire off] a text to {a} plus an email to {e} saying {msg}",
)
BOTH_WAYS = (
    "[text|message] and [email|mail] {p} that {msg}", "send {p} both a text and an email saying {msg}",
    "[let|tell] {p} know by text and by email that {msg}", "[email|mail] {p} and text {pron} too: {msg}",
    "[sms|text] {p} and also email {pron} that {msg}",
    # one person, two channels, the second named by a pronoun: two lookups, one per channel
    "[text|message] {p}, then [email|mail] {pron} [as well|too]: {msg}", "get {p} a text and an email [saying|that] {msg}",
    "[sms|text] {p} [that|saying] {msg}, and [send|write] {pron} an email [too|as well]",
    "{p} [needs|should get] a text and an email: {msg}",
    "[email|mail] {p} that {msg}, and [follow it up|back it up] with a text [as well|too]",
    "[text|message] {p} [that|saying] {msg}, then [repeat it|say the same thing] in an email to {pron}",
    "send {p} [the message|this] over text and email [both|]: {msg}",
    "[contact|reach] {p} on both channels, text and email, [saying|to say] {msg}",
    "{msg} - [tell|let] {p} know [that |]by [both |]text and email",
)


def unit_mixed(ctx: Ctx, b: PlanBuilder) -> str:
    """One message over two channels: SMS to some people and email to others, or both to one person."""
    _, context = ctx.rng.choice(ctx.pools.email_topics)
    subject = _
    if ctx.chance(0.4):
        p = ctx.person()
        text = ctx.phrase("both_ways", BOTH_WAYS, p=p.mention, pron=p.pronoun, msg=context)
        phone = ctx.lookup(b, "get_phone_number", p)
        email = ctx.lookup(b, "get_email_address", p)
        ctx.last_people = [p]
        b.add("send_sms", [phone], _sentence(context))
        b.add("compose_new_email", [email], [], subject, _sentence(context), [])
        return text
    a, numbers = _recipients(ctx, b, "phone", max_n=2)
    e, emails = _recipients(ctx, b, "email", max_n=2)
    text = ctx.phrase("mixed", MIXED, a=a, e=e, msg=context)
    b.add("send_sms", numbers, _sentence(context))
    b.add("compose_new_email", emails, [], subject, _sentence(context), [])
    return text


# ------------------------------------------------------------------------------------------------------ flows
@dataclass
class Content:
    """A producer's output as consumers mention it: its ``$k``, kind, a noun phrase, a pronoun and a title."""

    ref: str
    kind: str
    np: str
    it: str
    title: str
    producer: str
    placeable: bool = False  # a link that can be an event's location
    path: str = ""  # the file's ``$k`` behind a summary, so the email can attach the file too


P_PHONE_NP = ("{poss} [phone |mobile |cell |]number", "the number [of|for] {who}", "{poss} contact number",
              "{poss} [phone|mobile] number", "the phone number I have for {who}",
              "{poss} [cell|mobile]", "how to reach {who} by phone", "{poss} number from my contacts",
              "{poss} [personal |work |]number", "the [best |]number to [call|ring] {who} on")
P_EMAIL_NP = ("{poss} email[ address|]", "the email address [of|for] {who}", "{poss} e-mail",
              "{poss} email address", "the address I have for {who}",
              "{poss} [work |personal |]email", "{poss} e-mail address from my contacts", "how to reach {who} by email",
              "{poss} [mail|inbox] address", "the [best |]address to [email|write to] {who} at")
P_PHONE_CL = ("[look up|find|get] {poss} [phone |]number", "[check|search] contacts for {poss} number",
              "[pull up|grab] {poss} number", "[find|look up] the number [of|for] {who}",
              "[dig up|fetch] {poss} [mobile|phone] number",
              "[look|search] [through|in] my contacts for {poss} [phone |]number",
              "[find out|figure out] {poss} [phone |]number", "get hold of {poss} [mobile |cell |]number",
              "[retrieve|look for] the [phone |]number [saved |]under {who}", "track down {poss} [cell|phone] number")
P_EMAIL_CL = ("[look up|find|get] {poss} email[ address|]", "[check|search] contacts for {poss} email",
              "[pull up|grab] {poss} email address", "[find|look up] the email address [of|for] {who}",
              "[dig up|fetch] {poss} e-mail",
              "[look|search] [through|in] my contacts for {poss} email[ address|]",
              "[find out|figure out] {poss} email address", "get hold of {poss} e-mail address",
              "[retrieve|look for] the email [address |][saved |]under {who}", "track down {poss} [email|e-mail]")
P_DIR_NP = ("[the |]directions to {end} {by}", "the [route|way] to {end} {by}", "how to get to {end} {by}",
            "[a|the] route to {end} {by}", "the way [over |]to {end} {by}",
            "[step-by-step|turn-by-turn] directions to {end} {by}", "[the|a] map link with directions to {end} {by}",
            "how to [reach|find] {end} {by}", "[a|the] map of how to get to {end} {by}",
            "[instructions|a guide] for getting to {end} {by}")
P_LOC_NP = ("the [map |]location of {place}", "a map link for {place}", "{place} on the map",
            "the [maps |]link to {place}", "where {place} is", "the address of {place}",
            "the [exact |]address [of|for] {place}", "a pin for {place}",
            "[a|the] [google maps|maps] pin [of|for] {place}", "a [map |]marker [on|at] {place}",
            "the map [spot|position] [of|for] {place}", "[a|the] map showing {place}")
P_LOC_CL = ("[find|locate] {place} on the map", "[open|look up] {place} in maps", "[show me|pull up] {place}",
            "[search|look] for {place} on the map", "[drop a pin on|pin] {place}",
            "[bring up|open] the map [for|of] {place}", "[find|grab] the [map |]location of {place}",
            "[view|check] {place} on a map", "[search|check] [google maps|maps] for {place}",
            "[have|get] maps [show|display] {place}")
P_SUM_NP = ("a summary of {file}", "the gist of {file}", "a [short|quick|brief] summary of {file}",
            "the key points of {file}", "a recap of {file}",
            "the tl;dr of {file}", "[a|the] [summarized|summarised] version of {file}",
            "the main points [from|in] {file}", "[a|the] summary of [what|everything] {file} says",
            "what {file} boils down to")
P_SUM_CL = ("[summarize|summarise] {file}", "[sum up|boil down] {file}", "make a summary of {file}",
            "[read|go through] {file} and [summarize|summarise] it", "get the gist of {file}",
            "put together a [short |brief ]summary of {file}",
            "[condense|shorten] {file} [into a summary|to the key points]",
            "[skim|scan] {file} and pull out the main points", "[produce|generate] a summary from {file}",
            "[give me|I want] a rundown of {file}")
P_NOTE_NP = ("my {name} note", "the [contents of the|text of my] {name} note", "what's in my {name} note",
             "the {name} note", "my note [called|named] {name}",
             "everything in [my|the] {name} note", "[what I wrote|what I have] in the {name} note",
             "the {name} note's [content|contents]", "[a copy of|the whole of] my {name} note",
             "whatever I've jotted down in {name}")
P_NOTE_CL = ("open my {name} note", "[pull up|bring up] the {name} note", "[find|get] the note called {name}",
             "[read|open] the {name} note", "[grab|fetch] my note [called|named] {name}",
             "have a look at [my|the] {name} note", "[go to|head into] my {name} note",
             "[show me|tell me] what's in the {name} note", "[search out|look for] my {name} note",
             "[load|call up] the note [I named|titled] {name}")
P_ZOOM_NP = ("a [zoom|video|meeting] link for the {topic} {when}", "the zoom link for a {topic} {when}",
             "a [new |]zoom for the {topic} {when}", "a video call link for the {topic} {when}",
             "the [meeting|zoom] link of a {topic} {when}",
             "the zoom [invite|invitation] for the {topic} {when}", "the zoom details for joining the {topic} {when}",
             "a [zoom|video] room we can meet in for the {topic} {when}",
             "[an|the] online meeting link [for|covering] the {topic} {when}",
             "a [zoom|video] link so we can meet about the {topic} {when}")
P_ZOOM_CL = ("[create|make|generate] a zoom link for the {topic} {when}",
             "set up a [zoom|video call] for the {topic} {when}", "[get|grab] a meeting link for the {topic} {when}",
             "[open|start] a zoom for the {topic} {when}", "[create|book] a video meeting for the {topic} {when}",
             "[I need|we need] a zoom [link |]for the {topic} {when}",
             "[get|have] zoom [make|give me] a link for the {topic} {when}",
             "the {topic} {when} [needs|should have] a [zoom|video] link, [make|create] one",
             "[host|hold] the {topic} {when} over zoom and [get|make] the link",
             "let's do the {topic} {when} by video - [create|make] a link")


def _produce(ctx: Ctx, b: PlanBuilder, kind: str) -> tuple[str, Content]:
    """Add the producer's steps; (clause, content)."""
    if kind in ("phone", "email"):
        p = ctx.person()
        tool = "get_phone_number" if kind == "phone" else "get_email_address"
        ref = ctx.lookup(b, tool, p)
        slots = {"poss": _possessive(p.mention), "who": p.mention}
        np = ctx.phrase(f"p_{kind}_np", P_PHONE_NP if kind == "phone" else P_EMAIL_NP, **slots)
        clause = ctx.phrase(f"p_{kind}_cl", P_PHONE_CL if kind == "phone" else P_EMAIL_CL, **slots)
        label = "phone number" if kind == "phone" else "email address"
        return clause, Content(ref, kind, np, "it", f"{_possessive(p.mention)} {label}", tool)
    if kind == "directions":
        clause, ref, end_m, by = _directions(ctx, b)
        np = " ".join(ctx.phrase("p_dir_np", P_DIR_NP, end=end_m, by=by).split())
        end_t = end_m.split(" from ")[0]
        end_t = end_t[4:] if end_t.startswith("the ") else end_t
        return clause, Content(ref, "link", np, ctx.pick("[them|them|it|the route]"), f"Directions to {end_t}",
                               "maps_show_directions")
    if kind == "location":
        mention, arg = ctx.place()
        ref = b.add("maps_open_location", arg)
        np = ctx.phrase("p_loc_np", P_LOC_NP, place=mention)
        clause = ctx.phrase("p_loc_cl", P_LOC_CL, place=mention)
        return clause, Content(ref, "link", np, ctx.pick("[it|the link|the location]"), arg, "maps_open_location",
                               placeable=True)
    if kind == "summary":
        mention, arg = ctx.file(pdf=True)
        path = b.add("open_and_get_file_path", arg)
        ref = b.add("summarize_pdf", path)
        np = ctx.phrase("p_sum_np", P_SUM_NP, file=mention)
        clause = ctx.phrase("p_sum_cl", P_SUM_CL, file=mention)
        return clause, Content(ref, "text", np, ctx.pick("[it|the summary|that summary]"), f"Summary of {arg}",
                               "summarize_pdf", path=path)
    if kind == "note":
        name = ctx.rng.choice(ctx.pools.notes)
        ref = b.add("open_note", name, "")
        np = ctx.phrase("p_note_np", P_NOTE_NP, name=name)
        clause = ctx.phrase("p_note_cl", P_NOTE_CL, name=name)
        return clause, Content(ref, "text", np, "it", name, "open_note")
    if kind == "zoom":
        topic = ctx.rng.choice(ctx.pools.topics)
        when, start, minutes, adj = _meeting_time(ctx)
        ref = b.add("get_zoom_meeting_link", _title(topic), _fmt(start), minutes, [])
        topic = _with_length(adj, topic)
        np = ctx.phrase("p_zoom_np", P_ZOOM_NP, topic=topic, when=when)
        clause = ctx.phrase("p_zoom_cl", P_ZOOM_CL, topic=topic, when=when)
        return clause, Content(ref, "link", np, ctx.pick("[the link|it|the zoom link]"), _title(topic),
                               "get_zoom_meeting_link", placeable=True)
    raise ValueError(kind)


C_SMS_NP = ("[text|sms|message] {to} {c}", "send {c} to {to} [by text|via sms|in a text]",
            "send {to} {c} [by text|over sms|as a text]", "[shoot|drop] {to} a text with {c}",
            "[text|sms] {c} to {to}", "let {to} have {c} by text",
            "[I want|I'd like] {to} to have {c} [by text|via sms]",
            "[write|compose] a [quick |short |]text to {to} with {c}",
            "[text|sms] {to}, [including|with] {c} in the message", "[ping|buzz] {to} [by text|on sms] with {c}",
            "put {c} in a text to {to}", "{to} should get {c} [by text|as an sms|in a text]")
C_SMS_IT = ("[text|sms] {c} to {to}", "send {c} to {to} [by text|via sms|as a text]", "[message|text] {to} with {c}",
            "[forward|pass] {c} to {to} by text", "[text|sms] {to} with {c}",
            "send {c} over to {to} [by text|in a text|as an sms]", "let {to} have {c} [by text|over sms|via text]",
            "[put|include] {c} in a text [for|to] {to}", "make sure {to} [gets|receives] {c} by [text|sms]",
            "[write|compose] an sms for {to} [that contains|carrying] {c}")
C_EMAIL_NP = ("[email|mail|e-mail] {to} {c}", "send {c} to {to} [by email|via email]", "[email|mail] {c} to {to}",
              "send {to} an email with {c}", "[write|drop] {to} an email containing {c}",
              "[share|send over] {c} with {to} by email",
              "[put|include] {c} in an email to {to}", "get {c} over to {to} [by email|via e-mail]",
              "[compose|write up] an email to {to} with {c} [in it|in the body]",
              "[mail|email] {to}, and [put|include] {c} in the message",
              "[email|mail] {to} [and pass on|passing on] {c}", "{c} [should go|needs to go] to {to} by email")
C_EMAIL_IT = ("[email|mail] {c} to {to}", "send {c} to {to} [by email|in an email]", "[email|mail] {to} {c}",
              "[forward|pass] {c} on to {to} by email", "[share|send] {c} with {to} over email",
              "[put|paste] {c} in an email to {to}", "get {c} across to {to} by [email|mail]",
              "[write|put together] an email to {to} with {c} in it", "[I want|I'd like] {to} to get {c} by email",
              "let {to} see {c} [by email|over e-mail]")
C_REPLY_NP = ("reply with {c}", "[answer|respond to] [this|the] email with {c}", "write back with {c}",
              "reply to [the|this] [email|message|sender] with {c}", "send {c} as a reply",
              "[write|put together] a response [that includes|containing] {c}",
              "reply to the sender and [include|pass along] {c}", "[get back to|answer] the sender with {c}",
              "respond to [this|the] [email|message] by [sending|giving them] {c}",
              "[let the sender have|give the sender] {c} in [my|a] reply")
C_REPLY_IT = ("reply with {c}", "send {c} back as a reply", "[answer|respond to] the email with {c}",
              "put {c} in a reply", "reply to this email with {c}",
              "[send|give] {c} [in|as] my response", "[answer|respond to] the sender [and include|with] {c}",
              "[put|paste] {c} into [my|a] response to the sender", "[reply|respond] and [include|share] {c}",
              "[make|let] {c} [the|my] [answer|response] to this [email|mail]")
C_FORWARD = ("forward this email to {to} with {c}", "[fwd|forward] this to {to} and add {c}",
             "forward the email to {to}, [adding|including] {c}", "pass this email on to {to} along with {c}",
             "forward it to {to} with {c} [in the message|as a note]",
             "[send|pass] this [mail|message] along to {to} [and include|with] {c}",
             "[forward|fwd] this one to {to} and [mention|include] {c} in it",
             "this email should go to {to} too - send it on [and add|with] {c}",
             "[loop|bring] {to} in on this email and [add|include] {c}", "get this email over to {to} and tack on {c}")
C_NOTE_NP = ("save {c} [in|to] a new note [called|named] {name}", "make a note {name} with {c}",
             "create a note called {name} containing {c}", "[put|write] {c} in a new note {name}",
             "[jot|write] down {c} in a note titled {name}", "[store|keep] {c} in a note named {name}",
             "[copy|note] {c} into a [fresh|new] note [called|named] {name}",
             "new note called {name}, [containing|with] {c}", "[I want|I'd like] {c} saved as a new note, {name}",
             "[record|capture] {c} in a note I'll call {name}", "[create|make] a [new |]{name} note [with|holding] {c}",
             "{c} [should go|goes] into a new note called {name}")
C_NOTE_IT = ("save {c} [in|as] a note called {name}", "put {c} in a new note {name}",
             "[make|create] a note {name} [with|from] {c}", "[write|jot] {c} down in a new note named {name}",
             "[store|keep] {c} in a note titled {name}",
             "[copy|paste] {c} into a [fresh|new] note [called|named] {name}",
             "[turn|make] {c} into a new note [called|named] {name}",
             "[create|make] a [new |]{name} note [out of|with] {c}",
             "[add|save] {c} as a new note, [title|name] it {name}",
             "[start|open] a brand-new note, {name}, and fill that note with {c}")
C_APPEND_NP = ("add {c} to my {name} note", "append {c} to the {name} note", "put {c} in my {name} note",
               "[update|extend] my {name} note with {c}", "[stick|paste] {c} at the end of the {name} note",
               "in my {name} note, [add|include] {c}",
               "[my|the] {name} note [needs|should get] {c} [added|appended] [to it|]",
               "[include|save] {c} in the {name} note [too|as well]", "[drop|jot] {c} into my {name} note",
               "add {c} to what I already have in my {name} note")
C_APPEND_IT = ("add {c} to my {name} note", "append {c} to the {name} note", "[put|paste] {c} into my {name} note",
               "[update|extend] the {name} note with {c}", "[stick|tack] {c} onto my {name} note",
               "[save|include] {c} in my {name} note [too|as well]", "update [my|the] {name} note by adding {c}",
               "[write|jot] {c} [in|into] the {name} note", "[copy|drop] {c} into [my|the] existing {name} note",
               "[the|my] {name} note gets {c} [appended|added] [at the bottom|too]")
CONNECT_IT = (" and ", ", then ", " and then ", ", and ", ". Then ", " - then ", "; ",
              ", after that ", " and after that ", ". Once that's done, ", ". Next, ", " - and ", ", and then ",
              " and right after that ")

CONSUMERS: dict[str, tuple[str, ...]] = {
    "sms": ("phone", "email", "link", "text"), "email": ("phone", "email", "link", "text"),
    "reply": ("phone", "email", "link", "text"), "forward": ("link", "text", "phone"),
    "note_create": ("phone", "email", "link", "text"), "note_append": ("phone", "email", "link", "text"),
    "reminder": ("phone", "email", "link", "text"), "calendar": ("link", "text", "phone"),
}
PRODUCER_KINDS = {"phone": "phone", "email": "email", "directions": "link", "location": "link", "summary": "text",
                  "note": "text", "zoom": "link"}
PRODUCER_WEIGHTS = {"phone": 4, "email": 4, "directions": 4, "location": 3, "summary": 5, "note": 2, "zoom": 3}
SENSIBLE: dict[str, tuple[str, ...]] = {
    "phone": ("sms", "email", "reply", "note_create", "note_append", "reminder", "calendar"),
    "email": ("sms", "email", "reply", "note_create", "note_append", "reminder"),
    "directions": ("sms", "email", "reply", "note_create", "note_append", "reminder", "calendar"),
    "location": ("sms", "email", "reply", "note_create", "note_append", "calendar"),
    "summary": ("sms", "email", "reply", "forward", "note_create", "note_append", "reminder", "calendar"),
    "note": ("sms", "email", "reply", "forward", "note_append", "calendar"),
    "zoom": ("sms", "email", "reply", "forward", "note_create", "note_append", "reminder", "calendar"),
}
"""Producer -> consumers that make sense ("text Ana Bob's number", "put the zoom link in the event")."""


PRODUCER_TOOLS = {"phone": "get_phone_number", "email": "get_email_address", "directions": "maps_show_directions",
                  "location": "maps_open_location", "summary": "summarize_pdf", "note": "open_note",
                  "zoom": "get_zoom_meeting_link"}
CONSUMER_SLOTS = {"sms": ("send_sms.message",), "email": ("compose_new_email.context",),
                  "reply": ("reply_to_email.context",), "forward": ("forward_email.context",),
                  "note_create": ("create_note.content",), "note_append": ("append_note_content.content",),
                  "reminder": ("create_reminder.notes",), "calendar": ("create_calendar_event.notes",)}
ADDRESS_PAIRS = (
    "get_phone_number -> send_sms.recipients", "get_email_address -> compose_new_email.recipients",
    "get_email_address -> compose_new_email.cc", "get_email_address -> reply_to_email.cc",
    "get_email_address -> forward_email.recipients", "get_email_address -> forward_email.cc",
    "get_email_address -> create_calendar_event.invitees", "get_email_address -> get_zoom_meeting_link.meeting_invitees",
    "open_and_get_file_path -> compose_new_email.attachments", "open_and_get_file_path -> reply_to_email.attachments",
    "open_and_get_file_path -> forward_email.attachments", "open_and_get_file_path -> summarize_pdf.pdf_path",
    "get_zoom_meeting_link -> create_calendar_event.location", "maps_open_location -> create_calendar_event.location",
)
FLOW_PAIRS: tuple[str, ...] = ADDRESS_PAIRS + tuple(
    f"{PRODUCER_TOOLS[p]} -> {slot}" for p, consumers in SENSIBLE.items() for c in consumers for slot in CONSUMER_SLOTS[c])
"""Every producer -> consumer.parameter edge the generator must produce (tests check each appears)."""


def _consume(ctx: Ctx, b: PlanBuilder, consumer: str, content: Content, folded: bool) -> str:
    """Add the consumer's steps; the clause mentions the content by noun phrase (folded) or pronoun."""
    c = content.np if folded else content.it
    if consumer in ("sms", "email", "forward"):
        kind = "phone" if consumer == "sms" else "email"
        to, values = _recipients(ctx, b, kind, max_n=3, explicit_p=0.14, reuse_p=0.15)
        if consumer == "sms":
            text = ctx.phrase("c_sms_np" if folded else "c_sms_it", C_SMS_NP if folded else C_SMS_IT, to=to, c=c)
            b.add("send_sms", values, content.ref)
        elif consumer == "email":
            text = ctx.phrase("c_email_np" if folded else "c_email_it", C_EMAIL_NP if folded else C_EMAIL_IT,
                              to=to, c=c)
            atts: list[str] = []
            if content.path and ctx.chance(0.25):
                atts = [content.path]
                text += ctx.pick("[ and attach the file| with the pdf attached|, attaching the document]")
            cc_text, cc = _cc(ctx, b)
            text += cc_text
            b.add("compose_new_email", values, cc, content.title, content.ref, atts)
        else:
            text = ctx.phrase("c_forward", C_FORWARD, to=to, c=c)
            atts = []
            if content.path and ctx.chance(0.25):
                atts = [content.path]
                text += ctx.pick("[ and attach the file too| with the pdf attached]")
            b.add("forward_email", values, [], content.ref, atts)
        return text
    if consumer == "reply":
        text = ctx.phrase("c_reply_np" if folded else "c_reply_it", C_REPLY_NP if folded else C_REPLY_IT, c=c)
        atts = []
        if content.path and ctx.chance(0.25):
            atts = [content.path]
            text += ctx.pick("[ and attach the file| with the pdf attached|, attaching the document too]")
        b.add("reply_to_email", [], content.ref, atts)
        return text
    if consumer == "note_create":
        name = ctx.rng.choice(ctx.pools.notes)
        f_text, folder = _folder(ctx, 0.2)
        text = ctx.phrase("c_note_np" if folded else "c_note_it", C_NOTE_NP if folded else C_NOTE_IT, c=c, name=name)
        b.add("create_note", name, content.ref, folder)
        return text + f_text
    if consumer == "note_append":
        name = ctx.rng.choice(ctx.pools.notes)
        text = ctx.phrase("c_append_np" if folded else "c_append_it", C_APPEND_NP if folded else C_APPEND_IT,
                          c=c, name=name)
        b.add("append_note_content", name, content.ref, "")
        return text
    if consumer == "reminder":
        return unit_reminder(ctx, b, content if folded else _as_pronoun(content))
    if consumer == "calendar":
        return unit_calendar(ctx, b, content if folded else _as_pronoun(content))
    raise ValueError(consumer)


def _as_pronoun(content: Content) -> Content:
    return Content(content.ref, content.kind, content.it, content.it, content.title, content.producer,
                   content.placeable, content.path)


MESSAGE_CONSUMERS = ("sms", "email", "reply", "note_create", "note_append")
"""Consumers whose text can carry two results at once (an event's location cannot)."""


def unit_flow(ctx: Ctx, b: PlanBuilder) -> str:
    """Producer -> one or two consumers, folded into one sentence or as a clause referred back to."""
    names = list(PRODUCER_WEIGHTS)
    producer = ctx.rng.choices(names, weights=[PRODUCER_WEIGHTS[n] for n in names])[0]
    consumers = [ctx.rng.choice(SENSIBLE[producer])]
    if ctx.chance(0.18):
        second = ctx.rng.choice(SENSIBLE[producer])
        if second != consumers[0] and not {"reply", "forward"} <= {second, consumers[0]}:
            consumers.append(second)
    if len(consumers) == 1 and consumers[0] in MESSAGE_CONSUMERS and ctx.chance(0.2):
        # two results into one message: "text Bo Ana's and Cy's numbers", "email Di summaries of A.pdf and B.pdf",
        # or two kinds of result: "open my Agenda note, summarize minutes.pdf and email both to Di"
        same = producer in ("phone", "email", "summary", "directions", "location") and ctx.chance(0.55)
        others = [n for n in names if n != producer and consumers[0] in SENSIBLE[n]]
        second = producer if same or not others else ctx.rng.choice(others)
        ctx.flows.append(f"{producer}x2>{consumers[0]}" if second == producer else
                         f"{producer}+{second}>{consumers[0]}")
        cl1, c1 = _produce(ctx, b, producer)
        cl2, c2 = _produce(ctx, b, second)
        both = Content(f"{c1.ref}, {c2.ref}", c1.kind, f"{c1.np} and {c2.np}", ctx.pick("[them|both|them both]"),
                       f"{c1.title} and {c2.title}", c1.producer)
        if ctx.chance(0.5):
            return _consume(ctx, b, consumers[0], both, folded=True)
        return f"{cl1} and {cl2}" + ctx.rng.choice(CONNECT_IT) + _consume(ctx, b, consumers[0], both, folded=False)
    folded = len(consumers) == 1 and ctx.chance(0.5) and consumers[0] not in ("reminder", "calendar")
    ctx.flows.append(f"{producer}>{'+'.join(consumers)}")
    if folded:  # "text Ana the directions to the Louvre": the producer lives inside the consumer's sentence
        _clause, content = _produce(ctx, b, producer)
        return _consume(ctx, b, consumers[0], content, folded=True)
    clause, content = _produce(ctx, b, producer)
    parts = [clause]
    for consumer in consumers:
        parts.append(_consume(ctx, b, consumer, content, folded=False))
    text = parts[0]
    for part in parts[1:]:
        text += ctx.rng.choice(CONNECT_IT) + part
    return text


# ------------------------------------------------------------------------------- one thing, several actions
# Requests that act twice on one place, note or event, or once per item of a list: the second action refers
# back ("...and give me directions there", "...then add X to it", "...and remind me 15 minutes before") with no
# data flow between the steps, or repeats one tool per item ("summarize both A and B").
def _way(ctx: Ctx, mode: str, by: str) -> str:
    """How a second clause asks for directions: "walking directions", "directions by bus", "the route"."""
    adj = ctx.rng.choice(TRANSPORT_ADJ[mode])
    return ctx.rng.choice((f"{adj} directions", f"{adj} directions", f"directions {by}".strip(), f"the {adj} route",
                           f"a route {by}".strip()))


MAP_THEN_GO = (
    "show me {place} on the map and [give me|get] {way} there", "find {place} on the map, then [get|show] {way} there",
    "[open|pull up] {place} in maps and show me {way} [there|to it]", "where's {place}? [I need|get me] {way} there",
    "[pin|locate] {place} on the map, plus {way} to get there", "map {place} and [work out|plan] {way} there",
    "[look up|search for] {place} on the map and [then |]get {way} [to it|there]",
    "put {place} on the map [and|then] give me {way} there",
    "[I want to see|let me see] {place} on a map, and [after that|then] {way} [to it|there]",
    "[display|bring up] {place} [in maps|on the map]; next, [map out|plot] {way} there",
    "[mark|show] {place} on a map [first|to start], [then|and then] [pull up|find] {way} [to it|there]",
    "[check|see] where {place} is on the map and [work out|figure out] {way} to reach it",
    "[locate|find] {place} [in maps|on the map] for me, [and|plus] I need {way} [to it|there]",
    "open the map at {place}, then [get|give me] {way} [there|to it]",
)
GO_THEN_EVENT = (
    "get {way} to {place} and [create|add] an event there {when} called {Title}",
    "[show me|get] {way} to {place}, then put the {topic} there {when} in my calendar",
    "[give me|find] {way} to {place} and [schedule|add] the {topic} there {when}",
    "I'm going to {place} {when} for the {topic}: [give me|show me] {way} and add it to my calendar",
    "[plan|map] the way to {place} {by} and [book|block] {when} there for the {topic}",
    "[I need|get me] {way} to {place}; [also |]the {topic} is there {when}, [so log it|so put it] in [my|the] calendar",
    "how do I get to {place}? [show me|get me] {way}, then [schedule|add] the {topic} there {when}",
    "[bring up|open] {way} to {place} and [book|put] the {topic} [in|on] my calendar there {when}",
    "{way} to {place} please, and [a calendar event|an event] there {when}: {Title}",
    "[find a route|show me the road] to {place} {by} - [I've got|there's] the {topic} there {when}, so "
    "[calendar it|get it on my calendar]",
)
EVENT_THEN_GO = (
    "add the {topic} at {place} {when} to my calendar and show me [how to get there {by}|{way} there]",
    "[schedule|book] the {topic} at {place} {when}, then [get|give me] {way} there",
    "put a {topic} at {place} on my calendar {when} and [find|plan] {way} there",
    "[create|make] an event {Title} at {place} {when} and [show|get] {way} to it",
    "{topic} at {place} {when}: [add it to the calendar|put it in my diary] and [get|show me] {way} there",
    "[I'm going to|I'll be at] a {topic} at {place} {when} - log it in my calendar, and [also find me|I'll also need] "
    "{way}",
    "[schedule|book] the {topic} {when} at {place}; after that I'll need {way} [for getting there|to the venue]",
    "[reserve|block out] time {when} for the {topic} at {place} and [give me|work out] {way} [there|to it]",
    "[set up|add] an event called {Title}, {when}, at {place}; also [show me|get me] {way} there",
    "[make sure|ensure] the {topic} at {place} {when} is [in|on] my calendar, then "
    "[help me get there {by}|route me there {by}]",
)
EVENT_THEN_TEXT = (
    "[schedule|set up|book] a {topic} with {who} at {place} {when} and text [them|everyone|{pron}] the "
    "[address|location]",
    "[invite|add] {who} to a {topic} at {place} {when}, then [send|text] [them|{pron}] the [address|location] [by "
    "text|by sms]",
    "put a {topic} with {who} at {place} {when} on the calendar and [sms|text] [them|{pron}] where it is",
    "[add|create] an event, {topic} with {who} at {place} {when}, and [message|text] [them|{pron}] the map [link|pin]",
    "{topic} with {who} at {place} {when}: [put it in my calendar|add it to the calendar] and text [them|{pron}] the "
    "location",
    "[book|arrange] a {topic} at {place} {when} with {who}, and send [them|{pron}] a text "
    "[saying where it is|with a pin for the place]",
    "[get|put] {who} on the invite for a {topic} at {place} {when}; [also |]text [them|{pron}] [a map link|a pin] for "
    "the place",
    "[schedule|plan] a {topic} {when} at {place}, invite {who}, and [text|sms] [everyone|them|{pron}] "
    "[where to go|the spot on the map]",
    "[create|make] a calendar event with {who}: {topic}, {when}, at {place} - then send [them|{pron}] the map link by "
    "sms",
    "send {who} a calendar invite for a {topic} at {place} {when}, and follow up by texting [them|{pron}] the "
    "[address|location]",
)


def unit_same_place(ctx: Ctx, b: PlanBuilder) -> str:
    """A place acted on twice: shown then navigated to, navigated to then booked, booked then navigated to, or
    booked with people who are then texted its location ("there" and "it" refer back to it)."""
    mention, arg = ctx.place()
    mode, by = _transport(ctx)
    if "," in by:  # no self-corrections inside these
        by = ctx.pick(ctx.rng.choice(TRANSPORT[mode]))
    way = _way(ctx, mode, by)
    topic = ctx.rng.choice(ctx.pools.topics)
    title = _title(topic)
    r = ctx.rng.random()
    if r < 0.3:
        b.add("maps_open_location", arg)
        b.add("maps_show_directions", "", arg, mode)
        return ctx.phrase("map_then_go", MAP_THEN_GO, place=mention, way=way)
    when, start, minutes, adj = _meeting_time(ctx)
    if adj:  # these templates name the event without its length: it lasts the default hour
        minutes = 60
    end = _fmt(start + timedelta(minutes=minutes))
    ctx.last_event = (title, start)
    if r < 0.55:
        b.add("maps_show_directions", "", arg, mode)
        b.add("create_calendar_event", title, _fmt(start), end, arg, [], "", "")
        return ctx.phrase("go_then_event", GO_THEN_EVENT, place=mention, way=way, by=by, when=when, topic=topic,
                          Title=title)
    if r < 0.8:
        b.add("create_calendar_event", title, _fmt(start), end, arg, [], "", "")
        b.add("maps_show_directions", "", arg, mode)
        return ctx.phrase("event_then_go", EVENT_THEN_GO, place=mention, way=way, by=by, when=when, topic=topic,
                          Title=title)
    who, emails = _invitees(ctx, b)
    people = list(ctx.last_people)
    b.add("create_calendar_event", title, _fmt(start), end, arg, emails, "", "")
    if not people or not all(e.startswith("$") for e in emails):  # explicit addresses: no one to text
        return ctx.phrase("calendar_with", CALENDAR_WITH, topic=topic, who=who, when=when) + " at " + mention
    phones = [ctx.lookup(b, "get_phone_number", p) for p in people]
    loc = b.add("maps_open_location", arg)
    b.add("send_sms", phones, f"{title} at {arg}: {loc}")
    pron = people[0].pronoun if len(people) == 1 else "them"
    return ctx.phrase("event_then_text", EVENT_THEN_TEXT, topic=topic, who=who, place=mention, when=when, pron=pron)


NOTE_OPEN_THEN_ADD = (
    "open my {name} note[, then| and] add {content} to it", "pull up the {name} note and append {content}",
    "open {name} and add this to it: {content}", "show me my {name} note, then [add|append] {content} [at the end|to it]",
    "[open|bring up] the note {name} and [add|put] {content} [in it|at the bottom]",
    "[find|get] my note {name}, and [add|write] {content} [into it|at the end]",
    "open the {name} note; [also add|append] {content}",
    "open up the note {name} and [stick|add] {content} on the end",
    "[I want to|let me] see my note {name} - and [add|include] {content} [in it|too]",
    "[load|display] the note {name}, then [write|put] {content} [underneath|below the rest]",
    "open the note {name}. After that, [add|append] the line {content}",
    "I want {content} in my {name} note: [pull it up|bring it up] and [write|jot] it [down |]there",
    "[check|look at] my {name} note and [add|append] {content} to it [while you're there|too]",
    "[first open|start by opening|first pull up] {name}, then [add|append] {content} [at the end|to it]",
)


def unit_same_note(ctx: Ctx, b: PlanBuilder) -> str:
    """"Open my Ideas note, then add X to it": the note opened and appended to, two steps with no data flow."""
    (mention, name), (said, content) = ctx.note_name(), _note_content(ctx)
    f_text, folder = _folder(ctx, 0.2)
    b.add("open_note", name, folder)
    b.add("append_note_content", name, content, folder)
    text = ctx.phrase("note_open_add", NOTE_OPEN_THEN_ADD, name=mention + f_text, content=said)
    if f_text:  # "my {name} note": the folder follows the word note ("my Ideas note in Work", not "my Ideas in Work note")
        text = text.replace(f"{mention}{f_text} note", f"{mention} note{f_text}")
    return _single_quotes(text)


BEFORE = ((5, ("5 minutes", "five minutes")), (10, ("10 minutes", "ten minutes", "10 min")),
          (15, ("15 minutes", "15 min", "a quarter of an hour", "fifteen minutes")),
          (30, ("half an hour", "30 minutes", "30 min")), (60, ("an hour", "one hour", "1 hour")),
          (120, ("two hours", "2 hours")), (1440, ("a day", "one day", "24 hours")))
REMIND_BEFORE = (" and remind me {d} before", ", and remind me {d} before it starts", " with a reminder {d} before",
                 ". Remind me {d} ahead", " and set a reminder {d} before [it|the meeting|the event]",
                 ", reminder {d} before", " and ping me {d} earlier",
                 "; I want a reminder {d} ahead of it", ", plus a heads-up {d} before it [begins|starts]",
                 " and [alert|notify] me {d} before it [begins|kicks off]",
                 ", reminding me {d} [earlier|ahead of time]", " - remind me {d} before [the start|it starts]")
REMIND_SAME = (" and set a reminder for it too", " and add a reminder [for it|at the same time]",
               ", plus a reminder", " and remind me [then|at that time] too",
               " and [create|make] a matching reminder", "; also remind me [when it's time|when it begins]",
               ", and a reminder [when it starts|at the start time] [as well|]", ". Also put it in my reminders",
               " and [ping|alert] me when it starts", ", with a reminder set for [the same time|that time]")
REMINDER_THEN_EVENT = (
    "set a reminder for the {topic} {when} and put it in the calendar too{dur}",
    "remind me about the {topic} {when}, and add it to my calendar{dur}",
    "[create|add] a reminder for the {topic} {when} and [a calendar event|an event] for it{dur}",
    "[I have|there's] the {topic} {when}: [remind me|set a reminder] and [block it in|add it to] my calendar{dur}",
    "[put|add] the {topic} {when} in [my calendar|the calendar]{dur} and [in my reminders|as a reminder] too",
    "[don't let me forget|make sure I don't forget] the {topic} {when} - [set a reminder|remind me] and [make|create] "
    "a calendar event{dur}",
    "the {topic} is {when}{dur}; I want a reminder for it and an entry in my calendar",
    "[remind me of|ping me about] the {topic} {when} and [also |]schedule it [in|on] my calendar{dur}",
    "[add|create] an event plus a reminder for the {topic} {when}{dur}",
    "get the {topic} {when}{dur} into my calendar, and remind me [when it comes|at the time]",
)


def unit_event_reminder(ctx: Ctx, b: PlanBuilder) -> str:
    """An event or video meeting and a reminder for it: at the same time, some minutes before, or a reminder
    that is also put on the calendar."""
    r = ctx.rng.random()
    if r < 0.25:
        topic = ctx.rng.choice(ctx.pools.topics)
        w = random_meeting_when(ctx.now, ctx.rng)
        minutes, dur_phrase = random_duration(ctx.rng) if ctx.chance(0.4) else (60, "")
        dur = ctx.rng.choice((" ({d})", ", {d}", " for {d}", " - {d}")).format(d=dur_phrase) if dur_phrase else ""
        text = ctx.phrase("reminder_then_event", REMINDER_THEN_EVENT, topic=topic, when=w.phrase, dur=dur)
        b.add("create_reminder", _title(topic), _fmt(w.start), "", "", 0, False)
        b.add("create_calendar_event", _title(topic), _fmt(w.start), _fmt(w.start + timedelta(minutes=minutes)), "",
              [], "", "")
        return text
    text = unit_calendar(ctx, b) if r < 0.65 else unit_zoom(ctx, b)
    assert ctx.last_event is not None
    title, start = ctx.last_event
    options = [(m, p) for m, p in BEFORE if start - timedelta(minutes=m) > ctx.now + timedelta(minutes=5)]
    if not options or ctx.chance(0.25):
        b.add("create_reminder", title, _fmt(start), "", "", 0, False)
        return text + ctx.pick(ctx.rng.choice(REMIND_SAME))
    minutes, phrases = ctx.rng.choice(options)
    b.add("create_reminder", title, _fmt(start - timedelta(minutes=minutes)), "", "", 0, False)
    return text + ctx.pick(ctx.rng.choice(REMIND_BEFORE)).format(d=ctx.rng.choice(phrases))


SEPARATE_SMS = (
    "text {a} '{m1}' and {b} '{m2}'", "send two texts: to {a} '{m1}', to {b} '{m2}'",
    "[sms|text] {a}: {m1}; [sms|text] {b}: {m2}", "tell {a} by text that {m1}, and {b} that {m2}",
    "separate messages please - {a}: {m1}; {b}: {m2}", "[message|text] {a} \"{m1}\" and [message|text] {b} \"{m2}\"",
    "two different texts please: '{m1}' goes to {a} and '{m2}' goes to {b}",
    "{a} should get a text reading '{m1}' while {b} gets '{m2}'",
    "send {a} the text '{m1}', then a different one to {b}: '{m2}'",
    'I need to text two people - {a}: "{m1}", and {b}: "{m2}"',
    "first text {a} '{m1}'; after that, [another|a second] text to {b}: '{m2}'",
    "one text to {a} ('{m1}') plus another one for {b} ('{m2}')",
)
SEPARATE_EMAIL = (
    "email {a} {f1} and {b} {f2}", "send {f1} to {a} and {f2} to {b} by email", "mail {a} {f1}, and {b} {f2}",
    "email {f1} to {a}; email {f2} to {b}", "[two emails|separate emails]: {f1} for {a}, {f2} for {b}",
    "[send|email] {a} {f1} in one email and {b} {f2} in another",
    "{a} should get {f1} by email, and {b} should get {f2}",
    "attach {f1} to an email for {a}, and {f2} to [a different|another] one for {b}",
    "email {f1} over to {a}, then email {b} {f2} [on its own|in its own email]",
    "{a} needs {f1} and {b} needs {f2} - email [each of them|them each] their file",
)


def unit_separate(ctx: Ctx, b: PlanBuilder) -> str:
    """Different content for different people in one request: one message (or file) each, never merged."""
    if ctx.chance(0.55):
        pa, pb = ctx.person(), ctx.person()
        m1, m2 = ctx.sms_message(), ctx.sms_message()
        if m1 == m2:
            m2 = ctx.sms_message()
        ra, rb = ctx.lookup(b, "get_phone_number", pa), ctx.lookup(b, "get_phone_number", pb)
        b.add("send_sms", [ra], _sentence(m1))
        b.add("send_sms", [rb], _sentence(m2))
        ctx.last_people = [pa, pb]
        return ctx.phrase("separate_sms", SEPARATE_SMS, a=pa.mention, b=pb.mention, m1=m1, m2=m2)
    pa, pb = ctx.person(), ctx.person()
    ra, rb = ctx.lookup(b, "get_email_address", pa), ctx.lookup(b, "get_email_address", pb)
    (f1, a1), (f2, a2) = _distinct(ctx.file, 2)
    p1, p2 = b.add("open_and_get_file_path", a1), b.add("open_and_get_file_path", a2)
    b.add("compose_new_email", [ra], [], _title(a1), "Please find the file attached.", [p1])
    b.add("compose_new_email", [rb], [], _title(a2), "Please find the file attached.", [p2])
    ctx.last_people = [pa, pb]
    return ctx.phrase("separate_email", SEPARATE_EMAIL, a=pa.mention, b=pb.mention, f1=f1, f2=f2)


BATCH_SUMMARIES = ("[summarize|summarise] [both |]{files}", "give me summaries of {files}",
                   "[sum up|summarise] {files} [for me|]", "what do {files} say? [summarize|summarise] [them|each]",
                   "[quick|short] summaries of {files}[ please|]", "[read|go through] {files} and summarize each",
                   "[summarize|summarise] each of {files}",
                   "[I need|I want] a summary of [each file:|every one of these:] {files}",
                   "one summary per file, please: {files}", "[break down|recap] {files}, [one by one|each on its own]",
                   "[can I get|let me have] [the gist|the key points] of {files}, file by file",
                   "these need [summarizing|summarising], one [summary |]each: {files}")
BATCH_NOTES = ("make [two|some] new notes, {names}, with {content} in each", "new notes {names}: {content} in [both|all]",
               "set up notes named {names} that all say {content}", "[create|start] notes {names}, each with {content}",
               "[write|save] {content} into [two|several] new notes: {names}",
               # the content before the notes' names, as the held-out phrasing above has it (the model swapped them)
               "put {content} in new notes [called|named] {names}", "{content} - [make|create] new notes of it: {names}",
               "I want {content} [written|saved] in [two|a few] new notes, {names}",
               "[copy|jot] {content} into fresh notes [titled|called] {names}",
               "[set up|create] a separate new note for each of {names}, all [containing|saying] {content}",
               "new notes, [one each for|one for each of] {names}, [each|all] with {content}",
               "[same text|identical content], {content}, in [two|a few] new notes: {names}",
               "make notes called {names} - [put|write] {content} in every one of them",
               "take {content} and [make|create] a new note with it for each of {names}")
BATCH_REMINDERS = ("remind me to {t1} and to {t2} {when}", "two reminders {when}: {t1}, and {t2}",
                   "set reminders {when} to {t1} and {t2}", "{when} I need to {t1} and {t2}, remind me of both",
                   "[add|create] two reminders, {t1} and {t2}, for {when}",
                   "[set up|add] two reminders {when}: one to {t1}, the other to {t2}",
                   "remind me {when} to {t1}, and [also|in another reminder] to {t2}",
                   "[make|set up] a reminder to {t1} and another to {t2}, both {when}",
                   "don't let me forget to {t1} [and|or] to {t2} {when}",
                   "[ping|alert] me {when} about two things: {t1}, and {t2}")
BATCH_MAPS = ("show me {p1} and {p2} on the map", "[pin|locate] {p1} and {p2}", "find {p1} and also {p2} on the map",
              "open [maps at|the map for] {p1} and {p2}", "where are {p1} and {p2}? [show|put] both on the map",
              "mark {p1} on the map, and {p2} [as well|too]", "[search for|find] {p1} [in maps|on the map], then {p2}",
              "I want to see both {p1} and {p2} [on a map|in maps]", "[map|find] {p1}; [also|then] [map|find] {p2}",
              "[bring up|display] the locations of {p1} and {p2}")
BATCH_FILES = ("open {f1} and {f2}", "find {f1} and {f2} for me", "[pull up|bring up] {f1} and {f2}",
               "I need {f1} and {f2}, open them", "[get|fetch] me {f1} as well as {f2}",
               "[locate|hunt down] {f1}, and {f2} too", "open {f1}, then open {f2}",
               "[where are|where did I save] {f1} and {f2}? [open|find] [them|both]",
               "[grab|open up] both {f1} and {f2}", "[search for|look for] {f1} plus {f2}")


def _distinct(draw: Callable[[], tuple[str, str]], n: int) -> list[tuple[str, str]]:
    """``n`` (mention, argument) draws with different arguments (case-insensitively)."""
    out: list[tuple[str, str]] = []
    while len(out) < n:
        mention, arg = draw()
        if all(arg.lower() != a.lower() for _, a in out):
            out.append((mention, arg))
    return out


def unit_batch(ctx: Ctx, b: PlanBuilder) -> str:
    """One action over a list: one call per item ("summarize both A and B", "notes X and Y, each saying Z")."""
    r = ctx.rng.random()
    if r < 0.3:
        files = _distinct(lambda: ctx.file(pdf=True), ctx.rng.choices((2, 3), weights=(4, 1))[0])
        paths = [b.add("open_and_get_file_path", a) for _, a in files]
        for path in paths:
            b.add("summarize_pdf", path)
        mentions = [m for m, _ in files]
        return ctx.phrase("batch_summaries", BATCH_SUMMARIES, files=join_names(mentions, ctx.rng))
    if r < 0.5:
        names = list(dict.fromkeys(ctx.rng.sample(ctx.pools.notes, ctx.rng.choice((2, 2, 3)))))
        said, content = _note_content(ctx)
        f_text, folder = _folder(ctx, 0.3)
        for name in names:
            b.add("create_note", name, content, folder)
        return ctx.phrase("batch_notes", BATCH_NOTES, names=join_names(names, ctx.rng) + f_text, content=said)
    if r < 0.75:
        t1, t2 = ctx.rng.sample(ctx.pools.tasks, 2)
        w = when_date_only(ctx.now, ctx.rng) if ctx.chance(0.4) else random_when(ctx.now, ctx.rng)
        due = w.start.strftime(DATE_FMT) if w.all_day else _fmt(w.start)
        b.add("create_reminder", _title(t1), due, "", "", 0, w.all_day)
        b.add("create_reminder", _title(t2), due, "", "", 0, w.all_day)
        return ctx.phrase("batch_reminders", BATCH_REMINDERS, t1=t1, t2=t2, when=w.phrase)
    if r < 0.88:
        (m1, a1), (m2, a2) = _distinct(ctx.place, 2)
        b.add("maps_open_location", a1)
        b.add("maps_open_location", a2)
        return ctx.phrase("batch_maps", BATCH_MAPS, p1=m1, p2=m2)
    (f1, a1), (f2, a2) = _distinct(ctx.file, 2)
    b.add("open_and_get_file_path", a1)
    b.add("open_and_get_file_path", a2)
    return ctx.phrase("batch_files", BATCH_FILES, f1=f1, f2=f2)


# ------------------------------------------------------------------------------------------------ composition
Unit = Callable[[Ctx, PlanBuilder], str]
UNITS: dict[str, tuple[Unit, float]] = {
    "sms": (unit_sms, 10), "email": (unit_email, 10), "reply": (unit_reply, 4), "forward": (unit_forward, 5),
    "calendar": (unit_calendar, 8), "zoom": (unit_zoom, 8), "reminder": (unit_reminder, 8),
    "reminder_person": (unit_reminder_person, 2),
    "note_create": (unit_note_create, 4), "note_append": (unit_note_append, 4), "note_open": (unit_note_open, 3),
    "maps_open": (unit_maps_open, 4), "directions": (unit_directions, 4), "file_open": (unit_file_open, 3),
    "summarize": (unit_summarize, 4), "lookup": (unit_lookup, 6), "mixed": (unit_mixed, 3), "flow": (unit_flow, 16),
    "same_place": (unit_same_place, 3), "same_note": (unit_same_note, 1.5), "event_reminder": (unit_event_reminder, 3),
    "separate": (unit_separate, 2), "batch": (unit_batch, 3),
}
INTENT_COUNTS = (52, 34, 14)
"""Weights of one, two and three intents per request (flows and meetings make single intents long too)."""
REPEATABLE = frozenset({"sms", "email", "reminder", "calendar", "note_create", "note_append", "summarize",
                        "directions", "maps_open", "file_open", "lookup", "note_open", "forward", "zoom"})
"""Intents that may come twice in one request ("text Ana X and text Bo Y", two reminders)."""
QUESTION_UNITS = frozenset({"lookup"})
"""Units whose clause may be a question; they lead a request ("What's Ana's number? Also, ...")."""
CONNECTORS = (", and ", " and ", ". Also, ", ", then ", "; also ", ". And ", " and also ", ". Then ", ", plus ",
              ". After that, ", " - and ", ". Oh and ", ", also ", ". Next, ", " and then ", ". Plus ")
AFTER_QUESTION = (" Also, ", " And ", " Then ", " Oh, and ", " After that, ", " Plus, ",
                  " And then ", " Next, ", " Oh, also ", " On another note, ", " Besides that, ", " One more thing: ")


def _unit(ctx: Ctx, kind: str, b: PlanBuilder) -> str:
    return UNITS[kind][0](ctx, b)


def generate_example(rng: random.Random, *, held_out: bool, pools_: Pools, now: datetime | None = None,
                     kinds: Sequence[str] | None = None, intents: Sequence[float] = INTENT_COUNTS) -> Sample:
    """One request with its gold plan; ``kinds`` forces the units (tests), else they are drawn, one to three
    of them by the ``intents`` weights."""
    names = list(UNITS)
    weights = [UNITS[k][1] for k in names]
    for _ in range(100):
        ctx = Ctx(rng=rng, now=now or random_now(rng), held_out=held_out, pools=pools_)
        if kinds is None:
            n_units = rng.choices((1, 2, 3), weights=intents)[0]
            chosen: list[str] = []
            while len(chosen) < n_units:
                k = rng.choices(names, weights=weights)[0]
                if k not in chosen or k == "flow" or (k in REPEATABLE and rng.random() < 0.35):
                    chosen.append(k)
            chosen.sort(key=lambda k: k not in QUESTION_UNITS)  # a question leads
        else:
            chosen = list(kinds)
        b = PlanBuilder()
        clauses = [_unit(ctx, k, b) for k in chosen]
        if len(b.steps) > MAX_STEPS:
            continue
        text = clauses[0]
        for c in clauses[1:]:
            if text.endswith("?"):
                text += rng.choice(AFTER_QUESTION) + c
            else:
                text += rng.choice(CONNECTORS) + c
        query = surface(text, ctx, protected_words(b.steps))
        named = [f"flow:{ctx.flows.pop(0)}" if k == "flow" else k for k in chosen]
        scenario = "+".join(named)
        return Sample(query=query, now=ctx.now, steps=b.steps, scenario=scenario,
                       template="+".join(ctx.templates))
    raise RuntimeError("could not generate a plan within the step limit")
