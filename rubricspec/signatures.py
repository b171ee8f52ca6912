"""Signatures of the built-in functions the expression language may call.

In: nothing (the table is filled at import by ``rubricspec.library``).
Out: ``SIGNATURES``, name -> ``Signature``: the parameter and result types the
compiler checks calls against, the numeric range of the result (for the
compile-time scale check) and a documented example for each function.

This is the language's view of the library: what exists and how it is typed.
The implementations live in ``rubricspec.runtime.functions`` under the same
names (the language layer must not import the runtime); a test keeps the two
tables in step. Python extensions register in both through
``rubricspec.register_function``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rubricspec.types import Type, list_of

#: A type variable: the element type of the list a call receives.
T = Type("T")
LIST_T = list_of(T)


@dataclass(frozen=True, slots=True)
class Fn:
    """The type of a lambda argument such as ``name => mentions(text, name)``."""

    param: Type
    returns: Type

    def __str__(self) -> str:
        return f"({self.param} => {self.returns})"


ParamType = Type | Fn


@dataclass(frozen=True, slots=True)
class Overload:
    """One way to call a function.

    ``params`` are the parameter types in order; with ``variadic`` the last one
    may be repeated (at least once). ``constant`` lists the parameter positions
    whose arguments must be known when the rubric is compiled (literals or
    params), such as a regex pattern that is checked and compiled once.
    """

    params: tuple[ParamType, ...]
    returns: Type
    names: tuple[str, ...] = ()
    variadic: bool = False
    constant: tuple[int, ...] = ()

    def render(self, fname: str) -> str:
        parts = []
        for i, p in enumerate(self.params):
            label = self.names[i] if i < len(self.names) else f"arg{i + 1}"
            text = f"{label}: {p}"
            if self.variadic and i == len(self.params) - 1:
                text += ", ..."
            parts.append(text)
        return f"{fname}({', '.join(parts)}) -> {self.returns}"


@dataclass(frozen=True, slots=True)
class Example:
    """A documented call and the value it gives, written in the language."""

    expression: str
    result: str


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    overloads: tuple[Overload, ...]
    summary: str
    examples: tuple[Example, ...] = ()
    #: the smallest and largest number the function can return (None: unbounded)
    result_range: tuple[float, float] | None = None
    category: str = "other"
    details: str = ""
    extension: bool = field(default=False, compare=False)


SIGNATURES: dict[str, Signature] = {}


def define(signature: Signature) -> Signature:
    """Add a signature to the table (names are unique)."""
    if signature.name in SIGNATURES:
        raise KeyError(f"built-in function {signature.name!r} is defined twice")
    SIGNATURES[signature.name] = signature
    return signature
