"""Explain: one sample's score, criterion by criterion, with what each rule's functions returned.

In: a ``RewardProgram`` and one row (prompt, completion, columns).
Out: an ``Explanation`` (the ``Result`` plus, per rule, the calls it made and
their values) and ``render`` to print it for a clinician.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rubricspec.compiler import ir
from rubricspec.runtime.evaluate import MISSING, ClosureBuilder, EvalError, Missing, Sample
from rubricspec.runtime.program import Result, RewardProgram, completion_text, prompt_text


@dataclass
class Explanation:
    result: Result
    #: criterion id (or "reward", "veto[i]") -> [(call text, value)]
    traces: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)


def explain(program: RewardProgram, prompt: Any, completion: Any, columns: dict[str, Any]) -> Explanation:
    result = program.score(prompts=[prompt], completions=[completion],
                           **{k: [v] for k, v in columns.items()})[0]
    explanation = Explanation(result)
    text = completion_text(completion)
    if text is None or result.error and not result.criteria:
        return explanation
    rubric = program.rubric
    scores = [MISSING if result.criteria.get(c.id) is None else result.criteria[c.id] for c in rubric.criteria]
    row = dict(columns)
    for i in rubric.inputs:
        if i.name not in row and i.has_default:
            row[i.name] = i.default

    def trace(key: str, expr: ir.Expr) -> None:
        calls: list[tuple[str, Any]] = []
        builder = ClosureBuilder({c.index: c.id for c in rubric.criteria}, trace=calls)
        fn = builder.build(expr)
        sample = Sample(text, prompt_text(prompt), row, list(scores), builder.slots)
        try:
            fn(sample)
        except (Missing, EvalError, KeyError, TypeError):
            pass
        explanation.traces[key] = calls

    for c in rubric.criteria:
        if c.rule is not None:
            trace(c.id, c.rule.expr)
    for v in rubric.vetoes:
        trace(f"veto[{v.index}]", v.when.expr)
    trace("reward", rubric.reward.expr)
    return explanation


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    if isinstance(value, str):
        shown = value if len(value) <= 70 else value[:67] + "..."
        return '"' + shown.replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value[:8]) + (", ..." if len(value) > 8 else "") + "]"
    return str(value)


def render(program: RewardProgram, explanation: Explanation) -> str:
    rubric, result = program.rubric, explanation.result
    variant = f" (variant {rubric.variant})" if rubric.variant else ""
    lines = [f"rubric {rubric.name}{variant}: {rubric.title}"]
    reward = "none (no reward: the sample is skipped)" if result.reward is None else _value(float(result.reward))
    lines.append(f"reward: {reward}")
    if result.vetoed:
        lines.append(f"vetoed: {result.veto_reason}")
    if result.error:
        lines.append(f"problem: {result.error}")
    for c in rubric.criteria:
        score = result.criteria.get(c.id)
        shown = "none" if score is None else _value(float(score))
        where = f"{c.axis} › " if c.axis else ""
        lines.append("")
        lines.append(f"{where}{c.id}  {c.title}")
        lines.append(f"  score {shown} on {c.scale.text} ({c.kind}); {result.explanations.get(c.id, '')}")
        if c.rule is not None:
            lines.append(f"  rule: {c.rule.canonical}")
        if c.ask is not None:
            lines.append(f"  asked: {c.ask.strip()}")
        if c.met is not None:
            lines.append(f"  met if: {c.met}")
        for call, value in _dedupe(explanation.traces.get(c.id, [])):
            lines.append(f"    {call} = {_value(value)}")
    for v in rubric.vetoes:
        lines.append("")
        fired = result.vetoed and result.veto_rule == v.index
        lines.append(f"veto[{v.index}] {'FIRED' if fired else 'did not fire'}: when {v.when.canonical} "
                     f"-> {v.reward.canonical}")
    lines.append("")
    lines.append(f"reward = {rubric.reward.canonical}")
    return "\n".join(lines)


def _dedupe(calls: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    seen: set[str] = set()
    out = []
    for call, value in calls:
        if call in seen:
            continue
        seen.add(call)
        out.append((call, value))
    return out
