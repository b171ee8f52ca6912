"""Evaluator: typed IR expressions -> Python closures over one sample.

In: an ``ir.Expr`` (checked by the compiler) and the built-in implementations.
Out: a function ``f(sample) -> value``. No source is generated and nothing is
``eval``-ed: each IR node becomes a small closure over its children's
closures, with constants prepared once (regexes compiled, tag lists built,
calls on constant arguments folded).

A criterion score that is not available (its judge verdict failed) raises
``Missing``; ``or`` and ``and`` survive it when the other side decides the
answer, as in CEL, so `[CS-1] < 0 or [IS-1] < 0` still fires on IS-1 when the
CS-1 verdict failed. A built-in's complaint about a value raises ``EvalError``
with the span of the call, which becomes a per-sample failure.
"""

from __future__ import annotations

import operator
from typing import Any, Callable

from rubricspec.diagnostics import Diagnostic, Span, SpecError
from rubricspec.compiler import ir
from rubricspec.runtime.functions import DYNAMIC, IMPLEMENTATIONS, FunctionError

Closure = Callable[["Sample"], Any]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


#: the score slot of a criterion whose verdict failed (or is not computed yet)
MISSING: Any = _Missing()
_UNSET: Any = object()


class Missing(Exception):
    """A criterion score needed by an expression is not available."""

    def __init__(self, criterion: str) -> None:
        super().__init__(criterion)
        self.criterion = criterion


class EvalError(Exception):
    """An expression could not be computed for this sample."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


class Sample:
    """What one expression evaluation reads: texts, input columns, scores, lambda slots."""

    __slots__ = ("completion", "prompt", "columns", "scores", "locals", "memo")

    def __init__(self, completion: str, prompt: str, columns: dict[str, Any], scores: list[Any],
                 slots: int, memo: int = 0) -> None:
        self.completion = completion
        self.prompt = prompt
        self.columns = columns
        self.scores = scores
        self.locals: list[Any] = [None] * slots
        #: values of calls that appear more than once in the rubric, computed once per sample
        self.memo: list[Any] = [_UNSET] * memo


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
            ">=": operator.ge}


class ClosureBuilder:
    """Builds closures for the expressions of one rubric.

    With ``trace`` set, every call records ``(text, value)`` into it: the
    explain command shows clinicians what each function returned.
    """

    def __init__(self, criterion_ids: dict[int, str], trace: list[tuple[str, Any]] | None = None,
                 shared: frozenset[str] = frozenset()) -> None:
        self.ids = criterion_ids
        self.trace = trace
        self.slots = 0
        #: texts of calls to compute once per sample (see ``shared_calls``)
        self.shared = shared
        self.memo_slots: dict[str, int] = {}
        self.path = ""
        self.context = ""

    def build_at(self, expr: ir.Expr, path: str) -> Closure:
        """Build ``expr``; a bad constant argument is reported at ``path`` (e.g. `criteria › A › rule`)."""
        self.path = path
        return self.build(expr)

    def build(self, expr: ir.Expr) -> Closure:
        return getattr(self, f"build_{type(expr).__name__}")(expr)

    def build_Const(self, e: ir.Const) -> Closure:
        value = e.value
        return lambda s: value

    def build_InputRef(self, e: ir.InputRef) -> Closure:
        name = e.name
        return lambda s: s.columns[name]

    def build_SampleVar(self, e: ir.SampleVar) -> Closure:
        if e.name == "completion":
            return lambda s: s.completion
        return lambda s: s.prompt

    def build_CriterionRef(self, e: ir.CriterionRef) -> Closure:
        index, cid = e.index, e.id

        def criterion(s: Sample) -> Any:
            value = s.scores[index]
            if value is MISSING:
                raise Missing(cid)
            return value

        return criterion

    def _weighted(self, terms: tuple[tuple[int, float], ...], ids: dict[int, str]) -> Closure:
        def total(s: Sample) -> float:
            acc = 0.0
            scores = s.scores
            for index, weight in terms:
                value = scores[index]
                if value is MISSING:
                    raise Missing(ids[index])
                acc += weight * value
            return acc

        return total

    def build_AxisRef(self, e: ir.AxisRef) -> Closure:
        return self._weighted(e.terms, self.ids)

    def build_WeightedSum(self, e: ir.WeightedSum) -> Closure:
        return self._weighted(e.terms, self.ids)

    def build_CriteriaList(self, e: ir.CriteriaList) -> Closure:
        indices, ids = e.indices, self.ids

        def scores(s: Sample) -> list[Any]:
            out = [s.scores[i] for i in indices]
            for i, value in zip(indices, out):
                if value is MISSING:
                    raise Missing(ids[i])
            return out

        return scores

    def build_Local(self, e: ir.Local) -> Closure:
        slot = e.slot
        self.slots = max(self.slots, slot + 1)
        return lambda s: s.locals[slot]

    def build_ListOf(self, e: ir.ListOf) -> Closure:
        items = [self.build(i) for i in e.items]
        if all(isinstance(i, ir.Const) for i in e.items):
            constant = [i.value for i in e.items]  # type: ignore[union-attr]
            return lambda s: constant
        return lambda s: [f(s) for f in items]

    def build_Op(self, e: ir.Op) -> Closure:
        args = [self.build(a) for a in e.args]
        op, span = e.op, e.span
        if op == "not":
            (a,) = args
            return lambda s: not a(s)
        if op == "neg":
            (a,) = args
            return lambda s: -a(s)
        left, right = args
        if op in _ARITH:
            fn = _ARITH[op]
            return lambda s: fn(left(s), right(s))
        if op in _COMPARE:
            fn = _COMPARE[op]
            return lambda s: fn(left(s), right(s))
        if op == "concat":
            return lambda s: left(s) + right(s)
        if op == "in":
            return lambda s: left(s) in right(s)
        if op == "not in":
            return lambda s: left(s) not in right(s)

        def divide(s: Sample) -> float:
            numerator, denominator = left(s), right(s)
            if denominator == 0:
                raise EvalError("division by zero", span)
            return numerator / denominator if op == "/" else numerator % denominator

        return divide

    def build_Logic(self, e: ir.Logic) -> Closure:
        left, right = self.build(e.left), self.build(e.right)
        if e.op == "or":
            def either(s: Sample) -> bool:
                try:
                    if left(s):
                        return True
                except Missing:
                    if right(s):
                        return True
                    raise
                return bool(right(s))

            return either

        def both(s: Sample) -> bool:
            try:
                if not left(s):
                    return False
            except Missing:
                if not right(s):
                    return False
                raise
            return bool(right(s))

        return both

    def build_Cond(self, e: ir.Cond) -> Closure:
        cond, then, other = self.build(e.condition), self.build(e.then), self.build(e.otherwise)
        return lambda s: then(s) if cond(s) else other(s)

    def build_LambdaIR(self, e: ir.LambdaIR) -> Closure:
        body, slot = self.build(e.body), e.slot
        self.slots = max(self.slots, slot + 1)

        def make(s: Sample) -> Callable[[Any], Any]:
            local = s.locals

            def fn(value: Any) -> Any:
                local[slot] = value
                return body(s)

            return fn

        return make

    def build_Call(self, e: ir.Call) -> Closure:
        impl = IMPLEMENTATIONS[e.function]
        args = [self.build(a) for a in e.args]
        constants = {i: a.value for i, a in enumerate(e.args) if isinstance(a, ir.Const)}
        constants.update({i: [x.value for x in a.items] for i, a in enumerate(e.args)  # type: ignore[union-attr]
                          if isinstance(a, ir.ListOf) and all(isinstance(x, ir.Const) for x in a.items)})
        try:
            if impl.specialize is not None:
                values = [constants.get(i, DYNAMIC) for i in range(len(args))]
                fn = impl.specialize(*values)
                args = [a for i, a in enumerate(args) if i not in constants]
            else:
                assert impl.call is not None
                fn = impl.call
                if len(constants) == len(args) and not any(isinstance(a, ir.LambdaIR) for a in e.args):
                    return self.build_Const(ir.Const(e.type, e.span, e.range, fn(*[constants[i] for i in range(len(args))])))
        except FunctionError as err:
            arg = e.args[err.argument] if err.argument is not None and err.argument < len(e.args) else None
            span = arg.span if arg is not None else e.span
            raise SpecError([Diagnostic("RS206", f"`{e.function}`: {err.message}", span, self.path,
                                        context=self.context)]) from None
        call = _call_closure(fn, args, e.span, e.function)
        if self.trace is None and self.shared:
            text = show(e)
            if text in self.shared:
                return self._memoised(call, self.memo_slots.setdefault(text, len(self.memo_slots)))
        if self.trace is None:
            return call
        trace, text = self.trace, show(e)

        def traced(s: Sample) -> Any:
            value = call(s)
            trace.append((text, value))
            return value

        return traced


    @staticmethod
    def _memoised(call: Closure, slot: int) -> Closure:
        def memoised(s: Sample) -> Any:
            value = s.memo[slot]
            if value is _UNSET:
                value = s.memo[slot] = call(s)
            return value

        return memoised


def shared_calls(expressions: list[ir.Expr]) -> frozenset[str]:
    """Calls written more than once across a rubric's expressions (e.g. `tag_text(completion, "dx")` in
    three criteria), outside lambdas: computing each once per sample saves repeated work."""
    counts: dict[str, int] = {}
    for root in expressions:
        stack: list[Any] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, ir.LambdaIR):
                continue  # its calls depend on the lambda's parameter
            if isinstance(node, ir.Call) and not any(isinstance(a, ir.LambdaIR) for a in node.args):
                text = show(node)
                counts[text] = counts.get(text, 0) + 1
            for name in ("args", "items"):
                stack.extend(getattr(node, name, ()) or ())
            for name in ("left", "right", "condition", "then", "otherwise"):
                child = getattr(node, name, None)
                if child is not None:
                    stack.append(child)
    return frozenset(text for text, n in counts.items() if n > 1)


def _call_closure(fn: Callable[..., Any], args: list[Closure], span: Span, name: str) -> Closure:
    def fail(err: FunctionError) -> EvalError:
        return EvalError(f"{name}: {err.message}", span)

    if len(args) == 0:
        def call0(s: Sample) -> Any:
            try:
                return fn()
            except FunctionError as err:
                raise fail(err) from None
        return call0
    if len(args) == 1:
        (a,) = args

        def call1(s: Sample) -> Any:
            try:
                return fn(a(s))
            except FunctionError as err:
                raise fail(err) from None
        return call1
    if len(args) == 2:
        a, b = args

        def call2(s: Sample) -> Any:
            try:
                return fn(a(s), b(s))
            except FunctionError as err:
                raise fail(err) from None
        return call2

    def calln(s: Sample) -> Any:
        try:
            return fn(*[f(s) for f in args])
        except FunctionError as err:
            raise fail(err) from None
    return calln


def show(e: ir.Expr) -> str:
    """Readable text of an IR expression (for traces and explanations)."""
    if isinstance(e, ir.Const):
        v = e.value
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace('"', '\\"') + '"'
        return repr(v) if isinstance(v, float) and not v.is_integer() else str(v)
    if isinstance(e, (ir.InputRef, ir.SampleVar, ir.Local)):
        return e.name
    if isinstance(e, ir.CriterionRef):
        return f"[{e.id}]"
    if isinstance(e, ir.AxisRef):
        return f"[{e.id}]"
    if isinstance(e, ir.CriteriaList):
        return "criteria"
    if isinstance(e, ir.WeightedSum):
        return "weighted_sum"
    if isinstance(e, ir.ListOf):
        return "[" + ", ".join(show(i) for i in e.items) + "]"
    if isinstance(e, ir.Call):
        return f"{e.function}(" + ", ".join(show(a) for a in e.args) + ")"
    if isinstance(e, ir.LambdaIR):
        return f"{e.param} => {show(e.body)}"
    if isinstance(e, ir.Cond):
        return f"if {show(e.condition)} then {show(e.then)} else {show(e.otherwise)}"
    if isinstance(e, ir.Logic):
        return f"({show(e.left)} {e.op} {show(e.right)})"
    if isinstance(e, ir.Op):
        if e.op == "not":
            return f"not {show(e.args[0])}"
        if e.op == "neg":
            return f"-{show(e.args[0])}"
        symbol = "+" if e.op == "concat" else e.op
        return f"({show(e.args[0])} {symbol} {show(e.args[1])})"
    return "?"

