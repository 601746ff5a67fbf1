"""Teacher mode: a (larger) model behind an OpenAI-compatible endpoint writes requests and plans.

This is the paper's method (GPT-4-Turbo wrote 80K pairs, sanity checks kept the good ones), for any
toolset.  Two calls per item: (1) the teacher writes one realistic request that needs a few named tools,
shown a few varied example requests; (2) it plans that request with the *runtime's* planner prompt (so the
data teaches exactly what is served), optionally grammar-constrained.  Every pair goes through the same
sanity checks and dedup as generated data; rejects are kept with their reason.

*Paraphrase mode* (:class:`Paraphraser`) multiplies the variety of existing data instead: the teacher
rewrites each request in a different style while the gold plan stays as it is.  The rewrite must keep every
name, file, place, address and number the plan copies (the entity check) and every date and time word
(``time_changed``), must differ from the source (``unchanged``) without shrinking or growing wildly
(``length``), and goes through the same sanity checks and dedup (seeded with the source requests and the
prompt's own examples) as everything else.  A rewrite can keep every word that matters and still change the
action, so by default (``verify``) the teacher also plans its rewrite with the runtime's planner prompt, and
only a plan with the source plan's DAG keeps it (``plan_mismatch`` otherwise).

Responses are cached on disk by a hash of (model, prompt, settings), so an interrupted or repeated run
costs nothing for the items already answered; failed HTTP calls are retried with backoff.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from edgecall.llm.base import LLM, LLMError
from edgecall.plan import END_OF_PLAN, PlanError, exact_ref, parse_plan, plans_match, render_plan
from edgecall.planner import build_planner_prompt
from edgecall.planner.planner import STOP
from edgecall.tools import Toolset

from ..dataset import NOW_FORMAT, row_now
from .checks import CheckFailed, Issue, check_example
from .dedup import Deduper, exact_key
from .surface import fold
from .timeexpr import random_now

REQUEST_PROMPT = """You write realistic requests that a user types to a personal assistant app.
The assistant can use these tools:
{tools}
{examples}
Write one new, different request that needs these tools: {wanted}. Use concrete names, places, files \
and times. Write only the request, on one line.
Request:"""

PLAN_STOP = STOP  # the runtime planner's stops: the teacher plans exactly as the served planner does


@dataclass
class TeacherConfig:
    n: int
    seed: int = 0
    concurrency: int = 4
    retries: int = 3
    temperature: float = 0.8
    max_request_tokens: int = 60
    max_plan_tokens: int = 400
    grammar: bool = True
    cache_dir: Path | None = None
    rules: str = ""
    examples: list[tuple[str, str]] = field(default_factory=list)
    example_requests: list[str] = field(default_factory=list)


@dataclass
class TeacherItem:
    index: int
    now: datetime
    wanted: list[str]
    request: str = ""
    plan_text: str = ""
    issue: Issue | None = None
    row: dict[str, Any] | None = None


class RunItem(Protocol):
    """What :func:`run_items` (and the CLI's report) needs of a teacher or paraphrase item."""

    index: int
    request: str
    issue: Issue | None
    row: dict[str, Any] | None


ItemT = TypeVar("ItemT", bound=RunItem)


def run_items(items: list[ItemT], run_item: Callable[[ItemT], ItemT], concurrency: int,
              on_item: Callable[[ItemT], None] | None, dedup: Deduper, repeat: str) -> list[ItemT]:
    """Run ``run_item`` over ``items`` in a thread pool (HTTP calls release the GIL), reporting each as it ends.

    The results are put back in item order before ``dedup`` drops repeated requests (as issues saying ``repeat``),
    so which copy survives does not depend on thread timing.
    """
    done: list[ItemT] = []
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for future in as_completed([pool.submit(run_item, it) for it in items]):
            done.append(future.result())
            if on_item is not None:
                on_item(done[-1])
    done.sort(key=lambda it: it.index)
    for it in done:
        if it.row is not None:
            dup = dedup.check(it.request)
            if dup is not None:
                it.issue, it.row = Issue(dup, repeat), None
    return done


def _ended(plan_text: str) -> str:
    """The plan text with its end marker: the stop sequence that ends generation cuts it off."""
    return plan_text if END_OF_PLAN in plan_text else plan_text.rstrip() + END_OF_PLAN


class ResponseCache:
    """One JSON file per response under ``root``; the key hashes everything that shapes the answer."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def key(*parts: Any) -> str:
        return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def get(self, key: str) -> str | None:
        if self.root is None:
            return None
        path = self.root / f"{key}.json"
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["text"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or torn: ask again

    def put(self, key: str, text: str) -> None:
        if self.root is None:
            return
        tmp = self.root / f"{key}.tmp"
        tmp.write_text(json.dumps({"text": text}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.root / f"{key}.json")


def cached_complete(llm: LLM, cache: ResponseCache, retries: int, prompt: str, *, stop: list[str], max_tokens: int,
                    temperature: float, grammar: str | None, salt: Any) -> str:
    """One completion, from the cache when this exact call was answered before; retried with backoff."""
    key = cache.key(llm.name, prompt, stop, max_tokens, temperature, grammar, salt)
    cached = cache.get(key)
    if cached is not None:
        return cached
    delay = 0.5
    for attempt in range(retries + 1):
        try:
            text = llm.complete(prompt, stop=stop, max_tokens=max_tokens, temperature=temperature,
                                grammar=grammar).text
            break
        except LLMError:
            if attempt == retries:
                raise
            time.sleep(delay)
            delay *= 2
    cache.put(key, text)
    return text


def teacher_plan(llm: LLM, cache: ResponseCache, config: TeacherConfig, prompt: str, grammar: str | None) -> str:
    """The teacher's plan for a planner ``prompt``: greedy, with the planner's stops, grammar-bound when ``grammar``
    is set; cached under one salt, so writing and paraphrasing share answers. Raises ``LLMError``."""
    return cached_complete(llm, cache, config.retries, prompt, stop=PLAN_STOP, max_tokens=config.max_plan_tokens,
                           temperature=0.0, grammar=grammar, salt="plan")


class Teacher:
    """Runs the two-call pipeline over N items with a thread pool (HTTP calls release the GIL)."""

    def __init__(self, llm: LLM, tools: Toolset, config: TeacherConfig) -> None:
        self.llm = llm
        self.tools = tools
        self.config = config
        self.cache = ResponseCache(config.cache_dir)
        self.grammar: str | None = None
        if config.grammar:
            from edgecall.llm.grammar import plan_grammar

            self.grammar = plan_grammar(tools)

    # -------------------------------------------------------------------------------------------- model calls
    def _call(self, prompt: str, *, stop: list[str], max_tokens: int, temperature: float,
              grammar: str | None, salt: Any) -> str:
        return cached_complete(self.llm, self.cache, self.config.retries, prompt, stop=stop, max_tokens=max_tokens,
                               temperature=temperature, grammar=grammar, salt=salt)

    # ------------------------------------------------------------------------------------------------ prompts
    def request_prompt(self, item: TeacherItem) -> str:
        rng = random.Random(f"{self.config.seed}:{item.index}:examples")
        pool = self.config.example_requests
        shown = rng.sample(pool, min(3, len(pool))) if pool else []
        tools = "\n".join(f"- {t.signature()}: {t.description.splitlines()[0] if t.description else ''}"
                          for t in self.tools)
        examples = ("\nExample requests:\n" + "".join(f"- {q}\n" for q in shown)) if shown else ""
        return REQUEST_PROMPT.format(tools=tools, examples=examples, wanted=", ".join(item.wanted))

    def plan_prompt(self, item: TeacherItem) -> str:
        return build_planner_prompt(item.request, self.tools, now=item.now, rules=self.config.rules,
                                    examples=self.config.examples)

    # -------------------------------------------------------------------------------------------------- items
    def items(self) -> list[TeacherItem]:
        """Deterministic per seed: each item's ``now`` and the tools its request should need."""
        rng = random.Random(f"{self.config.seed}:teacher")
        names = self.tools.names()
        out = []
        for i in range(self.config.n):
            k = rng.choices((1, 2, 3), weights=(5, 4, 2))[0]
            out.append(TeacherItem(index=i, now=random_now(rng), wanted=rng.sample(names, min(k, len(names)))))
        return out

    def run_item(self, item: TeacherItem) -> TeacherItem:
        """Ask for a request, then its plan, then check the pair. Never raises for bad model output."""
        try:
            raw = self._call(self.request_prompt(item), stop=["\n\n", "Request:"],
                             max_tokens=self.config.max_request_tokens,
                             temperature=self.config.temperature, grammar=None, salt=(self.config.seed, item.index))
            item.request = _clean_request(raw)
            if len(item.request) < 8:
                item.issue = Issue("bad_request", f"the teacher wrote no usable request ({raw[:60]!r})")
                return item
            item.plan_text = teacher_plan(self.llm, self.cache, self.config, self.plan_prompt(item), self.grammar)
        except LLMError as exc:
            item.issue = Issue("teacher_error", str(exc))
            return item
        try:
            plan = check_example(item.request, _ended(item.plan_text), item.now, self.tools)
        except CheckFailed as failed:
            item.issue = failed.issue
            return item
        item.row = {"id": f"teacher-{item.index:05d}", "now": item.now.strftime(NOW_FORMAT), "query": item.request,
                    "plan": render_plan(plan), "scenario": "teacher:" + "+".join(item.wanted),
                    "source": "teacher", "teacher": self.llm.name}
        return item

    def run(self, on_item: Callable[[TeacherItem], None] | None = None) -> list[TeacherItem]:
        """All items, in order; dedup happens after the parallel part, so it is deterministic."""
        return run_items(self.items(), self.run_item, self.config.concurrency, on_item, Deduper(),
                         "request repeats an earlier one")


def _clean_request(raw: str) -> str:
    """First line, without quotes, list markers or a "Request:" echo."""
    line = next((ln.strip() for ln in raw.splitlines() if ln.strip()), "")
    for prefix in ("Request:", "request:", "- ", "* "):
        if line.startswith(prefix):
            line = line[len(prefix):].strip()
    return line.strip().strip('"').strip()


# ----------------------------------------------------------------------------------------------- paraphrase mode
PARAPHRASE_PROMPT = """You rewrite requests that people type to a personal assistant app, so that they read as if \
a different person wrote them. Change the wording, the word order and the tone, but keep the meaning and every \
action. Copy the protected words exactly. Keep every date, time and number as it is. Write only the rewritten \
request, on one line.

Request: Email Dana that the report is finished and attach Q3.pdf.
Protected: Dana; Q3.pdf
Style: casual
Rewritten: hey, can you send Dana an email saying the report's done? put Q3.pdf in as an attachment

Request: Remind me to call the bank tomorrow at 10am.
Protected: (none)
Style: polite
Rewritten: Could you please set a reminder for tomorrow at 10am so that I call the bank?

Request: {query}
Protected: {keep}
Style: {style}
Rewritten:"""

PARAPHRASE_SHOTS = ("Email Dana that the report is finished and attach Q3.pdf.",
                    "hey, can you send Dana an email saying the report's done? put Q3.pdf in as an attachment",
                    "Remind me to call the bank tomorrow at 10am.",
                    "Could you please set a reminder for tomorrow at 10am so that I call the bank?")
PARAPHRASE_STYLES = (
    "casual", "polite", "terse, like a text message", "chatty, with a greeting", "as a question", "British English",
    "all lowercase, no punctuation", "formal", "in a hurry", "with the details in a different order",
)

TIME_WORDS = frozenset("""today tomorrow tonight yesterday morning afternoon evening night noon midday midnight week
weekend month year next this last hour hours minute minutes half quarter am pm fortnight monday tuesday wednesday
thursday friday saturday sunday january february march april may june july august september october november
december end whole all until from between""".split())
"""Words that carry a date or time: a rewrite that drops one may no longer mean the gold plan's date."""
_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_SYNONYMS = {"tmrw": "tomorrow", "tmr": "tomorrow", "tonite": "tonight", "mins": "minutes", "min": "minutes",
             "hrs": "hours", "hr": "hour"}


def _time_tokens(text: str) -> set[str]:
    toks = (_SYNONYMS.get(t, t) for t in _TOKEN.findall(fold(text)))
    return {t for t in toks if t.isdigit() or t in TIME_WORDS}


@dataclass
class ParaphraseItem:
    index: int
    source: dict[str, Any]
    variant: int
    request: str = ""
    issue: Issue | None = None
    row: dict[str, Any] | None = None


class Paraphraser:
    """Rewrites existing rows' requests through a teacher, keeping their plans; same checks and dedup."""

    def __init__(self, llm: LLM, tools: Toolset, rows: list[dict[str, Any]], config: TeacherConfig,
                 variants: int = 1, verify: bool = True) -> None:
        self.llm = llm
        self.tools = tools
        self.rows = rows
        self.config = config
        self.variants = variants
        self.verify = verify
        self.cache = ResponseCache(config.cache_dir)
        self.grammar: str | None = None
        if verify and config.grammar:
            from edgecall.llm.grammar import plan_grammar

            self.grammar = plan_grammar(tools)

    def protected(self, row: dict[str, Any]) -> list[str]:
        """The literal values of entity parameters (names, files, places, addresses, numbers) in the plan."""
        out: list[str] = []
        for task in parse_plan(row["plan"]).tasks:
            for param, value in zip(self.tools[task.tool].params, task.args, strict=False):
                values = value if isinstance(value, list) else [value]
                for v in values:
                    if param.entity and isinstance(v, str) and v.strip() and exact_ref(v) is None and v not in out:
                        out.append(v)
        return out

    def prompt(self, item: ParaphraseItem) -> str:
        styles = random.Random(f"{self.config.seed}:{item.index}:style")
        keep = "; ".join(self.protected(item.source)) or "(none)"
        return PARAPHRASE_PROMPT.format(query=item.source["query"], keep=keep, style=styles.choice(PARAPHRASE_STYLES))

    def items(self) -> list[ParaphraseItem]:
        rows = self.rows[: self.config.n] if self.config.n else self.rows
        return [ParaphraseItem(i * self.variants + v, row, v) for i, row in enumerate(rows) for v in range(self.variants)]

    def run_item(self, item: ParaphraseItem) -> ParaphraseItem:
        """Ask for one rewrite and check it against the source's plan. Never raises for bad model output."""
        try:
            raw = cached_complete(self.llm, self.cache, self.config.retries, self.prompt(item),
                                  stop=["\n\n", "\nRequest:", "Request:"], max_tokens=self.config.max_request_tokens,
                                  temperature=self.config.temperature, grammar=None,
                                  salt=("paraphrase", self.config.seed, item.index))
        except LLMError as exc:
            item.issue = Issue("teacher_error", str(exc))
            return item
        item.request = _clean_request(raw)
        source = item.source
        if len(item.request) < 8:
            item.issue = Issue("bad_request", f"the teacher wrote no usable rewrite ({raw[:60]!r})")
            return item
        if exact_key(item.request) == exact_key(source["query"]):
            item.issue = Issue("unchanged", "the rewrite is the source request")
            return item
        n_src, n_new = len(source["query"].split()), len(item.request.split())
        if not 0.5 * n_src <= n_new <= 3 * n_src + 5:
            item.issue = Issue("length", f"the rewrite has {n_new} words for a request of {n_src} "
                               "(something was dropped or made up)")
            return item
        lost = sorted(_time_tokens(source["query"]) - _time_tokens(item.request))
        if lost:
            item.issue = Issue("time_changed", f"the rewrite drops {', '.join(lost)} (dates must keep their meaning)")
            return item
        now = row_now(source)
        try:
            plan = check_example(item.request, source["plan"], now, self.tools)
        except CheckFailed as failed:
            item.issue = failed.issue
            return item
        if self.verify:  # the teacher plans its own rewrite; it must come back to the gold plan's DAG
            prompt = build_planner_prompt(item.request, self.tools, now=now, rules=self.config.rules,
                                          examples=self.config.examples)
            try:
                text = teacher_plan(self.llm, self.cache, self.config, prompt, self.grammar)
            except LLMError as exc:
                item.issue = Issue("teacher_error", str(exc))
                return item
            try:
                replanned = parse_plan(_ended(text))
            except PlanError:
                replanned = None
            if replanned is None or not plans_match(replanned, plan):
                item.issue = Issue("plan_mismatch", "the teacher's plan for the rewrite is not the source's plan "
                                   "(the rewrite changed what is asked)")
                return item
        item.row = {"id": f"{source.get('id', 'row')}-p{item.variant + 1}", "now": now.strftime(NOW_FORMAT),
                    "query": item.request, "plan": render_plan(plan), "scenario": source.get("scenario", ""),
                    "source": "teacher-paraphrase", "teacher": self.llm.name,
                    "paraphrase_of": source.get("id", "")}
        return item

    def run(self, on_item: Callable[[ParaphraseItem], None] | None = None) -> list[ParaphraseItem]:
        """All items in order; dedup (seeded with every source request) after the parallel part."""
        dedup = Deduper()
        for row in self.rows:
            dedup.check(row["query"])
        for shown in PARAPHRASE_SHOTS:  # a copied prompt example is a duplicate too
            dedup.check(shown)
        return run_items(self.items(), self.run_item, self.config.concurrency, on_item, dedup,
                         "the rewrite repeats an existing request")
