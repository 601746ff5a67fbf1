"""Draft tokens for speculative greedy decoding, guessed from text the generation is likely to repeat.

A plan is mostly text the model has already seen or must write verbatim: names and messages copied from the
request, `"$1"` references, `\\n2. `, tool names, `join()<END_OF_PLAN>`. Guessing the next few tokens from that text
costs microseconds, and llama.cpp checks a guess of k tokens in one batch for much less than k single-token steps
(the packaged planner on 2 cores: 4 tokens for 1.8 steps' time, 8 for 2.7). Under greedy decoding, a guessed
token is kept only if it is the token the model would have chosen anyway, so the plan is the one plain decoding
writes (up to the rounding of batched arithmetic); a wrong guess costs one slightly larger batch.

Two sources, tried in order (the "prompt lookup" and "retrieval" drafters of the speculative-decoding literature,
no draft model):

1. the context itself: the latest earlier occurrence of the last few tokens, and what followed it;
2. reference sequences given up front: for a plan, the grammar's literals (tool names and the plan's fixed syntax),
   which the compact prompt of a fine-tuned planner never shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


class NgramDrafter:
    """Proposes the tokens that followed the longest recent match of the context's last tokens."""

    def __init__(
        self,
        reference: Sequence[Sequence[int]] = (),
        *,
        max_draft: int = 4,
        min_match: int = 3,
        max_match: int = 4,
    ) -> None:
        """`reference`: token sequences to draft from when the context has no match (e.g. the grammar's literals).

        A match must cover at least `min_match` tokens: a short shared suffix predicts the next tokens poorly, and a
        wrong draft is not free. Longer matches (up to `max_match`) are tried first. The defaults were chosen by
        simulating the drafter on dev's gold plans against llama.cpp's measured batch costs on a 2-core CPU
        (docs/results.md); nearby settings were within 3% of them.
        """
        if not 1 <= min_match <= max_match:
            raise ValueError(f"need 1 <= min_match <= max_match, got {min_match} and {max_match}")
        self.max_draft = max_draft
        self.min_match = min_match
        self.max_match = max_match
        # n-gram -> the most frequent continuation (up to max_draft tokens) in the reference
        counts: dict[tuple[int, ...], Counter[tuple[int, ...]]] = {}
        for seq in reference:
            seq = tuple(seq)
            for n in range(min_match, max_match + 1):
                for i in range(len(seq) - n):
                    counts.setdefault(seq[i : i + n], Counter())[seq[i + n : i + n + max_draft]] += 1
        self._reference = {gram: c.most_common(1)[0][0] for gram, c in counts.items()}

    def start(self, context: Sequence[int]) -> Draft:
        """Begin drafting for one generation whose context so far is `context`."""
        return Draft(self, context)

    def propose(self, context: Sequence[int]) -> list[int]:
        """Up to `max_draft` tokens that may come next after `context` (possibly none); one-off, see `start`."""
        return self.start(context).propose()


class Draft:
    """One generation's context, indexed as it grows, so that each proposal is a few dict lookups.

    Scanning the context for the last tokens on every proposal cost ~0.5 ms per generated token behind a
    2,500-token prompt; the index costs two small inserts per token instead. It maps every n-gram
    (`min_match` <= n <= `max_match`) to where its latest occurrence's continuation begins. An n-gram enters the
    index only once a token follows it, so the context's own last tokens never match themselves.
    """

    def __init__(self, drafter: NgramDrafter, context: Sequence[int] = ()) -> None:
        self._drafter = drafter
        self._tokens: list[int] = []
        self._latest: dict[tuple[int, ...], int] = {}
        for token in context:
            self.append(token)

    def append(self, token: int) -> None:
        """The generation's next token."""
        tokens, end = self._tokens, len(self._tokens)
        for n in range(self._drafter.min_match, min(self._drafter.max_match, end) + 1):
            self._latest[tuple(tokens[end - n : end])] = end  # later occurrences overwrite: recent text wins
        tokens.append(token)

    def propose(self) -> list[int]:
        """Up to `max_draft` tokens that may come next (possibly none): after the longest match of the last
        tokens, the context's latest earlier occurrence first (recent text is the likeliest to be repeated),
        then the reference."""
        d, tokens = self._drafter, self._tokens
        for n in range(min(d.max_match, len(tokens) - 1), d.min_match - 1, -1):
            suffix = tuple(tokens[-n:])
            start = self._latest.get(suffix)
            if start is not None:
                return tokens[start : start + d.max_draft]
            cont = d._reference.get(suffix)
            if cont:
                return list(cont)
        return []
