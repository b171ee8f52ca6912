"""Supervised fine-tuning (the cold-start stage) with TRL's SFTTrainer.

In: a run file whose `sft_dataset` (or `dataset`) is in a chat format TRL
understands (a `messages` column, or `prompt` + `completion`), and its `sft:` settings.
Out: the fine-tuned model and `trainer_state.json` in ``<output_dir>/sft``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rubricspec.training.runspec import RunPlan


def sft(plan: RunPlan, output_dir: str | Path | None = None) -> Path:
    import datasets
    from trl import SFTConfig, SFTTrainer

    from rubricspec.training.grpo import peft_config

    out = Path(output_dir) if output_dir is not None else plan.output_dir / "sft"
    source = plan.spec.sft_dataset or plan.spec.dataset
    path = plan.sft_dataset or plan.dataset
    if path.is_dir():
        data: Any = datasets.load_from_disk(str(path))
        if isinstance(data, datasets.DatasetDict):
            data = data[source.split or "train"]
    else:
        data = datasets.load_dataset("json", data_files=str(path), split=source.split or "train")
    if source.limit is not None:
        data = data.select(range(min(source.limit, len(data))))
    settings = {"report_to": [], "logging_steps": 1, **plan.spec.sft}
    args = SFTConfig(output_dir=str(out), seed=plan.spec.seed, **settings)
    from rubricspec.training.grpo import policy_path

    model = policy_path(plan, data) if "prompt" in data.column_names else plan.policy
    trainer = SFTTrainer(model=model, args=args, train_dataset=data, peft_config=peft_config(plan))
    trainer.train()
    trainer.save_state()
    trainer.save_model(str(out))
    return out
