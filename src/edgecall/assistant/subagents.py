"""Sub-agents: short, single-purpose LLM calls that write an email body, a note's text and a
PDF summary (the paper's ComposeEmailAgent, NotesAgent and PDFSummarizerAgent).

Each may use its own model (a bigger one for summaries, say); with no model configured a
deterministic fallback keeps the tools useful: the context itself for emails and notes, an
extractive summary (the document's most representative sentences) for PDFs.

100M-class models loop, invent placeholders ("Dear [Company Name]") and drop facts, so model
text is cleaned (cut at the first repeated line, unfinished last sentence dropped) and an
email or note is only used when it keeps most of what the user asked to say; otherwise the
user's own words are used.  Links from the input are re-added if the model lost them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Protocol

from edgecall.tools import ToolError

PDF_INPUT_CHARS = 3_000  # fits a 2048-token context together with the instructions
SUMMARY_SENTENCES = 3
_URL = re.compile(r"https?://\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_PLACEHOLDER = re.compile(r"\[[A-Z][^\]]{0,40}\]")
MIN_COVERAGE = 0.6
MIN_GROUNDING = 0.5
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will with".split()
)


class CompletionLike(Protocol):
    @property
    def text(self) -> str: ...


class LLMLike(Protocol):
    """The part of ``edgecall.llm.LLM`` the sub-agents use."""

    def complete(
        self, prompt: str, *, stop: list[str] | None = None, max_tokens: int = 256, temperature: float = 0.0
    ) -> CompletionLike: ...


def _end_headings(text: str) -> str:
    """Give heading lines (short, unpunctuated, followed by a capitalised line) a full stop,
    so a PDF's title does not run into its first sentence."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return ""
    widest = max(map(len, lines))
    out = []
    for ln, nxt in zip(lines, [*lines[1:], ""], strict=True):
        heading = len(ln) < 0.7 * widest and not ln.endswith((".", "!", "?", ":", ";", ",", "-"))
        out.append(f"{ln}." if heading and nxt[:1].isupper() else ln)
    return " ".join(out)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(_end_headings(text)) if s.strip()]


def extractive_summary(text: str, n: int = SUMMARY_SENTENCES) -> str:
    """The first sentence plus the ``n - 1`` sentences richest in the document's frequent
    words, in document order (Luhn-style; pure and deterministic)."""
    sentences = split_sentences(text)
    if len(sentences) <= n:
        return " ".join(sentences)
    words = [w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOPWORDS]
    freq = Counter(words)

    def score(s: str) -> float:
        toks = [w for w in re.findall(r"[a-z]{3,}", s.lower()) if w not in _STOPWORDS]
        return sum(freq[t] for t in toks) / (len(toks) ** 0.5 or 1.0)

    ranked = sorted(range(1, len(sentences)), key=lambda i: score(sentences[i]), reverse=True)
    keep = sorted([0, *ranked[: n - 1]])
    return " ".join(sentences[i] for i in keep)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]{3,}", text.lower()) if w not in _STOPWORDS}


def clean_generation(text: str) -> str:
    """Cut a model's text at its first repeated line (a degenerate loop) and drop an
    unfinished last sentence (it hit max_tokens); pure."""
    kept: list[str] = []
    seen: set[str] = set()
    for line in text.strip().splitlines():
        key = " ".join(line.split()).lower()
        if key and key in seen:
            break
        seen.add(key)
        kept.append(line.rstrip())
    out = "\n".join(kept).strip()
    last_end = max(out.rfind(c) for c in ".!?")
    if last_end > 0 and not out.endswith((".", "!", "?")):
        out = out[: last_end + 1]
    return out


def faithful(source: str, written: str) -> bool:
    """Whether model text may replace ``source``: no invented placeholders and most of the
    source's content words kept (pure)."""
    if not written or _PLACEHOLDER.search(written):
        return False
    wanted = _content_words(source)
    if not wanted:
        return True
    return len(wanted & _content_words(written)) / len(wanted) >= MIN_COVERAGE


def grounded(document: str, summary: str) -> bool:
    """Whether most of a summary's content words occur in the document (a hallucination
    guard for summaries, which may paraphrase but should not invent; pure)."""
    said = _content_words(summary)
    return bool(said) and len(said & _content_words(document)) / len(said) >= MIN_GROUNDING


def keep_links(source: str, written: str) -> str:
    """Append any URL from ``source`` the model's text lost (a meeting link must survive)."""
    missing = [u for u in _URL.findall(source) if u not in written]
    return written if not missing else f"{written.rstrip()}\n\n" + "\n".join(missing)


class SubAgents:
    """The three writers; ``llm`` is the default model, the others override it per task."""

    def __init__(
        self,
        llm: LLMLike | None = None,
        *,
        email_llm: LLMLike | None = None,
        notes_llm: LLMLike | None = None,
        pdf_llm: LLMLike | None = None,
        max_tokens: int = 200,
    ) -> None:
        self.email_llm = email_llm or llm
        self.notes_llm = notes_llm or llm
        self.pdf_llm = pdf_llm or llm
        self.max_tokens = max_tokens

    def _ask(self, llm: LLMLike, prompt: str, what: str, stop: list[str]) -> str:
        try:
            out: CompletionLike = llm.complete(prompt, stop=stop, max_tokens=self.max_tokens, temperature=0.0)
        except Exception as exc:  # any backend failure becomes a tool error the joiner can report
            raise ToolError(f"the {what} model failed: {exc}") from exc
        return str(out.text).strip()

    def email_body(self, context: str, *, subject: str = "", thread: str | None = None) -> str:
        """The body of a new email or a reply, written from the planner's ``context``."""
        context = context.strip()
        if self.email_llm is None or not context:
            return context or subject
        parts = ["Write the body of a short, friendly email. Write only the body, no subject line.\n"]
        if thread:
            parts.append(f"You are replying to this email:\n{thread[:1500]}\n")
        if subject:
            parts.append(f"Subject: {subject}\n")
        parts.append(f"What the email must say: {context}\n\nEmail body:\n")
        text = clean_generation(
            self._ask(self.email_llm, "\n".join(parts), "email writer", ["\n\n\n", "Subject:", "What the email"])
        )
        return keep_links(context, text if faithful(context, text) else context)

    def note_text(self, name: str, content: str) -> str:
        """The text of a note; without a model, the content as given."""
        content = content.strip()
        if self.notes_llm is None or not content:
            return content
        prompt = (
            "Write the text of a note as clear Markdown. Keep every fact; add nothing.\n\n"
            f"Note title: {name}\nContent: {content}\n\nNote text:\n"
        )
        text = clean_generation(self._ask(self.notes_llm, prompt, "note writer", ["\n\n\n", "Note title:"]))
        return keep_links(content, text if faithful(content, text) else content)

    def pdf_summary(self, text: str) -> str:
        """A short summary of a PDF's text."""
        if self.pdf_llm is None:
            return extractive_summary(text)
        prompt = (
            "Summarize the following document in two or three sentences.\n\n"
            f"Document:\n{text[:PDF_INPUT_CHARS]}\n\nSummary:\n"
        )
        summary = clean_generation(self._ask(self.pdf_llm, prompt, "PDF summarizer", ["\n\n\n", "Document:"]))
        return summary if grounded(text, summary) else extractive_summary(text)
