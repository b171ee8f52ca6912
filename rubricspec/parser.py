"""Parser: expression text -> AST, or a positioned, friendly syntax error.

In: the text of one expression (a rule, a veto's `when`, the reward...).
Out: an ``ast.Expr`` tree, or ``ExpressionSyntaxError`` with the character
offset of the problem and a message that says the fix ("use `and`, not `&&`").

The grammar lives in ``expression.lark`` (LALR, positions propagated). Known
mistakes are recognised with Lark's ``match_examples``; the rest fall back to
a message built from the tokens the parser expected.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from rubricspec import ast

MAX_EXPRESSION_CHARS = 20_000
MAX_NESTING = 200

_GRAMMAR = Path(__file__).with_name("expression.lark")


class ExpressionSyntaxError(Exception):
    def __init__(self, message: str, start: int, end: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end if end is not None else start + 1
        self.hint = hint


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR.read_text(encoding="utf-8"), parser="lalr", propagate_positions=True,
                maybe_placeholders=True)


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    simple = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
            else:
                # keep unknown escapes (regexes such as \d, \b) as written
                out.append(ch + nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _pos(meta) -> tuple[int, int]:
    return meta.start_pos, meta.end_pos


@v_args(meta=True)
class _Builder(Transformer):
    def number(self, meta, children):
        text = str(children[0])
        value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        if isinstance(value, float) and math.isinf(value) or isinstance(value, int) and value > 10**300:
            raise ExpressionSyntaxError(f"The number {text} is too large.", meta.start_pos, meta.end_pos)
        return ast.Number(*_pos(meta), value)

    def string(self, meta, children):
        return ast.String(*_pos(meta), _unescape(str(children[0])[1:-1]))

    def true(self, meta, children):
        return ast.Bool(*_pos(meta), True)

    def false(self, meta, children):
        return ast.Bool(*_pos(meta), False)

    def name(self, meta, children):
        return ast.Name(*_pos(meta), str(children[0]))

    def ref(self, meta, children):
        return ast.Ref(*_pos(meta), str(children[0])[1:-1])

    def list_expr(self, meta, children):
        items = tuple(c for c in children if c is not None)
        return ast.ListExpr(*_pos(meta), items)

    def call(self, meta, children):
        name_token: Token = children[0]
        args = children[1] if len(children) > 1 and children[1] is not None else ()
        return ast.Call(*_pos(meta), str(name_token), tuple(args), name_token.end_pos)

    def arguments(self, meta, children):
        return tuple(children)

    def lambda_expr(self, meta, children):
        return ast.Lambda(*_pos(meta), str(children[0]), children[1])

    def if_expr(self, meta, children):
        return ast.If(*_pos(meta), children[0], children[1], children[2])

    def or_expr(self, meta, children):
        return ast.Logic(*_pos(meta), "or", children[0], children[1])

    def and_expr(self, meta, children):
        return ast.Logic(*_pos(meta), "and", children[0], children[1])

    def not_expr(self, meta, children):
        return ast.Unary(*_pos(meta), "not", children[0])

    def neg(self, meta, children):
        return ast.Unary(*_pos(meta), "-", children[0])

    def pos(self, meta, children):
        return ast.Unary(*_pos(meta), "+", children[0])

    def compare(self, meta, children):
        return ast.Binary(*_pos(meta), str(children[1]), children[0], children[2])

    def in_expr(self, meta, children):
        return ast.Binary(*_pos(meta), "in", children[0], children[1])

    def not_in_expr(self, meta, children):
        return ast.Binary(*_pos(meta), "not in", children[0], children[1])

    def _arith(op):  # noqa: N805 - builds one method per operator
        def method(self, meta, children):
            return ast.Binary(*_pos(meta), op, children[0], children[1])
        return method

    add = _arith("+")
    sub = _arith("-")
    mul = _arith("*")
    div = _arith("/")
    mod = _arith("%")


#: Known mistakes, recognised by the parser state they leave it in.
_EXAMPLES: dict[str, list[str]] = {
    "The condition is missing `then`: write `if <condition> then <value> else <value>`.": [
        "if a b", "if a > 1 2", "if a else b",
    ],
    "`if` needs an `else` part: write `if <condition> then <value> else <value>`.": [
        "if a then b", "if a then b c",
    ],
    "A closing parenthesis `)` is missing.": ["(a", "(a + b", "f(a", "f(a, b", "(a > 1"],
    "An operator (`+`, `and`, `==`, ...) or a comma is missing between two values.": [
        "a b", "1 2", "a (b)", "f(a b)", '"a" "b"',
    ],
    "The expression ends too early: a value is missing after the operator.": [
        "a +", "a and", "a or", "not", "a ==", "a *", "a -",
    ],
}

_CHARACTER_HINTS = {
    "&": "Use `and` to combine conditions, not `&&` or `&`.",
    "|": "Use `or` to combine conditions, not `||` or `|`.",
    "!": "Use `not` for negation and `!=` for 'not equal'.",
    "=": "Use `==` to compare two values; `=` alone is not an operator.",
    '"': "A text in double quotes is not closed: add the closing `\"` on the same line.",
    "'": "A text in single quotes is not closed: add the closing `'` on the same line.",
    "{": "Braces are not part of the language; use parentheses `(` `)` to group.",
    "^": "Powers are not supported; multiply instead (`x * x`).",
    "@": "`@` is not an operator in rubric expressions.",
    "$": "Names need no `$`: write the input or param name directly.",
    "#": "Expressions cannot hold comments (in a `>` block the lines are joined, so a comment would hide the "
         "rest of the rule). Put the comment on its own YAML line above the key.",
}


def _describe_expected(expected: set[str]) -> str:
    names = {
        "RPAR": "`)`", "RSQB": "`]`", "COMMA": "`,`", "THEN": "`then`", "ELSE": "`else`",
        "NAME": "a name", "NUMBER": "a number", "STRING": "a text in quotes", "REF": "a criterion like `[CS-1]`",
    }
    words = sorted({names.get(e, None) or "" for e in expected} - {""})
    return ", ".join(words[:6])


_STRINGS = re.compile(r'"([^"\\\n]|\\.)*"|\'([^\'\\\n]|\\.)*\'')
_KEYWORD = re.compile(r"\b(if|then|else)\b")


def _open_if(text: str, pos: int) -> bool:
    """Whether an `if` before ``pos`` still waits for its `then` (strings ignored)."""
    blanked = _STRINGS.sub(lambda m: " " * len(m.group(0)), text[:pos])
    waiting = 0
    for match in _KEYWORD.finditer(blanked):
        if match.group(1) == "if":
            waiting += 1
        elif match.group(1) == "then" and waiting:
            waiting -= 1
    return waiting > 0


def parse_expression(text: str) -> ast.Expr:
    """Parse ``text``; raise ``ExpressionSyntaxError`` with an offset on failure."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionSyntaxError(
            f"The expression is {len(text):,} characters long; the limit is {MAX_EXPRESSION_CHARS:,}.", 0, 1,
            "Split the logic into several criteria that refer to each other.")
    if not text.strip():
        raise ExpressionSyntaxError("The expression is empty.", 0, 1, "Write a value or a condition here.")
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
            if depth > MAX_NESTING:
                raise ExpressionSyntaxError(f"Parentheses are nested more than {MAX_NESTING} deep.", i, i + 1)
        elif ch in ")]":
            depth -= 1
    parser = _parser()
    try:
        tree = parser.parse(text)
    except UnexpectedCharacters as err:
        raise _character_error(text, err) from None
    except UnexpectedInput as err:
        raise _token_error(text, err) from None
    except RecursionError:
        raise ExpressionSyntaxError("The expression is nested too deeply.", 0, 1) from None
    try:
        node = _Builder().transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, ExpressionSyntaxError):
            raise err.orig_exc from None
        raise ExpressionSyntaxError(f"Cannot read this expression: {err.orig_exc}", 0, 1) from None
    except RecursionError:
        raise ExpressionSyntaxError("The expression is nested too deeply.", 0, 1) from None
    if isinstance(node, Tree):  # pragma: no cover - every rule is aliased
        raise ExpressionSyntaxError("Cannot read this expression.", 0, 1)
    _check_depth(node)
    return node


MAX_DEPTH = 100


def _check_depth(root: ast.Expr) -> None:
    """Refuse trees deeper than MAX_DEPTH, which later passes would walk recursively."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionSyntaxError(
                f"The expression is nested more than {MAX_DEPTH} levels deep (each `not`, each bracket and each "
                "further term of a long `+` or `and` chain counts as a level).", node.start, node.end,
                "Split it into several criteria that refer to each other, or use `sum(...)`/`all(...)` over a list.")
        stack.extend((child, depth + 1) for child in ast.children(node))


def _character_error(text: str, err: UnexpectedCharacters) -> ExpressionSyntaxError:
    ch = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
    pos = err.pos_in_stream
    if ch == "&" or ch == "|":
        width = 2 if text[pos:pos + 2] in ("&&", "||") else 1
        return ExpressionSyntaxError(f"`{text[pos:pos + width]}` is not an operator here.", pos, pos + width,
                                     _CHARACTER_HINTS[ch])
    if ch == "=" and text[pos:pos + 2] == "=>":
        return ExpressionSyntaxError("`=>` may only follow a name inside a call, as in `any(students, s => ...)`.",
                                     pos, pos + 2)
    if ch == "[":
        end = text.find("]", pos)
        end = len(text) if end < 0 else end + 1
        return ExpressionSyntaxError(
            f"`{text[pos:end]}` is not a criterion reference.", pos, end,
            "Criterion ids in brackets start with a letter and use letters, digits, `_`, `.` and single `-`, as in `[CS-1]`.")
    hint = _CHARACTER_HINTS.get(ch, "")
    shown = ch if ch.isprintable() and ch else repr(ch)
    return ExpressionSyntaxError(f"Unexpected character `{shown}`.", pos, pos + 1, hint)


def _token_error(text: str, err: UnexpectedInput) -> ExpressionSyntaxError:
    parser = _parser()
    try:
        label = err.match_examples(parser.parse, _EXAMPLES, use_accepts=True)
    except Exception:  # match_examples re-parses examples; never let that mask the real error
        label = None
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        pos = len(text.rstrip())
        end = pos + 1
    else:
        token = err.token  # type: ignore[attr-defined]
        pos = token.start_pos if token.start_pos is not None else 0
        end = token.end_pos if token.end_pos is not None else pos + 1
        if token.type == "NAME" and str(token) in {"AND", "OR", "NOT", "And", "Or", "Not", "IF", "THEN", "ELSE"}:
            return ExpressionSyntaxError(f"`{token}` is not understood.", pos, end,
                                         f"Keywords are lower case: write `{str(token).lower()}`.")
    expected = getattr(err, "expected", None) or getattr(err, "accepts", None) or set()
    if not label and "THEN" in expected and _open_if(text, pos):
        label = next(k for k in _EXAMPLES if "missing `then`" in k)
    elif not label and "ELSE" in expected and "THEN" not in expected:
        label = next(k for k in _EXAMPLES if "needs an `else`" in k)
    elif not label and "RPAR" in expected and (isinstance(err, UnexpectedEOF) or err.token.type == "$END"):  # type: ignore[attr-defined]
        label = "A closing parenthesis `)` is missing."
    if label:
        return ExpressionSyntaxError(label, pos, end)
    if isinstance(err, UnexpectedToken):
        shown = text[pos:end] or "the end"
        message = f"`{shown}` is not expected here."
    else:
        message = "The expression ends too early."
    described = _describe_expected(set(expected))
    return ExpressionSyntaxError(message, pos, end, f"Expected {described}." if described else "")
