"""Implementations of the built-in functions, keyed by the names in
``rubricspec.signatures``.

In: Python values the evaluator produced (str, int/float, bool, list, and
plain callables for lambda arguments).
Out: the function's value. An implementation may raise ``FunctionError`` for a
bad argument at run time; the evaluator turns it into a per-sample failure
with a reason. It must never hang: regexes run on RE2 (linear time) and every
loop is bounded by the size of its input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


class _Dynamic:
    """Stands for an argument that is only known at run time."""

    _instance: "_Dynamic | None" = None

    def __new__(cls) -> "_Dynamic":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DYNAMIC"


DYNAMIC: Any = _Dynamic()


class FunctionError(Exception):
    """A built-in received an argument it cannot work with.

    ``argument`` is the 0-based position of the offending argument, so that
    the compiler can point a caret at it when it happens at compile time.
    """

    def __init__(self, message: str, argument: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


@dataclass(frozen=True, slots=True)
class Implementation:
    """How to run one built-in.

    Either ``call(*args)`` over every evaluated argument, or ``specialize``:
    called once at compile time with every argument, where the ones not known
    until run time are ``DYNAMIC``; it returns a function over just those
    dynamic arguments (in order). Use ``specialize`` when a constant argument
    is worth preparing once (a regex, a tag list).
    """

    call: Callable[..., Any] | None = None
    specialize: Callable[..., Callable[..., Any]] | None = None


IMPLEMENTATIONS: dict[str, Implementation] = {}


def implements(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the plain implementation of the built-in ``name``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in IMPLEMENTATIONS:
            raise KeyError(f"built-in function {name!r} is implemented twice")
        IMPLEMENTATIONS[name] = Implementation(call=fn)
        return fn

    return register


def specializes(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the compile-time specializer of the built-in ``name``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in IMPLEMENTATIONS:
            raise KeyError(f"built-in function {name!r} is implemented twice")
        IMPLEMENTATIONS[name] = Implementation(specialize=fn)
        return fn

    return register
