"""The small model interface every backend implements.

The planner, joiner, evaluation and benchmarks only ever talk to an `LLM`; whether the text comes from an
in-process llama.cpp model or an OpenAI-compatible server is a deployment choice (`edgecall.llm.load_llm`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, Self, runtime_checkable

from ..errors import LLMError as LLMError  # re-exported: backends raise it from here


def tokens_per_s(tokens: int | None, seconds: float | None) -> float | None:
    """`tokens` / `seconds`, or None when either is missing or not positive.

    The one place a rate is computed; callers say which tokens over which seconds (decode only, or a whole plan).
    """
    if not tokens or not seconds or tokens <= 0 or seconds <= 0:
        return None
    return tokens / seconds


@dataclass(frozen=True)
class Completion:
    """One finished generation.

    `prompt_tokens`/`completion_tokens` are `None` only when an HTTP server did not report usage;
    `ttft_s` is the time to the first generated text (what a streaming planner waits before its first task).
    """

    text: str
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds: float
    ttft_s: float | None = None
    finish_reason: str | None = None
    cached_tokens: int | None = None  # prompt tokens whose KV cache was reused (None: backend can't tell)
    forward_passes: int | None = None
    """Model evaluations after the prompt's: one per token, fewer when drafted tokens were accepted in batches
    (speculative decoding); None when the backend can't tell."""

    @property
    def tokens_per_s(self) -> float | None:
        """Decode speed over the generation phase (after the first token), the usual tokens/s figure."""
        if not self.completion_tokens or self.ttft_s is None:
            return None
        return tokens_per_s(self.completion_tokens - 1, self.seconds - self.ttft_s)


DEFAULT_DEADLINE_S = 300.0
"""Longest one generation may take, whatever the server does (silent, or streaming forever)."""

MAX_CHARS_PER_TOKEN = 64
"""A stream sending more than `max_tokens * MAX_CHARS_PER_TOKEN` characters is not a model honouring max_tokens."""


class CompletionStream(Iterator[str]):
    """Iterator over text chunks whose `.completion` (and `.usage`) is filled once it is exhausted.

    Streams exist so execution can start while the model is still writing; the final `Completion`
    carries the same token counts and timings as `LLM.complete` would have.

    The client bounds every stream itself, because a misbehaving server can ignore `max_tokens`,
    stream forever or go silent: past `max_chars` characters or `deadline_s` seconds it raises
    `LLMError`. A read blocked on a silent server is unblocked by `abort` (the backend closes its
    connection), called from a watchdog timer when the deadline passes.
    """

    def __init__(
        self,
        chunks: Iterator[str],
        finish: Callable[[str, float | None, float], Completion],
        *,
        deadline_s: float | None = None,
        max_chars: int | None = None,
        abort: Callable[[], None] | None = None,
        source: str = "the model",
    ):
        self._chunks = chunks
        self._finish = finish
        self._parts: list[str] = []
        self._start = time.perf_counter()
        self._ttft: float | None = None
        self._chars = 0
        self.deadline_s = deadline_s
        self.max_chars = max_chars
        self.source = source
        self._expired = threading.Event()
        self._timer: threading.Timer | None = None
        if deadline_s is not None:
            self._timer = threading.Timer(deadline_s, self._expire, args=(abort,))
            self._timer.daemon = True
            self._timer.start()
        self.completion: Completion | None = None

    def _expire(self, abort: Callable[[], None] | None) -> None:
        self._expired.set()
        if abort is not None:
            abort()

    def _deadline_error(self) -> LLMError:
        return LLMError(
            f"{self.source} did not finish within {self.deadline_s:g}s ({self._chars:,} characters received); "
            "stopped. Check the server, or raise the deadline"
        )

    def _end(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def __iter__(self) -> CompletionStream:
        return self

    def __next__(self) -> str:
        if self.completion is not None:
            raise StopIteration
        if self._expired.is_set() or (
            self.deadline_s is not None and time.perf_counter() - self._start > self.deadline_s
        ):
            self._end()
            self._close_chunks()
            raise self._deadline_error()
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._end()
            if self._expired.is_set():  # the backend stopped because the watchdog told it to
                raise self._deadline_error() from None
            elapsed = time.perf_counter() - self._start
            self.completion = self._finish("".join(self._parts), self._ttft, elapsed)
            raise
        except Exception as exc:
            self._end()
            if self._expired.is_set():  # the watchdog closed the connection under a blocked read
                raise self._deadline_error() from exc
            raise
        if self._ttft is None and chunk:
            self._ttft = time.perf_counter() - self._start
        self._chars += len(chunk)
        if self.max_chars is not None and self._chars > self.max_chars:
            self._end()
            self._close_chunks()
            raise LLMError(
                f"{self.source} sent more than {self.max_chars:,} characters, far more than max_tokens allows; "
                "stopped (the server ignores max_tokens?)"
            )
        self._parts.append(chunk)
        return chunk

    def _close_chunks(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            try:
                close()
            except Exception:
                pass

    @property
    def usage(self) -> Completion | None:
        """Alias of `completion`: token counts and timings, `None` until the stream is exhausted."""
        return self.completion

    def close(self) -> None:
        """Stop generating early (e.g. the consumer saw `<END_OF_PLAN>`); releases the backend.

        `completion` then describes the text delivered so far, with finish_reason "cancelled".
        """
        self._end()
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        if self.completion is None:
            done = self._finish("".join(self._parts), self._ttft, time.perf_counter() - self._start)
            self.completion = dataclasses.replace(done, finish_reason=done.finish_reason or "cancelled")


@runtime_checkable
class LLM(Protocol):
    """What the agent needs from a model: plain-text completion, streamed or not, optionally grammar-bound."""

    name: str

    def complete(
        self,
        prompt: str,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        grammar: str | None = None,
    ) -> Completion:
        """Generate a continuation of `prompt`; `stop` strings are not included in the text."""
        ...

    def stream(
        self,
        prompt: str,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        grammar: str | None = None,
    ) -> CompletionStream:
        """Like `complete` but yields text chunks as they are generated; see `CompletionStream`."""
        ...


class BaseLLM:
    """Lifecycle shared by the built-in backends: `close()` and `with llm: ...`; using a closed one is an `LLMError`.

    A backend holds a connection pool (HTTP) or a handle on a loaded model (llama.cpp), so a server or a long
    benchmark should be able to say when it is done with one.
    """

    name: str
    _closed: bool = False

    def close(self) -> None:
        self._closed = True

    def _ensure_open(self) -> None:
        if self._closed:
            raise LLMError(f"model {self.name!r} was closed; load it again with load_llm()")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
