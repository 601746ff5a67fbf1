"""The in-process llama.cpp backend with the real packaged SmolLM2-135M."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edgecall.llm import LLM, CompletionStream, LlamaCppLLM, LLMError, load_llm
from edgecall.llm.grammar import plan_grammar
from edgecall.llm.llamacpp import (
    PrefixSnapshot,
    PrefixStates,
    common_prefix_len,
    first_stop,
    shared_prefix_target,
    stop_prefix_len,
)
from edgecall.tools import Toolset

PROMPT = "List three fruits:\n1."


def test_complete_returns_text_and_usage(smollm: LlamaCppLLM) -> None:
    c = smollm.complete(PROMPT, max_tokens=12)
    assert isinstance(smollm, LLM)
    assert c.text.strip()
    assert c.prompt_tokens == smollm.count_tokens(PROMPT)
    assert 1 <= c.completion_tokens <= 12
    assert c.finish_reason in ("stop", "length")
    assert c.ttft_s is not None and 0 < c.ttft_s <= c.seconds


def test_greedy_is_deterministic(smollm: LlamaCppLLM) -> None:
    assert smollm.complete(PROMPT, max_tokens=10).text == smollm.complete(PROMPT, max_tokens=10).text


def test_stream_yields_the_same_text_and_fills_usage(smollm: LlamaCppLLM) -> None:
    whole = smollm.complete(PROMPT, max_tokens=8)
    stream = smollm.stream(PROMPT, max_tokens=8)
    assert isinstance(stream, CompletionStream)
    assert stream.usage is None  # nothing known before it ran
    chunks = list(stream)
    assert len(chunks) > 1, "a stream must deliver text incrementally"
    assert "".join(chunks) == whole.text
    assert stream.usage is not None
    assert stream.usage.text == whole.text
    assert stream.usage.completion_tokens == whole.completion_tokens
    assert stream.usage.prompt_tokens == whole.prompt_tokens


def test_stop_string_ends_generation_and_is_excluded(smollm: LlamaCppLLM) -> None:
    free = smollm.complete(PROMPT, max_tokens=24).text
    assert "\n" in free, "precondition: the model writes more than one line here"
    c = smollm.complete(PROMPT, max_tokens=24, stop=["\n"])
    assert c.text == free.split("\n")[0]
    assert c.finish_reason == "stop"


def test_grammar_forces_a_tiny_language(smollm: LlamaCppLLM) -> None:
    grammar = 'root ::= ("yes" | "no") " " [0-9] [0-9] "!"'
    for prompt in ("Is the sky green?", "Write a poem about the sea.", PROMPT):
        c = smollm.complete(prompt, max_tokens=20, grammar=grammar)
        assert re.fullmatch(r"(yes|no) \d\d!", c.text), c.text
        assert c.finish_reason == "stop"  # the grammar completed, so only end-of-sequence was allowed


def test_stream_with_grammar(smollm: LlamaCppLLM) -> None:
    stream = smollm.stream("Colour?", max_tokens=10, grammar='root ::= "red" | "green" | "blue"')
    assert "".join(stream) in ("red", "green", "blue")


def test_invalid_grammar_is_a_clear_error(smollm: LlamaCppLLM) -> None:
    with pytest.raises(LLMError, match="invalid GBNF grammar"):
        smollm.complete("x", grammar="root ::= undefined-rule")


def test_prompt_longer_than_context_is_a_clear_error(smollm: LlamaCppLLM) -> None:
    with pytest.raises(LLMError, match=r"n_ctx=4096"):
        smollm.complete("word " * 5000)


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="model file not found"):
        LlamaCppLLM(tmp_path / "nope.gguf")


def test_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"this is not a gguf file" * 100)
    with pytest.raises(LLMError, match="could not load GGUF model"):
        load_llm(str(bad))


def test_model_is_loaded_once_per_process(smollm: LlamaCppLLM) -> None:
    again = load_llm("smollm2-135m", prefix_cache=False)
    assert again is not smollm and again._engine is smollm._engine
    assert again.prefix_cache is False and smollm.prefix_cache is True


# -- prefix cache -------------------------------------------------------------------------------------------
STATIC = "You are a planner. Tools: " + ", ".join(f"tool_{i}(x: str)" for i in range(20)) + "\nQuestion: "
OTHER = "You are a joiner. Observations: " + ", ".join(f"obs_{i} = {i * 7}" for i in range(20)) + "\nAnswer: "


def test_prefix_cache_reuses_static_prefix_across_alternating_prompts(smollm: LlamaCppLLM) -> None:
    static_len = common_prefix_len(smollm._engine.tokenize(STATIC + "a"), smollm._engine.tokenize(STATIC + "b"))
    first = smollm.complete(STATIC + "Email Sid.", max_tokens=2)
    second = smollm.complete(STATIC + "Text Lutfi.", max_tokens=2)
    assert second.cached_tokens >= static_len - 1  # plain llama.cpp prefix reuse
    smollm.complete(OTHER + "x", max_tokens=2)  # evicts the planner prefix from the live context
    restored_before = smollm._engine.snapshots_restored
    third = smollm.complete(STATIC + "Call Ann.", max_tokens=2)
    assert smollm._engine.snapshots_restored == restored_before + 1
    assert third.cached_tokens >= static_len - 1
    assert first.prompt_tokens - third.prompt_tokens == len(smollm._engine.tokenize("Email Sid.")) - len(
        smollm._engine.tokenize("Call Ann.")
    )


def test_prefix_cache_does_not_change_the_output(smollm: LlamaCppLLM) -> None:
    """Reused KV cells are the same computation. (Only same up to float rounding: evaluating a prompt in two
    batches instead of one can flip a near-tie, so the continuation here is one with a clear winner.)"""
    uncached = load_llm("smollm2-135m", prefix_cache=False)
    smollm.complete(STATIC + "Email Sid.", max_tokens=2)
    prompt = STATIC + "Count to ten: 1, 2, 3, 4,"
    hot = smollm.complete(prompt, max_tokens=6)
    cold = uncached.complete(prompt, max_tokens=6)
    assert cold.cached_tokens == 0
    assert hot.cached_tokens > 0
    assert hot.text == cold.text
    assert hot.text.startswith(" 5, 6")


def test_warm_pre_evaluates_a_prefix(smollm: LlamaCppLLM) -> None:
    prefix = "Warm prefix. " + " ".join(f"item{i}" for i in range(30)) + "\nQ: "
    smollm.warm(prefix)
    smollm.complete(OTHER + "y", max_tokens=1)
    c = smollm.complete(prefix + "hello", max_tokens=1)
    assert c.cached_tokens >= smollm.count_tokens(prefix) - 2


def test_prefix_states_lru_and_lookup() -> None:
    states = PrefixStates(max_states=2)
    states.put(PrefixSnapshot((1, 2, 3), b"a"))
    states.put(PrefixSnapshot((1, 2, 9, 9), b"b"))
    snap, n = states.best([1, 2, 9, 9, 5])
    assert snap is not None and snap.data == b"b" and n == 4
    states.best([1, 2, 3])  # touch (1, 2, 3): (1, 2, 9, 9) becomes least recently used
    states.put(PrefixSnapshot((7,), b"c"))
    assert len(states) == 2
    assert states.best([1, 2, 9])[0].data == b"a"  # type: ignore[union-attr]
    assert states.best([8]) == (None, 0)


def test_shared_prefix_target() -> None:
    assert shared_prefix_target([1, 2, 3, 4], [[1, 2, 9], [1, 2, 3, 7]]) == 3
    assert shared_prefix_target([1, 2, 3], [[1, 2, 3]]) == 2  # leave one token to evaluate
    assert shared_prefix_target([1, 2], []) == 0


def test_stop_helpers() -> None:
    assert first_stop("abc<END>x", ["<END>", "\n"]) == 3
    assert first_stop("a\nb<END>", ["<END>", "\n"]) == 1
    assert first_stop("abc", ["<END>"]) is None
    assert first_stop("<END> and <END>", ["<END>"], start=3) == 10
    assert stop_prefix_len("text <EN", ["<END>"]) == 3
    assert stop_prefix_len("text <END", ["<END>", "<"]) == 4
    assert stop_prefix_len("text", ["<END>"]) == 0
    assert stop_prefix_len("ab", ["abc", "b"]) == 2


def test_multi_token_stop_string_never_leaks_into_the_stream(smollm: LlamaCppLLM) -> None:
    free = smollm.complete(PROMPT, max_tokens=16).text
    stop = free[free.index("\n") : free.index("\n") + 4]  # e.g. "\n2. " spans several tokens
    assert len(smollm._engine.tokenize(stop)) > 2
    stream = smollm.stream(PROMPT, max_tokens=16, stop=[stop])
    chunks = list(stream)
    assert "".join(chunks) == free.split(stop)[0]
    assert not any(stop[:2] in chunk for chunk in chunks)
    assert stream.usage is not None and stream.usage.finish_reason == "stop"


def test_closing_a_stream_early_releases_the_model_and_reports_usage(smollm: LlamaCppLLM) -> None:
    stream = smollm.stream(PROMPT, max_tokens=32)
    first = next(stream)
    stream.close()
    assert stream.usage is not None
    assert stream.usage.text == first and stream.usage.finish_reason == "cancelled"
    assert stream.usage.completion_tokens >= 1
    assert smollm.complete(PROMPT, max_tokens=2).text  # the engine lock was released


COPY = "Copy the sentence exactly.\nSentence: the quick brown fox jumps over the lazy dog by the river\nCopy: the quick"


def test_speculative_decoding_writes_the_same_text_in_fewer_forward_passes(smollm: LlamaCppLLM) -> None:
    assert smollm.speculative, "greedy decoding drafts by default"
    plain = LlamaCppLLM(smollm.path, speculative=False)
    a = plain.complete(COPY, max_tokens=16, stop=["\n"])
    b = smollm.complete(COPY, max_tokens=16, stop=["\n"])
    assert "brown fox" in a.text, f"precondition: the model copies the sentence, got {a.text!r}"
    assert b.text == a.text
    assert b.completion_tokens == a.completion_tokens
    assert a.forward_passes is not None and b.forward_passes is not None
    assert a.forward_passes >= a.completion_tokens - 1  # one pass per token (the last one is never evaluated)
    assert b.forward_passes < a.forward_passes  # drafted tokens were accepted several to a pass


def test_speculative_decoding_keeps_grammar_stops_and_limits(smollm: LlamaCppLLM, tools3: Toolset) -> None:
    plain = LlamaCppLLM(smollm.path, speculative=False)
    grammar = plan_grammar(tools3)
    prompt = 'Question: email sam@x.org the weather in Paris\nPlan:\n1. get_weather("Paris")\n2. send_email(["sam@x.org"], "Weather", "$1")\n3. join()<END_OF_PLAN>\nQuestion: email ana@y.org the weather in Rome\nPlan:\n'
    whole = plain.complete(prompt, max_tokens=64, grammar=grammar, stop=["<END_OF_PLAN>"])
    assert 'send_email(["ana@y.org"]' in whole.text, f"precondition: the model copies the example, got {whole.text!r}"
    for max_tokens, stop in ((64, ["<END_OF_PLAN>"]), (64, ["send_email"]), (7, [])):
        a = plain.complete(prompt, max_tokens=max_tokens, grammar=grammar, stop=stop)
        b = smollm.complete(prompt, max_tokens=max_tokens, grammar=grammar, stop=stop)
        assert b.text == a.text, (max_tokens, stop)
        assert b.finish_reason == a.finish_reason
        assert b.completion_tokens == a.completion_tokens <= max_tokens


def test_sampling_does_not_draft(smollm: LlamaCppLLM) -> None:
    c = smollm.complete(COPY, max_tokens=12, temperature=0.7)
    assert c.forward_passes is not None and c.completion_tokens is not None
    assert c.forward_passes >= c.completion_tokens - 1  # drafts are checked exactly only under greedy decoding


def test_grammars_kept_per_model_are_bounded_and_still_work(smollm: LlamaCppLLM) -> None:
    """Tool RAG makes a grammar per tool selection; a long-running process keeps only the most recent ones."""
    from edgecall.llm.llamacpp import MAX_GRAMMARS

    engine = smollm._engine
    words = [f"w{i}x" for i in range(MAX_GRAMMARS + 4)]
    for word in words:
        c = smollm.complete("Say a word:", max_tokens=8, grammar=f'root ::= "{word}"')
        assert c.text == word
    assert len(engine._grammars) == MAX_GRAMMARS
    assert all(entry.drafter is not None for entry in engine._grammars.values())  # greedy: each was drafted from
    assert f'root ::= "{words[0]}"' not in engine._grammars  # the least recent went first
    assert smollm.complete("Say a word:", max_tokens=8, grammar=f'root ::= "{words[0]}"').text == words[0]
