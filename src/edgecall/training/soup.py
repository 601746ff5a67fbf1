"""Adapter soups: one LoRA adapter whose weight change is the mean of several runs' (`edgecall train soup`).

Runs fine-tuned from the same starting weights on different mixes of the same data land close together, each
with its own share of noise (the shipped planner's three stage-5 runs: cosine 0.98 between their weight changes,
but only 0.43-0.53 between their moves away from stage 4), and the average of such runs tends to generalise
better than any one of them ("model soups", Wortsman et al., 2022). For the shipped planner: the same dev score,
+3 points on generated-v2's held-out phrasings, within one request on the first generator's splits
(docs/results.md). A soup costs nothing at inference: it is one adapter of the ingredients' rank.

Averaging A and B separately would be wrong (the mean of products is not the product of means), so the soup
averages each module's weight change `(alpha / r) B A` exactly and factors it back to the requested rank with
a truncated SVD, the best rank-k approximation (computed from the stacked factors, see `_mean_svd`); the kept
share of the change's energy is reported. Plain numpy and safetensors, like `export`: no torch needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TrainingError

_AB = re.compile(r"\.lora_([AB])(?:\.default)?\.weight$")
# The adapter config keys every ingredient must share: the layout, not the values. peft's
# `base_model_name_or_path` is not among them: it is where the base was on the training machine (/root/base on the
# GPU machine, site-packages here), so the same base trained on two machines would look like two; `_base` names it.
_LAYOUT = ("target_modules", "layers_to_transform", "peft_type", "use_rslora", "use_dora")


def _read(source: Path) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, Any]]:
    from safetensors.numpy import load_file

    config_path, tensors = source / "adapter_config.json", source / "adapter_model.safetensors"
    if not config_path.is_file() or not tensors.is_file():
        raise TrainingError(f"{source}: not a LoRA adapter (expected adapter_config.json and "
                            "adapter_model.safetensors, e.g. <run>/best)")
    meta_path = source / "edgecall.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    return json.loads(config_path.read_text(encoding="utf-8")), load_file(str(tensors)), meta


def _base(config: dict[str, Any], meta: dict[str, Any]) -> str | None:
    """The base model an adapter was trained on: the preset edgecall recorded beside it, else (an adapter from
    elsewhere) peft's own record of it."""
    return meta.get("base") or config.get("base_model_name_or_path")


def _mean_svd(terms: list[tuple[float, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The thin SVD `U S Vh` of the mean of `scale * B @ A` over `terms`, without forming the m x n mean.

    The mean of N changes of rank r has rank at most R = N r (96 for three rank-32 runs, against 576 to 1536 for
    the matrices), so it is `Bc @ Ac` with the factors stacked; QR of each side leaves an R x R core to decompose:
    O((m + n) R^2) instead of a dense SVD of every module. Averaging the shipped soup with a rank-32 run on the
    2-core machine while a training run used both cores: dense, over 25 minutes (OpenBLAS's threads spinning
    against torch's; 9.7 s with one BLAS thread); this way, 2.3 s for the whole command, the same adapter."""
    n = len(terms)
    bc = np.concatenate([scale * b.astype(np.float64) for scale, b, _ in terms], axis=1) / n
    ac = np.concatenate([a.astype(np.float64) for _, _, a in terms], axis=0)
    qb, rb = np.linalg.qr(bc)
    qa, ra = np.linalg.qr(ac.T)
    u, s, vh = np.linalg.svd(rb @ ra.T, full_matrices=False)
    return qb @ u, s, vh @ qa.T


def _layout(config: dict[str, Any]) -> dict[str, Any]:
    found = {k: config.get(k) for k in _LAYOUT}
    found["target_modules"] = sorted(found["target_modules"] or [])
    return found


def average_adapters(sources: list[Path], out: Path, *, rank: int | None = None,
                     meta: dict[str, Any] | None = None, names: list[str] | None = None) -> dict[str, Any]:
    """Write to `out` the LoRA adapter whose weight change is the mean of `sources`' (peft adapter directories of
    the same layout on the same base), at `rank` (default: the first source's); returns what was written.
    `names` is what `soup_of` records for the sources (what the user named: a GGUF adapter, not its import).

    The soup keeps the first source's alpha, so a later stage can start from it with the same LoRA settings, and
    the last source's prompt format: a recipe's soup averages a stage with the one that continued it, possibly in
    a newer format (stage 11 learnt `compact-dated` on top of `compact`), and it is served as the newest is."""
    if len(sources) < 2:
        raise TrainingError("a soup needs at least two adapters")
    read = [_read(s) for s in sources]
    config0, tensors0, meta0 = read[0]
    layout0 = _layout(config0)
    for source, (config, tensors, meta_i) in zip(sources[1:], read[1:], strict=True):
        layout = _layout(config)
        if layout != layout0:
            diff = ", ".join(f"{k} {layout[k]} ({sources[0].name}: {layout0[k]})" for k in _LAYOUT
                             if layout[k] != layout0[k])
            raise TrainingError(f"{source}: not the same LoRA layout as {sources[0]}: {diff}")
        if _base(config, meta_i) != _base(config0, meta0):
            raise TrainingError(f"{source}: trained on base {_base(config, meta_i)!r}, {sources[0]} on "
                                f"{_base(config0, meta0)!r}; only adapters of one base model can be averaged")
        if set(tensors) != set(tensors0):
            odd = sorted(set(tensors) ^ set(tensors0))[0]
            raise TrainingError(f"{source}: its tensors differ from {sources[0]}'s (e.g. {odd})")
    k = rank if rank is not None else int(config0["r"])
    if k < 1:
        raise TrainingError(f"soup rank must be at least 1, got {k}")
    alpha = float(config0.get("lora_alpha", config0["r"]))
    soup: dict[str, np.ndarray] = {}
    kept: list[float] = []
    halves = {key: m.group(1) for key in tensors0 if (m := _AB.search(key))}
    if len(halves) != len(tensors0):
        odd = sorted(set(tensors0) - set(halves))[0]
        raise TrainingError(f"{sources[0]}: unexpected tensor {odd} (only LoRA A/B weights can be averaged)")
    for key_a in sorted(key for key, ab in halves.items() if ab == "A"):
        key_b = key_a.replace("lora_A", "lora_B")
        u, s, vh = _mean_svd([(float(c.get("lora_alpha", c["r"])) / float(c["r"]), t[key_b], t[key_a])
                              for c, t, _ in read])
        energy = float((s**2).sum())
        kept.append(float((s[:k] ** 2).sum()) / energy if energy > 0 else 1.0)
        # (alpha / k) B' A' = U_k S_k Vh_k, the factors sharing sqrt(S_k / (alpha / k))
        root = np.sqrt(s[:k] / (alpha / k))
        b, a = u[:, :k] * root, root[:, None] * vh[:k]
        if k > len(s):  # a rank above the change's: pad with zeros to keep every module at rank k
            b = np.pad(b, ((0, 0), (0, k - len(s))))
            a = np.pad(a, ((0, k - len(s)), (0, 0)))
        dtype = tensors0[key_a].dtype
        soup[key_a], soup[key_b] = np.ascontiguousarray(a.astype(dtype)), np.ascontiguousarray(b.astype(dtype))
    if not soup:
        raise TrainingError(f"{sources[0]}: no LoRA tensors to average")
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    save_file(soup, str(out / "adapter_model.safetensors"))
    config = {**config0, "r": k, "lora_alpha": alpha, "rank_pattern": {}, "alpha_pattern": {}}
    (out / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    info = {"soup_of": names or [str(s) for s in sources], "rank": k, "energy_kept_min": round(min(kept), 6),
            "energy_kept_mean": round(sum(kept) / len(kept), 6), "modules": len(kept)}
    own: dict[str, Any] = {key: meta0[key] for key in ("base", "method") if key in meta0}
    prompt_format = read[-1][2].get("prompt_format", meta0.get("prompt_format"))
    if prompt_format is not None:
        own["prompt_format"] = prompt_format
    (out / "edgecall.json").write_text(json.dumps({**own, **(meta or {}), **info}, indent=2) + "\n",
                                       encoding="utf-8")
    return info
