"""List built-ins: ``any``, ``all``, ``count``, ``fraction``, ``sum``, ``join``.

In: a list, and for most an optional function given as ``x => ...`` (a plain
Python callable of one argument: a predicate giving bool, or for ``sum`` a
number). Each call loops over the list once; nothing else repeats.
Out: bool for ``any``/``all``, int for ``count``, float 0..1 for
``fraction``, a number for ``sum``, text for ``join``.
"""

from __future__ import annotations

from typing import Any, Callable

from rubricspec.runtime.functions.registry import implements

Predicate = Callable[[Any], bool]


@implements("any")
def any_of(items: list[Any], predicate: Predicate | None = None) -> bool:
    """in: list of bools, or list and predicate. out: whether one is true (false for an empty list)."""
    return any(items) if predicate is None else any(map(predicate, items))


@implements("all")
def all_of(items: list[Any], predicate: Predicate | None = None) -> bool:
    """in: list of bools, or list and predicate. out: whether all are true (true for an empty list)."""
    return all(items) if predicate is None else all(map(predicate, items))


@implements("count")
def count(items: list[Any], predicate: Predicate | None = None) -> int:
    """in: list [, predicate]. out: the number of items (that satisfy the predicate)."""
    if predicate is None:
        return len(items)
    return sum(1 for item in items if predicate(item))


@implements("fraction")
def fraction(items: list[Any], predicate: Predicate) -> float:
    """in: list, predicate. out: the share (0..1) of items that satisfy it; 0 for an empty list."""
    if not items:
        return 0.0
    return sum(1 for item in items if predicate(item)) / len(items)


@implements("sum")
def total(items: list[Any], function: Callable[[Any], Any] | None = None) -> int | float:
    """in: list of numbers, or list and a function giving a number. out: their sum (0 for an empty list)."""
    return sum(items) if function is None else sum(map(function, items))


@implements("join")
def join(items: list[str], separator: str) -> str:
    """in: list of texts, separator. out: the texts joined with the separator between them."""
    return separator.join(items)
