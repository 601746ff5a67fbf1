"""A tiny llama-architecture GGUF with the packaged SmolLM2's real tokenizer, for fast end-to-end training tests.

Training the real 135M model until it memorises anything takes many CPU minutes; a 2-layer, 128-wide model with
the same tokenizer, architecture and file format goes through the same code (transformers' GGUF loading, peft,
the exporter's name mapping and rotary row permutation, llama.cpp's adapter loading and quantizer) in seconds.
It has grouped-query attention (4 query heads, 2 KV heads) so the attn_k permutation is exercised too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

TINY = {"block_count": 2, "embedding_length": 128, "feed_forward_length": 256, "head_count": 4, "head_count_kv": 2}


def write_tiny_llama(path: Path, seed: int = 0) -> Path:
    gguf = pytest.importorskip("gguf")
    from edgecall.llm.presets import preset_path

    source = gguf.GGUFReader(str(preset_path("smollm2-135m")))
    writer = gguf.GGUFWriter(str(path), "llama")
    for name, field in source.fields.items():
        if name.startswith("tokenizer."):
            vtype = field.types[0]
            sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
            writer.add_key_value(name, field.contents(), vtype, sub_type=sub)
    n, d, ff = TINY["block_count"], TINY["embedding_length"], TINY["feed_forward_length"]
    heads, kv = TINY["head_count"], TINY["head_count_kv"]
    writer.add_name("edgecall-tiny-test")
    writer.add_block_count(n)
    writer.add_context_length(512)
    writer.add_embedding_length(d)
    writer.add_feed_forward_length(ff)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv)
    writer.add_rope_dimension_count(d // heads)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(49152)
    writer.add_file_type(int(gguf.LlamaFileType.ALL_F32))
    rng = np.random.default_rng(seed)

    def w(*shape: int, scale: float = 0.05) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    # Small tied embeddings keep the residual stream from merely echoing the input token (which LoRA on the
    # blocks cannot easily cancel), and a large final-norm gain still lets the frozen head separate 49k tokens.
    writer.add_tensor("token_embd.weight", w(49152, d, scale=0.02))
    writer.add_tensor("output_norm.weight", np.full(d, 20.0, np.float32))
    kv_dim = d // heads * kv
    for i in range(n):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(d, np.float32))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(d, np.float32))
        writer.add_tensor(f"blk.{i}.attn_q.weight", w(d, d))
        writer.add_tensor(f"blk.{i}.attn_k.weight", w(kv_dim, d))
        writer.add_tensor(f"blk.{i}.attn_v.weight", w(kv_dim, d))
        writer.add_tensor(f"blk.{i}.attn_output.weight", w(d, d))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", w(ff, d))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", w(ff, d))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", w(d, ff))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("tiny") / "tiny-llama.gguf")
