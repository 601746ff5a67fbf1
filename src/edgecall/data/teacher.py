"""Teacher mode: a (larger) model behind an OpenAI-compatible endpoint writes requests and plans.

This is the paper's method (GPT-4-Turbo wrote 80K pairs, sanity checks kept the good ones), for any
toolset.  Two calls per item: (1) the teacher writes one realistic request that needs a few named tools,
shown a few varied example requests; (2) it plans that request with the *runtime's* planner prompt (so the
data teaches exactly what is served), optionally grammar-constrained.  Every pair goes through the same
sanity checks and dedup as generated data; rejects are kept with their reason.

Responses are cached on disk by a hash of (model, prompt, settings), so an interrupted or repeated run
costs nothing for the items already answered; failed HTTP calls are retried with backoff.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from edgecall.llm.base import LLM, LLMError
from edgecall.plan import render_plan
from edgecall.planner import build_planner_prompt
from edgecall.tools import Toolset

from .checks import CheckFailed, Issue, check_example
from .dedup import Deduper
from ..dataset import NOW_FORMAT
from .timeexpr import random_now

REQUEST_PROMPT = """You write realistic requests that a user types to a personal assistant app.
The assistant can use these tools:
{tools}
{examples}
Write one new, different request that needs these tools: {wanted}. Use concrete names, places, files \
and times. Write only the request, on one line.
Request:"""

PLAN_STOP = ["<END_OF_PLAN>", "\nQuestion:", "###"]


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
        key = self.cache.key(self.llm.name, prompt, stop, max_tokens, temperature, grammar, salt)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        delay = 0.5
        for attempt in range(self.config.retries + 1):
            try:
                text = self.llm.complete(prompt, stop=stop, max_tokens=max_tokens, temperature=temperature,
                                         grammar=grammar).text
                break
            except LLMError:
                if attempt == self.config.retries:
                    raise
                time.sleep(delay)
                delay *= 2
        self.cache.put(key, text)
        return text

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
            item.plan_text = self._call(self.plan_prompt(item), stop=PLAN_STOP,
                                        max_tokens=self.config.max_plan_tokens, temperature=0.0,
                                        grammar=self.grammar, salt="plan")
        except LLMError as exc:
            item.issue = Issue("teacher_error", str(exc))
            return item
        text = item.plan_text if "<END_OF_PLAN>" in item.plan_text else item.plan_text.rstrip() + "<END_OF_PLAN>"
        try:
            plan = check_example(item.request, text, item.now, self.tools)
        except CheckFailed as failed:
            item.issue = failed.issue
            return item
        item.row = {"id": f"teacher-{item.index:05d}", "now": item.now.strftime(NOW_FORMAT), "query": item.request,
                    "plan": render_plan(plan), "scenario": "teacher:" + "+".join(item.wanted),
                    "source": "teacher", "teacher": self.llm.name}
        return item

    def run(self, on_item: Callable[[TeacherItem], None] | None = None) -> list[TeacherItem]:
        """All items, in order; dedup happens here, after the parallel part, so it is deterministic."""
        items = self.items()
        done: list[TeacherItem] = []
        with ThreadPoolExecutor(max_workers=max(1, self.config.concurrency)) as pool:
            for future in as_completed([pool.submit(self.run_item, it) for it in items]):
                done.append(future.result())
                if on_item is not None:
                    on_item(done[-1])
        done.sort(key=lambda it: it.index)
        dedup = Deduper()
        for it in done:
            if it.row is not None:
                dup = dedup.check(it.request)
                if dup is not None:
                    it.issue, it.row = Issue(dup, "request repeats an earlier one"), None
        return done


def _clean_request(raw: str) -> str:
    """First line, without quotes, list markers or a "Request:" echo."""
    line = next((ln.strip() for ln in raw.splitlines() if ln.strip()), "")
    for prefix in ("Request:", "request:", "- ", "* "):
        if line.startswith(prefix):
            line = line[len(prefix):].strip()
    return line.strip().strip('"').strip()
