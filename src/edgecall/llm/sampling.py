"""Token sampling with a lazily applied grammar.

llama-cpp-python runs the grammar over the whole vocabulary before every token. With Gemma's 262k-token
vocabulary that costs more than the forward pass. llama.cpp's own tools sample first and consult the grammar
only for the chosen token; only when the grammar rejects it do they filter the full vocabulary and sample again.
Under a grammar the model usually wants an allowed token anyway, so most steps cost one grammar check.
Greedy decoding picks exactly the tokens grammar-first decoding would; sampling draws from the same
grammar-restricted distribution up to where top-k/top-p truncation happens.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp._internals import LlamaSampler

_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)
assert _TOKEN_DATA.itemsize == ctypes.sizeof(llama_cpp.llama_token_data)


class TokenSampler:
    """Picks each next token from a context's last logits; owns its llama.cpp sampler objects."""

    def __init__(self, model: Any, *, temperature: float, grammar: Any | None, seed: int) -> None:
        """`grammar` is a llama.cpp grammar sampler (reset to its start state), borrowed, not owned."""
        self._n_vocab = model.n_vocab()
        self._chain = LlamaSampler()
        if temperature <= 0:
            self._chain.add_greedy()
        else:
            self._chain.add_top_k(40)
            self._chain.add_top_p(0.95, 1)
            self._chain.add_min_p(0.05, 1)
            self._chain.add_temp(temperature)
            self._chain.add_dist(seed)
        self._grammar = grammar
        self._ids = np.arange(self._n_vocab, dtype=np.int32)

    def close(self) -> None:
        self._chain.close()

    def _choose(self, ctx: Any, row: int, *, constrained: bool) -> int:
        """Run the chain (after the grammar when `constrained`) over the full vocabulary."""
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, row), shape=(self._n_vocab,))
        cand = np.empty(self._n_vocab, dtype=_TOKEN_DATA)
        cand["id"] = self._ids
        cand["logit"] = logits
        cand["p"] = 0.0
        arr = llama_cpp.llama_token_data_array(
            cand.ctypes.data_as(llama_cpp.llama_token_data_p), self._n_vocab, -1, False
        )
        if constrained:
            llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(arr))
        llama_cpp.llama_sampler_apply(self._chain.sampler, ctypes.byref(arr))
        return int(arr.data[arr.selected].id)

    def _allowed(self, token: int) -> bool:
        one = (llama_cpp.llama_token_data * 1)(llama_cpp.llama_token_data(token, 0.0, 0.0))
        arr = llama_cpp.llama_token_data_array(one, 1, -1, False)
        llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(arr))
        return not math.isinf(one[0].logit)

    def sample(self, ctx: Any, row: int = -1) -> int:
        """The next token from the logits of the last decoded batch's position `row` (-1: its last)."""
        token = self._choose(ctx, row, constrained=False)
        if self._grammar is not None:
            if not self._allowed(token):
                token = self._choose(ctx, row, constrained=True)
            llama_cpp.llama_sampler_accept(self._grammar, token)
        llama_cpp.llama_sampler_accept(self._chain.sampler, token)
        return token
