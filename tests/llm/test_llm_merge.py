"""The shipped planner served as one merged model: made once into the cache, plans as the base + LoRA does."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import gguf
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


def test_the_merged_model_plans_what_the_base_with_the_adapter_plans() -> None:
    """Greedy decoding through the merged weights and through base + LoRA writes the same plans: the merge adds
    exactly the adapter's delta (Q8_0 rounding is far below what changes a greedy token here)."""
    requests = ["Text Ana that I'm running late", "Email Bo the report.pdf and remind me tomorrow at 9 to call him",
                "What's Carla's phone number?", "Create a zoom meeting with Dan on Friday at 3 pm about the budget"]
    now = datetime(2024, 6, 3, 9)

    def plans(llm: LlamaCppLLM) -> list[str]:
        planner = Planner(llm, assistant_toolset(), prompt_format="compact", grammar=True)
        return [planner.plan(r, now=now).text for r in requests]

    merged = LlamaCppLLM(served_model("edgecall-planner"), n_ctx=1024, n_threads=2)
    with_lora = LlamaCppLLM(preset_path("edgecall-planner"), n_ctx=1024, n_threads=2, lora_path=ADAPTER)
    base = LlamaCppLLM(preset_path("smollm2-135m"), n_ctx=1024, n_threads=2)
    want = plans(with_lora)
    assert plans(merged) == want
    assert plans(base) != want  # the adapter is what makes these plans


def test_an_adapter_for_another_model_or_a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    gemma = preset_path("gemma3-270m")
    with pytest.raises(LLMError, match="an adapter only fits the model it was trained on"):
        merge_adapter(gemma, ADAPTER, tmp_path / "x.gguf")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(ADAPTER.read_bytes()[:4096])
    with pytest.raises(LLMError, match="cannot read the LoRA adapter"):
        merge_adapter(preset_path("smollm2-135m"), broken, tmp_path / "y.gguf")
    with pytest.raises(LLMError, match="unknown quantization"):
        merge_adapter(preset_path("smollm2-135m"), ADAPTER, tmp_path / "z.gguf", quant="q3")
    assert {p.name for p in tmp_path.iterdir()} == {"broken.gguf"}  # nothing half-written left behind
