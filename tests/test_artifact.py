"""The compiled artifact: its fields, byte stability, the spec hash and the version check on read.

In: the bundled specs (and edited copies of them in ``tmp_path``) compiled
with ``rubricspec.compile``; artifacts written to disk for ``read_artifact``.
Out: checks that an artifact says exactly what was compiled (rubric, variant,
params, sources, canonical rules, vetoes), that the same inputs give the same
bytes, and that the spec hash follows meaning, not formatting.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

import rubricspec
from rubricspec.compiler.artifact import ARTIFACT_KIND, SCHEMA_VERSION, canonical_json, read_artifact
from rubricspec.diagnostics import SpecError

ROOT = Path(__file__).resolve().parents[1]
CRPO = ROOT / "specs" / "clinical" / "crpo.yaml"
CLINTUTOR = ROOT / "specs" / "clinical" / "clintutor.yaml"
LEGAL = ROOT / "specs" / "legal" / "socratic_tutor.yaml"
HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def artifact(path: Path | str, variant: str | None = None, params: dict | None = None) -> dict:
    return rubricspec.compile(path, variant=variant, params=params, judge="replay").artifact()


def text(path: Path | str, variant: str | None = None, params: dict | None = None) -> str:
    return canonical_json(artifact(path, variant, params))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class TestFields:
    def test_header(self) -> None:
        data = artifact(CRPO)
        assert data["schema_version"] == SCHEMA_VERSION == 1
        assert data["kind"] == ARTIFACT_KIND == "rubricspec.reward-program"
        assert data["rubricspec_version"] == rubricspec.__version__
        assert data["rubric"] == "clinical-r1-crpo"
        assert data["title"] == "Faithful, comprehensive single-answer clinical reasoning (Clinical-R1, CRPO)"
        assert data["variant"] is None
        assert HASH.match(data["spec_hash"])

    def test_params_with_defaults_and_variant(self) -> None:
        assert artifact(CRPO)["params"] == {"k": 10, "language": "en", "cr_ngram": 2, "cr_min_overlap": 0.2,
                                            "cr_max_overlap": 0.8}
        k20 = artifact(CRPO, "k20")
        assert k20["variant"] == "k20"
        assert k20["params"]["k"] == 20
        assert artifact(CRPO, params={"language": "fr"})["params"]["language"] == "fr"

    def test_sources_are_relative_with_content_hashes(self) -> None:
        assert artifact(CRPO)["sources"] == [{"path": "crpo.yaml", "sha256": sha256(CRPO)}]
        assert artifact(LEGAL)["sources"] == [
            {"path": "../clinical/clintutor.yaml", "sha256": sha256(CLINTUTOR)},
            {"path": "socratic_tutor.yaml", "sha256": sha256(LEGAL)},
        ]

    def test_criteria_in_canonical_form(self) -> None:
        criteria = {c["id"]: c for c in artifact(CRPO)["criteria"]}
        assert list(criteria) == ["accuracy", "format", "cross_reference", "consistency"]
        assert criteria["accuracy"] == {
            "id": "accuracy", "title": "Correct option", "axis": None, "kind": "rule", "scale": "0..1",
            "weight": 1.0, "rule": 'choice_letter(tag_text(completion, "conclusion")) == answer'}
        # a folded multi-line rule becomes one canonical line
        assert criteria["format"]["rule"] == (
            'has_tags(completion, "dx", "conclusion") and tag_count(completion, "dx") == 1 and '
            'tag_count(completion, "conclusion") == 1 and tags_in_order(completion, "dx", "conclusion") and '
            'well_formed(completion, "dx", "conclusion")')
        assert criteria["consistency"]["scale"] == "0.0..1.0"

    def test_reward_and_inputs(self) -> None:
        data = artifact(CRPO)
        assert data["reward"] == "k * accuracy + format + 0.5 * cross_reference + 0.5 * consistency"
        assert data["inputs"] == [{"name": "answer", "type": "text"}]
        assert data["veto"] == []
        assert data["judge"] is None
        assert data["on_judge_failure"] == {"mode": "skip", "value": None, "because": None}

    def test_judged_criteria_axes_and_veto(self) -> None:
        data = artifact(CLINTUTOR)
        assert data["veto"] == [{
            "when": "[CS-1] < 0 or [CS-2] < 0 or [IS-1] < 0", "reward": "p_veto",
            "because": "A safety-critical criterion (CS-1, CS-2 or IS-1) scored below zero."}]
        assert [(a["id"], a["criteria"]) for a in data["axes"]] == [
            ("IS", ["IS-1", "IS-2", "IS-3"]), ("AQ", ["AQ-1", "AQ-2", "AQ-3"]), ("CS", ["CS-1", "CS-2"])]
        assert data["judge"] == {"model": "tutor-judge", "grade": "per-axis", "temperature": 0.2}
        kinds = {c["id"]: c["kind"] for c in data["criteria"]}
        assert kinds == {"IS-1": "rule", "IS-2": "ask", "IS-3": "ask", "AQ-1": "ask", "AQ-2": "ask",
                         "AQ-3": "ask", "CS-1": "ask", "CS-2": "ask"}
        cs1 = next(c for c in data["criteria"] if c["id"] == "CS-1")
        assert cs1["ask"] == "Every clinical statement, including the private reasoning, is correct."
        assert data["rule_order"] == ["IS-1"]
        assert data["reward"] == "sum(criteria)"

    def test_variant_patches_show(self) -> None:
        assert artifact(CLINTUTOR, "no-veto")["veto"] == []
        vanilla = artifact(CLINTUTOR, "vanilla")
        assert [c["id"] for c in vanilla["criteria"]] == ["format", "holistic"]
        assert vanilla["axes"] == []
        assert vanilla["reward"] == "format + holistic"
        assert vanilla["judge"]["grade"] == "all"

    def test_is_valid_strict_json(self) -> None:
        body = text(CLINTUTOR)
        assert json.loads(body) == artifact(CLINTUTOR)
        assert body.endswith("}\n")


class TestStability:
    def test_same_inputs_same_bytes(self) -> None:
        assert text(LEGAL) == text(LEGAL)
        assert text(CRPO, "k5") == text(CRPO, "k5")

    def test_independent_of_working_directory_and_path_spelling(self, tmp_path, monkeypatch) -> None:
        expected = text(LEGAL)
        monkeypatch.chdir(LEGAL.parent)
        assert text("socratic_tutor.yaml") == expected
        monkeypatch.chdir(tmp_path)
        assert text(LEGAL.parent / ".." / "legal" / "socratic_tutor.yaml") == expected

    def test_copied_spec_gives_the_same_artifact(self, tmp_path) -> None:
        copy = tmp_path / "crpo.yaml"
        shutil.copy(CRPO, copy)
        assert text(copy) == text(CRPO)


class TestSpecHash:
    def test_differs_by_variant(self) -> None:
        hashes = {artifact(CRPO, v)["spec_hash"] for v in (None, "k1", "k5", "accuracy-only", "no-cross-reference")}
        assert len(hashes) == 5

    def test_differs_by_param(self) -> None:
        base = artifact(CRPO)["spec_hash"]
        assert artifact(CRPO, params={"k": 3})["spec_hash"] != base
        assert artifact(CRPO, params={"cr_min_overlap": 0.25})["spec_hash"] != base

    def test_setting_a_param_to_its_default_changes_nothing(self) -> None:
        assert text(CRPO, params={"k": 10}) == text(CRPO)

    def test_differs_by_meaning(self, tmp_path) -> None:
        edited = tmp_path / "crpo.yaml"
        edited.write_text(CRPO.read_text(encoding="utf-8").replace("0.5 * consistency\n", "0.25 * consistency\n"),
                          encoding="utf-8")
        assert artifact(edited)["spec_hash"] != artifact(CRPO)["spec_hash"]

    def test_whitespace_and_comments_do_not_change_it(self, tmp_path) -> None:
        source = CRPO.read_text(encoding="utf-8")
        edited = source.replace("# yaml-language-server", "# a new comment\n\n# yaml-language-server")
        edited = edited.replace("scale: 0..1\n", "scale:    0..1     # trailing comment\n\n\n")
        edited = edited.replace("  k1: {params: {k: 1}}", "  k1:\n    params:\n      k: 1   # flow to block")
        edited = edited.replace("reward: k * accuracy + format", "reward:   k * accuracy + format")
        # re-indent one mapping consistently (2 -> 4 spaces)
        edited = edited.replace("  accuracy:\n    title: Correct option\n",
                                "  accuracy:\n      title: Correct option\n")
        edited = edited.replace("    description: The option chosen in the conclusion is the gold answer.\n"
                                "    rule: choice_letter",
                                "      description: The option chosen in the conclusion is the gold answer.\n"
                                "      rule: choice_letter")
        assert edited != source
        path = tmp_path / "crpo.yaml"
        path.write_text(edited, encoding="utf-8")
        before, after = artifact(CRPO), artifact(path)
        assert after["spec_hash"] == before["spec_hash"]
        assert after["sources"][0]["sha256"] != before["sources"][0]["sha256"]
        assert {k: v for k, v in after.items() if k != "sources"} == {k: v for k, v in before.items() if k != "sources"}

    def test_non_finite_param_default_is_refused_at_compile(self, tmp_path) -> None:
        path = tmp_path / "crpo.yaml"
        path.write_text(CRPO.read_text(encoding="utf-8").replace("default: 10\n", "default: .inf\n"),
                        encoding="utf-8")
        with pytest.raises(SpecError) as caught:
            canonical_json(artifact(path))
        [d] = caught.value.diagnostics
        assert (d.code, d.line, d.column) == ("RS113", 31, 14)


class TestReadArtifact:
    def write(self, tmp_path: Path, data: object) -> Path:
        path = tmp_path / "artifact.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def test_round_trip(self, tmp_path) -> None:
        path = tmp_path / "artifact.json"
        path.write_text(text(CRPO), encoding="utf-8")
        assert read_artifact(path) == artifact(CRPO)

    def test_wrong_schema_version(self, tmp_path) -> None:
        path = self.write(tmp_path, {**artifact(CRPO), "schema_version": 2})
        with pytest.raises(SpecError) as caught:
            read_artifact(path)
        [d] = caught.value.diagnostics
        assert d.code == "RS104"
        assert d.message == f"{path} has artifact schema_version 2; this rubricspec reads version 1."
        assert d.hint == "Recompile the spec with this version: `rubricspec compile`."

    def test_missing_schema_version(self, tmp_path) -> None:
        data = {k: v for k, v in artifact(CRPO).items() if k != "schema_version"}
        with pytest.raises(SpecError) as caught:
            read_artifact(self.write(tmp_path, data))
        assert [d.code for d in caught.value.diagnostics] == ["RS104"]

    def test_not_an_artifact(self, tmp_path) -> None:
        path = self.write(tmp_path, {"schema_version": 1, "kind": "something-else"})
        with pytest.raises(SpecError) as caught:
            read_artifact(path)
        [d] = caught.value.diagnostics
        assert (d.code, d.message) == ("RS104", f"{path} is not a rubricspec reward-program artifact.")

    def test_not_json(self, tmp_path) -> None:
        path = tmp_path / "artifact.json"
        path.write_text("{not json", encoding="utf-8")
        with pytest.raises(SpecError) as caught:
            read_artifact(path)
        assert [d.code for d in caught.value.diagnostics] == ["RS001"]
