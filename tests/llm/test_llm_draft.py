"""Draft tokens for speculative greedy decoding (`edgecall.llm.draft`) and the grammar literals they come from."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edgecall.llm.draft import NgramDrafter
from edgecall.llm.grammar import grammar_literals, plan_grammar
from edgecall.tools import Toolset


def test_drafts_what_followed_the_latest_earlier_occurrence() -> None:
    d = NgramDrafter(max_draft=3, min_match=2)
    #             [1, 2] seen twice: the later occurrence (followed by 7 8 9) wins
    assert d.propose([1, 2, 3, 4, 5, 1, 2, 7, 8, 9, 0, 1, 2]) == [7, 8, 9]


def test_the_longest_match_wins_over_a_more_recent_short_one() -> None:
    d = NgramDrafter(max_draft=2, min_match=2, max_match=3)
    ctx = [5, 1, 2, 40, 41, 9, 1, 2, 50, 51, 5, 1, 2]  # [5, 1, 2] matches only at the start
    assert d.propose(ctx) == [40, 41]


def test_no_draft_without_a_long_enough_match() -> None:
    d = NgramDrafter(min_match=2)
    assert d.propose([1, 2, 3, 4, 1]) == []  # one shared token is not a match
    assert d.propose([]) == []
    assert d.propose([7]) == []


def test_draft_stops_at_the_end_of_the_context() -> None:
    assert NgramDrafter(max_draft=6, min_match=2).propose([3, 4, 9, 3, 4]) == [9, 3, 4]


def test_reference_sequences_fill_in_what_the_context_has_not_shown() -> None:
    d = NgramDrafter([[10, 11, 12, 13, 14], [20, 21, 22]], max_draft=2, min_match=2)
    assert d.propose([99, 10, 11]) == [12, 13]
    assert d.propose([99, 21, 22]) == []  # nothing follows in the reference
    assert d.propose([99, 98]) == []


def test_the_context_wins_over_the_reference_for_the_same_match() -> None:
    d = NgramDrafter([[1, 2, 3]], max_draft=1, min_match=2)
    assert d.propose([1, 2, 8, 1, 2]) == [8]


def test_the_most_frequent_reference_continuation_is_drafted() -> None:
    d = NgramDrafter([[1, 2, 3], [1, 2, 4], [1, 2, 4]], max_draft=1, min_match=2)
    assert d.propose([0, 1, 2]) == [4]


def test_bad_match_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="min_match"):
        NgramDrafter(min_match=0)
    with pytest.raises(ValueError, match="min_match"):
        NgramDrafter(min_match=4, max_match=2)


def _scan(d: NgramDrafter, ctx: list[int]) -> list[int]:
    """The drafting rule written as a plain scan of the context, to check the incremental index against."""
    for n in range(min(d.max_match, len(ctx) - 1), d.min_match - 1, -1):
        suffix = ctx[-n:]
        for i in range(len(ctx) - n - 1, -1, -1):
            if ctx[i : i + n] == suffix:
                return ctx[i + n : i + n + d.max_draft]
        ref = d._reference.get(tuple(suffix))
        if ref:
            return list(ref)
    return []


@given(
    prompt=st.lists(st.integers(0, 5), max_size=40),
    generated=st.lists(st.integers(0, 5), max_size=40),
    reference=st.lists(st.lists(st.integers(0, 5), max_size=8), max_size=3),
    min_match=st.integers(1, 3),
    extra=st.integers(0, 2),
)
def test_the_index_grown_token_by_token_drafts_what_a_scan_of_the_context_finds(
    prompt: list[int], generated: list[int], reference: list[list[int]], min_match: int, extra: int
) -> None:
    d = NgramDrafter(reference, max_draft=3, min_match=min_match, max_match=min_match + extra)
    draft = d.start(prompt)
    ctx = list(prompt)
    assert draft.propose() == _scan(d, ctx)
    for token in generated:
        draft.append(token)
        ctx.append(token)
        assert draft.propose() == _scan(d, ctx)


def test_grammar_literals_are_the_text_a_plan_must_write_verbatim(tools3: Toolset) -> None:
    literals = grammar_literals(plan_grammar(tools3))
    assert "get_email_address(" in literals
    assert "send_email(" in literals
    assert "join()<END_OF_PLAN>" in literals
    assert all(len(lit) > 2 for lit in literals)
    assert len(literals) == len(set(literals))


def test_grammar_literals_decode_escapes_and_skip_character_classes() -> None:
    assert grammar_literals(r'root ::= "say \"hi\"" | "a\nb" | "ab"') == ['say "hi"', "a\nb"]
    assert grammar_literals(r'root ::= ["\nrtbf] "abc" [^"\\] "def"') == ["abc", "def"]


def test_the_defaults_need_three_shared_tokens() -> None:
    d = NgramDrafter()
    assert d.propose([1, 2, 9, 8, 1, 2]) == []
    assert d.propose([1, 2, 3, 9, 8, 7, 6, 5, 1, 2, 3]) == [9, 8, 7, 6]
