"""Value types of the expression language.

In: type names as a spec writes them (``text``, ``list[text]``, ``number``).
Out: ``Type`` values that the checker compares and the docs print.

The language has four scalar types and homogeneous lists. ``bool`` is not a
number: a rule that yields a yes/no answer is converted to 0/1 explicitly by
the compiler, never by arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    """A value type: ``number``, ``bool``, ``text``, ``any`` or ``list[<elem>]``."""

    name: str
    elem: "Type | None" = None

    def __str__(self) -> str:
        if self.name == "list":
            return f"list[{self.elem}]"
        return self.name

    @property
    def is_list(self) -> bool:
        return self.name == "list"


NUMBER = Type("number")
BOOL = Type("bool")
TEXT = Type("text")
ANY = Type("any")


def list_of(elem: Type) -> Type:
    return Type("list", elem)


LIST_TEXT = list_of(TEXT)
LIST_NUMBER = list_of(NUMBER)
LIST_BOOL = list_of(BOOL)
LIST_ANY = list_of(ANY)

#: Type names a spec may write for an input column, and what they mean.
INPUT_TYPES: dict[str, Type] = {
    "text": TEXT,
    "number": NUMBER,
    "integer": NUMBER,
    "bool": BOOL,
    "list[text]": LIST_TEXT,
    "list[number]": LIST_NUMBER,
    "list[integer]": LIST_NUMBER,
    "list[bool]": LIST_BOOL,
}


def parse_type(name: str) -> Type | None:
    """The type a spec names, or None when the name is not a type."""
    return INPUT_TYPES.get(name.replace(" ", ""))


def compatible(expected: Type, actual: Type) -> bool:
    """Whether a value of type ``actual`` may stand where ``expected`` is required."""
    if expected == ANY or actual == ANY:
        return True
    if expected.is_list and actual.is_list:
        assert expected.elem is not None and actual.elem is not None
        return compatible(expected.elem, actual.elem)
    return expected == actual


def describe(t: Type) -> str:
    """A clinician-readable name of a type, for error messages."""
    return {
        "number": "a number",
        "bool": "a yes/no value (true or false)",
        "text": "text",
        "any": "any value",
    }.get(t.name, f"a list of {describe(t.elem) if t.elem else 'values'}")


def value_has_type(value: object, type_name: str) -> bool:
    """Whether a data value (from JSON or YAML) fits an input type name such as ``list[text]``."""
    if type_name == "text":
        return isinstance(value, str)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
            and value not in (float("inf"), float("-inf"))
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "bool":
        return isinstance(value, bool)
    if type_name.startswith("list[") and type_name.endswith("]"):
        inner = type_name[5:-1]
        return isinstance(value, (list, tuple)) and all(value_has_type(v, inner) for v in value)
    return False
