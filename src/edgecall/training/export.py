"""`edgecall export`: a trained run -> a llama.cpp GGUF LoRA adapter, or a merged, quantized GGUF model.

Torch-free (numpy, safetensors, gguf): exporting is a file conversion and must not need the training
stack. The rules follow llama.cpp's own converters (convert_lora_to_gguf.py / convert_hf_to_gguf.py):

- tensor names: Hugging Face module names -> GGUF names through gguf's `TensorNameMap`
  (`model.layers.3.self_attn.q_proj` -> `blk.3.attn_q.weight`), adapters as `<name>.lora_a` / `.lora_b`;
- `general.type = adapter`, `adapter.type = lora`, `adapter.lora.alpha` (llama.cpp scales by alpha / rank);
- llama-architecture GGUFs store the rows of attn_q / attn_k permuted for rotary embeddings (transformers
  undoes this when it loads a GGUF), so LoRA B of q_proj / k_proj gets the same row permutation here.

`--merge` adds scale * B @ A into the dequantized base tensors, writes an F16 GGUF with the base's metadata,
and quantizes it with llama.cpp's quantizer (llama-cpp-python's `llama_model_quantize`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .base import resolve_base
from .config import SOUP_FILE, TrainingError, init_weights

QUANT_TYPES = {"q4_0": 2, "q8_0": 7, "q4_k_m": 15, "f16": 1}
"""llama.cpp `LLAMA_FTYPE_*` values of the formats `--quant` offers."""

_LORA_RE = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<ab>[AB])(?:\.default)?\.weight$")


def _gguf() -> Any:
    try:
        import gguf
    except ModuleNotFoundError:
        raise TrainingError("exporting needs the package 'gguf': pip install 'edgecall[train]' (or pip install gguf)") from None
    return gguf


@dataclass(frozen=True)
class LoraPair:
    """One adapted linear layer: A is (rank, in), B is (out, rank), as peft stores them."""

    gguf_name: str
    a: np.ndarray
    b: np.ndarray


@dataclass(frozen=True)
class AdapterFile:
    """A trained adapter directory read back: alpha, rank, and the pairs keyed by GGUF tensor name."""

    alpha: float
    rank: int
    pairs: list[LoraPair]
    meta: dict[str, Any]


def find_weights(run: Path) -> Path:
    """The adapter directory of a run: `best/` if it exists, else the last checkpoint, else `run` itself."""
    for candidate in (run / "best", run / "checkpoints" / "last", run):
        if (candidate / "edgecall.json").is_file() or (candidate / "adapter_config.json").is_file():
            return candidate
    raise TrainingError(f"{run}: no trained weights (expected best/, checkpoints/last/ or adapter_config.json)")


class BaseGGUF:
    """The base model's GGUF: architecture, head counts and tensor shapes, for naming and fit checks."""

    def __init__(self, path: Path) -> None:
        gguf = _gguf()
        try:
            self.reader = gguf.GGUFReader(str(path))
        except (OSError, ValueError) as exc:
            raise TrainingError(f"cannot read the base GGUF {path}: {exc}") from None
        self.path = path
        self.arch = self.value("general.architecture")
        self.n_blocks = int(self.value(f"{self.arch}.block_count"))
        self.n_head = int(self.value(f"{self.arch}.attention.head_count"))
        kv = self.field(f"{self.arch}.attention.head_count_kv")
        self.n_head_kv = int(kv.contents()) if kv is not None else self.n_head
        self.shapes = {t.name: tuple(int(x) for x in reversed(t.shape.tolist())) for t in self.reader.tensors}
        arch_enum = next((k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == self.arch), None)
        if arch_enum is None:
            raise TrainingError(f"{path}: architecture {self.arch!r} is unknown to the gguf package")
        self.names = gguf.get_tensor_name_map(arch_enum, self.n_blocks)

    def field(self, key: str) -> Any:
        return self.reader.fields.get(key)

    def value(self, key: str) -> Any:
        f = self.field(key)
        if f is None:
            raise TrainingError(f"{self.path}: GGUF metadata lacks {key}")
        return f.contents()

    def gguf_name(self, hf_module: str) -> str:
        name: str | None = self.names.get_name(hf_module + ".weight", try_suffixes=(".weight",))
        if name is None:
            raise TrainingError(f"the adapter's layer {hf_module} has no counterpart in the {self.arch} GGUF naming")
        return name

    def permute_rows(self, gguf_name: str, b: np.ndarray) -> np.ndarray:
        """llama.cpp's rotary row order for attn_q / attn_k of llama-architecture models (identity otherwise)."""
        if self.arch != "llama":
            return b
        if gguf_name.endswith("attn_q.weight"):
            heads = self.n_head
        elif gguf_name.endswith("attn_k.weight"):
            heads = self.n_head_kv
        else:
            return b
        rows = b.shape[0]
        return b.reshape(heads, 2, rows // heads // 2, *b.shape[1:]).swapaxes(1, 2).reshape(b.shape)


def read_adapter(weights: Path, base: BaseGGUF) -> AdapterFile:
    """Read a peft adapter directory and map it onto the base GGUF, checking every shape fits."""
    from safetensors.numpy import load_file

    config_path, tensors_path = weights / "adapter_config.json", weights / "adapter_model.safetensors"
    if not config_path.is_file() or not tensors_path.is_file():
        raise TrainingError(f"{weights}: not a LoRA adapter (a full fine-tune has no adapter; use --merge)")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    meta_path = weights / "edgecall.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    halves: dict[str, dict[str, np.ndarray]] = {}
    for key, value in load_file(str(tensors_path)).items():
        m = _LORA_RE.match(key)
        if m is None:
            raise TrainingError(f"{tensors_path}: unexpected tensor {key} (only LoRA A/B of linear layers export)")
        halves.setdefault(m["module"], {})[m["ab"]] = value.astype(np.float32)
    pairs: list[LoraPair] = []
    for module, ab in sorted(halves.items()):
        if set(ab) != {"A", "B"}:
            raise TrainingError(f"{tensors_path}: {module} lacks its lora_{'B' if 'A' in ab else 'A'} half")
        name = base.gguf_name(module)
        shape = base.shapes.get(name)
        want = (ab["B"].shape[0], ab["A"].shape[1])
        if shape != want:
            raise TrainingError(
                f"the adapter does not fit the base model {base.path.name}: {module} is {want[0]}x{want[1]} "
                f"in the adapter but {name} is {'missing' if shape is None else 'x'.join(map(str, shape))} "
                "in the base (an adapter only fits the model it was trained on)"
            )
        pairs.append(LoraPair(name, ab["A"], base.permute_rows(name, ab["B"])))
    if not pairs:
        raise TrainingError(f"{tensors_path}: no LoRA tensors")
    rank = int(pairs[0].a.shape[0])
    return AdapterFile(float(config.get("lora_alpha", rank)), rank, pairs, meta)


def base_for(weights: Path, base_spec: str | None) -> Path:
    """The base GGUF: `--base`, else the one recorded with the trained weights."""
    meta_path = weights / "edgecall.json"
    spec = base_spec
    if spec is None and meta_path.is_file():
        spec = json.loads(meta_path.read_text(encoding="utf-8")).get("base")
    if spec is None:
        raise TrainingError(f"{weights}: which base model? pass --base (a preset or a .gguf file)")
    base = resolve_base(spec)
    if base.gguf is None:
        raise TrainingError(f"base {spec!r} is a Hugging Face directory; export needs the base as a GGUF file")
    return base.gguf


def run_summary(run: Path, weights: Path) -> dict[str, Any] | None:
    """What made an adapter, to ship beside it: the run's config, data and metrics, its earlier stages' (for a soup,
    each averaged run's), and the exported checkpoint's metadata; machine-local paths left out. None when `run` is
    not a run directory."""

    def stage(run_dir: Path) -> dict[str, Any] | None:
        parts = {}
        for name in ("config", "data", "metrics"):
            path = run_dir / f"{name}.json"
            if not path.is_file():
                return None
            parts[name] = json.loads(path.read_text(encoding="utf-8"))
        parts["data"].pop("base_path", None)
        init = parts["config"].get("init_from")
        if init:
            # the run directory holding those weights (`<run>/best` or `<run>/checkpoints/last`)
            weights_dir = init_weights(init, run_dir)
            earlier = next((d for d in (weights_dir.parent, weights_dir.parent.parent)
                            if (d / "config.json").is_file()), None)
            parts["earlier_stage"] = stage(earlier) if earlier is not None else None
        return parts

    soup_path = run / SOUP_FILE
    if soup_path.is_file():  # a soup (trainer.train_soup): its recipe and each averaged run's own summary
        soup = json.loads(soup_path.read_text(encoding="utf-8"))
        summary: dict[str, Any] | None = {"soup": soup, "ingredients": {name: stage(run / name)
                                                                          for name in soup["ingredients"]}}
    else:
        summary = stage(run)
    if summary is None:
        return None
    meta_path = weights / "edgecall.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.pop("base_path", None)
        meta.pop("soup_of", None)  # the soup's paths on the machine that made it; `soup` names its runs
        summary["exported_checkpoint"] = meta
    return summary


def export_adapter(run: Path, out: Path, *, base_spec: str | None = None, f16: bool = False) -> dict[str, Any]:
    """Write the run's adapter as a llama.cpp GGUF LoRA adapter, and beside it (`<out>.json`) the summary of
    the run that made it; returns what was written."""
    gguf = _gguf()
    weights = find_weights(run)
    base = BaseGGUF(base_for(weights, base_spec))
    adapter = read_adapter(weights, base)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    writer = gguf.GGUFWriter(str(tmp), base.arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, adapter.alpha)
    for key in ("prompt_format", "base", "recipe"):
        if adapter.meta.get(key):
            writer.add_string(f"edgecall.{key}", str(adapter.meta[key]))
    dtype = np.float16 if f16 else np.float32
    for pair in adapter.pairs:
        writer.add_tensor(pair.gguf_name + ".lora_a", np.ascontiguousarray(pair.a.astype(dtype)))
        writer.add_tensor(pair.gguf_name + ".lora_b", np.ascontiguousarray(pair.b.astype(dtype)))
    _finish(writer)
    tmp.replace(out)
    summary = run_summary(run, weights)
    if summary is not None:
        out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return {"out": str(out), "bytes": out.stat().st_size, "tensors": 2 * len(adapter.pairs), "rank": adapter.rank,
            "alpha": adapter.alpha, "base": str(base.path), "weights": str(weights)}


def _finish(writer: Any) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _copy_metadata(reader: Any, writer: Any, gguf: Any, file_type: int) -> None:
    skip = {"general.architecture", "general.file_type", "general.quantization_version"}
    for name, fld in reader.fields.items():
        if name.startswith("GGUF.") or name in skip:
            continue
        vtype = fld.types[0]
        sub = fld.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, fld.contents(), vtype, sub_type=sub)
    writer.add_file_type(file_type)


def merge_and_quantize(
    run: Path, out: Path, *, quant: str = "q4_k_m", base_spec: str | None = None, threads: int = 0
) -> dict[str, Any]:
    """Merge the adapter into the base weights and write a standalone `quant` GGUF made by llama.cpp."""
    gguf = _gguf()
    if quant not in QUANT_TYPES:
        raise TrainingError(f"unknown --quant {quant!r}; choose one of {', '.join(QUANT_TYPES)}")
    from gguf.quants import dequantize

    weights = find_weights(run)
    base = BaseGGUF(base_for(weights, base_spec))
    adapter = read_adapter(weights, base)
    deltas = {p.gguf_name: p for p in adapter.pairs}
    scale = adapter.alpha / adapter.rank
    out.parent.mkdir(parents=True, exist_ok=True)
    f16_path = out.with_name(out.name + ".f16.partial")
    writer = gguf.GGUFWriter(str(f16_path), base.arch)
    _copy_metadata(base.reader, writer, gguf, int(gguf.LlamaFileType.MOSTLY_F16))
    for t in base.reader.tensors:
        data = dequantize(t.data, t.tensor_type).astype(np.float32)
        data = data.reshape(tuple(int(x) for x in reversed(t.shape.tolist())))
        pair = deltas.get(t.name)
        if pair is not None:
            data = data + scale * (pair.b @ pair.a)
        writer.add_tensor(t.name, np.ascontiguousarray(data.astype(np.float16 if data.ndim == 2 else np.float32)))
    _finish(writer)
    try:
        if quant == "f16":
            f16_path.replace(out)
        else:
            quantize(f16_path, out, quant, threads=threads)
    finally:
        f16_path.unlink(missing_ok=True)
    return {"out": str(out), "bytes": out.stat().st_size, "quant": quant, "merged_tensors": len(deltas),
            "base": str(base.path), "weights": str(weights)}


def quantize(src: Path, dst: Path, quant: str, *, threads: int = 0) -> None:
    """llama.cpp's own quantizer over an F16/F32 GGUF."""
    import ctypes

    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = QUANT_TYPES[quant]
    params.nthread = threads
    tmp = dst.with_name(dst.name + ".partial")
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), ctypes.byref(params))
    if rc != 0:
        tmp.unlink(missing_ok=True)
        raise TrainingError(f"llama.cpp could not quantize {src} to {quant} (code {rc})")
    tmp.replace(dst)
