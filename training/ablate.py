"""Ablations: one run file, several rubric variants, the same seed, one comparison table.

In: a run file and the names of rubric variants (``base`` means no variant).
Out: one training run per variant under ``<output_dir>/<variant>``, and
``ablation.json`` and ``ablation.md`` in ``<output_dir>`` comparing the final
reward, every criterion mean and the veto rate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from rubricspec.training.grpo import TrainSummary, train
from rubricspec.training.runspec import load_run

BASE = "base"


def ablate(path: str | Path, variants: list[str], params: Mapping[str, Any] | None = None,
           output_dir: str | Path | None = None) -> tuple[Path, list[tuple[str, TrainSummary]]]:
    # check every variant before training any, so a typo does not waste the first runs
    first = load_run(path, params=params, output_dir=output_dir)
    root = first.output_dir
    plans = [(v, load_run(path, variant=None if v == BASE else v, params=params, output_dir=root / v))
             for v in variants]
    results = [(v, train(plan)) for v, plan in plans]
    write_table(root, results)
    return root, results


def rows(results: list[tuple[str, TrainSummary]]) -> tuple[list[str], list[list[str]]]:
    """A table with one column per variant and one row per measure (metric names shortened)."""
    metrics = sorted({k for _, s in results for k in s.final_metrics})

    def show(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    def label(metric: str) -> str:
        return metric.removeprefix("rubricspec/").removesuffix("/mean")

    header = ["", *[v for v, _ in results]]
    body = [["steps", *[str(s.steps) for _, s in results]],
            ["first reward", *[show(s.first_reward) for _, s in results]],
            ["final reward", *[show(s.final_reward) for _, s in results]]]
    body += [[label(m), *[show(s.final_metrics.get(m)) for _, s in results]] for m in metrics]
    return header, body


def write_table(root: Path, results: list[tuple[str, TrainSummary]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    header, body = rows(results)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    (root / "ablation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = [{"variant": v, "steps": s.steps, "first_reward": s.first_reward, "final_reward": s.final_reward,
             "final_metrics": s.final_metrics} for v, s in results]
    (root / "ablation.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
