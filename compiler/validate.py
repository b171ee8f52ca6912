"""Validate: a merged node tree -> a ``RubricSpec`` model, or diagnostics about its shape.

In: the resolved ``YMap`` of a spec.
Out: the pydantic model, the plain data and the ``SourceMap`` (for later
passes), or a ``SpecError`` whose diagnostics name each unknown key (with a
did-you-mean), missing key and wrongly typed value at its line and column.

Pydantic does the checking; this module translates its error list into
clinician-facing diagnostics. Errors that pydantic reports once per member of
a union are merged into one message per place.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from rubricspec.diagnostics import Collector, did_you_mean
from rubricspec.loader import PathKey, SourceMap, YMap, to_data
from rubricspec.models import SPEC_MODELS, Model


@dataclass
class Validated:
    model: Any  # the model of the file's kind (RubricSpec, RunSpec)
    data: dict[str, Any]
    source_map: SourceMap
    context: str
    #: shape errors found (the model was validated after setting aside what they concern)
    errors: Collector | None = None


def render_path(path: PathKey) -> str:
    parts: list[str] = []
    for item in path:
        if isinstance(item, int) and parts:
            parts[-1] += f"[{item}]"
        else:
            parts.append(str(item))
    return " › ".join(parts)


def spec_context(data: dict[str, Any]) -> str:
    kind = data.get("kind") if isinstance(data.get("kind"), str) and data.get("kind") in SPEC_MODELS else "spec"
    name = data.get("name")
    return f'{kind} "{name}"' if isinstance(name, str) else kind


def validate_tree(root: YMap) -> Validated:
    source_map = SourceMap()
    data = to_data(root, (), source_map)
    context = spec_context(data)
    errors = Collector(context)
    version = data.get("rubricspec")
    kind = data.get("kind")
    if type(version) is not int or version != 1:
        span = source_map.value(("rubricspec",)) if "rubricspec" in data else root.span
        shown = "missing" if version is None else repr(version)
        errors.error("RS104", f"`rubricspec:` must be 1, the language version this tool reads (found {shown}).",
                     span, "rubricspec", hint="Write `rubricspec: 1` as the first line." if version is not None
                     else "Add `rubricspec: 1` as the first line.")
    if not isinstance(kind, str) or kind not in SPEC_MODELS:
        span = source_map.value(("kind",)) if "kind" in data else root.span
        kinds = ", ".join(SPEC_MODELS)
        guess = did_you_mean(str(kind), SPEC_MODELS) if isinstance(kind, str) else None
        hint = (f"Did you mean `{guess}`? " if guess else "") + f"Kinds this version reads: {kinds}."
        errors.error("RS104", f"`kind: {kind}` is not a kind of spec rubricspec knows.", span, "kind", hint)
    for path, scalar in source_map.scalars.items():
        value = scalar.value
        if isinstance(value, float) and not math.isfinite(value):
            code = "RS113" if path and path[0] == "params" else "RS103"
            errors.error(code, f"`{value}` is not a number a rubric can use.", scalar.span, render_path(path),
                         "Write a finite number.")
    errors.raise_if_errors()
    model_type = SPEC_MODELS[kind]
    try:
        model = model_type.model_validate(data)
    except ValidationError as exc:
        translate(exc, data, source_map, model_type, errors)
        # Set aside unknown keys and fill missing titles, then validate again: if that
        # works, the later checks run too and every error is reported in one go.
        repaired = _set_aside(exc, data)
        try:
            model = model_type.model_validate(repaired)
        except ValidationError:
            errors.raise_if_errors()
            raise  # pragma: no cover - translate always reports something
        return Validated(model, repaired, source_map, context, errors)
    return Validated(model, data, source_map, context)


def _set_aside(exc: ValidationError, data: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` without unknown keys and with empty text for missing text keys."""
    repaired = copy.deepcopy(data)
    for err in exc.errors(include_url=False):
        path, missing = _data_path(tuple(err["loc"]), data, err["type"])
        try:
            parent = _value_at(repaired, path[:-1] if missing is None else path)
        except (KeyError, IndexError, TypeError):
            continue
        if err["type"] == "extra_forbidden" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif missing in ("title", "because") and isinstance(parent, dict):
            parent[missing] = ""
    return repaired


# --- pydantic error translation -------------------------------------------------

_KIND_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping of `key: value` lines",
    "list_type": "a list (`- item` lines or `[a, b]`)",
    "model_type": "a mapping of `key: value` lines",
    "model_attributes_type": "a mapping of `key: value` lines",
    "literal_error": None,
    "string_pattern_mismatch": None,
    "int_from_float": "a whole number",
}


def _describe_value(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"yes/no `{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"the number `{value}`"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text `{shown}`"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _data_path(loc: tuple[Any, ...], data: Any, error_type: str) -> tuple[PathKey, str | None]:
    """Follow a pydantic location through the data; drop union-member tags.

    Returns the path into the data and, for a missing key, the key's name.
    """
    path: list[Any] = []
    current = data
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, dict) and isinstance(item, str) and item in current:
            path.append(item)
            current = current[item]
        elif isinstance(current, list) and isinstance(item, int) and 0 <= item < len(current):
            path.append(item)
            current = current[item]
        elif last and error_type == "missing":
            return tuple(path), str(item)
        # otherwise: a tag naming a union member (`str`, `FailureScore`, ...)
    return tuple(path), None


def _model_at(model: type[BaseModel], path: PathKey) -> type[BaseModel] | None:
    """The model class describing the mapping found at ``path``."""
    current: Any = model
    for item in path:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(item))
            if field is None:
                return None
            current = field.annotation
            continue
        current = _unwrap(current)
        origin = get_origin(current)
        if origin is dict or origin is list:
            current = get_args(current)[-1]
        else:
            return None
    current = _unwrap(current)
    if get_origin(current) is dict:
        return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The one container or model type inside an Optional/Union annotation."""
    if get_origin(annotation) is Union:
        for arg in get_args(annotation):
            arg = _unwrap(arg)
            if get_origin(arg) in (dict, list) or (isinstance(arg, type) and issubclass(arg, BaseModel)):
                return arg
    return annotation


def translate(exc: ValidationError, data: dict[str, Any], source_map: SourceMap, model: type[Model],
              errors: Collector) -> None:
    grouped: dict[tuple[PathKey, str | None], list[dict[str, Any]]] = {}
    for err in exc.errors(include_url=False):
        path, missing = _data_path(tuple(err["loc"]), data, err["type"])
        grouped.setdefault((path, missing), []).append(err)
    misspelt = _misspelt_keys(grouped, model)
    if any(path[:1] == ("on_judge_failure",) for path, _ in grouped):
        # one message for the policy, not one per form pydantic tried
        value = data.get("on_judge_failure")
        errors.error("RS112", f"`on_judge_failure` must be `skip`, `{{score: N}}` or `{{reward: N}}`, but found "
                     f"{_describe_value(value)}" + (f" {_describe_policy(value)}" if isinstance(value, dict) else "")
                     + ".", source_map.value(("on_judge_failure",)), "on_judge_failure",
                     "`skip` gives the sample no reward; `{score: 0}` scores the failed criterion 0; "
                     "`{reward: -1, because: Judge unavailable.}` gives the sample that reward.")
        grouped = {k: v for k, v in grouped.items() if k[0][:1] != ("on_judge_failure",)}
    for (path, missing), errs in grouped.items():
        types = [e["type"] for e in errs]
        if missing is not None and (path, missing) in misspelt:
            continue  # the unknown key's did-you-mean already says it
        if missing is not None:
            owner = _model_at(model, path)
            field = owner.model_fields.get(missing) if owner else None
            about = f" ({field.description.rstrip('.')})" if field and field.description else ""
            where = f"`{render_path(path)}`" if path else "The file"
            errors.error("RS102", f"{where} needs the key `{missing}`{about}.",
                         source_map.value(path), render_path(path), f"Add `{missing}:` here.")
            continue
        if "extra_forbidden" in types:
            owner = _model_at(model, path[:-1])
            allowed = list(owner.model_fields) if owner else []
            key = str(path[-1])
            guess = did_you_mean(key, allowed)
            hint = f"Did you mean `{guess}`? " if guess else ""
            if allowed:
                hint += f"Allowed here: {', '.join(allowed)}."
            errors.error("RS101", f"Unknown key `{key}`.", source_map.key(path), render_path(path), hint)
            continue
        value = _value_at(data, path)
        code = "RS112" if path and path[0] == "on_judge_failure" else "RS103"
        errors.error(code, _kind_message(errs, value), source_map.value(path), render_path(path),
                     _indent_hint(errs, data, path) or _kind_hint(errs, path))


def _describe_policy(value: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}: {_describe_value(v).removeprefix('the ')}" for k, v in value.items())
    return f"({shown})" if shown else ""


def _misspelt_keys(grouped: dict[tuple[PathKey, str | None], list[dict[str, Any]]],
                   model: type[Model]) -> set[tuple[PathKey, str]]:
    """(parent, key) of missing keys that an unknown key next to them misspells."""
    out: set[tuple[PathKey, str]] = set()
    for (path, missing), errs in grouped.items():
        if missing is None and path and any(e["type"] == "extra_forbidden" for e in errs):
            owner = _model_at(model, path[:-1])
            guess = did_you_mean(str(path[-1]), list(owner.model_fields)) if owner else None
            if guess:
                out.add((path[:-1], guess))
    return out


def _value_at(data: Any, path: PathKey) -> Any:
    current = data
    for item in path:
        current = current[item]
    return current


def _kind_message(errs: list[dict[str, Any]], value: Any) -> str:
    wanted: list[str] = []
    for e in errs:
        t = e["type"]
        if t == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            wanted.append(f"one of {expected}" if " or " in expected else expected)
        elif t == "string_pattern_mismatch":
            wanted.append("a name of lower-case letters, digits, `-`, `_` or `.` (e.g. `clintutor-r1`)")
        elif t in _KIND_WORDS and _KIND_WORDS[t]:
            wanted.append(_KIND_WORDS[t])
        elif t == "value_error":
            return str(e["msg"]).removeprefix("Value error, ")
        else:
            wanted.append(e["msg"].lower())
    unique = list(dict.fromkeys(wanted))
    if len(unique) > 1:
        expected = ", ".join(unique[:-1]) + " or " + unique[-1]
    else:
        expected = unique[0]
    return f"Expected {expected}, but found {_describe_value(value)}."


def _indent_hint(errs: list[dict[str, Any]], data: dict[str, Any], path: PathKey) -> str:
    """For a missing or misplaced mapping: the likely cause is indentation."""
    if not any(e["type"] in ("model_type", "model_attributes_type", "dict_type") for e in errs) or not path:
        return ""
    value = _value_at(data, path)
    key = path[-1]
    if value is None:
        return (f"`{key}:` has no value. If the lines below it belong to it, indent them further than `{key}`.")
    parent = _value_at(data, path[:-1])
    if isinstance(parent, dict) and any(v is None for v in parent.values()):
        empty = next(k for k, v in parent.items() if v is None)
        return f"If `{key}` belongs to `{empty}` above, indent it further than `{empty}`."
    return ""


def _kind_hint(errs: list[dict[str, Any]], path: PathKey) -> str:
    if path and path[-1] == "on_judge_failure":
        return "Write `skip`, `{score: 0}` (score for the failed criterion) or `{reward: -1}` (reward for the sample)."
    if path and path[-1] in ("rule", "reward", "when", "weight"):
        return "Write an expression in quotes, e.g. \"[CS-1] < 0\", or a number."
    return ""
