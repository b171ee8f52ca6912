"""GRPO training with a compiled rubric, through TRL.

In: a ``RunPlan`` (from ``runspec.load_run``).
Out: a trained policy in the plan's output folder, TRL's ``trainer_state.json``
(its log history holds the reward, every criterion and axis mean and the veto
rate reported by the program) and a ``TrainSummary`` read back from it.

torch, transformers, trl, datasets and peft are imported here, lazily, so the
rest of rubricspec never needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rubricspec.training.runspec import TINY, RunPlan


@dataclass
class TrainSummary:
    """What a run did, read from TRL's log history."""

    output_dir: Path
    steps: int
    #: mean reward over the first and the last logged steps (up to 5 each)
    first_reward: float | None
    final_reward: float | None
    #: mean of each `rubricspec/...` metric over the last logged steps
    final_metrics: dict[str, float] = field(default_factory=dict)
    log_history: list[dict[str, Any]] = field(default_factory=list)


def load_prompts(plan: RunPlan):
    """The run's dataset as a `datasets.Dataset`, with the prompt column named `prompt`."""
    import datasets

    spec = plan.spec.dataset
    if plan.dataset.is_dir():
        loaded = datasets.load_from_disk(str(plan.dataset))
        if isinstance(loaded, datasets.DatasetDict):
            loaded = loaded[spec.split or "train"]
    else:
        loaded = datasets.load_dataset("json", data_files=str(plan.dataset), split=spec.split or "train")
    if spec.prompt_column != "prompt":
        loaded = loaded.rename_column(spec.prompt_column, "prompt")
    if spec.limit is not None:
        loaded = loaded.select(range(min(spec.limit, len(loaded))))
    plan.program.check_columns(loaded.column_names)
    return loaded


def grpo_config(plan: RunPlan, **overrides: Any):
    from trl import GRPOConfig

    settings = {"report_to": [], "logging_steps": 1, **plan.grpo, **overrides}
    return GRPOConfig(output_dir=str(plan.output_dir), seed=plan.spec.seed, **settings)


def peft_config(plan: RunPlan):
    lora = plan.spec.lora
    if lora is None:
        return None
    from peft import LoraConfig

    return LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=float(lora.dropout),
                      target_modules=lora.target_modules, task_type="CAUSAL_LM")


def policy_path(plan: RunPlan, dataset: Any) -> str:
    """The model to train: the plan's, or a tiny one built now from the prompts' words."""
    if plan.policy != TINY:
        return plan.policy
    from rubricspec.training.tiny import build_tiny_model

    lines = list(plan.spec.policy.vocabulary)
    for prompt in dataset["prompt"]:
        lines.append(prompt if isinstance(prompt, str) else " ".join(m.get("content", "") for m in prompt))
    return str(build_tiny_model(plan.output_dir / "tiny-model", lines, seed=plan.spec.seed))


def train(plan: RunPlan) -> TrainSummary:
    """Run GRPO with the plan's compiled reward; save the state and the final model."""
    from trl import GRPOTrainer

    dataset = load_prompts(plan)
    # a judged rubric is handed over as an async reward, so its judge calls overlap with other work
    reward = plan.program.as_async() if plan.program.rubric.judged else plan.program
    trainer = GRPOTrainer(model=policy_path(plan, dataset), reward_funcs=[reward], args=grpo_config(plan),
                          train_dataset=dataset, peft_config=peft_config(plan))
    trainer.train()
    trainer.save_state()
    trainer.save_model(str(plan.output_dir))
    return summarize(plan.output_dir, trainer.state.log_history)


def summarize(output_dir: Path, history: list[dict[str, Any]], window: int = 5) -> TrainSummary:
    steps = [entry for entry in history if "reward" in entry]

    def mean(entries: list[dict[str, Any]], key: str) -> float | None:
        values = [e[key] for e in entries if isinstance(e.get(key), (int, float))]
        return sum(values) / len(values) if values else None

    last = steps[-window:]
    metrics = sorted({k for e in last for k in e if k.startswith("rubricspec/")})
    final = {k: v for k in metrics if (v := mean(last, k)) is not None}
    return TrainSummary(Path(output_dir), len(steps), mean(steps[:window], "reward"), mean(last, "reward"),
                        final, history)

