"""A GGUF LoRA adapter merged into its base GGUF and re-quantized by llama.cpp: one standalone model file.

Why: llama.cpp applies a LoRA adapter at run time as extra matrix products in every adapted layer. For the
shipped planner (rank 32 in all 30 layers of SmolLM2-135M) that costs 11-16% of each plan on a 2-core CPU;
the merged model does the same arithmetic as the base alone. Merging is a file conversion (gguf + numpy, no
torch), a few seconds for a 135M model, so the runtime does it once into the model cache
(`presets.served_model`) and the package keeps shipping the small adapter, which training starts from.

The delta is added in float32 to the dequantized base tensors and the result re-quantized with llama.cpp's own
quantizer (llama-cpp-python's `llama_model_quantize`). Re-quantizing to 4 bits adds fresh rounding on top of the
base's, which the adapter was never trained against; Q8_0 keeps the merged weights to within about 0.4% of their
range, which is why the shipped planner merges to Q8_0 (docs/results.md has the comparison).
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import LLMError

QUANT_TYPES = {"q4_0": 2, "q4_1": 3, "q8_0": 7, "q4_k_m": 15, "f16": 1}
"""llama.cpp `LLAMA_FTYPE_*` values of the formats a merge may write."""


def gguf_module() -> Any:
    """The `gguf` package (llama.cpp's GGUF reader/writer), with a clear error where it is missing."""
    try:
        import gguf
    except ModuleNotFoundError:
        raise LLMError("reading and writing GGUF files needs the package 'gguf': pip install gguf") from None
    return gguf


def read_gguf(path: Path, what: str) -> Any:
    gguf = gguf_module()
    try:
        return gguf.GGUFReader(str(path))
    except (OSError, ValueError, IndexError) as exc:  # a cut file fails wherever the cut falls: IndexError too
        raise LLMError(f"cannot read the {what} {path}: {exc}") from None


def tensor_array(t: Any) -> np.ndarray:
    """A GGUF tensor as float32 in numpy's (rows, columns) order (GGUF lists the dimensions the other way)."""
    from gguf.quants import dequantize

    data = dequantize(t.data, t.tensor_type).astype(np.float32)
    return data.reshape(tuple(int(x) for x in reversed(t.shape.tolist())))


@dataclass(frozen=True)
class GGUFLora:
    """A GGUF LoRA adapter read and checked against its base: (A, B) per adapted base tensor, in llama.cpp's layout
    (B's rows in the GGUF's rotary order), alpha, rank, and the adapter's metadata (`edgecall.*` included)."""

    pairs: dict[str, tuple[np.ndarray, np.ndarray]]
    alpha: float
    rank: int
    metadata: dict[str, Any]

    @property
    def scale(self) -> float:
        return self.alpha / self.rank


def read_lora(adapter: Path, base: Any, base_name: str) -> GGUFLora:
    """Read a GGUF LoRA adapter for the base GGUF `base` (a reader; `base_name` for messages), checking that it is a
    LoRA for this architecture, that every tensor is one half of a pair, that every pair fits its base tensor and
    that all have one rank. The one reader of adapter files: the runtime merge and training's import both use it."""
    reader = read_gguf(adapter, "LoRA adapter")
    meta = {name: fld.contents() for name, fld in reader.fields.items() if not name.startswith("GGUF.")}
    if meta.get("general.type") != "adapter" or meta.get("adapter.type") != "lora":
        raise LLMError(f"{adapter}: not a GGUF LoRA adapter (general.type {meta.get('general.type')!r})")
    arch = base.fields["general.architecture"].contents()
    if meta.get("general.architecture") != arch:
        raise LLMError(f"the adapter {adapter.name} is for a {meta.get('general.architecture')} model, the base "
                       f"{base_name} is {arch} (an adapter only fits the model it was trained on)")
    shapes = {t.name: tuple(int(x) for x in reversed(t.shape.tolist())) for t in base.tensors}
    halves: dict[str, dict[str, np.ndarray]] = {}
    for t in reader.tensors:
        name, dot, ab = t.name.rpartition(".lora_")
        if not dot or ab not in ("a", "b"):
            raise LLMError(f"{adapter}: unexpected tensor {t.name} (a LoRA adapter has only .lora_a / .lora_b)")
        halves.setdefault(name, {})[ab] = tensor_array(t)
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rank = None
    for name, half in sorted(halves.items()):
        if set(half) != {"a", "b"}:
            raise LLMError(f"{adapter}: {name} lacks its lora_{'b' if 'a' in half else 'a'} half")
        a, b = half["a"], half["b"]
        if shapes.get(name) != (b.shape[0], a.shape[1]) or a.shape[0] != b.shape[1]:
            raise LLMError(f"the adapter {adapter.name} does not fit the base model {base_name}: {name} is "
                           f"{b.shape[0]}x{a.shape[1]} in the adapter, "
                           f"{'x'.join(map(str, shapes.get(name, ()))) or 'missing'} in the base (an adapter only "
                           "fits the model it was trained on)")
        if rank is not None and a.shape[0] != rank:
            raise LLMError(f"{adapter}: layers of different ranks ({rank} and {a.shape[0]})")
        rank = int(a.shape[0])
        pairs[name] = (a, b)
    if rank is None:
        raise LLMError(f"{adapter}: no LoRA tensors")
    alpha = meta.get("adapter.lora.alpha")
    return GGUFLora(pairs, float(alpha) if alpha is not None else float(rank), rank, meta)


def merge_adapter(base_path: Path, adapter: Path, out: Path, *, quant: str = "q8_0", threads: int = 0) -> int:
    """Write `out`: the base GGUF with the LoRA adapter's scale * B @ A added, quantized to `quant` by llama.cpp.
    Written beside `out` under temporary names and renamed at the end, so a reader never sees half a model.
    Returns how many tensors the adapter changed."""
    if quant not in QUANT_TYPES:
        raise LLMError(f"unknown quantization {quant!r}; choose one of {', '.join(QUANT_TYPES)}")
    gguf = gguf_module()
    base = read_gguf(base_path, "base model")
    lora = read_lora(adapter, base, base_path.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    f16_path = out.with_name(out.name + ".f16.partial")
    arch = base.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(str(f16_path), arch)
    copy_metadata(base, writer, int(gguf.LlamaFileType.MOSTLY_F16))
    for t in base.tensors:
        data = tensor_array(t)
        pair = lora.pairs.get(t.name)
        if pair is not None:
            data = data + lora.scale * (pair[1] @ pair[0])
        writer.add_tensor(t.name, np.ascontiguousarray(data.astype(np.float16 if data.ndim == 2 else np.float32)))
    finish(writer)
    try:
        if quant == "f16":
            f16_path.replace(out)
        else:
            quantize(f16_path, out, quant, threads=threads)
    finally:
        f16_path.unlink(missing_ok=True)
    return len(lora.pairs)


def merge_in_child(base_path: Path, adapter: Path, out: Path, *, quant: str) -> None:
    """`merge_adapter` in a child process: the merge holds the whole model in float32 and float16 for a moment
    (about 0.8 GB for SmolLM2-135M), which a serving process should not keep as its peak memory; llama.cpp's
    quantizer logs stay out of the user's terminal too."""
    cmd = [sys.executable, "-m", "edgecall.llm.merge", str(base_path), str(adapter), str(out), quant]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        why = lines[-1].removeprefix("error: ") if lines else f"exit code {done.returncode}"
        raise LLMError(f"could not merge the adapter {adapter.name} into {base_path.name}: {why}")


def main(argv: list[str] | None = None) -> int:
    """`python -m edgecall.llm.merge BASE ADAPTER OUT QUANT` (what `merge_in_child` runs)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: python -m edgecall.llm.merge BASE.gguf ADAPTER.gguf OUT.gguf QUANT", file=sys.stderr)
        return 2
    try:
        merge_adapter(Path(args[0]), Path(args[1]), Path(args[2]), quant=args[3])
    except (LLMError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def finish(writer: Any) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def copy_metadata(reader: Any, writer: Any, file_type: int) -> None:
    """The base's metadata (tokenizer, hyper-parameters, chat template) onto a new GGUF of `file_type`."""
    gguf = gguf_module()
    skip = {"general.architecture", "general.file_type", "general.quantization_version"}
    for name, fld in reader.fields.items():
        if name.startswith("GGUF.") or name in skip:
            continue
        vtype = fld.types[0]
        sub = fld.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, fld.contents(), vtype, sub_type=sub)
    writer.add_file_type(file_type)


def quantize(src: Path, dst: Path, quant: str, *, threads: int = 0) -> None:
    """llama.cpp's own quantizer over an F16/F32 GGUF."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = QUANT_TYPES[quant]
    params.nthread = threads
    tmp = dst.with_name(dst.name + ".partial")
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), ctypes.byref(params))
    if rc != 0:
        tmp.unlink(missing_ok=True)
        raise LLMError(f"llama.cpp could not quantize {src} to {quant} (code {rc})")
    tmp.replace(dst)


if __name__ == "__main__":
    raise SystemExit(main())
