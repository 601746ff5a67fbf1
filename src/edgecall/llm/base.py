"""The small model interface every backend implements.

The planner, joiner, evaluation and benchmarks only ever talk to an `LLM`; whether the text comes from an
in-process llama.cpp model or an OpenAI-compatible server is a deployment choice (`edgecall.llm.load_llm`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..errors import LLMError


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

    @property
    def tokens_per_s(self) -> float | None:
        """Decode speed over the generation phase (after the first token), the usual tokens/s figure."""
        if not self.completion_tokens or self.ttft_s is None:
            return None
        decode_s = self.seconds - self.ttft_s
        if self.completion_tokens <= 1 or decode_s <= 0:
            return None
        return (self.completion_tokens - 1) / decode_s


class CompletionStream(Iterator[str]):
    """Iterator over text chunks whose `.completion` (and `.usage`) is filled once it is exhausted.

    Streams exist so execution can start while the model is still writing; the final `Completion`
    carries the same token counts and timings as `LLM.complete` would have.
    """

    def __init__(self, chunks: Iterator[str], finish: Callable[[str, float | None, float], Completion]):
        self._chunks = chunks
        self._finish = finish
        self._parts: list[str] = []
        self._start = time.perf_counter()
        self._ttft: float | None = None
        self.completion: Completion | None = None

    def __iter__(self) -> CompletionStream:
        return self

    def __next__(self) -> str:
        if self.completion is not None:
            raise StopIteration
        try:
            chunk = next(self._chunks)
        except StopIteration:
            elapsed = time.perf_counter() - self._start
            self.completion = self._finish("".join(self._parts), self._ttft, elapsed)
            raise
        if self._ttft is None and chunk:
            self._ttft = time.perf_counter() - self._start
        self._parts.append(chunk)
        return chunk

    @property
    def usage(self) -> Completion | None:
        """Alias of `completion`: token counts and timings, `None` until the stream is exhausted."""
        return self.completion

    def close(self) -> None:
        """Stop generating early (e.g. the consumer saw `<END_OF_PLAN>`); releases the backend.

        `completion` then describes the text delivered so far, with finish_reason "cancelled".
        """
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
