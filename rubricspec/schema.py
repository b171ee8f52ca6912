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

from rubricspec.models import RubricSpec

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


def schema() -> dict[str, Any]:
    body = RubricSpec.model_json_schema(mode="validation")
    defs = body.pop("$defs", {})
    full = dict(body)
    patch = _patch_form(copy.deepcopy(full))
    patch["description"] = "A rubric that `extends:` another: every key is optional and `null` deletes a key."
    all_defs = dict(defs)
    all_defs["RubricSpec"] = full
    for name, definition in defs.items():
        all_defs[name + _PATCH] = _patch_form(copy.deepcopy(definition))
    all_defs["RubricSpec" + _PATCH] = patch
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "rubricspec rubric (language version 1)",
        "description": full.get("description", ""),
        "$defs": all_defs,
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/$defs/RubricSpec" + _PATCH},
        "else": {"$ref": "#/$defs/RubricSpec"},
    }


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
