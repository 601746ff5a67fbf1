"""In-process llama.cpp backend (llama-cpp-python) for any GGUF file.

Planner prompts are long (tool descriptions + examples) and mostly identical between requests, so prompt
evaluation, not decoding, dominates latency on a CPU. Two layers avoid re-evaluating the static part:

1. The context keeps the KV cache of the previous request; its longest common token prefix is reused.
2. `PrefixStates` keeps KV snapshots of prefixes that recent prompts shared (or that `warm()` was given), so
   alternating between prompts (planner, joiner, planner...) restores the planner prefix instead of
   re-evaluating it. Snapshots hold only sequence 0's KV cells, not the logits buffer, so they are cheap.

Both are switched off by `prefix_cache=False`, which the benchmark uses to measure their effect.
Generation runs its own token loop (see `sampling`) so that grammar-constrained decoding stays fast.
"""

from __future__ import annotations

import codecs
import ctypes
import os
import random
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import llama_cpp
from pydantic import BaseModel, ConfigDict, Field

from .base import DEFAULT_DEADLINE_S, MAX_CHARS_PER_TOKEN, BaseLLM, Completion, CompletionStream, LLMError
from .draft import NgramDrafter
from .grammar import grammar_literals
from .sampling import TokenSampler

MIN_SHARED_PREFIX = 32  # shorter shared prefixes are cheap to re-evaluate; not worth a snapshot
RECENT_PROMPTS = 8
MAX_GRAMMARS = 16
"""Grammars (parsed llama.cpp samplers, with their drafters) kept per loaded model: Tool RAG makes one grammar per tool
selection, so a long-running server would otherwise keep every selection it ever saw."""


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

    def __init__(self, path: Path, n_ctx: int, n_threads: int, lora_path: Path | None = None) -> None:
        try:
            # swa_full keeps full KV for sliding-window layers (Gemma 3) so prefixes can be truncated and reused.
            self.llama = llama_cpp.Llama(
                str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, swa_full=True, verbose=False,
                lora_path=str(lora_path) if lora_path is not None else None,
            )  # fmt: skip
        except ValueError as exc:
            raise LLMError(f"could not load GGUF model {path}: {exc}") from exc
        except RuntimeError as exc:  # llama-cpp-python's failure to apply the adapter
            raise LLMError(
                f"could not apply the LoRA adapter {lora_path} to {path}: {exc} "
                "(an adapter only fits the base model it was trained on)"
            ) from exc
        # llama-cpp-python tests the adapter pointer with `is None`, which a NULL ctypes pointer never is, so a
        # rejected adapter (wrong base model, bad file) would otherwise be silently ignored.
        if lora_path is not None and not self.llama._lora_adapter:
            self.llama.close()
            raise LLMError(
                f"could not apply the LoRA adapter {lora_path} to {path} (llama.cpp rejected it: an adapter only "
                "fits the base model it was trained on; its message is on stderr)"
            )
        self.path = path
        self.lock = threading.Lock()
        self.states = PrefixStates()
        self.recent: deque[tuple[int, ...]] = deque(maxlen=RECENT_PROMPTS)
        self.snapshots_taken = 0
        self.snapshots_restored = 0
        self._grammars: OrderedDict[str, _Grammar] = OrderedDict()  # the most recent MAX_GRAMMARS, least recent first
        self._plain_drafter = NgramDrafter()  # for generations without a grammar: the context alone

    # -- tokens -------------------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        """Tokenize like llama-cpp-python does for a string prompt (BOS if the model wants one)."""
        return list(self.llama.tokenize(text.encode("utf-8"), add_bos=True, special=True))

    def evaluated(self) -> list[int]:
        """Tokens whose KV cells are currently in the context."""
        return list(self.llama.input_ids[: self.llama.n_tokens].tolist())

    # -- KV snapshots -------------------------------------------------------------------------------------
    def _snapshot(self) -> PrefixSnapshot:
        lc, ctx = llama_cpp, self.llama._ctx.ctx
        size = lc.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        n = lc.llama_state_seq_get_data(ctx, buf, size, 0)
        self.snapshots_taken += 1
        return PrefixSnapshot(tuple(self.evaluated()), bytes(buf)[:n])

    def _restore(self, snap: PrefixSnapshot) -> bool:
        lc, llama = llama_cpp, self.llama
        llama._ctx.kv_cache_clear()
        buf = (ctypes.c_uint8 * len(snap.data)).from_buffer_copy(snap.data)
        if lc.llama_state_seq_set_data(llama._ctx.ctx, buf, len(snap.data), 0) == 0:
            llama.reset()
            return False
        llama.input_ids[: len(snap.tokens)] = snap.tokens
        llama.n_tokens = len(snap.tokens)  # no logits in a snapshot: generate() always evaluates >= 1 token
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

    def _grammar(self, text: str) -> _Grammar:
        """The parsed grammar for `text` (and its drafter, once asked for); parsed once per text and reused.

        A bad grammar is an LLMError here rather than a crash inside llama.cpp.
        """
        lc = llama_cpp
        entry = self._grammars.get(text)
        if entry is None:
            sampler = lc.llama_sampler_init_grammar(self.llama._model.vocab, text.encode("utf-8"), b"root")
            if not sampler:
                raise LLMError("invalid GBNF grammar (llama.cpp could not parse it; see its message on stderr)")
            entry = self._grammars[text] = _Grammar(sampler)
            while len(self._grammars) > MAX_GRAMMARS:  # callers hold the engine lock: no generation is using it
                lc.llama_sampler_free(self._grammars.popitem(last=False)[1].sampler)
        self._grammars.move_to_end(text)
        return entry

    def grammar(self, text: str) -> Any:
        """A grammar sampler for `text` in its start state."""
        sampler = self._grammar(text).sampler
        llama_cpp.llama_sampler_reset(sampler)
        return sampler

    def generate(
        self,
        tokens: list[int],
        reuse: int,
        max_tokens: int,
        temperature: float,
        grammar: str | None,
        stop: list[str],
        info: dict[str, Any],
        speculative: bool = False,
    ) -> Iterator[str]:
        """Evaluate `tokens` (the first `reuse` are already in the context) and stream the continuation.

        Text that could be the start of a stop string is held back until it is known not to be one.
        `info` receives `tokens` (generated, excluding end-of-sequence), `decodes` (forward passes after the prompt's)
        and `finish_reason`. With `speculative` (greedy decoding only), each forward pass also checks tokens the
        drafter guessed (`edgecall.llm.draft`): the same text in fewer passes.
        """
        llama, lc = self.llama, llama_cpp
        if reuse == 0 or not llama._ctx.kv_cache_seq_rm(-1, reuse, -1):
            llama._ctx.kv_cache_clear()
            reuse = 0
        llama.n_tokens = reuse
        llama.eval(tokens[reuse:])
        sampler = TokenSampler(
            llama._model, temperature=temperature, grammar=self.grammar(grammar) if grammar else None,
            seed=random.getrandbits(32),
        )  # fmt: skip
        # Drafts are checked by comparing them with the token the sampler picks, which is exact only for greedy
        # decoding (sampling would need rejection sampling to keep its distribution).
        drafter = self.drafter(grammar) if speculative and temperature <= 0 else None
        draft = drafter.start(tokens) if drafter is not None else None
        row = -1  # which logits of the last decoded batch predict the next token
        drafted: deque[int] = deque()  # drafted tokens whose KV cells follow the position `row` predicts from
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text, sent, cut = "", 0, None
        finish = "length"
        try:
            for i in range(max_tokens):
                if "abort" in info and info["abort"].is_set():  # the deadline passed (CompletionStream)
                    finish = "deadline"
                    break
                token = sampler.sample(llama._ctx.ctx, row)
                if lc.llama_vocab_is_eog(llama._model.vocab, token):
                    finish = "stop"
                    break
                info["tokens"] += 1
                text += decoder.decode(llama.detokenize([token]))
                cut = first_stop(text, stop, start=sent)
                if cut is not None:
                    finish = "stop"
                    text = text[:cut]
                    break
                safe = len(text) - stop_prefix_len(text, stop)
                if safe > sent:
                    yield text[sent:safe]
                    sent = safe
                if i + 1 >= max_tokens:
                    break
                if draft is not None:
                    draft.append(token)
                if drafted and drafted[0] == token:  # the guess was right: its KV cell and next logits are there
                    drafted.popleft()
                    row += 1
                    continue
                if drafted:  # the guess was wrong from here on: forget the rest of it
                    self._drop_last(len(drafted))
                    drafted.clear()
                guess = draft.propose()[: max_tokens - i - 2] if draft is not None else []
                self._decode([token, *guess])
                row = 0 if guess else -1
                drafted.extend(guess)
                info["decodes"] += 1
        finally:
            sampler.close()
        if cut is None:
            text += decoder.decode(b"", final=True)  # a dangling partial character becomes U+FFFD
        info["finish_reason"] = finish  # not reached when the consumer closes the stream early
        if len(text) > sent:
            yield text[sent:]

    def _decode(self, batch: list[int]) -> None:
        """Evaluate `batch` after what the context holds; logits for every position when it has more than one
        token (a draft is checked position by position), else only for the last, as `Llama.eval` does."""
        llama = self.llama
        if len(batch) == 1:
            llama.eval(batch)
            return
        n_past = llama.n_tokens
        llama._ctx.kv_cache_seq_rm(-1, n_past, -1)
        llama._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
        llama._ctx.decode(llama._batch)
        llama.input_ids[n_past : n_past + len(batch)] = batch
        llama.n_tokens = n_past + len(batch)

    def _drop_last(self, n: int) -> None:
        """Remove the last `n` evaluated tokens (a rejected draft) from the context."""
        llama = self.llama
        llama.n_tokens -= n
        llama._ctx.kv_cache_seq_rm(-1, llama.n_tokens, -1)

    def drafter(self, grammar: str | None) -> NgramDrafter:
        """A drafter for one generation: the context, and the grammar's literals (a plan's tool names and syntax).

        Built once per grammar text and kept with the parsed grammar."""
        if not grammar:
            return self._plain_drafter
        entry = self._grammar(grammar)
        if entry.drafter is None:
            reference = [self.llama.tokenize((" " + lit).encode("utf-8"), add_bos=False, special=True)
                         for lit in grammar_literals(grammar)]
            entry.drafter = NgramDrafter(reference)
        return entry.drafter


@dataclass
class _Grammar:
    """A parsed grammar: llama.cpp's sampler for it, and the drafter built from its literals."""

    sampler: Any
    drafter: NgramDrafter | None = None


def first_stop(text: str, stops: Sequence[str], start: int = 0) -> int | None:
    """Index where the earliest stop string begins in `text[start:]` (earlier text held no stop prefix)."""
    found = [i for s in stops if s and (i := text.find(s, start)) >= 0]
    return min(found) if found else None


def stop_prefix_len(text: str, stops: Sequence[str]) -> int:
    """Length of the longest tail of `text` that is a proper prefix of a stop string (must be held back)."""
    best = 0
    for s in stops:
        for k in range(min(len(s) - 1, len(text)), best, -1):
            if text.endswith(s[:k]):
                best = k
                break
    return best


_ENGINES: dict[tuple[str, int, int, str], _Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(path: Path, n_ctx: int, n_threads: int, lora_path: Path | None = None) -> _Engine:
    key = (str(path.resolve()), n_ctx, n_threads, str(lora_path.resolve()) if lora_path else "")
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = _Engine(path, n_ctx, n_threads, lora_path)
        return _ENGINES[key]


class LlamaCppLLM(BaseLLM):
    """`LLM` over a local GGUF file. Instances are cheap; the loaded model is shared per process.

    `close()` ends this handle (later calls raise `LLMError`); the loaded model stays cached for other handles.
    """

    class Options(BaseModel):
        """Options of the llama.cpp backend (`load_llm(model, **options)`)."""

        model_config = ConfigDict(extra="forbid")

        n_ctx: int = Field(4096, gt=0, description="Context size in tokens (prompt + plan).")
        n_threads: int | None = Field(None, gt=0, description="CPU threads; default $EDGECALL_THREADS or all cores.")
        prefix_cache: bool = Field(True, description="Keep KV snapshots of static prompt prefixes for reuse.")
        deadline: float = Field(DEFAULT_DEADLINE_S, gt=0, description="Seconds one generation may take.")
        lora_path: Path | None = Field(None, description="A GGUF LoRA adapter applied on top of the model.")
        speculative: bool = Field(
            True, description="Greedy decoding checks drafted tokens (from the context and the grammar) in batches."
        )

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        *,
        name: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        prefix_cache: bool = True,
        deadline: float = DEFAULT_DEADLINE_S,
        lora_path: str | os.PathLike[str] | None = None,
        speculative: bool = True,
    ) -> None:
        """`deadline` bounds one generation's wall time (max_tokens already bounds its length); `speculative`
        lets greedy decoding check guessed tokens in batches (`edgecall.llm.draft`), off to measure its effect."""
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LLMError(f"model file not found: {path}")
        lora = Path(lora_path).expanduser() if lora_path is not None else None
        if lora is not None and not lora.is_file():
            raise LLMError(f"LoRA adapter file not found: {lora}")
        self.name = name or path.stem
        self.path = path
        self.lora_path = lora
        self.prefix_cache = prefix_cache
        self.deadline = deadline
        self.speculative = speculative
        self._engine_ref = _engine(path, n_ctx, n_threads or default_threads(), lora)

    @property
    def _engine(self) -> _Engine:
        self._ensure_open()
        return self._engine_ref

    @property
    def n_ctx(self) -> int:
        return int(self._engine.llama.n_ctx())

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
        if grammar:
            with engine.lock:
                engine.grammar(grammar)  # fail now, in the caller, on a bad grammar
        tokens = engine.tokenize(prompt)
        room = self.n_ctx - len(tokens)
        if room <= 0:
            raise LLMError(
                f"prompt is {len(tokens)} tokens but {self.name} was loaded with n_ctx={self.n_ctx}; "
                "shorten the prompt or raise the context size (--n-ctx, or n_ctx in the config)"
            )
        info: dict[str, Any] = {"tokens": 0, "decodes": 0, "abort": threading.Event()}

        def chunks() -> Iterator[str]:
            with engine.lock:
                reuse = engine.prepare(tokens) if self.prefix_cache else 0
                info["cached"] = reuse
                yield from engine.generate(
                    tokens, reuse, min(max_tokens, room), temperature, grammar, list(stop or []), info,
                    speculative=self.speculative,
                )

        def finish(text: str, ttft: float | None, seconds: float) -> Completion:
            return Completion(
                text=text,
                prompt_tokens=len(tokens),
                completion_tokens=info["tokens"],
                seconds=seconds,
                ttft_s=ttft,
                finish_reason=info.get("finish_reason"),
                cached_tokens=info.get("cached"),
                forward_passes=info["decodes"],
            )

        return CompletionStream(
            chunks(), finish, deadline_s=self.deadline, max_chars=max_tokens * MAX_CHARS_PER_TOKEN,
            abort=info["abort"].set, source=f"the model {self.name}",
        )
