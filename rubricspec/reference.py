"""The key-by-key reference of the rubric language, generated from the spec models.

In: the pydantic models in ``rubricspec.models`` (every key, its type, whether
it is required or its default, and its ``description``), the input types in
``rubricspec.types`` and the diagnostic codes in ``rubricspec.diagnostics.CODES``.
Out: ``render()``, the Markdown text of docs/reference.md. Regenerate it with
``python -m rubricspec.reference > docs/reference.md``; a test keeps the file
equal to ``render()``.

Types are written in plain words (``text``, ``number``, ``expression or
number``, ``mapping of criterion id to criterion``) so that a clinician can
read the page without knowing Python.
"""

from __future__ import annotations

import re
import sys
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from rubricspec.diagnostics import CODES
from rubricspec.models import RubricSpec
from rubricspec.types import INPUT_TYPES

#: Section titles that read better than the class names.
TITLES: dict[str, str] = {
    "RubricSpec": "Rubric (the top level)",
    "InputColumn": "Input column",
    "JudgeConfig": "Judge",
    "FailureScore": "Failure score",
    "FailureReward": "Failure reward",
}

#: What the keys of each mapping-valued field are, in the path and in the type column.
KEY_NOUNS: dict[str, str] = {
    "inputs": "column name",
    "params": "param name",
    "axes": "axis id",
    "criteria": "criterion id",
    "variants": "variant name",
}

#: The hundreds of the diagnostic codes (see ``rubricspec.diagnostics``).
CODE_GROUPS: dict[str, str] = {
    "0": "Reading the file",
    "1": "Shape of the spec",
    "2": "Expressions and types",
    "3": "References",
    "4": "Warnings about effect",
    "5": "Compile options",
    "6": "Run time",
}


def title(model: type[BaseModel]) -> str:
    name = model.__name__
    if name in TITLES:
        return TITLES[name]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).split()
    return " ".join([words[0]] + [w.lower() for w in words[1:]])


def anchor(model: type[BaseModel]) -> str:
    """The GitHub anchor of a model's section heading."""
    text = re.sub(r"[^a-z0-9 -]", "", title(model).lower())
    return "#" + text.replace(" ", "-")


def _link(model: type[BaseModel]) -> str:
    noun = title(model).split(" (")[0].lower()
    return f"[{noun}]({anchor(model)})"


def _base(annotation: Any) -> Any:
    """The annotation without ``Annotated`` metadata (``StrictStr`` -> ``str``)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _union_members(annotation: Any) -> list[Any] | None:
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return [_base(a) for a in get_args(annotation)]
    return None


_SCALARS = {str: "text", int: "whole number", float: "number", bool: "true or false"}


def plain_type(annotation: Any, field: str = "") -> str:
    """An annotation in plain words, e.g. ``dict[str, Criterion]`` -> ``mapping of criterion id to criterion``."""
    annotation = _base(annotation)
    members = _union_members(annotation)
    if members is not None:
        members = [m for m in members if m is not type(None)]
        if len(members) == 1:
            return plain_type(members[0], field)
        scalars = [m for m in members if m in _SCALARS]
        others = [m for m in members if m not in _SCALARS]
        words = [_scalar_words(set(scalars))] if scalars else []
        for other in others:
            if get_origin(other) is list and set(_union_members(get_args(other)[0]) or ()) == set(scalars):
                words.append("a list of such values")
            else:
                words.append(plain_type(other, field))
        if len(words) > 1 and "," in words[0]:
            return words[0] + ", or " + _join(words[1:])
        return _join(words)
    origin = get_origin(annotation)
    if origin is Literal:
        return _join([f"`{value}`" for value in get_args(annotation)])
    if origin is dict:
        _, value = get_args(annotation)
        value = _base(value)
        noun = KEY_NOUNS.get(field, "name")
        if value is Any:
            return f"mapping of {noun} to any value"
        if get_origin(value) is dict:
            return f"mapping of {noun} to a patch (a mapping of keys)"
        inner = plain_type(value, field)
        # the short forms: `students: list[text]` names a type, `k: 10` gives a value
        if field == "inputs":
            inner = inner.replace("text", "type name", 1)
        if field == "params":
            inner = inner.replace("text, number or true/false", "a value (text, number or true/false)", 1)
        return f"mapping of {noun} to {inner}"
    if origin is list:
        (item,) = get_args(annotation)
        return f"list of {plain_type(item, field)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _link(annotation)
    if annotation is Any:
        return "any value"
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    raise TypeError(f"no plain words for the annotation {annotation!r} of `{field}`")  # pragma: no cover


def _scalar_words(kinds: set[Any]) -> str:
    if kinds == {str, int, float}:
        return "expression or number"
    if kinds == {bool, int, float, str}:
        return "text, number or true/false"
    if kinds == {int, float}:
        return "number"
    return _join([_SCALARS[k] for k in (str, int, float, bool) if k in kinds])


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def default_text(info: Any) -> str:
    """``required``, ``default `x```, ``optional`` or ``optional (empty)``."""
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        return "optional (empty)"
    if info.default is None or info.default is PydanticUndefined:
        return "optional"
    return f"default `{info.default}`"


def _models_in(annotation: Any) -> list[tuple[type[BaseModel], str]]:
    """Models inside a field's annotation, with the path step that reaches each."""
    annotation = _base(annotation)
    members = _union_members(annotation)
    if members is not None:
        out = []
        for member in members:
            out.extend(_models_in(member))
        return out
    origin = get_origin(annotation)
    if origin is dict:
        return [(m, f".<{{noun}}>{step}") for m, step in _models_in(get_args(annotation)[1])]
    if origin is list:
        return [(m, f"[i]{step}") for m, step in _models_in(get_args(annotation)[0])]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, "")]
    return []


def walk(root: type[BaseModel] = RubricSpec) -> list[tuple[type[BaseModel], list[str]]]:
    """Every model reachable from ``root``, in the order first met, with the key paths where it appears."""
    order: list[type[BaseModel]] = [root]
    paths: dict[type[BaseModel], list[str]] = {root: [""]}
    queue: list[type[BaseModel]] = [root]
    while queue:
        model = queue.pop(0)
        for name, info in model.model_fields.items():
            for child, step in _models_in(info.annotation):
                step = step.replace("{noun}", KEY_NOUNS.get(name, "name"))
                for parent_path in paths[model]:
                    path = f"{parent_path}.{name}{step}".lstrip(".")
                    if path not in paths.setdefault(child, []):
                        paths[child].append(path)
                if child not in order:
                    order.append(child)
                    queue.append(child)
    return [(model, paths[model]) for model in order]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())


def model_section(model: type[BaseModel], paths: list[str]) -> list[str]:
    lines = [f"## {title(model)}", "", _doc(model), ""]
    shown = [p for p in paths if p]
    if shown:
        lines += ["Written at " + _join([f"`{p}`" for p in shown]) + ".", ""]
    lines += ["| key | type | required or default | what it is |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        lines.append(f"| `{name}` | {_cell(plain_type(info.annotation, name))} | {default_text(info)} | "
                     f"{_cell(info.description or '')} |")
    lines.append("")
    return lines


def codes_section() -> list[str]:
    lines = ["## Diagnostic codes", "",
             "Every problem `rubricspec check` reports carries one of these codes. "
             "[diagnostics.md](diagnostics.md) shows an example of each and how to fix it.", ""]
    group = None
    for code, meaning in CODES.items():
        if code[2] != group:
            group = code[2]
            if lines[-1] != "":
                lines.append("")
            lines += [f"### RS{group}xx: {CODE_GROUPS.get(group, 'Other').lower()}", "",
                      "| code | meaning |", "|---|---|"]
        lines.append(f"| [{code}](diagnostics.md#{code.lower()}) | {_cell(meaning)} |")
    lines.append("")
    return lines


def render() -> str:
    """The Markdown text of docs/reference.md."""
    lines = [
        "# Rubric language reference",
        "",
        "<!-- Generated by `python -m rubricspec.reference > docs/reference.md`; do not edit by hand. -->",
        "",
        "Every key a rubric file may contain, section by section. Keys not listed are refused "
        "(`RS101`), required keys must be present (`RS102`), and each value must have the type shown "
        "(`RS103`). A path such as `axes.<axis id>.criteria.<criterion id>` says where a mapping is "
        "written in the file. *Expression or number* means a text in the expression language "
        "(see [language.md](language.md#expressions)) or a plain number. The guide to writing rubrics "
        "is [language.md](language.md); built-in functions are in [functions.md](functions.md).",
        "",
    ]
    sections = walk()
    lines += ["Sections: " + ", ".join(f"[{title(m)}]({anchor(m)})" for m, _ in sections)
              + ", [Input types](#input-types), [Diagnostic codes](#diagnostic-codes).", ""]
    for model, paths in sections:
        lines += model_section(model, paths)
    lines += ["## Input types", "",
              "The `type` of an input column (or the text after its name in the short form) is one of:", ""]
    lines += [f"- `{name}`" + (f" (read as {INPUT_TYPES[name]})" if str(INPUT_TYPES[name]) != name else "")
              for name in INPUT_TYPES]
    lines.append("")
    lines += codes_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
