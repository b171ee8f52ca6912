"""Type checker: expression AST + the names a rubric declares -> typed IR, with diagnostics.

In: an ``ast.Expr``, a ``Scope`` (inputs, params, criteria, axes), a function
mapping expression offsets to source spans, and a ``Collector``.
Out: an ``ir.Expr`` (names resolved, params folded to constants, each node
typed and bounded) or None when the expression has errors, which are all
reported, not just the first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from rubricspec import ast
from rubricspec.diagnostics import Collector, Span, did_you_mean
from rubricspec.signatures import SIGNATURES, Fn, Overload, Signature, T
from rubricspec.types import ANY, BOOL, NUMBER, TEXT, Type, compatible, describe, list_of

from rubricspec.compiler import ir

SAMPLE_VARS = {"completion": TEXT, "prompt": TEXT}
AGGREGATE_VARS = ("criteria", "weighted_sum")
#: names people reach for from other languages, and the built-in that does it
FUNCTION_ALIASES = {"len": "chars` or `count", "length": "chars", "lenght": "chars", "size": "count",
                    "word_count": "words", "search": "matches", "re_search": "matches", "findall": "regex_count",
                    "contains_tag": "has_tag", "lowercase": "lower", "strip": "trim", "avg": "sum(...) / count",
                    "mean": "sum(...) / count"}
KEYWORDS = {"if", "then", "else", "and", "or", "not", "in", "true", "false"}


@dataclass
class CriterionInfo:
    id: str
    index: int
    scale: ir.Scale
    line: int


@dataclass
class Scope:
    inputs: dict[str, Type] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    criteria: dict[str, CriterionInfo] = field(default_factory=dict)
    #: axis id -> (criterion index, criterion weight) terms
    axes: dict[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    #: (criterion index, weight x axis weight) for ``weighted_sum``
    weighted_terms: tuple[tuple[int, float], ...] = ()
    #: the expression may read criterion scores (false in weights)
    allow_criteria: bool = True

    def names(self) -> list[str]:
        bare = [c for c in self.criteria if "-" not in c]
        return [*self.inputs, *self.params, *bare, *self.axes, *SAMPLE_VARS, *AGGREGATE_VARS]


def _param_type(value: Any) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    return TEXT


class ExpressionChecker:
    def __init__(self, scope: Scope, text: str, locate: Callable[[int, int], Span], path: str,
                 errors: Collector) -> None:
        self.scope = scope
        self.text = text
        self.locate = locate
        self.path = path
        self.errors = errors
        self.locals: dict[str, ir.Local] = {}
        self.next_slot = 0
        self.reads: set[str] = set()
        self.failed = False

    # --- helpers --------------------------------------------------------

    def span(self, node: ast.Node) -> Span:
        return self.locate(node.start, node.end)

    def error(self, code: str, message: str, node: ast.Node, hint: str = "", end: int | None = None) -> None:
        self.failed = True
        span = self.locate(node.start, end if end is not None else node.end)
        self.errors.error(code, message, span, self.path, hint)

    def source(self, node: ast.Node) -> str:
        return self.text[node.start:node.end]

    # --- entry ----------------------------------------------------------

    def check(self, node: ast.Expr) -> ir.Expr | None:
        result = self.visit(node)
        return None if self.failed else result

    def visit(self, node: ast.Expr) -> ir.Expr | None:
        method = getattr(self, f"visit_{type(node).__name__}")
        return method(node)

    # --- atoms ----------------------------------------------------------

    def visit_Number(self, node: ast.Number) -> ir.Expr:
        return ir.Const(NUMBER, self.span(node), ir.Range(node.value, node.value), node.value)

    def visit_String(self, node: ast.String) -> ir.Expr:
        return ir.Const(TEXT, self.span(node), ir.UNKNOWN, node.value)

    def visit_Bool(self, node: ast.Bool) -> ir.Expr:
        return ir.Const(BOOL, self.span(node), ir.UNKNOWN, node.value)

    def visit_Name(self, node: ast.Name) -> ir.Expr | None:
        name, span, scope = node.id, self.span(node), self.scope
        if name in self.locals:
            local = self.locals[name]
            return ir.Local(local.type, span, local.range, name, local.slot)
        if name in scope.inputs:
            return ir.InputRef(scope.inputs[name], span, ir.UNKNOWN, name)
        if name in scope.params:
            value = scope.params[name]
            rng = ir.Range(value, value) if _param_type(value) == NUMBER else ir.UNKNOWN
            return ir.Const(_param_type(value), span, rng, value)
        if name in SAMPLE_VARS:
            return ir.SampleVar(SAMPLE_VARS[name], span, ir.UNKNOWN, name)
        if name in scope.criteria or name in scope.axes or name in AGGREGATE_VARS:
            return self.score_reference(node, name)
        suggestion = did_you_mean(name, scope.names() + list(self.locals))
        if name in SIGNATURES:
            self.error("RS302", f"`{name}` is a function; call it with arguments, e.g. `{name}(...)`.", node)
            return None
        hint = f"Did you mean `{suggestion}`? " if suggestion else \
            f"If you meant the text {name}, put it in quotes: \"{name}\". "
        if name.lower() in KEYWORDS:
            hint = f"Keywords are lower case: write `{name.lower()}`. "
        known = ", ".join(scope.names())
        hint += f"Names you can use here: {known}." if known else ""
        self.error("RS302", f"`{name}` is not an input, param, criterion or built-in name of this rubric.", node,
                   hint.strip())
        return None

    def visit_Ref(self, node: ast.Ref) -> ir.Expr | None:
        if node.id in self.scope.criteria or node.id in self.scope.axes:
            return self.score_reference(node, node.id)
        self.unknown_criterion(node, node.id)
        return None

    def unknown_criterion(self, node: ast.Node, cid: str) -> None:
        criteria = self.scope.criteria
        guess = did_you_mean(cid, list(criteria) + list(self.scope.axes))
        hint = ""
        if guess in criteria:
            hint = f"Did you mean {guess} (line {criteria[guess].line})? "
        elif guess:
            hint = f"Did you mean axis {guess}? "
        hint += f"Criteria: {', '.join(criteria)}" if criteria else "This rubric has no criteria yet."
        owner = "The veto" if self.path.startswith("veto") else "This expression"
        self.error("RS301", f"{owner} refers to criterion {cid}, but this rubric has no criterion {cid}.",
                   node, hint)

    def score_reference(self, node: ast.Node, name: str) -> ir.Expr | None:
        scope, span = self.scope, self.span(node)
        if not scope.allow_criteria:
            self.error("RS302", f"`{name}` is a score; scores cannot be used here, only numbers and params.", node)
            return None
        if name in scope.criteria:
            info = scope.criteria[name]
            self.reads.add(name)
            return ir.CriterionRef(NUMBER, span, info.scale.range, name, info.index)
        if name in scope.axes:
            terms = scope.axes[name]
            self.reads.update(self.ids_of(terms))
            return ir.AxisRef(NUMBER, span, self.sum_range(terms), name, terms)
        indices = tuple(info.index for info in scope.criteria.values())
        self.reads.update(scope.criteria)
        if name == "criteria":
            low = min((i.scale.low for i in scope.criteria.values()), default=0)
            high = max((i.scale.high for i in scope.criteria.values()), default=0)
            return ir.CriteriaList(list_of(NUMBER), span, ir.Range(low, high), indices)
        return ir.WeightedSum(NUMBER, span, self.sum_range(scope.weighted_terms), scope.weighted_terms)

    def ids_of(self, terms: tuple[tuple[int, float], ...]) -> set[str]:
        wanted = {i for i, _ in terms}
        return {cid for cid, info in self.scope.criteria.items() if info.index in wanted}

    def sum_range(self, terms: tuple[tuple[int, float], ...]) -> ir.Range:
        scales = {info.index: info.scale for info in self.scope.criteria.values()}
        low = high = 0.0
        for index, weight in terms:
            a, b = scales[index].low * weight, scales[index].high * weight
            low += min(a, b)
            high += max(a, b)
        return ir.Range(low, high)

    def visit_ListExpr(self, node: ast.ListExpr) -> ir.Expr | None:
        items = [self.visit(i) for i in node.items]
        if any(i is None for i in items):
            return None
        elem = ANY
        for item, source in zip(items, node.items):
            assert item is not None
            if elem == ANY:
                elem = item.type
            elif not compatible(elem, item.type):
                self.error("RS202", f"A list holds values of one type: this item is {describe(item.type)}, "
                           f"the first is {describe(elem)}.", source)
                return None
        return ir.ListOf(list_of(elem), self.span(node), ir.UNKNOWN, tuple(items))  # type: ignore[arg-type]

    # --- operators ------------------------------------------------------

    def expect(self, node: ast.Expr, value: ir.Expr | None, wanted: Type, role: str) -> bool:
        if value is None:
            return False
        if not compatible(wanted, value.type):
            self.error("RS202", f"{role} must be {describe(wanted)}, but `{self.source(node)}` is "
                       f"{describe(value.type)}.", node, _conversion_hint(wanted, value.type))
            return False
        return True

    def visit_Unary(self, node: ast.Unary) -> ir.Expr | None:
        operand = self.visit(node.operand)
        span = self.span(node)
        if node.op == "not":
            if not self.expect(node.operand, operand, BOOL, "The value after `not`"):
                return None
            return ir.Op(BOOL, span, ir.UNKNOWN, "not", (operand,))  # type: ignore[arg-type]
        if not self.expect(node.operand, operand, NUMBER, f"The value after `{node.op}`"):
            return None
        assert operand is not None
        if node.op == "+":
            return operand
        rng = ir.Range(-operand.range.high, -operand.range.low)
        if isinstance(operand, ir.Const):
            return ir.Const(NUMBER, span, rng, -operand.value)
        return ir.Op(NUMBER, span, rng, "neg", (operand,))

    def visit_Binary(self, node: ast.Binary) -> ir.Expr | None:
        if node.op == "-":
            squeezed = self.source(node).replace(" ", "")
            if squeezed in self.scope.criteria:
                self.failed = True
                self.errors.error(
                    "RS301", f"`{self.source(node)}` reads as `{squeezed.split('-')[0]}` minus "
                    f"`{'-'.join(squeezed.split('-')[1:])}`.", self.span(node), self.path,
                    f"Write criterion ids that contain `-` in brackets: `[{squeezed}]`.")
                return None
        left, right = self.visit(node.left), self.visit(node.right)
        if left is None or right is None:
            return None
        span, op = self.span(node), node.op
        if op in ("in", "not in"):
            return self.membership(node, left, right)
        if op in ("==", "!="):
            if not (compatible(left.type, right.type)):
                self.error("RS202", f"`{op}` compares values of one type, but the left side is "
                           f"{describe(left.type)} and the right side is {describe(right.type)}.", node,
                           _conversion_hint(left.type, right.type))
                return None
            return ir.Op(BOOL, span, ir.UNKNOWN, op, (left, right))
        if op in ("<", "<=", ">", ">="):
            if left.type == TEXT and right.type == TEXT:
                return ir.Op(BOOL, span, ir.UNKNOWN, op, (left, right))
            ok = self.expect(node.left, left, NUMBER, f"The left side of `{op}`")
            ok = self.expect(node.right, right, NUMBER, f"The right side of `{op}`") and ok
            return ir.Op(BOOL, span, ir.UNKNOWN, op, (left, right)) if ok else None
        if op == "+" and left.type == TEXT and right.type == TEXT:
            return ir.Op(TEXT, span, ir.UNKNOWN, "concat", (left, right))
        ok = self.expect(node.left, left, NUMBER, f"The left side of `{op}`")
        ok = self.expect(node.right, right, NUMBER, f"The right side of `{op}`") and ok
        if not ok:
            return None
        if op in ("/", "%") and isinstance(right, ir.Const) and right.value == 0:
            self.error("RS202", f"`{self.source(node)}` divides by zero.", node.right)
            return None
        rng = _arith_range(op, left.range, right.range)
        if isinstance(left, ir.Const) and isinstance(right, ir.Const):
            value = _fold(op, left.value, right.value)
            return ir.Const(NUMBER, span, ir.Range(value, value), value)
        return ir.Op(NUMBER, span, rng, op, (left, right))

    def membership(self, node: ast.Binary, left: ir.Expr, right: ir.Expr) -> ir.Expr | None:
        ok = (right.type == TEXT and left.type == TEXT) or (
            right.type.is_list and right.type.elem is not None and compatible(right.type.elem, left.type))
        if not ok:
            self.error("RS202", f"`{node.op}` checks a value against a list of such values (or a text inside a "
                       f"text), but here the left side is {describe(left.type)} and the right side is "
                       f"{describe(right.type)}.", node)
            return None
        return ir.Op(BOOL, self.span(node), ir.UNKNOWN, node.op, (left, right))

    def visit_Logic(self, node: ast.Logic) -> ir.Expr | None:
        left, right = self.visit(node.left), self.visit(node.right)
        ok = self.expect(node.left, left, BOOL, f"Each side of `{node.op}`")
        ok = self.expect(node.right, right, BOOL, f"Each side of `{node.op}`") and ok
        if not ok:
            return None
        return ir.Logic(BOOL, self.span(node), ir.UNKNOWN, node.op, left, right)  # type: ignore[arg-type]

    def visit_If(self, node: ast.If) -> ir.Expr | None:
        cond = self.visit(node.condition)
        then, other = self.visit(node.then), self.visit(node.otherwise)
        ok = self.expect(node.condition, cond, BOOL, "The condition after `if`")
        if then is None or other is None or not ok:
            return None
        if not compatible(then.type, other.type):
            self.error("RS202", f"Both branches of `if` must give the same type, but `then` gives "
                       f"{describe(then.type)} and `else` gives {describe(other.type)}.", node.otherwise)
            return None
        result_type = then.type if then.type != ANY else other.type
        if isinstance(cond, ir.Const):
            return then if cond.value else other
        return ir.Cond(result_type, self.span(node), then.range.union(other.range), cond, then, other)  # type: ignore[arg-type]

    def visit_Lambda(self, node: ast.Lambda) -> ir.Expr | None:
        self.error("RS202", "A function written with `=>` can only be an argument of a list built-in such as "
                   "`any`, `all`, `count`, `fraction` or `sum`.", node,
                   "For example: fraction(students, name => mentions(completion, name)).")
        return None

    # --- calls ----------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> ir.Expr | None:
        signature = SIGNATURES.get(node.function)
        if signature is None:
            guess = FUNCTION_ALIASES.get(node.function.lower()) or did_you_mean(node.function, SIGNATURES)
            hint = f"Did you mean `{guess}`? " if guess else ""
            hint += "The built-in functions are listed in docs/functions.md."
            self.error("RS303", f"There is no function `{node.function}`.", node, hint, end=node.name_end)
            for arg in node.args:
                if not isinstance(arg, ast.Lambda):
                    self.visit(arg)
            return None
        plain = [None if isinstance(a, ast.Lambda) else self.visit(a) for a in node.args]
        if any(p is None for p, a in zip(plain, node.args) if not isinstance(a, ast.Lambda)):
            return None
        candidates = [o for o in signature.overloads if _arity_ok(o, len(node.args))]
        if not candidates:
            self.wrong_arguments(node, signature, f"`{node.function}` does not take {len(node.args)} "
                                 f"argument{'s' if len(node.args) != 1 else ''}.")
            return None
        mismatch: str | None = None
        for overload in candidates:
            result = self.try_overload(node, signature, overload, plain, report=len(candidates) == 1)
            if isinstance(result, str):
                mismatch = result
                continue
            return result
        if len(candidates) > 1:
            self.wrong_arguments(node, signature, mismatch or f"These arguments do not fit `{node.function}`.")
        return None

    def wrong_arguments(self, node: ast.Call, signature: Signature, message: str) -> None:
        forms = "\n".join(f"  {o.render(signature.name)}" for o in signature.overloads)
        self.error("RS203", message, node, f"`{signature.name}` is called as:\n{forms}")

    def try_overload(self, node: ast.Call, signature: Signature, overload: Overload,
                     plain: list[ir.Expr | None], report: bool) -> ir.Expr | str | None:
        binding: dict[str, Type] = {}
        args: list[ir.Expr] = []
        constant: list[int] = []
        params = _expand(overload, len(node.args))
        for position, (param, arg_node, value) in enumerate(zip(params, node.args, plain)):
            label = _ordinal(position)
            if isinstance(param, Fn):
                if not isinstance(arg_node, ast.Lambda):
                    message = (f"The {label} argument of `{signature.name}` must be a function such as "
                               f"`x => ...`, but `{self.source(arg_node)}` is {describe(value.type) if value else 'a value'}.")
                    if report:
                        self.error("RS202", message, arg_node, f"Called as {overload.render(signature.name)}.")
                        return None
                    return message
                lowered = self.check_lambda(arg_node, _bind(param.param, binding), _bind(param.returns, binding),
                                            signature.name)
                if lowered is None:
                    return None
                args.append(lowered)
                continue
            if isinstance(arg_node, ast.Lambda):
                message = f"The {label} argument of `{signature.name}` must be a value, not a function with `=>`."
                if report:
                    self.error("RS202", message, arg_node, f"Called as {overload.render(signature.name)}.")
                    return None
                return message
            assert value is not None
            if not _unify(param, value.type, binding):
                wanted = _bind(param, binding)
                message = (f"The {label} argument of `{signature.name}` must be {describe(wanted)}, but "
                           f"`{self.source(arg_node)}` is {describe(value.type)}.")
                if report:
                    self.error("RS202", message, arg_node, f"Called as {overload.render(signature.name)}.")
                    return None
                return message
            index = min(position, len(overload.params) - 1)
            if index in overload.constant:
                if not _is_constant(value):
                    message = (f"The {label} argument of `{signature.name}` must be known when the rubric is "
                               f"compiled (written in quotes or a param), but `{self.source(arg_node)}` "
                               "changes from sample to sample.")
                    self.error("RS205", message, arg_node,
                               "Patterns, tag names and similar settings are fixed per rubric so that they "
                               "are checked once.")
                    return None
                constant.append(position)
            args.append(value)
        returns = _bind(overload.returns, binding)
        rng = _call_range(signature, args)
        return ir.Call(returns, self.span(node), rng, signature.name, tuple(args), tuple(constant))

    def check_lambda(self, node: ast.Lambda, param_type: Type, return_type: Type, fname: str) -> ir.Expr | None:
        if node.param in self.scope.names() and node.param not in self.locals:
            self.error("RS305", f"The name `{node.param}` is already used by this rubric; pick another name for "
                       "the function's parameter.", node, end=node.start + len(node.param))
            return None
        slot = self.next_slot
        self.next_slot += 1
        previous = self.locals.get(node.param)
        self.locals[node.param] = ir.Local(param_type, self.span(node), ir.UNKNOWN, node.param, slot)
        body = self.visit(node.body)
        if previous is None:
            del self.locals[node.param]
        else:
            self.locals[node.param] = previous
        if body is None:
            return None
        if not compatible(return_type, body.type):
            self.error("RS202", f"The function given to `{fname}` must give {describe(return_type)}, but "
                       f"`{self.source(node.body)}` gives {describe(body.type)}.", node.body)
            return None
        return ir.LambdaIR(body.type, self.span(node), body.range, slot, node.param, body)


# --- typing helpers -----------------------------------------------------------


def _ordinal(position: int) -> str:
    return ["first", "second", "third", "fourth", "fifth"][position] if position < 5 else f"#{position + 1}"


def _arity_ok(overload: Overload, count: int) -> bool:
    if overload.variadic:
        return count >= len(overload.params)
    return count == len(overload.params)


def _expand(overload: Overload, count: int) -> list[Any]:
    params = list(overload.params)
    while len(params) < count:
        params.append(overload.params[-1])
    return params


def _bind(t: Type, binding: dict[str, Type]) -> Type:
    if t == T:
        return binding.get("T", ANY)
    if t.is_list and t.elem is not None:
        return list_of(_bind(t.elem, binding))
    return t


def _unify(param: Type, actual: Type, binding: dict[str, Type]) -> bool:
    if param == T:
        bound = binding.get("T")
        if bound is None or bound == ANY:
            binding["T"] = actual
            return True
        return compatible(bound, actual)
    if param.is_list:
        if not actual.is_list:
            return actual == ANY
        assert param.elem is not None and actual.elem is not None
        return _unify(param.elem, actual.elem, binding)
    return compatible(param, actual)


def _is_constant(value: ir.Expr) -> bool:
    if isinstance(value, ir.Const):
        return True
    if isinstance(value, ir.ListOf):
        return all(_is_constant(i) for i in value.items)
    return False


def _fold(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return a % b


def _arith_range(op: str, a: ir.Range, b: ir.Range) -> ir.Range:
    if op == "+":
        return ir.Range(a.low + b.low, a.high + b.high)
    if op == "-":
        return ir.Range(a.low - b.high, a.high - b.low)
    if op == "*":
        products = []
        for x in (a.low, a.high):
            for y in (b.low, b.high):
                products.append(0.0 if (x == 0 or y == 0) else x * y)
        return ir.Range(min(products), max(products))
    if op == "/" and (b.low > 0 or b.high < 0):
        quotients = [x / y for x in (a.low, a.high) for y in (b.low, b.high)
                     if not (math.isinf(x) and math.isinf(y))]
        if len(quotients) == 4:
            return ir.Range(min(quotients), max(quotients))
    return ir.UNKNOWN


def _call_range(signature: Signature, args: list[ir.Expr]) -> ir.Range:
    name = signature.name
    numbers = [a.range for a in args if a.type == NUMBER]
    if name == "clamp" and len(args) == 3 and all(isinstance(a, ir.Const) for a in args[1:]):
        return ir.Range(args[1].value, args[2].value)  # type: ignore[attr-defined]
    if name in ("min", "max") and numbers and len(numbers) == len(args):
        pick = min if name == "min" else max
        return ir.Range(pick(r.low for r in numbers), pick(r.high for r in numbers))
    if name == "abs" and numbers:
        r = numbers[0]
        high = max(abs(r.low), abs(r.high))
        low = 0.0 if r.low <= 0 <= r.high else min(abs(r.low), abs(r.high))
        return ir.Range(low, high)
    if signature.result_range is not None:
        return ir.Range(*signature.result_range)
    return ir.UNKNOWN


def _conversion_hint(wanted: Type, actual: Type) -> str:
    if wanted == NUMBER and actual == BOOL:
        return "Turn a yes/no value into a number with `if <condition> then 1 else 0`."
    if wanted == BOOL and actual == NUMBER:
        return "Compare the number to make a yes/no value, e.g. `[CS-1] < 0`."
    if actual.is_list and not wanted.is_list:
        return "Reduce the list first, e.g. with `count(...)`, `any(...)` or `join(..., \", \")`."
    return ""
