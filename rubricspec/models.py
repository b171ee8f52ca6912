"""Spec models: the shape of a rubric file, one pydantic model per YAML mapping.

In: plain data from the loader (after ``extends`` and variants are merged).
Out: validated ``RubricSpec`` objects. Unknown keys are refused
(``extra="forbid"``) and every field carries the description that the JSON
Schema and the language reference are generated from.

These models check shape only. Rules that involve several fields (a criterion
has exactly one of ``rule``/``ask``/``points``, names resolve, types agree)
are named checks in ``rubricspec.compiler.checks``.
"""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

#: An expression of the rubric language, or a literal number where one is enough.
Expression = Union[StrictStr, StrictInt, StrictFloat]
ScalarValue = Union[StrictBool, StrictInt, StrictFloat, StrictStr]

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.]*(-[A-Za-z0-9_.]+)*$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class InputColumn(Model):
    """A dataset column the rubric reads, written out in full."""

    type: StrictStr = Field(description="Type of the column: text, number, integer, bool, list[text], list[number] or list[bool].")
    description: StrictStr | None = Field(None, description="What the column holds, for readers of the rubric.")
    default: ScalarValue | list[ScalarValue] | None = Field(
        None, description="Value used when the data has no such column (the column is then optional).")


class Param(Model):
    """A named constant of the rubric that a compile can override (`--set k=5`)."""

    default: ScalarValue = Field(description="Value used unless the compile overrides it.")
    description: StrictStr | None = Field(None, description="What the param controls, and why it has this default.")
    min: StrictInt | StrictFloat | None = Field(None, description="Smallest value an override may set.")
    max: StrictInt | StrictFloat | None = Field(None, description="Largest value an override may set.")


class JudgeConfig(Model):
    """How `ask:` and `points:` criteria are graded by a judge model."""

    model: StrictStr = Field(
        "judge",
        description="Role name of the judge model (e.g. `tutor-judge`). A run configuration, CLI flag or "
        "environment binds the role to a backend and a model; the rubric never names a server.",
    )
    grade: Literal["per-criterion", "per-axis", "all"] = Field(
        "per-criterion",
        description="How criteria are grouped into judge calls: one call per criterion (HealthBench), one per "
        "axis (ClinTutor-R1) or one call for all judged criteria.",
    )
    temperature: StrictInt | StrictFloat | None = Field(None, description="Sampling temperature for the judge.")
    instructions: StrictStr | None = Field(None, description="Extra guidance given to the judge before the criteria.")


class Criterion(Model):
    """One thing the rubric checks. Exactly one of `rule`, `ask` or `points`."""

    title: StrictStr = Field(description="Short name a clinician recognises.")
    description: StrictStr | None = Field(None, description="What a good answer does, in clinical terms.")
    scale: StrictStr | None = Field(None, description="Range of scores, `low..high` (e.g. `-2..2`); defaults to the rubric's `scale`.")
    weight: Expression | None = Field(None, description="Weight in `weighted_sum` (a number or a param name); default 1.")
    rule: Expression | None = Field(None, description="An expression computed from the completion and the inputs; no judge is asked.")
    ask: StrictStr | None = Field(None, description="A question a judge model answers with a score on the criterion's scale.")
    points: StrictInt | StrictFloat | None = Field(
        None,
        description="HealthBench-style binary criterion: a judge says whether `met` holds; the score is `points` "
        "when it does and 0 when it does not. Points may be negative for undesirable behaviour.",
    )
    met: StrictStr | None = Field(None, description="For `points` criteria: the statement the judge checks, e.g. `Advises calling emergency services`.")


class Axis(Model):
    """A group of criteria that is reported (and may be judged) together."""

    title: StrictStr = Field(description="Name of the axis, e.g. `Clinical safety`.")
    description: StrictStr | None = Field(None, description="What the axis measures.")
    weight: Expression | None = Field(None, description="Weight of the whole axis in `weighted_sum`; default 1.")
    criteria: dict[str, Criterion] = Field(description="The axis's criteria by id, e.g. `CS-1`.")


class Veto(Model):
    """A rule that overrides the reward when a condition holds. The first one that fires wins."""

    when: Expression = Field(description="A yes/no expression, e.g. `[CS-1] < 0 or [CS-2] < 0`.")
    reward: Expression = Field(description="The reward given instead (a number or an expression).")
    because: StrictStr = Field(description="The reason, recorded on every vetoed result.")


class FailureScore(Model):
    """On a judge failure, give the failed criterion this score (recorded as a failure)."""

    score: StrictInt | StrictFloat = Field(description="Score given to a criterion whose verdict failed.")


class FailureReward(Model):
    """On a judge failure, give the whole sample this reward, like a veto."""

    reward: StrictInt | StrictFloat = Field(description="Reward given to a sample with a failed verdict.")
    because: StrictStr | None = Field(None, description="Reason recorded with the result.")


JudgeFailurePolicy = Union[Literal["skip"], FailureScore, FailureReward]


class RubricSpec(Model):
    """A rubric: criteria grouped in axes, a reward built from them, and vetoes."""

    rubricspec: Literal[1] = Field(description="Version of the rubricspec language this file is written in.")
    kind: Literal["rubric"] = Field(description="What this file describes.")
    name: str = Field(pattern=NAME_PATTERN, description="Identifier of the rubric: lower case, digits, `-`, `_`, `.`.")
    title: StrictStr = Field(description="One line saying what the rubric rewards.")
    about: StrictStr | None = Field(None, description="A paragraph for readers: purpose, sources, what was reconstructed.")
    extends: StrictStr | None = Field(None, description="Path of a rubric this one starts from (relative to this file); keys here replace or extend it.")
    inputs: dict[str, Union[StrictStr, InputColumn]] = Field(
        default_factory=dict, description="Dataset columns the rubric reads, with their types, e.g. `students: list[text]`.")
    params: dict[str, Union[ScalarValue, Param]] = Field(
        default_factory=dict, description="Named constants (e.g. `k: 10`) usable in expressions and overridable at compile time.")
    scale: StrictStr = Field("0..1", description="Default score range of every criterion, `low..high`.")
    judge: JudgeConfig | None = Field(None, description="How judged criteria are graded.")
    axes: dict[str, Axis] = Field(default_factory=dict, description="Axes by id (e.g. `IS`), each holding criteria.")
    criteria: dict[str, Criterion] = Field(default_factory=dict, description="Criteria that belong to no axis, by id.")
    reward: Expression | None = Field(
        None, description="How criterion scores become the reward; default `weighted_sum` (every criterion times its weight and its axis's weight).")
    veto: list[Veto] = Field(default_factory=list, description="Ordered overrides of the reward; the first whose `when` holds fires.")
    on_judge_failure: JudgeFailurePolicy = Field(
        "skip",
        description="What happens when a judge verdict is missing or invalid: `skip` (no reward for the sample, "
        "which TRL ignores), `{score: X}` for the failed criterion, or `{reward: X}` for the sample. Never a silent 0.",
    )
    variants: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Named patches of this spec (ablations). A patch is merged over the spec: mappings merge key by "
        "key, other values replace, and `null` removes a key.",
    )


class PolicyModel(Model):
    """The model being trained."""

    model: StrictStr = Field(
        description="A local model folder (relative to this file), a model id on a hub, or `rubricspec:tiny`: a "
        "random tiny model built locally at the start of the run (for tests and demos on a CPU).")
    revision: StrictStr | None = Field(None, description="Revision of a hub model (a branch, tag or commit).")
    vocabulary: list[StrictStr] = Field(
        default_factory=list, description="For `rubricspec:tiny`: lines whose words (and tags such as `<dx>`) the "
        "tiny model's word-level vocabulary holds, besides the words of the prompts.")


class DatasetSource(Model):
    """Where the training prompts come from (local data only)."""

    path: StrictStr = Field(description="A JSONL file or a folder saved with `datasets` (`save_to_disk`), relative to this file.")
    split: StrictStr | None = Field(None, description="Split to use when the folder holds several (e.g. `train`).")
    prompt_column: StrictStr = Field("prompt", description="Column holding the prompt (text or chat messages); renamed to `prompt`.")
    limit: StrictInt | None = Field(None, description="Use only the first N rows (for quick runs).")


class RubricBinding(Model):
    """The rubric whose compiled reward trains the policy."""

    path: StrictStr = Field(description="Path of the rubric file, relative to this file.")
    variant: StrictStr | None = Field(None, description="A variant of the rubric (an ablation); `--variant` overrides it.")
    params: dict[str, ScalarValue] = Field(default_factory=dict, description="Param overrides for the rubric (`--set` adds more).")


class LoraSettings(Model):
    """Train LoRA adapters (peft) instead of every weight."""

    r: StrictInt = Field(16, description="Rank of the adapters.")
    alpha: StrictInt = Field(32, description="Scaling of the adapters (lora_alpha).")
    dropout: StrictInt | StrictFloat = Field(0.05, description="Dropout on the adapters.")
    target_modules: Union[Literal["all-linear"], list[StrictStr]] = Field(
        "all-linear", description="Modules to adapt: `all-linear` or names such as `[q_proj, v_proj]`.")


class RunSpec(Model):
    """A training run: a policy, a dataset, a rubric (and variant) and TRL settings."""

    rubricspec: Literal[1] = Field(description="Version of the rubricspec language this file is written in.")
    kind: Literal["run"] = Field(description="What this file describes.")
    name: str = Field(pattern=NAME_PATTERN, description="Identifier of the run: lower case, digits, `-`, `_`, `.`.")
    title: StrictStr = Field(description="One line saying what the run trains.")
    about: StrictStr | None = Field(None, description="Purpose, sources of the settings, what differs from the paper.")
    extends: StrictStr | None = Field(None, description="Path of a run file this one starts from (relative to this file).")
    policy: PolicyModel = Field(description="The model being trained.")
    dataset: DatasetSource = Field(description="The training prompts and the columns the rubric reads.")
    rubric: RubricBinding = Field(description="The rubric that gives the reward.")
    judges: dict[str, StrictStr] = Field(
        default_factory=dict, description="Judge roles named by the rubric, bound to a backend (this version: `replay`).")
    grpo: dict[str, Any] = Field(
        default_factory=dict, description="Settings of TRL's `GRPOConfig`, by TRL's own field names (e.g. `num_generations`, `beta`, `use_vllm`).")
    sft: dict[str, Any] = Field(
        default_factory=dict, description="Settings of TRL's `SFTConfig` for `rubricspec sft` (cold-start supervised stage).")
    sft_dataset: DatasetSource | None = Field(
        None, description="Data for `rubricspec sft` in a chat format (`messages`, or `prompt` + `completion`); "
        "default: `dataset`.")
    lora: LoraSettings | None = Field(None, description="LoRA adapters (peft); without it every weight is trained.")
    output_dir: StrictStr = Field(description="Where checkpoints and `trainer_state.json` go (relative to the current directory).")
    seed: StrictInt = Field(0, description="Random seed, the same for every variant of an ablation.")


SPEC_MODELS: dict[str, type[Model]] = {"rubric": RubricSpec, "run": RunSpec}
