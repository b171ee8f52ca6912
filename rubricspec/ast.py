"""Expression AST: frozen dataclasses built by the parser.

In: nothing (plain data types).
Out: node classes. Every node has ``start``/``end``, character offsets into
the expression text, so a checker can point a caret at the exact operand.
``unparse`` prints an expression back in canonical form (used in artifacts
and explanations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Number(Node):
    value: int | float


@dataclass(frozen=True, slots=True)
class String(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class Name(Node):
    id: str


@dataclass(frozen=True, slots=True)
class Ref(Node):
    """``[CS-1]``: a criterion or axis written in brackets."""

    id: str


@dataclass(frozen=True, slots=True)
class ListExpr(Node):
    items: tuple["Expr", ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-", "+", "not"
    operand: "Expr"


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic (``+ - * / %``), comparison (``== != < <= > >=``), ``in``/``not in``."""

    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class Logic(Node):
    op: str  # "and" | "or"
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"


@dataclass(frozen=True, slots=True)
class Lambda(Node):
    param: str
    body: "Expr"


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: str
    args: tuple["Expr", ...]
    #: offsets of the function name, for "unknown function" carets
    name_end: int = 0


Expr = Union[Number, String, Bool, Name, Ref, ListExpr, Unary, Binary, Logic, If, Lambda, Call]

_PRECEDENCE = {"lambda": 0, "if": 1, "or": 2, "and": 3, "not": 4, "cmp": 5, "+": 6, "-": 6,
               "*": 7, "/": 7, "%": 7, "neg": 8, "atom": 9}
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">=", "in", "not in"}


def _level(node: Expr) -> int:
    if isinstance(node, Lambda):
        return _PRECEDENCE["lambda"]
    if isinstance(node, If):
        return _PRECEDENCE["if"]
    if isinstance(node, Logic):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return _PRECEDENCE["not"] if node.op == "not" else _PRECEDENCE["neg"]
    if isinstance(node, Binary):
        return _PRECEDENCE["cmp"] if node.op in _COMPARISONS else _PRECEDENCE[node.op]
    return _PRECEDENCE["atom"]


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value)) + ".0"
    return repr(value)


def unparse(node: Expr) -> str:
    """Canonical text of an expression; parsing it gives the same tree shape."""
    if isinstance(node, Number):
        return _number(node.value)
    if isinstance(node, String):
        return _quote(node.value)
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Ref):
        return f"[{node.id}]"
    if isinstance(node, ListExpr):
        inner = ", ".join(unparse(i) for i in node.items)
        # `[a]` would read back as a criterion reference: keep a lone name apart from the brackets
        return f"[ {inner} ]" if len(node.items) == 1 and isinstance(node.items[0], (Name, Bool)) else f"[{inner}]"
    if isinstance(node, Call):
        return f"{node.function}(" + ", ".join(unparse(a) for a in node.args) + ")"
    if isinstance(node, Lambda):
        return f"{node.param} => {unparse(node.body)}"
    level = _level(node)

    def wrap(child: Expr, min_level: int) -> str:
        text = unparse(child)
        return f"({text})" if _level(child) < min_level else text

    if isinstance(node, If):
        return f"if {unparse(node.condition)} then {unparse(node.then)} else {unparse(node.otherwise)}"
    if isinstance(node, Logic):
        return f"{wrap(node.left, level)} {node.op} {wrap(node.right, level + 1)}"
    if isinstance(node, Unary):
        if node.op == "not":
            return f"not {wrap(node.operand, level)}"
        return f"{node.op}{wrap(node.operand, level)}"
    assert isinstance(node, Binary)
    if node.op in _COMPARISONS:
        return f"{wrap(node.left, level + 1)} {node.op} {wrap(node.right, level + 1)}"
    return f"{wrap(node.left, level)} {node.op} {wrap(node.right, level + 1)}"


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Binary, Logic)):
        return (node.left, node.right)
    if isinstance(node, If):
        return (node.condition, node.then, node.otherwise)
    if isinstance(node, Lambda):
        return (node.body,)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Expr):
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
