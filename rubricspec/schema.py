"""JSON Schema of the rubric language, generated from the spec models.

In: the pydantic models in ``rubricspec.models``.
Out: ``schema()`` (a dict, JSON Schema draft 2020-12) and ``schema_text()``.
Editors use it through a first line such as
``# yaml-language-server: $schema=../../rubricspec/rubricspec.schema.json``;
the copy ``rubricspec/rubricspec.schema.json`` is kept equal to ``schema_text()`` by a test.

A file with ``extends:`` is a patch of its base, so it is checked against a
patch form of the schema: the same keys, none required, and ``null`` allowed
everywhere (it deletes a key of the base).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from rubricspec.models import RubricSpec, RunSpec

SCHEMA_ID = "https://rubricspec.dev/schema/rubricspec-1.schema.json"
_PATCH = "Patch"


def _patch_form(node: Any) -> Any:
    """A schema fragment turned into its patch form (refs point at patch definitions)."""
    if isinstance(node, list):
        return [_patch_form(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "required":
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            out[key] = value + _PATCH
        elif key == "properties":
            out[key] = {name: _nullable(_patch_form(prop)) for name, prop in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _nullable(_patch_form(value))
        else:
            out[key] = _patch_form(value)
    return out


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    description = prop.get("description")
    inner = {k: v for k, v in prop.items() if k not in ("description", "title", "default")}
    wrapped: dict[str, Any] = {"anyOf": [inner, {"type": "null"}]}
    if description:
        wrapped["description"] = description
    return wrapped


def _forms(model: type, name: str, defs: dict[str, Any]) -> None:
    """Add the full and patch forms of ``model`` (and of the models it uses) to ``defs``."""
    body = model.model_json_schema(mode="validation")
    nested = body.pop("$defs", {})
    for field_name, field in model.model_fields.items():
        prop = body.get("properties", {}).get(field_name)
        if prop is not None and "description" not in prop and field.description:
            prop["description"] = field.description  # pydantic leaves it off a bare `$ref`
    defs[name] = body
    patch = _patch_form(copy.deepcopy(body))
    patch["description"] = f"{body.get('description', '')} (A file with `extends:`: every key is optional and `null` deletes a key.)"
    defs[name + _PATCH] = patch
    for key, definition in nested.items():
        defs[key] = definition
        defs[key + _PATCH] = _patch_form(copy.deepcopy(definition))


def _by_extends(name: str) -> dict[str, Any]:
    return {"if": {"required": ["extends"]}, "then": {"$ref": f"#/$defs/{name}{_PATCH}"},
            "else": {"$ref": f"#/$defs/{name}"}}


def schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _forms(RubricSpec, "RubricSpec", defs)
    _forms(RunSpec, "RunSpec", defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "rubricspec spec (language version 1)",
        "description": "A rubricspec file: a rubric (`kind: rubric`) or a training run (`kind: run`).",
        "$defs": defs,
        "if": {"properties": {"kind": {"const": "run", "description": "A training run file."}}, "required": ["kind"]},
        "then": _by_extends("RunSpec"),
        "else": _by_extends("RubricSpec"),
    }


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
