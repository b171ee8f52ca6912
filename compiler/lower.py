"""Lower: a validated, cross-checked rubric -> ``RubricIR``.

In: a ``Validated`` spec whose cross-field checks passed, the variant name and
the files it came from.
Out: the ``RubricIR`` (every expression parsed, resolved and type-checked;
rule criteria ordered by dependency) plus warnings, or ``SpecError`` with
every error found.
"""

from __future__ import annotations

from typing import Any

from rubricspec import ast
from rubricspec.diagnostics import Collector, Span
from rubricspec.loader import PathKey, YScalar, scalar_offset_span
from rubricspec.models import FailureReward, FailureScore, InputColumn, Param
from rubricspec.parser import ExpressionSyntaxError, parse_expression
from rubricspec.types import ANY, BOOL, NUMBER, parse_type

from rubricspec.compiler import ir
from rubricspec.compiler.checks import _criterion, criterion_paths, parse_scale
from rubricspec.compiler.typecheck import CriterionInfo, ExpressionChecker, Scope
from rubricspec.compiler.validate import Validated, render_path


class Lowering:
    def __init__(self, v: Validated, errors: Collector) -> None:
        self.v = v
        self.errors = errors
        self.spec = v.model

    # --- expressions ----------------------------------------------------

    def locate(self, path: PathKey):
        scalar = self.v.source_map.scalars.get(path)
        fallback = self.v.source_map.value(path)

        def locate(start: int, end: int) -> Span:
            if isinstance(scalar, YScalar) and isinstance(scalar.value, str):
                return scalar_offset_span(scalar, start, end)
            return fallback or Span("<unknown>", 1, 1)

        return locate

    def expression(self, path: PathKey, value: Any, scope: Scope) -> ir.CheckedExpression | None:
        text = value if isinstance(value, str) else _literal(value)
        locate = self.locate(path)
        try:
            tree = parse_expression(text)
        except ExpressionSyntaxError as err:
            self.errors.error("RS201", err.message, locate(err.start, err.end), render_path(path), err.hint)
            return None
        checker = ExpressionChecker(scope, text, locate, render_path(path), self.errors)
        typed = checker.check(tree)
        if typed is None:
            return None
        span = self.v.source_map.value(path) or Span("<unknown>", 1, 1)
        return ir.CheckedExpression(typed, text, ast.unparse(tree), span, frozenset(checker.reads))

    def constant_number(self, path: PathKey, value: Any, scope: Scope, what: str) -> float:
        if value is None:
            return 1.0
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        constant_scope = Scope(inputs={}, params=scope.params, allow_criteria=False)
        checked = self.expression(path, value, constant_scope)
        if checked is None:
            return 1.0
        if not isinstance(checked.expr, ir.Const) or checked.expr.type != NUMBER:
            self.errors.error("RS202", f"A {what} must be a number or a number param, known when the rubric is "
                              "compiled.", self.v.source_map.value(path), render_path(path),
                              "Write e.g. `weight: 0.5` or `weight: k` with `k` a param.")
            return 1.0
        return float(checked.expr.value)

    # --- the rubric -----------------------------------------------------

    def lower(self, variant: str | None, variants: tuple[str, ...], files: tuple[str, ...]) -> ir.RubricIR:
        spec = self.spec
        params = {name: (decl.default if isinstance(decl, Param) else decl) for name, decl in spec.params.items()}
        inputs = tuple(self.inputs())
        default_scale = parse_scale(spec.scale) or ir.Scale(0, 1, True, "0..1")
        scope = Scope(inputs={i.name: i.type for i in inputs}, params=params)

        infos: list[tuple[PathKey, str, str | None, ir.Scale, Any]] = []
        for index, (path, cid, axis) in enumerate(criterion_paths(spec)):
            c = _criterion(spec, path)
            if c.points is not None:
                low, high = sorted((0.0, float(c.points)))
                scale = ir.Scale(low, high, True, f"0 or {c.points}")
            else:
                scale = (parse_scale(c.scale) if c.scale else None) or default_scale
            key_span = self.v.source_map.key(path)
            scope.criteria[cid] = CriterionInfo(cid, index, scale, key_span.line if key_span else 0)
            infos.append((path, cid, axis, scale, c))

        weights: dict[str, float] = {}
        axis_weights: dict[str, float] = {}
        for axis_id, axis in spec.axes.items():
            axis_weights[axis_id] = self.constant_number(("axes", axis_id, "weight"), axis.weight, scope, "weight")
        for path, cid, axis, _, c in infos:
            weights[cid] = self.constant_number(path + ("weight",), c.weight, scope, "weight")
        for axis_id, axis in spec.axes.items():
            scope.axes[axis_id] = tuple((scope.criteria[cid].index, weights[cid]) for cid in axis.criteria)
        scope.weighted_terms = tuple(
            (scope.criteria[cid].index, weights[cid] * (axis_weights[axis] if axis else 1.0))
            for _, cid, axis, _, _ in infos)

        criteria: list[ir.CriterionIR] = []
        for path, cid, axis, scale, c in infos:
            criteria.append(self.criterion(path, cid, axis, scale, c, weights[cid], scope))

        reward = self.expression(("reward",), spec.reward if spec.reward is not None else "weighted_sum", scope)
        if reward is not None and reward.expr.type != NUMBER:
            self.type_error(("reward",), "The reward", reward)
        vetoes = []
        for i, veto in enumerate(spec.veto):
            when = self.expression(("veto", i, "when"), veto.when, scope)
            if when is not None and when.expr.type != BOOL:
                self.type_error(("veto", i, "when"), "A veto's `when`", when, BOOL)
            value = self.expression(("veto", i, "reward"), veto.reward, scope)
            if value is not None and value.expr.type != NUMBER:
                self.type_error(("veto", i, "reward"), "A veto's `reward`", value)
            if when is not None and value is not None:
                span = self.v.source_map.value(("veto", i)) or when.span
                vetoes.append(ir.VetoIR(i, when, value, veto.because, span))
                if isinstance(when.expr, ir.Const):
                    state = "always" if when.expr.value else "never"
                    self.errors.warning("RS402", f"This veto {state} fires: its `when` does not depend on the sample.",
                                        when.span, render_path(("veto", i, "when")))

        order = self.rule_order(criteria)
        self.errors.raise_if_errors()
        assert reward is not None
        judge = None
        if spec.judge is not None:
            j = spec.judge
            judge = ir.JudgeIR(j.model, j.grade, None if j.temperature is None else float(j.temperature), j.instructions)
        elif any(c.judged for c in criteria):
            judge = ir.JudgeIR("judge", "per-criterion", None, None)
        result = ir.RubricIR(
            name=spec.name, title=spec.title, about=spec.about, inputs=inputs, params=params,
            criteria=tuple(criteria), rule_order=order, axes=tuple(
                ir.AxisIR(a_id, a.title, a.description, axis_weights[a_id], tuple(a.criteria))
                for a_id, a in spec.axes.items()),
            reward=reward, vetoes=tuple(vetoes), judge=judge, on_judge_failure=_policy(spec.on_judge_failure),
            variant=variant, variants=variants, files=files, spec_data=self.v.data)
        self.warn_unused(result)
        return result

    def type_error(self, path: PathKey, what: str, checked: ir.CheckedExpression, wanted=NUMBER) -> None:
        from rubricspec.types import describe

        hint = ("Compare values to make a yes/no condition, e.g. `[CS-1] < 0`." if wanted == BOOL
                else "Turn a yes/no value into a number with `if <condition> then 1 else 0`.")
        self.errors.error("RS202", f"{what} must be {describe(wanted)}, but `{checked.text.strip()}` is "
                          f"{describe(checked.expr.type)}.", checked.span, render_path(path), hint)

    def inputs(self):
        for name, decl in self.spec.inputs.items():
            type_name = decl.type if isinstance(decl, InputColumn) else decl
            description = decl.description if isinstance(decl, InputColumn) else None
            default = decl.default if isinstance(decl, InputColumn) else None
            parsed = parse_type(type_name) or ANY  # reported by check_inputs
            yield ir.InputIR(name, parsed, type_name.replace(" ", ""), description, default, default is not None)

    def criterion(self, path: PathKey, cid: str, axis: str | None, scale: ir.Scale, c: Any, weight: float,
                  scope: Scope) -> ir.CriterionIR:
        index = scope.criteria[cid].index
        span = self.v.source_map.key(path) or Span("<unknown>", 1, 1)
        common = dict(id=cid, index=index, title=c.title, description=c.description, axis=axis, scale=scale,
                      weight=weight, span=span)
        if c.rule is not None:
            rule = self.expression(path + ("rule",), c.rule, scope)
            is_bool = False
            if rule is not None:
                is_bool = self.check_rule_scale(path, cid, rule, scale)
            return ir.CriterionIR(kind="rule", rule=rule, rule_is_bool=is_bool, **common)
        if c.points is not None:
            return ir.CriterionIR(kind="points", points=float(c.points), met=c.met.strip() if c.met else c.met, **common)
        return ir.CriterionIR(kind="ask", ask=c.ask.strip() if c.ask else c.ask, **common)

    def check_rule_scale(self, path: PathKey, cid: str, rule: ir.CheckedExpression, scale: ir.Scale) -> bool:
        where = render_path(path + ("rule",))
        t = rule.expr.type
        if t == BOOL:
            if not (scale.contains(0) and scale.contains(1)):
                self.errors.error("RS204", f"The rule of {cid} is a yes/no condition, which scores 1 or 0, but the "
                                  f"scale is {scale.text}.", rule.span, where,
                                  "Give the scores explicitly: `if <condition> then <high> else <low>`.")
            return True
        if t != NUMBER:
            from rubricspec.types import describe

            self.errors.error("RS202", f"The rule of {cid} must give a number on its scale {scale.text}, but it "
                              f"gives {describe(t)}.", rule.span, where,
                              "A rule can give a number, or a yes/no condition (scored 1 or 0).")
            return False
        rng = rule.expr.range
        if rng.high < scale.low or rng.low > scale.high:
            self.errors.error("RS204", f"The rule of {cid} always gives a value in {rng}, outside its scale "
                              f"{scale.text}.", rule.span, where, "Change the rule or the criterion's `scale:`.")
        elif rng.known and not rng.within(scale.range):
            self.errors.warning("RS204", f"The rule of {cid} can give values in {rng}, beyond its scale "
                                f"{scale.text}; a value outside the scale fails that sample (no reward) at run time.",
                                rule.span, where, "Bound it with `clamp(x, low, high)`, or widen the scale.")
        return False

    def rule_order(self, criteria: list[ir.CriterionIR]) -> tuple[int, ...]:
        by_id = {c.id: c for c in criteria}
        order: list[int] = []
        state: dict[str, int] = {}

        def visit(c: ir.CriterionIR, trail: list[str]) -> None:
            if state.get(c.id) == 2:
                return
            if state.get(c.id) == 1:
                cycle = trail[trail.index(c.id):] + [c.id]
                assert c.rule is not None
                self.errors.error("RS304", f"Criteria read each other in a cycle: {' -> '.join(cycle)}.",
                                  c.rule.span, render_path(_path_of(c) + ("rule",)),
                                  "A rule may read criteria computed before it, never itself (directly or not).")
                return
            state[c.id] = 1
            if c.rule is not None:
                for dep in sorted(c.rule.reads):
                    target = by_id[dep]
                    if target.kind == "rule":
                        visit(target, trail + [c.id])
            state[c.id] = 2
            if c.kind == "rule":
                order.append(c.index)

        for c in criteria:
            if c.kind == "rule" and state.get(c.id) != 2:
                visit(c, [])
        return tuple(order)

    def warn_unused(self, rubric: ir.RubricIR) -> None:
        by_index = {c.index: c for c in rubric.criteria}
        roots = [rubric.reward.expr] + [e for v in rubric.vetoes for e in (v.when.expr, v.reward.expr)]
        used = {cid for expr in roots for cid in _effective_reads(expr, by_index)}
        frontier = list(used)
        by_id = {c.id: c for c in rubric.criteria}
        while frontier:
            c = by_id[frontier.pop()]
            if c.rule is not None:
                for dep in _effective_reads(c.rule.expr, by_index) - used:
                    used.add(dep)
                    frontier.append(dep)
        for c in rubric.criteria:
            if c.id in used:
                continue
            cost = " It is still graded by the judge, which costs calls." if c.judged else ""
            reason = ("its weight is 0" if c.id in rubric.reward.reads
                      else "neither the reward nor any veto reads it")
            self.errors.warning("RS401", f"Criterion {c.id} cannot affect the reward: {reason}.{cost}", c.span,
                                render_path(_path_of(c)), "Use it in `reward:` or a veto, or remove it.")


def _effective_reads(expr: ir.Expr, by_index: dict[int, ir.CriterionIR]) -> set[str]:
    """Criteria whose score can change the value of ``expr`` (weight-0 terms excluded)."""
    out: set[str] = set()
    for node in ir.walk_ir(expr):
        if isinstance(node, ir.CriterionRef):
            out.add(node.id)
        elif isinstance(node, ir.CriteriaList):
            out.update(by_index[i].id for i in node.indices)
        elif isinstance(node, (ir.WeightedSum, ir.AxisRef)):
            out.update(by_index[i].id for i, w in node.terms if w != 0)
    return out


def _path_of(c: ir.CriterionIR) -> PathKey:
    return ("axes", c.axis, "criteria", c.id) if c.axis else ("criteria", c.id)


def _policy(policy: Any) -> ir.FailurePolicy:
    if isinstance(policy, FailureScore):
        return ir.FailurePolicy("score", float(policy.score))
    if isinstance(policy, FailureReward):
        return ir.FailurePolicy("reward", float(policy.reward), policy.because)
    return ir.FailurePolicy("skip")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
