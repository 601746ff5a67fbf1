"""The shipped planner served as one merged model: made once into the cache, plans as the base + LoRA does."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import gguf
import numpy as np
import pytest

from edgecall.assistant.tools import assistant_toolset
from edgecall.llm import LlamaCppLLM, LLMError, preset_path
from edgecall.llm.merge import merge_adapter
from edgecall.llm.presets import get_preset, served_model
from edgecall.planner import Planner

ADAPTER = get_preset("edgecall-planner").adapter_path()
assert ADAPTER is not None


def _merged_in(cache: Path) -> Path:
    """`served_model` in a fresh process (it is cached per process) with its own cache directory."""
    code = "from edgecall.llm.presets import served_model; print(served_model('edgecall-planner'))"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "EDGECALL_CACHE_DIR": str(cache)},
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def test_the_merge_is_made_once_into_the_cache_and_reused(tmp_path: Path) -> None:
    path = _merged_in(tmp_path)
    assert path.parent == tmp_path / "models" and path.name.endswith(".q8_0.gguf")
    assert not list(path.parent.glob("*.partial"))
    reader = gguf.GGUFReader(str(path))
    assert reader.fields["general.type"].contents() != "adapter"
    types = {t.tensor_type.name for t in reader.tensors if len(t.shape) == 2}
    assert types == {"Q8_0"}  # every matrix re-quantized to the preset's format
    mtime = path.stat().st_mtime_ns
    assert _merged_in(tmp_path) == path and path.stat().st_mtime_ns == mtime  # reused, not rewritten


def _plan_logprobs(model: Path, prompts: list[str], plans: list[str], lora: Path | None = None) -> list[np.ndarray]:
    """For each plan, one row per token after its prompt (teacher-forced): the token's log-probability, the
    model's top log-probability there, and its runner-up's."""
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(model), lora_path=None if lora is None else str(lora), n_ctx=1024,
                          n_threads=2, logits_all=True, verbose=False)
    out = []
    for prompt, plan in zip(prompts, plans, strict=True):
        head = llm.tokenize(prompt.encode(), add_bos=False, special=True)
        whole = llm.tokenize((prompt + plan).encode(), add_bos=False, special=True)
        assert whole[:len(head)] == head  # the plan's tokens follow the prompt's unchanged
        llm.reset()
        llm.eval(whole)
        rows = []
        for i in range(len(head), len(whole)):
            logits = np.asarray(llm.scores[i - 1], dtype=np.float64)
            logp = logits - logits.max() - np.log(np.exp(logits - logits.max()).sum())
            second, first = np.sort(logp)[-2:]
            rows.append((logp[whole[i]], first, second))
        out.append(np.array(rows))
    return out


def test_the_merged_model_plans_what_the_base_with_the_adapter_plans() -> None:
    """The merge adds exactly the adapter's delta: on the plans base + LoRA writes (greedy, grammar on), the merged
    model gives every token nearly the same log-probability, far closer than the base model does, and picks the same
    token wherever base + LoRA's choice leads its runner-up by more than Q8_0 rounding can move it. (A near-tie can
    flip: "Friday" two days ahead is "2024-06-07" at p = 0.196 and "2024-06-05" at 0.185 for the shipped planner.)"""
    requests = ["Text Ana that I'm running late", "Email Bo the report.pdf and remind me tomorrow at 9 to call him",
                "What's Carla's phone number?", "Create a zoom meeting with Dan on Friday at 3 pm about the budget"]
    now = datetime(2024, 6, 3, 9)
    with_lora = LlamaCppLLM(preset_path("edgecall-planner"), n_ctx=1024, n_threads=2, lora_path=ADAPTER)
    planner = Planner(with_lora, assistant_toolset(), prompt_format="compact", grammar=True)
    prompts = [planner.prompt(r, now=now) for r in requests]
    plans = [planner.plan(r, now=now).text for r in requests]
    assert all(p.rstrip().endswith("join()") for p in plans)

    lora = np.concatenate(_plan_logprobs(preset_path("edgecall-planner"), prompts, plans, lora=ADAPTER))
    merged = np.concatenate(_plan_logprobs(served_model("edgecall-planner"), prompts, plans))
    base = np.concatenate(_plan_logprobs(preset_path("smollm2-135m"), prompts, plans))
    merge_gap = np.abs(merged[:, 0] - lora[:, 0])
    base_gap = np.abs(base[:, 0] - lora[:, 0])
    assert len(lora) > 60 and merge_gap.max() < 0.25 and merge_gap.mean() < 0.005
    assert base_gap.mean() > 1.0 and base_gap.mean() > 50 * merge_gap.mean()  # the adapter makes these plans
    chosen = lora[:, 0] == lora[:, 1]  # greedy, so base + LoRA chose each token, unless the grammar overruled it
    clear = chosen & (lora[:, 1] - lora[:, 2] > 2 * merge_gap.max())
    assert clear.sum() > 0.9 * len(lora)
    assert np.all(merged[clear, 0] == merged[clear, 1])  # the merged model's first choice there too


def test_an_adapter_for_another_model_or_a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    gemma = preset_path("gemma3-270m")
    with pytest.raises(LLMError, match="an adapter only fits the model it was trained on"):
        merge_adapter(gemma, ADAPTER, tmp_path / "x.gguf")
    broken = tmp_path / "broken.gguf"
    for cut in (64, 4096, len(ADAPTER.read_bytes()) // 2):  # in the header, the tensor index, the tensor data
        broken.write_bytes(ADAPTER.read_bytes()[:cut])
        with pytest.raises(LLMError, match="cannot read the LoRA adapter"):
            merge_adapter(preset_path("smollm2-135m"), broken, tmp_path / "y.gguf")
    with pytest.raises(LLMError, match="unknown quantization"):
        merge_adapter(preset_path("smollm2-135m"), ADAPTER, tmp_path / "z.gguf", quant="q3")
    assert {p.name for p in tmp_path.iterdir()} == {"broken.gguf"}  # nothing half-written left behind
