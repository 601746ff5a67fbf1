"""In-process llama.cpp backend (llama-cpp-python) for any GGUF file.

Planner prompts are long (tool descriptions + examples) and mostly identical between requests, so prompt
evaluation, not decoding, dominates latency on a CPU. Two layers avoid re-evaluating the static part:

1. llama-cpp-python keeps the KV cache of the previous request and reuses its longest common token prefix.
2. `PrefixStates` keeps KV snapshots of prefixes that recent prompts shared (or that `warm()` was given), so
   alternating between prompts (planner, joiner, planner...) restores the planner prefix instead of
   re-evaluating it. Snapshots hold only sequence 0's KV cells, not the logits buffer, so they are cheap.

Both are switched off by `prefix_cache=False`, which the benchmark uses to measure their effect.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import Completion, CompletionStream, LLMError

MIN_SHARED_PREFIX = 32  # shorter shared prefixes are cheap to re-evaluate; not worth a snapshot
RECENT_PROMPTS = 8


def common_prefix_len(a: Sequence[int], b: Sequence[int]) -> int:
    """Number of leading tokens `a` and `b` share."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True)
class PrefixSnapshot:
    """KV cells of sequence 0 after evaluating exactly `tokens`."""

    tokens: tuple[int, ...]
    data: bytes


class PrefixStates:
    """Small LRU of prefix snapshots, looked up by longest shared token prefix (pure bookkeeping, no I/O)."""

    def __init__(self, max_states: int = 4) -> None:
        self.max_states = max_states
        self._states: OrderedDict[tuple[int, ...], PrefixSnapshot] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def best(self, tokens: Sequence[int]) -> tuple[PrefixSnapshot | None, int]:
        """The snapshot sharing the most leading tokens with `tokens`, and how many it shares."""
        best: PrefixSnapshot | None = None
        best_len = 0
        for snap in self._states.values():
            n = common_prefix_len(snap.tokens, tokens)
            if n > best_len:
                best, best_len = snap, n
        if best is not None:
            self._states.move_to_end(best.tokens)
        return best, best_len

    def put(self, snap: PrefixSnapshot) -> None:
        self._states[snap.tokens] = snap
        self._states.move_to_end(snap.tokens)
        while len(self._states) > self.max_states:
            self._states.popitem(last=False)


def shared_prefix_target(tokens: Sequence[int], recent: Sequence[Sequence[int]]) -> int:
    """Length of the longest prefix `tokens` shares with a recent prompt: the likely static part.

    Capped at len(tokens) - 1 so the model always evaluates at least one token and gets fresh logits.
    """
    shared = max((common_prefix_len(tokens, r) for r in recent), default=0)
    return min(shared, len(tokens) - 1)


def default_threads() -> int:
    """`EDGECALL_THREADS`, else every CPU this process may use.

    On a machine shared with other busy processes, fewer threads than cores is much faster: llama.cpp's
    worker threads spin at every barrier, so one descheduled thread stalls all of them.
    """
    env = os.environ.get("EDGECALL_THREADS", "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise LLMError(f"EDGECALL_THREADS must be a positive integer, got {env!r}")
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Engine:
    """One loaded model per (path, n_ctx, threads) and process, with its lock and prefix snapshots.

    llama.cpp contexts are not thread-safe, so every request holds `lock` from prompt evaluation to the
    last generated token.
    """

    def __init__(self, path: Path, n_ctx: int, n_threads: int) -> None:
        import llama_cpp

        self._llama_cpp = llama_cpp
        try:
            # swa_full keeps full KV for sliding-window layers (Gemma 3) so prefixes can be truncated and reused.
            self.llama = llama_cpp.Llama(
                str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, swa_full=True, verbose=False
            )
        except ValueError as exc:
            raise LLMError(f"could not load GGUF model {path}: {exc}") from exc
        self.path = path
        self.lock = threading.Lock()
        self.states = PrefixStates()
        self.recent: deque[tuple[int, ...]] = deque(maxlen=RECENT_PROMPTS)
        self.snapshots_taken = 0
        self.snapshots_restored = 0
        self._grammars: dict[str, Any] = {}

    # -- tokens -------------------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        """Tokenize like llama-cpp-python does for a string prompt (BOS if the model wants one)."""
        return self.llama.tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def evaluated(self) -> list[int]:
        """Tokens whose KV cells are currently in the context."""
        return self.llama.input_ids[: self.llama.n_tokens].tolist()

    # -- KV snapshots -------------------------------------------------------------------------------------
    def _snapshot(self) -> PrefixSnapshot:
        lc, ctx = self._llama_cpp, self.llama._ctx.ctx
        size = lc.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        n = lc.llama_state_seq_get_data(ctx, buf, size, 0)
        self.snapshots_taken += 1
        return PrefixSnapshot(tuple(self.evaluated()), bytes(buf)[:n])

    def _restore(self, snap: PrefixSnapshot) -> bool:
        lc, llama = self._llama_cpp, self.llama
        llama._ctx.kv_cache_clear()
        buf = (ctypes.c_uint8 * len(snap.data)).from_buffer_copy(snap.data)
        if lc.llama_state_seq_set_data(llama._ctx.ctx, buf, len(snap.data), 0) == 0:
            llama.reset()
            return False
        llama.input_ids[: len(snap.tokens)] = snap.tokens
        llama.n_tokens = len(snap.tokens)
        llama._requires_eval = True  # logits are not in the snapshot: generate() re-evaluates one token
        self.snapshots_restored += 1
        return True

    def _truncate_or_extend(self, tokens: Sequence[int], have: int, target: int) -> None:
        """Make the context hold exactly tokens[:target], given it already holds tokens[:have]."""
        llama = self.llama
        if have >= target:
            llama._ctx.kv_cache_seq_rm(-1, target, -1)
            llama.n_tokens = target
        else:
            llama.n_tokens = have
            llama.eval(tokens[have:target])

    def prepare(self, tokens: list[int]) -> int:
        """Get the longest known prefix of `tokens` into the context; returns how many tokens are reused.

        Restores a snapshot when it beats what the context holds; snapshots a newly seen shared prefix.
        """
        have = common_prefix_len(self.evaluated(), tokens)
        snap, snap_len = self.states.best(tokens)
        if snap is not None and snap_len > have and self._restore(snap):
            have = snap_len
        target = shared_prefix_target(tokens, self.recent)
        if target >= MIN_SHARED_PREFIX and target > snap_len:
            self._truncate_or_extend(tokens, have, target)
            self.states.put(self._snapshot())
            have = target
        self.recent.append(tuple(tokens))
        return min(have, len(tokens) - 1)

    def warm(self, prefix_tokens: list[int]) -> None:
        """Evaluate and snapshot a known static prefix ahead of the first request."""
        have = common_prefix_len(self.evaluated(), prefix_tokens)
        self._truncate_or_extend(prefix_tokens, have, len(prefix_tokens))
        self.states.put(self._snapshot())

    def grammar(self, text: str) -> Any:
        """Parse GBNF once per grammar text; a bad grammar is an LLMError, not a crash inside llama.cpp."""
        if text not in self._grammars:
            lc = self._llama_cpp
            probe = lc.llama_sampler_init_grammar(self.llama._model.vocab, text.encode("utf-8"), b"root")
            if not probe:
                raise LLMError("invalid GBNF grammar (llama.cpp could not parse it; see its message on stderr)")
            lc.llama_sampler_free(probe)
            self._grammars[text] = lc.LlamaGrammar.from_string(text, verbose=False)
        return self._grammars[text]


_ENGINES: dict[tuple[str, int, int], _Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(path: Path, n_ctx: int, n_threads: int) -> _Engine:
    key = (str(path.resolve()), n_ctx, n_threads)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = _Engine(path, n_ctx, n_threads)
        return _ENGINES[key]


class LlamaCppLLM:
    """`LLM` over a local GGUF file. Instances are cheap; the loaded model is shared per process."""

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        *,
        name: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        prefix_cache: bool = True,
    ) -> None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LLMError(f"model file not found: {path}")
        self.name = name or path.stem
        self.path = path
        self.prefix_cache = prefix_cache
        self._engine = _engine(path, n_ctx, n_threads or default_threads())

    @property
    def n_ctx(self) -> int:
        return self._engine.llama.n_ctx()

    def count_tokens(self, text: str) -> int:
        return len(self._engine.tokenize(text))

    def warm(self, prefix: str) -> None:
        """Pre-evaluate a static prompt prefix (e.g. the planner's tool list and examples) and keep it."""
        tokens = self._engine.tokenize(prefix)[:-1]  # the last token may merge with what follows
        with self._engine.lock:
            self._engine.warm(tokens)

    def complete(
        self,
        prompt: str,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        grammar: str | None = None,
    ) -> Completion:
        stream = self.stream(prompt, stop=stop, max_tokens=max_tokens, temperature=temperature, grammar=grammar)
        for _ in stream:
            pass
        assert stream.completion is not None
        return stream.completion

    def stream(
        self,
        prompt: str,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        grammar: str | None = None,
    ) -> CompletionStream:
        engine = self._engine
        parsed_grammar = engine.grammar(grammar) if grammar else None
        tokens = engine.tokenize(prompt)
        room = self.n_ctx - len(tokens)
        if room <= 0:
            raise LLMError(
                f"prompt is {len(tokens)} tokens but {self.name} was loaded with n_ctx={self.n_ctx}; "
                "shorten the prompt or load the model with a larger n_ctx"
            )
        info: dict[str, Any] = {"tokens": 0}

        def chunks() -> Iterator[str]:
            with engine.lock:
                if self.prefix_cache:
                    info["cached"] = engine.prepare(tokens)
                else:
                    engine.llama.reset()
                    info["cached"] = 0
                for chunk in engine.llama.create_completion(
                    tokens,
                    max_tokens=min(max_tokens, room),
                    temperature=temperature,
                    repeat_penalty=1.0,
                    stop=list(stop or []),
                    grammar=parsed_grammar,
                    stream=True,
                ):
                    # llama-cpp-python streams one chunk per returned token and reports no usage: count them.
                    choice = chunk["choices"][0]
                    if choice.get("finish_reason"):
                        info["finish_reason"] = choice["finish_reason"]
                    else:
                        info["tokens"] += 1
                    if choice["text"]:
                        yield choice["text"]

        def finish(text: str, ttft: float | None, seconds: float) -> Completion:
            return Completion(
                text=text,
                prompt_tokens=len(tokens),
                completion_tokens=info["tokens"],
                seconds=seconds,
                ttft_s=ttft,
                finish_reason=info.get("finish_reason"),
                cached_tokens=info.get("cached"),
            )

        return CompletionStream(chunks(), finish)
