"""GPU smoke test: the tiny run with generation through vLLM (colocate mode).

Skipped (with the reason) on machines without a CUDA GPU or without vLLM, which
includes CI. On a GPU machine: `python -m pytest tests/test_gpu_smoke.py -m gpu`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY_RUN = ROOT / "specs" / "training" / "tiny_cpu.yaml"


def _gpu_ready() -> str | None:
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not torch.cuda.is_available():
        return "no CUDA GPU on this machine"
    try:
        import vllm  # noqa: F401
    except ImportError:
        return "vLLM is not installed (pip install 'rubricspec[vllm]')"
    return None


pytestmark = [pytest.mark.gpu, pytest.mark.skipif(_gpu_ready() is not None, reason=str(_gpu_ready()))]


def test_tiny_run_generates_with_vllm_colocate(tmp_path):
    from rubricspec.training.grpo import grpo_config, load_prompts, policy_path
    from rubricspec.training.runspec import load_run
    from trl import GRPOTrainer

    plan = load_run(TINY_RUN, output_dir=tmp_path / "run")
    dataset = load_prompts(plan)
    args = grpo_config(plan, use_cpu=False, use_vllm=True, vllm_mode="colocate", vllm_gpu_memory_utilization=0.2,
                       max_steps=5)
    trainer = GRPOTrainer(model=policy_path(plan, dataset), reward_funcs=[plan.program], args=args,
                          train_dataset=dataset)
    trainer.train()
    trainer.save_state()
    state = json.loads((tmp_path / "run" / "trainer_state.json").read_text())
    steps = [e for e in state["log_history"] if "reward" in e]
    assert len(steps) == 5
    assert all("rubricspec/veto_rate" in e for e in steps)
