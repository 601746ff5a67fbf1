"""`edgecall export`: a trained run -> a llama.cpp GGUF LoRA adapter, or a merged, quantized GGUF model; and back.

Torch-free (numpy, safetensors, gguf): exporting is a file conversion and must not need the training
stack. The rules follow llama.cpp's own converters (convert_lora_to_gguf.py / convert_hf_to_gguf.py):

- tensor names: Hugging Face module names -> GGUF names through gguf's `TensorNameMap`
  (`model.layers.3.self_attn.q_proj` -> `blk.3.attn_q.weight`), adapters as `<name>.lora_a` / `.lora_b`;
- `general.type = adapter`, `adapter.type = lora`, `adapter.lora.alpha` (llama.cpp scales by alpha / rank);
- llama-architecture GGUFs store the rows of attn_q / attn_k permuted for rotary embeddings (transformers
  undoes this when it loads a GGUF), so LoRA B of q_proj / k_proj gets the same row permutation here.

`import_adapter` is the inverse of the adapter export, so that training can go on from an adapter whose run
directory is gone (the packaged `edgecall-planner`, an adapter someone shared): `--init-from` and `train soup`
take a GGUF LoRA adapter, or a preset's name, wherever they take a run's adapter directory.

`--merge` writes the adapter and merges it into the base with `edgecall.llm.merge`, the code the runtime uses for
the shipped planner: scale * B @ A added to the dequantized base tensors, re-quantized by llama.cpp.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import LLMError
from ..llm.merge import QUANT_TYPES, finish, gguf_module, read_gguf, read_lora
from .base import resolve_base
from .config import SOUP_FILE, TrainingError, stage_recipe

_HF_LINEAR = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
              "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")
"""The linear layers of a decoder block, as transformers names them in the architectures edgecall trains."""

_LORA_RE = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<ab>[AB])(?:\.default)?\.weight$")


@contextmanager
def _training_errors() -> Iterator[None]:
    """GGUF files are read and merged by `llm` (`read_gguf`, `read_lora`, `merge_adapter`), which raises LLMError;
    the training commands report TrainingError, the error their CLI turns into a message."""
    try:
        yield
    except LLMError as exc:
        raise TrainingError(str(exc)) from None


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
        with _training_errors():
            gguf = gguf_module()
            self.reader = read_gguf(path, "base GGUF")
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

    def permute_rows(self, gguf_name: str, b: np.ndarray, *, inverse: bool = False) -> np.ndarray:
        """llama.cpp's rotary row order for attn_q / attn_k of llama-architecture models (identity otherwise);
        `inverse` restores Hugging Face's order."""
        if self.arch != "llama":
            return b
        if gguf_name.endswith("attn_q.weight"):
            heads = self.n_head
        elif gguf_name.endswith("attn_k.weight"):
            heads = self.n_head_kv
        else:
            return b
        rows = b.shape[0]
        split = (heads, rows // heads // 2, 2) if inverse else (heads, 2, rows // heads // 2)
        return b.reshape(*split, *b.shape[1:]).swapaxes(1, 2).reshape(b.shape)

    def hf_modules(self) -> dict[str, str]:
        """GGUF weight name -> the Hugging Face module of every linear layer LoRA can adapt in a block."""
        found = {}
        for i in range(self.n_blocks):
            for module in _HF_LINEAR:
                hf = f"model.layers.{i}.{module}"
                name = self.names.get_name(hf + ".weight", try_suffixes=(".weight",))
                if name is not None:
                    found[name] = hf
        return found


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
    return _base_gguf(spec)


def _base_gguf(spec: str) -> Path:
    base = resolve_base(spec)
    if base.gguf is None:
        raise TrainingError(f"base {spec!r} is a Hugging Face directory; export needs the base as a GGUF file")
    return base.gguf


SAME_AS = "same_as"
"""A run summary's stand-in for a run already written earlier in the same file: `{"same_as": pointer}`."""


def share_repeats(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary as it is stored: each run (a node with a `config`, or a soup) written once, a later copy of it
    replaced by `{"same_as": "<RFC 6901 JSON pointer to the first>"}`. A soup that averages a stage with the stage
    that continued it holds that stage twice (as an ingredient and as the other's earlier stage), so without this
    the shipped summary doubled with every stage (1.1 MB at stage 12); `read_summary` expands it again."""
    seen: dict[str, str] = {}

    def visit(node: Any, pointer: str) -> Any:
        if not isinstance(node, dict):
            return node
        if "config" in node or "soup" in node:
            key = json.dumps(node, sort_keys=True)
            if key in seen:
                return {SAME_AS: seen[key]}
            seen[key] = pointer
        return {k: visit(v, pointer + "/" + k.replace("~", "~0").replace("/", "~1")) for k, v in node.items()}

    return visit(summary, "")  # type: ignore[no-any-return]


def expand_repeats(summary: dict[str, Any], *, where: str = "run summary") -> dict[str, Any]:
    """The inverse of `share_repeats`: every `{"same_as": pointer}` replaced by the run it points to, expanded in
    turn; a pointer that leads nowhere (or into itself) is a TrainingError naming it."""

    def resolve(pointer: str) -> Any:
        node: Any = summary
        for part in pointer.split("/")[1:] if pointer else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise TrainingError(f"{where}: {SAME_AS} {pointer!r} points to no run in it")
            node = node[part]
        return node

    def visit(node: Any, active: tuple[str, ...]) -> Any:
        if not isinstance(node, dict):
            return node
        if set(node) == {SAME_AS}:
            pointer = node[SAME_AS]
            if not isinstance(pointer, str) or pointer in active:
                raise TrainingError(f"{where}: {SAME_AS} {pointer!r} points into itself")
            return visit(resolve(pointer), (*active, pointer))
        return {k: visit(v, active) for k, v in node.items()}

    return visit(summary, ())  # type: ignore[no-any-return]


def read_summary(path: Path) -> dict[str, Any]:
    """A run summary shipped beside an adapter (`<adapter>.json`), every run in it written out."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrainingError(f"{path}: not a readable run summary ({exc})") from None
    if not isinstance(data, dict):
        raise TrainingError(f"{path}: not a run summary (a JSON object)")
    return expand_repeats(data, where=str(path))


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
        source = gguf_adapter(init) if init else None  # None for a run directory or recipe:NAME
        if source is not None:  # started from a GGUF adapter: the summary shipped beside it, if any
            shipped = source.with_suffix(".json")
            parts["earlier_stage"] = read_summary(shipped) if shipped.is_file() else {"adapter": source.name}
        elif init:
            recipe_name = stage_recipe(init)
            # `recipe:NAME` was trained in `<run>/NAME` (one run or a soup); a weights directory (`<run>/best`,
            # `<run>/checkpoints/last`) sits in the run that made it
            candidates = ((run_dir / recipe_name,) if recipe_name
                          else (Path(init).parent, Path(init).parent.parent))
            earlier = next((d for d in candidates if (d / "config.json").is_file() or (d / SOUP_FILE).is_file()), None)
            parts["earlier_stage"] = summary_of(earlier) if earlier is not None else None
        return parts

    def summary_of(run_dir: Path) -> dict[str, Any] | None:
        soup_path = run_dir / SOUP_FILE
        if soup_path.is_file():  # a soup (trainer.train_soup): its recipe and each averaged run's own summary
            soup = json.loads(soup_path.read_text(encoding="utf-8"))
            parts = {"soup": soup, "ingredients": {name: summary_of(run_dir / name) for name in soup["ingredients"]}}
            meta = checkpoint_meta(run_dir / "best")  # the averaged adapter's (rank, energy kept)
            return parts if meta is None else {**parts, "exported_checkpoint": meta}
        return stage(run_dir)

    def checkpoint_meta(weights_dir: Path) -> dict[str, Any] | None:
        meta_path = weights_dir / "edgecall.json"
        if not meta_path.is_file():
            return None
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.pop("base_path", None)
        meta.pop("soup_of", None)  # the soup's paths on the machine that made it; `soup` names its runs
        return meta

    summary = summary_of(run)
    if summary is None:
        return None
    meta = checkpoint_meta(weights)
    if meta is not None:
        summary["exported_checkpoint"] = meta
    return summary


def unpack_adapter(spec: str, out: Path) -> dict[str, Any]:
    """Write the run directories that made a shipped GGUF adapter (a `.gguf` file or a preset that ships one) from
    the run summary beside it, the inverse of `run_summary`: each stage's config, data and metrics (a soup's
    `soup.json` and runs), and the last stage's weights, imported. A recipe that starts from that last stage
    (`init_from = "recipe:NAME"`) then finds it finished in `<out>` and goes on from its weights, with the whole
    history in its own summary, instead of retraining the earlier stages (the shipped ones took a GPU). The
    weights are the adapter as shipped, float16 where it was exported so, which `edgecall.json` says."""
    path = gguf_adapter(spec)
    if path is None or not path.is_file():
        raise TrainingError(f"{spec}: not a GGUF LoRA adapter or a preset that ships one")
    summary_path = path.with_suffix(".json")
    if not summary_path.is_file():
        raise TrainingError(f"{path}: no run summary beside it ({summary_path.name}), so there is no run to unpack")
    summary = read_summary(summary_path)
    if out.exists() and any(out.iterdir()):
        raise TrainingError(f"{out} is not empty; unpack into a new directory")
    written: list[str] = []

    def write(node: dict[str, Any], run_dir: Path) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        if "soup" in node:
            (run_dir / SOUP_FILE).write_text(json.dumps(node["soup"], indent=2) + "\n", encoding="utf-8")
            if "exported_checkpoint" in node and node is not summary:  # an earlier soup's record, no weights
                (run_dir / "best").mkdir(exist_ok=True)
                (run_dir / "best" / "edgecall.json").write_text(json.dumps(node["exported_checkpoint"], indent=2)
                                                                + "\n", encoding="utf-8")
            for name, run in node["ingredients"].items():
                if run is not None:
                    write(run, run_dir / name)
        else:
            for name in ("config", "data", "metrics"):
                (run_dir / f"{name}.json").write_text(json.dumps(node[name], indent=2) + "\n", encoding="utf-8")
            earlier, name = node.get("earlier_stage"), stage_recipe(node["config"].get("init_from"))
            if earlier is not None and name is not None:
                write(earlier, run_dir / name)
        written.append(str(run_dir))

    write(summary, out)
    weights = out / ("best" if "soup" in summary else "checkpoints/last")
    base = gguf_adapter_base(path)
    if base is None:
        raise TrainingError(f"{path}: the adapter does not record its base model")
    info = import_adapter(path, weights, BaseGGUF(_base_gguf(base)))
    meta = {**summary.get("exported_checkpoint", {}), "imported_from": path.name}
    (weights / "edgecall.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {"out": str(out), "runs": written[::-1], "weights": str(weights), "modules": info["modules"],
            "rank": info["rank"]}


def export_adapter(
    run: Path, out: Path, *, base_spec: str | None = None, f16: bool = False, summary: bool = True
) -> dict[str, Any]:
    """Write the run's adapter as a llama.cpp GGUF LoRA adapter, and beside it (`<out>.json`, unless `summary` is
    False) the summary of the run that made it; returns what was written."""
    with _training_errors():
        gguf = gguf_module()
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
    finish(writer)
    tmp.replace(out)
    made_by = run_summary(run, weights) if summary else None
    if made_by is not None:
        out.with_suffix(".json").write_text(json.dumps(share_repeats(made_by), indent=2) + "\n", encoding="utf-8")
    return {"out": str(out), "bytes": out.stat().st_size, "tensors": 2 * len(adapter.pairs), "rank": adapter.rank,
            "alpha": adapter.alpha, "base": str(base.path), "weights": str(weights)}


def gguf_adapter(spec: str) -> Path | None:
    """The GGUF LoRA adapter file `spec` names (a `.gguf` path, or a preset that ships one), else None."""
    from ..llm.presets import PRESETS

    preset = PRESETS.get(spec)
    if preset is not None:
        if preset.adapter is None:
            raise TrainingError(f"preset {spec!r} is an untuned model: it has no adapter to start from")
        with _training_errors():
            return preset.adapter_path()
    path = Path(spec).expanduser()
    return path if path.suffix.lower() == ".gguf" else None


def adapter_weights(spec: str, work: Path, *, base_spec: str | None = None) -> Path:
    """The peft adapter directory `spec` names. A directory is returned as it is; a GGUF LoRA adapter (a `.gguf`
    file, or a preset that ships one, such as `edgecall-planner`) is imported into `work/<its name>` first, for the
    base `base_spec` or, without one, the base the adapter records."""
    path = gguf_adapter(spec)
    if path is None:
        return Path(spec).expanduser()
    if not path.is_file():
        raise TrainingError(f"{path} does not exist (expected a GGUF LoRA adapter)")
    base = base_spec or gguf_adapter_base(path)
    if base is None:
        raise TrainingError(f"{path}: the adapter does not record its base model; name the base (--base)")
    out = work / path.stem
    import_adapter(path, out, BaseGGUF(_base_gguf(base)))
    return out


def gguf_adapter_record(path: Path, key: str) -> str | None:
    """What an exported GGUF adapter records under `key` (`edgecall.base`, `edgecall.prompt_format`...), if any."""
    with _training_errors():
        field = read_gguf(path, "adapter").fields.get(key)
    return str(field.contents()) if field is not None else None


def gguf_adapter_base(path: Path) -> str | None:
    """The base preset an exported GGUF adapter records (`edgecall.base`), if any."""
    return gguf_adapter_record(path, "edgecall.base")


def import_adapter(src: Path, out: Path, base: BaseGGUF) -> dict[str, Any]:
    """Write the GGUF LoRA adapter `src` as a peft adapter directory `out` for `base` (the inverse of
    `export_adapter`: tensor names mapped back, the rotary row order undone, alpha and rank kept), so a run can
    start from it or a soup average it. Returns what was written."""
    from safetensors.numpy import save_file

    with _training_errors():
        lora = read_lora(src, base.reader, base.path.name)
    modules = base.hf_modules()
    tensors: dict[str, np.ndarray] = {}
    blocks: set[int] = set()
    targets: set[str] = set()
    for name, (a, b) in lora.pairs.items():
        hf = modules.get(name)
        if hf is None:
            raise TrainingError(f"{src}: the adapter's tensor {name} is not a linear layer of {base.path.name}")
        prefix = f"base_model.model.{hf}"
        tensors[f"{prefix}.lora_A.weight"] = np.ascontiguousarray(a)
        tensors[f"{prefix}.lora_B.weight"] = np.ascontiguousarray(base.permute_rows(name, b, inverse=True))
        blocks.add(int(hf.split(".")[2]))
        targets.add(hf.rsplit(".", 1)[1])
    config = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": lora.rank, "lora_alpha": lora.alpha, "lora_dropout": 0.0,
              "target_modules": sorted(targets), "bias": "none", "use_rslora": False, "use_dora": False,
              "layers_to_transform": None if len(blocks) == base.n_blocks else sorted(blocks),
              "base_model_name_or_path": None}
    meta = {"base": lora.metadata.get("edgecall.base"), "method": "lora",
            "prompt_format": lora.metadata.get("edgecall.prompt_format"), "recipe": lora.metadata.get("edgecall.recipe"),
            "imported_from": str(src)}
    out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out / "adapter_model.safetensors"))
    (out / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (out / "edgecall.json").write_text(json.dumps({k: v for k, v in meta.items() if v is not None}, indent=2)
                                       + "\n", encoding="utf-8")
    return {"out": str(out), "modules": len(lora.pairs), "rank": lora.rank, "alpha": config["lora_alpha"],
            "layers": sorted(blocks), "targets": sorted(targets)}


def merge_and_quantize(
    run: Path, out: Path, *, quant: str = "q4_k_m", base_spec: str | None = None, threads: int = 0
) -> dict[str, Any]:
    """Merge the run's adapter into the base weights and write a standalone `quant` GGUF made by llama.cpp: the
    adapter is exported (float32) beside `out` and merged as the runtime merges a shipped one (`llm.merge`)."""
    from ..llm.merge import merge_adapter

    if quant not in QUANT_TYPES:
        raise TrainingError(f"unknown --quant {quant!r}; choose one of {', '.join(QUANT_TYPES)}")
    weights = find_weights(run)
    base_path = base_for(weights, base_spec)
    adapter = out.with_name(out.name + ".lora.partial")
    try:
        with _training_errors():
            export_adapter(run, adapter, base_spec=base_spec, summary=False)
            merged = merge_adapter(base_path, adapter, out, quant=quant, threads=threads)
    finally:
        adapter.unlink(missing_ok=True)
    return {"out": str(out), "bytes": out.stat().st_size, "quant": quant, "merged_tensors": merged,
            "base": str(base_path), "weights": str(weights)}
