"""RewardProgram: a compiled rubric that scores completions, with TRL's reward-function signature.

In: a ``RubricIR`` and a judge (for ``ask``/``points`` criteria).
Out: ``program(prompts=..., completions=..., **columns) -> list[float | None]``
(one entry per completion, always) and ``program.score(...) -> list[Result]``
with per-criterion scores, veto and failure reasons.

Nothing inside a call raises: a bad completion, a wrongly typed column, a
failed verdict or a rule that cannot be computed gives that sample a reward
of None (TRL leaves such samples out of the group baseline) with the reason
in its ``Result`` and in the log. Missing declared columns make every reward
None and are logged once per call as an error naming the column;
``check_columns`` raises for them before training starts.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from rubricspec.compiler import ir
from rubricspec.diagnostics import Diagnostic
from rubricspec.types import value_has_type
from rubricspec.compiler.ir import SampleVar, walk_ir
from rubricspec.runtime.evaluate import MISSING, ClosureBuilder, EvalError, Missing, Sample, shared_calls
from rubricspec.runtime.judges import (VERDICTS_COLUMN, Failure, Judge, JudgeRequest, ReplayJudge, Verdict,
                                       check_outcome)

log = logging.getLogger("rubricspec")

_TRL_EXTRAS = ("completion_ids", "trainer_state", "log_extra", "log_metric")


class InputError(ValueError):
    """The data given to a reward program does not match the rubric's inputs (code RS601)."""

    code = "RS601"


@dataclass
class Result:
    """The score of one completion."""

    reward: float | None
    criteria: dict[str, float | None]
    vetoed: bool = False
    veto_reason: str | None = None
    #: position of the veto that fired in the rubric's `veto:` list
    veto_rule: int | None = None
    explanations: dict[str, str] = field(default_factory=dict)
    #: criterion id -> why it has no (or a policy) score
    failures: dict[str, str] = field(default_factory=dict)
    #: a problem with the whole sample (bad completion, bad column)
    error: str | None = None
    axes: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"reward": self.reward, "criteria": self.criteria, "axes": self.axes, "vetoed": self.vetoed,
                "veto_reason": self.veto_reason, "veto_rule": self.veto_rule, "failures": self.failures,
                "error": self.error, "explanations": self.explanations}


def completion_text(value: Any) -> str | None:
    """The text to score: a string, or the last assistant message of a chat. None if neither."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return _content(value.get("content"))
    if isinstance(value, (list, tuple)):
        messages = [m for m in value if isinstance(m, Mapping)]
        if not messages or len(messages) != len(value):
            return None
        chosen = next((m for m in reversed(messages) if m.get("role") == "assistant"), messages[-1])
        return _content(chosen.get("content"))
    return None


def prompt_text(value: Any) -> str:
    """A prompt as text: a string, or the contents of a chat's messages joined by newlines."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "\n".join(_content(m.get("content")) or "" for m in value if isinstance(m, Mapping))
    if isinstance(value, Mapping):
        return _content(value.get("content")) or ""
    return ""


def _content(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, Mapping) and p.get("type") == "text"]
        return "\n".join(p for p in parts if isinstance(p, str))
    return None


class RewardProgram:
    """A compiled rubric. Call it like a TRL reward function."""

    def __init__(self, rubric: ir.RubricIR, judge: Judge | None = None,
                 warnings: Sequence[Diagnostic] = ()) -> None:
        self.rubric = rubric
        self.judge = judge
        self.warnings = list(warnings)
        #: TRL names reward functions by ``__name__`` in its logs
        self.__name__ = rubric.name if not rubric.variant else f"{rubric.name}:{rubric.variant}"
        ids = {c.index: c.id for c in rubric.criteria}
        expressions = [c.rule.expr for c in rubric.criteria if c.rule is not None] + [rubric.reward.expr] + [
            e for v in rubric.vetoes for e in (v.when.expr, v.reward.expr)]
        builder = ClosureBuilder(ids, shared=shared_calls(expressions))
        builder.context = f'rubric "{rubric.name}"' + (f" (variant {rubric.variant})" if rubric.variant else "")
        self._rules = [(c.index, builder.build_at(c.rule.expr, _criterion_path(c) + " › rule"), c) for c in
                       (rubric.criteria[i] for i in rubric.rule_order) if c.rule is not None]
        self._reward = builder.build_at(rubric.reward.expr, "reward")
        self._vetoes = [(v, builder.build_at(v.when.expr, f"veto[{v.index}] › when"),
                         builder.build_at(v.reward.expr, f"veto[{v.index}] › reward")) for v in rubric.vetoes]
        self._slots = builder.slots
        # the prompt is turned into text only when something reads it
        self._reads_prompt = bool(rubric.judged) or any(
            isinstance(node, SampleVar) and node.name == "prompt" for e in expressions for node in walk_ir(e))
        self._memo = len(builder.memo_slots)
        self._axes = [(a.id, [(rubric.criterion(cid).index, rubric.criterion(cid).weight) for cid in a.criteria])
                      for a in rubric.axes]
        self._judged = rubric.judged
        self._judged_ids = {c.id for c in rubric.judged}
        self._instructions = rubric.judge.instructions if rubric.judge else None
        self._groups = _judge_groups(rubric)
        self._inputs = [(i.name, i.type_name) for i in rubric.inputs]
        self._defaults = {i.name: i.default for i in rubric.inputs if i.has_default}
        self._n = len(rubric.criteria)

    # --- public API -----------------------------------------------------

    @property
    def name(self) -> str:
        return self.rubric.name

    @property
    def variant(self) -> str | None:
        return self.rubric.variant

    @property
    def criteria(self) -> list[str]:
        return [c.id for c in self.rubric.criteria]

    def check_columns(self, columns: Iterable[str]) -> None:
        """Raise ``InputError`` naming every declared input missing from ``columns``."""
        have = set(columns)
        missing = [name for name, _ in self._inputs if name not in have and name not in self._defaults]
        if self._judged and isinstance(self.judge, ReplayJudge) and VERDICTS_COLUMN not in have:
            missing.append(VERDICTS_COLUMN)
        if missing:
            raise InputError(_missing_message(self.rubric, missing, have))

    def __call__(self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None,
                 **columns: Any) -> list[float | None]:
        log_metric, log_extra = columns.pop("log_metric", None), columns.pop("log_extra", None)
        results = self._run(prompts, completions, columns, explain=False)
        if callable(log_metric) or callable(log_extra):
            try:
                self._report(results, log_metric, log_extra)
            except Exception:  # logging must never stop training
                log.exception("rubricspec %s: could not log metrics to the trainer", self.__name__)
        skipped = [r for r in results if r.reward is None]
        if skipped:
            # one line per call, so that a training log shows why samples were left out
            first = skipped[0]
            reason = first.error or "; ".join(f"{k}: {v}" for k, v in first.failures.items())
            log.warning("rubricspec %s: %d of %d samples have no reward; first: %s", self.__name__,
                        len(skipped), len(results), reason)
        return [r.reward for r in results]

    def _report(self, results: list[Result], log_metric: Any, log_extra: Any) -> None:
        """Per-batch means of every criterion and axis, veto and no-reward rates (TRL's `log_metric`),
        and each completion's scores and veto (TRL's `log_extra`, shown in its completions table)."""
        n = len(results)
        if not n:
            return
        if callable(log_metric):
            for c in self.rubric.criteria:
                values = [r.criteria[c.id] for r in results if r.criteria.get(c.id) is not None]
                if values:
                    log_metric(f"rubricspec/{c.id}/mean", sum(values) / len(values))
            for axis, terms in self._axes:
                ids = [(self.rubric.criteria[i].id, w) for i, w in terms]
                totals = [sum(w * r.criteria[cid] for cid, w in ids) for r in results
                          if all(r.criteria.get(cid) is not None for cid, _ in ids)]
                if totals:
                    log_metric(f"rubricspec/{axis}/mean", sum(totals) / len(totals))
            log_metric("rubricspec/veto_rate", sum(r.vetoed for r in results) / n)
            log_metric("rubricspec/no_reward_rate", sum(r.reward is None for r in results) / n)
            if self._judged:
                failed = sum(any(cid in self._judged_ids for cid in r.failures) for r in results)
                log_metric("rubricspec/judge_failure_rate", failed / n)
        if callable(log_extra):
            for c in self.rubric.criteria:
                log_extra(f"rubricspec/{c.id}", [r.criteria.get(c.id) for r in results])
            log_extra("rubricspec/veto", [r.veto_reason or "" for r in results])
            log_extra("rubricspec/problem", [r.error or "; ".join(f"{k}: {v}" for k, v in r.failures.items())
                                             for r in results])

    def score(self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None,
              **columns: Any) -> list[Result]:
        return self._run(prompts, completions, columns, explain=True)

    def as_async(self) -> "AsyncRewardProgram":
        """The same reward as an ``async`` callable, which TRL awaits alongside its other async rewards."""
        return AsyncRewardProgram(self)

    def artifact(self) -> dict[str, Any]:
        from rubricspec.compiler.artifact import build_artifact

        return build_artifact(self.rubric)

    # --- evaluation -----------------------------------------------------

    def _run(self, prompts: Sequence[Any] | None, completions: Sequence[Any] | None, columns: dict[str, Any],
             explain: bool) -> list[Result]:
        for extra in _TRL_EXTRAS:
            columns.pop(extra, None)
        if completions is None:
            completions = []
        elif not isinstance(completions, (list, tuple)):
            completions = [completions]  # one completion passed bare
        completions = list(completions)
        n = len(completions)
        prompts = list(prompts) if isinstance(prompts, (list, tuple)) else [""] * n
        try:
            rows, problems = self._rows(n, columns)
        except InputError as err:
            log.error("rubricspec %s: %s", self.__name__, err)
            return [Result(None, {c.id: None for c in self.rubric.criteria}, error=str(err)) for _ in range(n)]
        samples: list[Sample | None] = []
        results: list[Result | None] = [None] * n
        for i in range(n):
            text = completion_text(completions[i])
            if text is None:
                results[i] = self._failed(f"the completion is {type(completions[i]).__name__}, not text or chat "
                                          "messages")
                samples.append(None)
                continue
            if problems[i]:
                results[i] = self._failed(problems[i])  # type: ignore[arg-type]
                samples.append(None)
                continue
            prompt = prompt_text(prompts[i]) if self._reads_prompt and i < len(prompts) else ""
            samples.append(Sample(text, prompt, rows[i], [MISSING] * self._n, self._slots, self._memo))
        failures: list[dict[str, str]] = [{} for _ in range(n)]
        reasons: list[dict[str, str]] = [{} for _ in range(n)]
        if self._judged:
            self._grade(samples, rows, failures, reasons)
        for i, sample in enumerate(samples):
            if sample is None:
                continue
            try:
                results[i] = self._evaluate(sample, failures[i], reasons[i], explain)
            except Exception as err:  # a bug in an extension must not stop training
                log.exception("rubricspec %s: sample %d could not be scored", self.__name__, i)
                results[i] = self._failed(f"internal error while scoring: {type(err).__name__}: {err}")
        return results  # type: ignore[return-value]

    def _failed(self, reason: str) -> Result:
        return Result(None, {c.id: None for c in self.rubric.criteria}, error=reason)

    def _rows(self, n: int, columns: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str | None]]:
        missing = [name for name, _ in self._inputs if name not in columns and name not in self._defaults]
        if missing:
            raise InputError(_missing_message(self.rubric, missing, set(columns)))
        for name, default in self._defaults.items():
            if name not in columns:
                columns[name] = [default] * n
        rows: list[dict[str, Any]] = [{} for _ in range(n)]
        problems: list[str | None] = [None] * n
        # only what the rubric reads is copied per row (TRL passes every dataset column)
        wanted = {name for name, _ in self._inputs}
        if self._judged:
            wanted.add(VERDICTS_COLUMN)
        for name, values in columns.items():
            if name not in wanted:
                continue
            if not isinstance(values, (list, tuple)) or len(values) != n:
                values = list(values) if isinstance(values, (list, tuple)) else [values] * n
                values = (values + [None] * n)[:n]
            for i in range(n):
                rows[i][name] = values[i]
        for name, t_name in self._inputs:
            for i in range(n):
                value = rows[i][name]
                if value is None and name in self._defaults:
                    value = rows[i][name] = self._defaults[name]
                if not value_has_type(value, t_name) and problems[i] is None:
                    shown = repr(value)
                    shown = shown if len(shown) <= 60 else shown[:57] + "..."
                    problems[i] = f"column `{name}` should be {t_name}, but this row has {shown}"
        return rows, problems

    def _grade(self, samples: list[Sample | None], rows: list[dict[str, Any]], failures: list[dict[str, str]],
               reasons: list[dict[str, str]]) -> None:
        requests: list[JudgeRequest] = []
        owners: list[int] = []
        for i, sample in enumerate(samples):
            if sample is None:
                continue
            for group in self._groups:
                requests.append(JudgeRequest(group, sample.prompt, sample.completion, rows[i], self._instructions))
                owners.append(i)
        if not requests:
            return
        if self.judge is None:
            answers: list[dict[str, Any]] = [{c.id: Failure("no judge is bound to this reward program")
                                              for c in r.criteria} for r in requests]
        else:
            try:
                answers = self.judge.grade(requests)
                if len(answers) != len(requests):
                    raise RuntimeError(f"the judge answered {len(answers)} of {len(requests)} requests")
            except Exception as err:
                log.error("rubricspec %s: judge %s failed: %s", self.__name__, self.judge.name, err)
                answers = [{c.id: Failure(f"judge error: {err}") for c in r.criteria} for r in requests]
        policy = self.rubric.on_judge_failure
        for request, owner, answer in zip(requests, owners, answers):
            sample = samples[owner]
            assert sample is not None
            if not isinstance(answer, Mapping):
                answer = {c.id: Failure(f"the judge answered {type(answer).__name__}, not a verdict per criterion")
                          for c in request.criteria}
            for criterion in request.criteria:
                outcome = check_outcome(criterion, answer.get(criterion.id)
                                        or Failure(f"the judge gave no verdict for {criterion.id}"))
                if isinstance(outcome, Verdict):
                    sample.scores[criterion.index] = outcome.score
                    if outcome.reason:
                        reasons[owner][criterion.id] = outcome.reason
                    continue
                failures[owner][criterion.id] = outcome.reason
                if policy.mode == "score":
                    sample.scores[criterion.index] = policy.value

    def _evaluate(self, s: Sample, failures: dict[str, str], reasons: dict[str, str], explain: bool) -> Result:
        scores = s.scores
        for index, rule, criterion in self._rules:
            try:
                value = rule(s)
            except Missing:
                continue
            except EvalError as err:
                failures[criterion.id] = f"rule could not be computed ({err.message}, {err.span})"
                continue
            if criterion.rule_is_bool:
                value = 1.0 if value else 0.0
            elif not (isinstance(value, (int, float)) and math.isfinite(value)
                      and criterion.scale.contains(value)):
                failures[criterion.id] = f"rule gave {value!r}, outside scale {criterion.scale.text}"
                continue
            scores[index] = float(value)
        reward: float | None = None
        vetoed, veto_reason, veto_rule, error = False, None, None, None
        undecided = False
        for veto, when, veto_reward in self._vetoes:
            try:
                fired = when(s)
            except Missing:
                undecided = True
                break
            except EvalError as err:
                error = f"veto {veto.index} could not be checked ({err.message})"
                break
            if fired:
                try:
                    reward = _finite(veto_reward(s))
                    vetoed, veto_reason, veto_rule = True, veto.because, veto.index
                except (Missing, EvalError, ValueError) as err:
                    error = f"veto {veto.index} fired but its reward could not be computed ({err})"
                break
        else:
            try:
                reward = _finite(self._reward(s))
            except Missing as m:
                error = f"no reward: {m.criterion} has no score ({failures.get(m.criterion, 'not computed')})"
            except (EvalError, ValueError) as err:
                error = f"reward could not be computed ({err})"
        if undecided:
            error = f"no reward: a veto could not be decided without {', '.join(failures) or 'a criterion'}"
        policy = self.rubric.on_judge_failure
        if not vetoed and policy.mode == "reward" and any(self._judged_ids.intersection(failures)):
            # a veto that could still be decided wins; otherwise the failure policy sets the reward
            reward, vetoed, veto_rule, error = policy.value, True, None, None
            veto_reason = policy.because or "judge failure: " + "; ".join(failures.values())
        criteria = {c.id: (None if scores[c.index] is MISSING else scores[c.index]) for c in self.rubric.criteria}
        result = Result(reward, criteria, vetoed, veto_reason, veto_rule, failures=dict(failures), error=error)
        if explain:
            result.axes = {axis: (None if any(scores[i] is MISSING for i, _ in terms)
                                  else sum(w * scores[i] for i, w in terms)) for axis, terms in self._axes}
            result.explanations = self._explanations(criteria, failures, reasons)
        return result

    def _explanations(self, criteria: dict[str, float | None], failures: dict[str, str],
                      reasons: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for c in self.rubric.criteria:
            score = criteria[c.id]
            if c.id in failures:
                prefix = f"scored {_show(score)} by the failure policy; " if score is not None else ""
                out[c.id] = f"{prefix}failed: {failures[c.id]}"
            elif score is None:
                out[c.id] = "not computed: it depends on a criterion that failed"
            elif c.kind == "rule":
                out[c.id] = f"rule gave {_show(score)}"
            elif c.kind == "points":
                met = "met" if score != 0 else "not met"
                out[c.id] = f"judge: {met} ({_show(score)} points)" + (f": {reasons[c.id]}" if c.id in reasons else "")
            else:
                out[c.id] = f"judge: {_show(score)}" + (f": {reasons[c.id]}" if c.id in reasons else "")
        return out


class AsyncRewardProgram:
    """A reward program as an `async` reward function: TRL runs async rewards concurrently, so the
    time a judged rubric waits for its judge overlaps with the other reward functions."""

    def __init__(self, program: RewardProgram) -> None:
        self.program = program
        self.__name__ = program.__name__

    async def __call__(self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None,
                       **columns: Any) -> list[float | None]:
        return await asyncio.to_thread(self.program, prompts, completions, **columns)


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"the reward {value!r} is not a finite number")
    return float(value)


def _show(value: float | None) -> str:
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _criterion_path(c: ir.CriterionIR) -> str:
    return f"axes › {c.axis} › criteria › {c.id}" if c.axis else f"criteria › {c.id}"


def _judge_groups(rubric: ir.RubricIR) -> list[tuple[ir.CriterionIR, ...]]:
    judged = rubric.judged
    if not judged:
        return []
    grade = rubric.judge.grade if rubric.judge else "per-criterion"
    if grade == "all":
        return [tuple(judged)]
    if grade == "per-axis":
        groups: dict[str | None, list[ir.CriterionIR]] = {}
        for c in judged:
            groups.setdefault(c.axis, []).append(c)
        return [tuple(g) for g in groups.values()]
    return [(c,) for c in judged]


def _missing_message(rubric: ir.RubricIR, missing: list[str], have: set[str]) -> str:
    from rubricspec.diagnostics import did_you_mean

    parts = []
    for name in missing:
        guess = did_you_mean(name, have)
        parts.append(f"`{name}`" + (f" (the data has `{guess}`)" if guess else ""))
    columns = ", ".join(sorted(have)) or "none"
    text = (f"rubric {rubric.name} reads the input column{'s' if len(missing) > 1 else ''} {', '.join(parts)}, "
            f"which the data does not have. Columns given: {columns}.")
    if VERDICTS_COLUMN in missing:
        text += f" The replay judge reads recorded verdicts from the `{VERDICTS_COLUMN}` column."
    return text
