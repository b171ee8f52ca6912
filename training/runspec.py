"""Run files: a `kind: run` spec -> a checked ``RunPlan`` ready to train.

In: the path of a run file, an optional rubric variant and param overrides
(`--variant`, `--set`), and an optional output folder.
Out: a ``RunPlan`` with the compiled reward program, absolute paths and the
TRL settings, or ``SpecError`` with every problem at its line: an unknown
`grpo:`/`sft:` setting is checked against the installed TRL's own
``GRPOConfig``/``SFTConfig`` fields, with a did-you-mean.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from rubricspec.api import JudgeBindingError, compile as compile_rubric
from rubricspec.compiler.resolve import resolve_file
from rubricspec.compiler.validate import render_path, validate_tree
from rubricspec.diagnostics import Collector, Diagnostic, SpecError, did_you_mean
from rubricspec.models import RunSpec
from rubricspec.runtime.program import RewardProgram

#: judge backends a run may bind a role to (live model judges come with the judge issue)
BACKENDS = ("replay",)
#: the policy name that builds a random tiny model at the start of a run
TINY = "rubricspec:tiny"


@dataclass
class RunPlan:
    """Everything a trainer needs, resolved and checked."""

    spec: RunSpec
    file: Path
    program: RewardProgram
    policy: str
    dataset: Path
    output_dir: Path
    variant: str | None
    params: dict[str, Any] = field(default_factory=dict)
    sft_dataset: Path | None = None

    @property
    def grpo(self) -> dict[str, Any]:
        return dict(self.spec.grpo)


def _relative(path: Path) -> Path:
    """``path`` relative to the current folder when it is below it, so messages stay short."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _shown(path: Path) -> str:
    return str(_relative(path))


def _judge_role(rubric_path: Path) -> str:
    from rubricspec.compiler import load_spec

    spec = load_spec(rubric_path)
    return spec.model.judge.model if spec.model.judge else "judge"


def _trl_fields(config: str) -> set[str] | None:
    """Field names of TRL's ``GRPOConfig``/``SFTConfig``, or None when TRL is not installed."""
    try:
        import trl
    except ImportError:
        return None
    return {f.name for f in dataclasses.fields(getattr(trl, config))}


def check_settings(validated_spec: RunSpec, source_map: Any, errors: Collector) -> None:
    """`grpo:` and `sft:` keys must be fields of TRL's configs; `output_dir`/`seed` are set by the run."""
    for section, config in (("grpo", "GRPOConfig"), ("sft", "SFTConfig")):
        settings = getattr(validated_spec, section)
        if not settings:
            continue
        fields = _trl_fields(config)
        if fields is None:
            errors.warning("RS114", f"TRL is not installed, so the `{section}:` settings could not be checked.",
                           source_map.key((section,)), section, "Install the training extra: pip install 'rubricspec[train]'.")
            continue
        for key in settings:
            path = (section, key)
            if key in ("output_dir", "seed"):
                errors.error("RS114", f"`{key}` is set by the run file itself, not under `{section}:`.",
                             source_map.key(path), render_path(path), f"Move it to the top level: `{key}: ...`.")
            elif key not in fields:
                guess = did_you_mean(key, fields)
                hint = (f"Did you mean `{guess}`? " if guess else "") + \
                    f"`{section}:` takes the field names of TRL's {config}."
                errors.error("RS114", f"TRL's {config} has no setting `{key}`.", source_map.key(path),
                             render_path(path), hint)


def load_run(path: str | Path, variant: str | None = None, params: Mapping[str, Any] | None = None,
             output_dir: str | Path | None = None) -> RunPlan:
    """Read, check and bind a run file; compile its rubric (variant and params applied)."""
    resolved = resolve_file(path)
    validated = validate_tree(resolved.root)
    errors = validated.errors or Collector(validated.context)
    spec = validated.model
    if not isinstance(spec, RunSpec):
        kind = resolved.root.get("kind")
        raise SpecError([Diagnostic("RS104", f"{path} is a `{spec.kind}` spec, not a run.",
                                    kind.span if kind else resolved.root.span, "kind",
                                    hint="`rubricspec train` takes a run file (`kind: run`) that names a rubric.")])
    base = Path(path).resolve().parent
    check_settings(spec, validated.source_map, errors)
    for role, backend in spec.judges.items():
        if backend not in BACKENDS:
            guess = did_you_mean(backend, BACKENDS)
            errors.error("RS115", f"Judge role `{role}` is bound to `{backend}`, which this version does not offer.",
                         validated.source_map.value(("judges", role)), f"judges › {role}",
                         (f"Did you mean `{guess}`? " if guess else "") + f"Backends: {', '.join(BACKENDS)}.")
    dataset = base / spec.dataset.path
    sources = [("dataset", spec.dataset)] + ([("sft_dataset", spec.sft_dataset)] if spec.sft_dataset else [])
    for key, source in sources:
        if not (base / source.path).exists():
            errors.error("RS116", f"The {key.replace('_', ' ')} {source.path} does not exist (looked for "
                         f"{_shown(base / source.path)}).", validated.source_map.value((key, "path")),
                         f"{key} › path",
                         "Paths are relative to the run file; use a JSONL file or a folder saved with `datasets`.")
    rubric_path = base / spec.rubric.path
    if not rubric_path.is_file():
        errors.error("RS116", f"The rubric {spec.rubric.path} does not exist (looked for {_shown(rubric_path)}).",
                     validated.source_map.value(("rubric", "path")), "rubric › path",
                     "The path is relative to the run file.")
    errors.raise_if_errors()
    chosen_variant = variant if variant is not None else spec.rubric.variant
    merged_params = {**spec.rubric.params, **dict(params or {})}
    judge_backends = set(spec.judges.values())
    judge = "replay" if "replay" in judge_backends else None
    try:
        program = compile_rubric(_relative(rubric_path), variant=chosen_variant, params=merged_params or None,
                                 judge=judge)
    except JudgeBindingError:
        role = _judge_role(rubric_path)
        raise SpecError([Diagnostic(
            "RS115", f"The rubric {spec.rubric.path} has judged criteria, but this run binds no judge to its role "
            f"`{role}`.", validated.source_map.key(("rubric",)), "rubric",
            hint=f"Add `judges: {{{role}: replay}}` (recorded verdicts; live judges come in a later version).",
            context=validated.context)]) from None
    policy = spec.policy.model
    local = base / policy
    if policy != TINY and (policy.startswith((".", "/")) or local.exists()):
        policy = str(local)
    out = Path(output_dir) if output_dir is not None else Path(spec.output_dir)
    sft_dataset = base / spec.sft_dataset.path if spec.sft_dataset else dataset
    return RunPlan(spec, Path(path), program, policy, dataset, out, chosen_variant, merged_params, sft_dataset)
