"""IR: the checked, resolved form of a rubric that the runtime executes.

In: built by ``rubricspec.compiler.lower`` from a validated spec.
Out: frozen dataclasses. Every name is resolved (input, param value,
criterion, axis, built-in variable, lambda parameter), every expression is
typed, criteria are in dependency order, and every node keeps the span of the
YAML it came from so that a run-time failure still points at a line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Union

from rubricspec.diagnostics import Span
from rubricspec.types import Type


@dataclass(frozen=True, slots=True)
class Range:
    """Bounds a number expression can take (for the compile-time scale check)."""

    low: float = -math.inf
    high: float = math.inf

    @property
    def known(self) -> bool:
        return not (math.isinf(self.low) and math.isinf(self.high))

    def within(self, other: "Range") -> bool:
        return other.low <= self.low and self.high <= other.high

    def union(self, other: "Range") -> "Range":
        return Range(min(self.low, other.low), max(self.high, other.high))

    def __str__(self) -> str:
        def show(v: float) -> str:
            return str(int(v)) if float(v).is_integer() else f"{v:g}"
        return f"{show(self.low)}..{show(self.high)}"


UNKNOWN = Range()


@dataclass(frozen=True, slots=True)
class Scale:
    low: float
    high: float
    #: both bounds are whole numbers: a judge must answer with a whole number
    integer: bool
    text: str

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def range(self) -> Range:
        return Range(self.low, self.high)


# --- typed expressions ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class E:
    type: Type
    span: Span
    range: Range


@dataclass(frozen=True, slots=True)
class Const(E):
    value: Any


@dataclass(frozen=True, slots=True)
class InputRef(E):
    name: str


@dataclass(frozen=True, slots=True)
class SampleVar(E):
    """``completion`` or ``prompt``: the text of the sample being scored."""

    name: str


@dataclass(frozen=True, slots=True)
class CriterionRef(E):
    id: str
    index: int


@dataclass(frozen=True, slots=True)
class AxisRef(E):
    """Weighted sum of one axis's criteria (without the axis weight)."""

    id: str
    terms: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class CriteriaList(E):
    """``criteria``: every criterion score, in the order written."""

    indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WeightedSum(E):
    """``weighted_sum``: each criterion times its weight and its axis's weight."""

    terms: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class Local(E):
    """A lambda parameter, stored in a slot while the lambda runs."""

    name: str
    slot: int


@dataclass(frozen=True, slots=True)
class ListOf(E):
    items: tuple["Expr", ...]


@dataclass(frozen=True, slots=True)
class Op(E):
    """Arithmetic, comparison, ``in``, unary minus and ``not``."""

    op: str
    args: tuple["Expr", ...]


@dataclass(frozen=True, slots=True)
class Logic(E):
    op: str  # "and" | "or"
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class Cond(E):
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"


@dataclass(frozen=True, slots=True)
class LambdaIR(E):
    slot: int
    param: str
    body: "Expr"


@dataclass(frozen=True, slots=True)
class Call(E):
    function: str
    args: tuple["Expr", ...]
    #: positions of arguments known at compile time
    constant: tuple[int, ...] = ()


Expr = Union[Const, InputRef, SampleVar, CriterionRef, AxisRef, CriteriaList, WeightedSum, Local, ListOf, Op,
             Logic, Cond, LambdaIR, Call]


def walk_ir(expr: "Expr"):
    """Every node of a typed expression, parents first (lambda bodies included)."""
    stack: list[Any] = [expr]
    while stack:
        node = stack.pop()
        yield node
        for name in ("args", "items"):
            stack.extend(getattr(node, name, ()) or ())
        for name in ("left", "right", "condition", "then", "otherwise", "body"):
            child = getattr(node, name, None)
            if child is not None:
                stack.append(child)


@dataclass(frozen=True, slots=True)
class CheckedExpression:
    """A checked expression with its source text (for explanations and the artifact)."""

    expr: Expr
    text: str
    canonical: str
    span: Span
    #: criterion ids this expression reads (directly)
    reads: frozenset[str] = frozenset()


# --- the rubric -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputIR:
    name: str
    type: Type
    type_name: str
    description: str | None
    #: used when the data lacks the column; None means the column is required
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True, slots=True)
class CriterionIR:
    id: str
    index: int
    title: str
    description: str | None
    axis: str | None
    kind: str  # "rule" | "ask" | "points"
    scale: Scale
    weight: float
    span: Span
    rule: CheckedExpression | None = None
    #: a yes/no rule is converted to 1/0
    rule_is_bool: bool = False
    ask: str | None = None
    points: float | None = None
    met: str | None = None

    @property
    def judged(self) -> bool:
        return self.kind in ("ask", "points")


@dataclass(frozen=True, slots=True)
class AxisIR:
    id: str
    title: str
    description: str | None
    weight: float
    criteria: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VetoIR:
    index: int
    when: CheckedExpression
    reward: CheckedExpression
    because: str
    span: Span


@dataclass(frozen=True, slots=True)
class JudgeIR:
    model: str
    grade: str
    temperature: float | None
    instructions: str | None


@dataclass(frozen=True, slots=True)
class FailurePolicy:
    """``skip`` (reward None), ``score`` (failed criterion gets ``value``) or ``reward`` (sample gets ``value``)."""

    mode: str
    value: float | None = None
    because: str | None = None


@dataclass(frozen=True)
class RubricIR:
    name: str
    title: str
    about: str | None
    inputs: tuple[InputIR, ...]
    params: dict[str, Any]
    #: in the order written (axis by axis, then ungrouped)
    criteria: tuple[CriterionIR, ...]
    #: indices of rule criteria in an order where every rule comes after what it reads
    rule_order: tuple[int, ...]
    axes: tuple[AxisIR, ...]
    reward: CheckedExpression
    vetoes: tuple[VetoIR, ...]
    judge: JudgeIR | None
    on_judge_failure: FailurePolicy
    variant: str | None
    variants: tuple[str, ...]
    files: tuple[str, ...]
    spec_data: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def judged(self) -> tuple[CriterionIR, ...]:
        return tuple(c for c in self.criteria if c.judged)

    def criterion(self, cid: str) -> CriterionIR:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)
