"""Number built-ins: ``min``, ``max``, ``clamp``, ``round``, ``abs``.

In: numbers (int or float), or for ``min``/``max`` a single list of numbers.
Out: a number; ``round`` gives an int when it rounds to a whole number of
ones (or tens, ...) and a float otherwise. Rounding is half away from zero
on the number as written (``round(2.5)`` is 3, ``round(-2.5)`` is -3,
``round(2.675, 2)`` is 2.68), not Python's round-half-to-even.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from rubricspec.runtime.functions.registry import FunctionError, implements

Number = int | float

_CONTEXT = Context(prec=400)  # enough digits for any float at any allowed number of decimals
_MAX_DIGITS = 100


def _numbers(args: tuple[Any, ...], name: str) -> Any:
    if len(args) == 1 and isinstance(args[0], list):
        if not args[0]:
            raise FunctionError(f"{name} of an empty list has no value; guard it, e.g. "
                                f"`if count(values) == 0 then 0 else {name}(values)`.", argument=0)
        return args[0]
    return args


@implements("min")
def minimum(*args: Any) -> Number:
    """in: numbers, or one list of numbers. out: the smallest."""
    return min(_numbers(args, "min"))


@implements("max")
def maximum(*args: Any) -> Number:
    """in: numbers, or one list of numbers. out: the largest."""
    return max(_numbers(args, "max"))


@implements("clamp")
def clamp(x: Number, low: Number, high: Number) -> Number:
    """in: x, low, high. out: x limited to the range low..high."""
    if low > high:
        raise FunctionError(f"clamp takes the lower bound first, but {low} is above {high}; "
                            f"write clamp(x, {high}, {low}).", argument=1)
    return low if x < low else high if x > high else x


@implements("round")
def round_half_away(x: Number, digits: Number = 0) -> Number:
    """in: x [, digits]. out: x rounded to that many decimals, halves away from zero."""
    if isinstance(digits, bool) or not isinstance(digits, (int, float)) or not math.isfinite(digits) \
            or digits != int(digits) or abs(digits) > _MAX_DIGITS:
        raise FunctionError(f"round takes a whole number of decimals between -{_MAX_DIGITS} and {_MAX_DIGITS}; "
                            f"got {digits!r}.", argument=1)
    places = int(digits)
    if isinstance(x, int) and places >= 0:
        return x
    if isinstance(x, float) and not math.isfinite(x):
        return x
    exact = Decimal(x) if isinstance(x, int) else Decimal(repr(x))
    try:
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CONTEXT)
    except InvalidOperation:
        return x
    return int(rounded) if places <= 0 else float(rounded)


@implements("abs")
def absolute(x: Number) -> Number:
    """in: x. out: x without its sign."""
    return abs(x)
