"""The JSON Schema of the rubric language: valid, committed, documented, and agreeing with the spec library.

In: ``rubricspec.schema.schema_text()``, the committed copy
``rubricspec/rubricspec.schema.json`` and the bundled specs under specs/.
Out: checks that editors get a correct schema: it is valid 2020-12, it is up
to date, every property is described, every bundled spec validates (and
points at it on its first line), and bad specs are rejected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
import yaml

from rubricspec.compiler.resolve import resolve_file
from rubricspec.loader import to_data
from rubricspec.schema import SCHEMA_ID, schema, schema_text

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "rubricspec" / "rubricspec.schema.json"
SPEC_FILES = sorted((ROOT / "specs").rglob("*.yaml"))
SCHEMA_LINE = "# yaml-language-server: $schema="

MINIMAL = {
    "rubricspec": 1, "kind": "rubric", "name": "tiny", "title": "Tiny rubric",
    "criteria": {"format": {"title": "Has a dx section", "rule": 'has_tag(completion, "dx")'}},
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(COMMITTED.read_text(encoding="utf-8")))


def _spec_id(path: Path) -> str:
    return path.relative_to(ROOT / "specs").as_posix()


def test_bundled_specs_exist() -> None:
    assert {"clinical/crpo.yaml", "clinical/clintutor.yaml", "legal/socratic_tutor.yaml"} <= {
        _spec_id(p) for p in SPEC_FILES}


class TestSchemaDocument:
    def test_valid_against_the_2020_12_metaschema(self) -> None:
        jsonschema.Draft202012Validator.check_schema(schema())

    def test_committed_file_is_up_to_date(self) -> None:
        assert COMMITTED.is_file(), "run `rubricspec schema -o rubricspec/rubricspec.schema.json`"
        assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
            "rubricspec/rubricspec.schema.json is stale: run `rubricspec schema -o rubricspec/rubricspec.schema.json`")

    def test_header(self) -> None:
        data = schema()
        assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert data["$id"] == SCHEMA_ID
        assert data["title"] == "rubricspec spec (language version 1)"
        full = data["$defs"]["RubricSpec"]
        assert full["additionalProperties"] is False
        assert full["required"] == ["rubricspec", "kind", "name", "title"]
        # a file with `extends:` is a patch: nothing required, null deletes
        assert data["if"]["properties"]["kind"]["const"] == "run"
        assert data["then"]["then"] == {"$ref": "#/$defs/RunSpecPatch"}
        assert data["else"] == {"if": {"required": ["extends"]}, "then": {"$ref": "#/$defs/RubricSpecPatch"},
                                "else": {"$ref": "#/$defs/RubricSpec"}}
        assert "required" not in data["$defs"]["RubricSpecPatch"]

    def test_text_is_sorted_and_ends_with_a_newline(self) -> None:
        text = schema_text()
        assert text.endswith("}\n")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, property schema) for every property declared anywhere in the schema."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{where}/properties/{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}/{i}")


class TestDescriptions:
    def test_every_property_has_a_description(self) -> None:
        found = list(_properties(schema(), "#"))
        assert len(found) >= 40
        missing = [path for path, prop in found if not str(prop.get("description", "")).strip()]
        assert missing == []

    def test_every_definition_has_a_description(self) -> None:
        defs = schema()["$defs"]
        assert {"Axis", "Criterion", "InputColumn", "JudgeConfig", "Param", "Veto"} <= set(defs)
        assert [name for name, d in defs.items() if not d.get("description")] == []

    def test_walk_reaches_nested_definitions(self) -> None:
        paths = {path for path, _ in _properties(schema(), "#")}
        assert "#/$defs/Criterion/properties/rule" in paths
        assert "#/$defs/Veto/properties/because" in paths
        assert "#/$defs/RubricSpec/properties/on_judge_failure" in paths
        assert "#/$defs/CriterionPatch/properties/rule" in paths


class TestBundledSpecs:
    @pytest.mark.parametrize("path", SPEC_FILES, ids=_spec_id)
    def test_file_validates_as_an_editor_sees_it(self, validator, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data))
        assert errors == []

    @pytest.mark.parametrize("path", SPEC_FILES, ids=_spec_id)
    def test_resolved_spec_validates(self, validator, path: Path) -> None:
        data = to_data(resolve_file(path).root)
        errors = sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data))
        assert errors == []

    @pytest.mark.parametrize("path", SPEC_FILES, ids=_spec_id)
    def test_first_line_points_at_the_schema(self, path: Path) -> None:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(SCHEMA_LINE), first
        target = (path.parent / first[len(SCHEMA_LINE):].strip()).resolve()
        assert target == COMMITTED.resolve()
        assert target.is_file()


def _messages(validator: jsonschema.Draft202012Validator, data: dict[str, Any]) -> list[str]:
    return sorted(e.message for e in validator.iter_errors(data))


class TestBadSpecsAreRejected:
    def test_minimal_spec_is_accepted(self, validator) -> None:
        assert _messages(validator, MINIMAL) == []

    def test_unknown_top_level_key(self, validator) -> None:
        assert _messages(validator, {**MINIMAL, "titel": "typo"}) == [
            "Additional properties are not allowed ('titel' was unexpected)"]

    def test_unknown_criterion_key(self, validator) -> None:
        bad = {**MINIMAL, "criteria": {"format": {"title": "Tags", "rule": "1", "wieght": 2}}}
        assert _messages(validator, bad) == ["Additional properties are not allowed ('wieght' was unexpected)"]

    def test_wrong_kind(self, validator) -> None:
        assert _messages(validator, {**MINIMAL, "kind": "scenario"}) == ["'rubric' was expected"]

    def test_wrong_language_version(self, validator) -> None:
        assert _messages(validator, {**MINIMAL, "rubricspec": 2}) == ["1 was expected"]

    def test_missing_title(self, validator) -> None:
        data = {k: v for k, v in MINIMAL.items() if k != "title"}
        assert _messages(validator, data) == ["'title' is a required property"]

    def test_bad_name(self, validator) -> None:
        assert _messages(validator, {**MINIMAL, "name": "Tiny Rubric"}) == [
            "'Tiny Rubric' does not match '^[a-z0-9][a-z0-9._-]*$'"]

    def test_veto_without_because(self, validator) -> None:
        bad = {**MINIMAL, "veto": [{"when": "format == 0", "reward": -1}]}
        assert _messages(validator, bad) == ["'because' is a required property"]

    def test_title_given_as_a_list(self, validator) -> None:
        assert _messages(validator, {**MINIMAL, "title": ["a", "b"]}) == ["['a', 'b'] is not of type 'string'"]
