"""JSON Schema of the rubric language, generated from the spec models.

In: the pydantic models in ``rubricspec.models``.
Out: ``schema()`` (a dict, JSON Schema draft 2020-12) and ``schema_text()``.
Editors use it through a first line such as
``# yaml-language-server: $schema=../../rubricspec/rubricspec.schema.json``;
the copy ``rubricspec/rubricspec.schema.json`` is kept equal to ``schema_text()`` by a test.
"""

from __future__ import annotations

import json
from typing import Any

from rubricspec.models import RubricSpec

SCHEMA_ID = "https://rubricspec.dev/schema/rubricspec-1.schema.json"


def schema() -> dict[str, Any]:
    body = RubricSpec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **body,
        "title": "rubricspec rubric (language version 1)",
    }


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
