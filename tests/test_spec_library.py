"""The spec library: every spec under specs/ loads, compiles in every variant, passes `rubricspec check`,
and is exercised on example data.

In: every YAML file under specs/, the bundled data in specs/examples/*.jsonl.
Out: assertions on load/compile/check, and on the rewards of the bundled rows
(worked out by hand from the rubric's formula; the comments give the terms).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import rubricspec
from rubricspec.cli import main

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
SPEC_FILES = sorted(SPECS.rglob("*.yaml"))
#: rubrics (run files, `kind: run`, are exercised in tests/test_training_cli.py)
RUBRIC_FILES = [p for p in SPEC_FILES if "\nkind: run\n" not in p.read_text(encoding="utf-8")]
EXAMPLES = SPECS / "examples"
CRPO_DATA = EXAMPLES / "crpo_completions.jsonl"
TURNS_DATA = EXAMPLES / "clintutor_turns.jsonl"
CRPO = SPECS / "clinical" / "crpo.yaml"
CLINTUTOR = SPECS / "clinical" / "clintutor.yaml"
LEGAL = SPECS / "legal" / "socratic_tutor.yaml"


def _id(path: Path) -> str:
    return str(path.relative_to(SPECS))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_rows(spec: Path, rows: list[dict], variant: str | None = None, **compile_args) -> dict[str, object]:
    program = rubricspec.compile(spec, variant=variant, **compile_args)
    columns = {k: [r.get(k) for r in rows] for k in rows[0] if k not in ("id", "prompt", "completion")}
    results = program.score(prompts=[r["prompt"] for r in rows], completions=[r["completion"] for r in rows],
                            **columns)
    return {r["id"]: result for r, result in zip(rows, results)}


class TestEverySpec:
    def test_the_library_holds_the_expected_specs(self):
        names = {_id(p) for p in SPEC_FILES}
        assert {"clinical/crpo.yaml", "clinical/clintutor.yaml", "legal/socratic_tutor.yaml",
                "examples/healthbench_chest_pain.yaml", "examples/crpo_without_cross_reference.yaml"} <= names
        assert len([n for n in names if n.startswith("examples/")]) == 9

    @pytest.mark.parametrize("path", RUBRIC_FILES, ids=_id)
    def test_loads_and_compiles_in_every_variant(self, path):
        spec = rubricspec.load(path)
        assert spec.warnings == []
        for variant in [None, *spec.variants]:
            program = rubricspec.compile(spec, variant=variant, judge="replay")
            assert program.variant == variant
            assert program.criteria

    def test_rubricspec_check_passes_on_all_of_them(self):
        paths = [str(p) for p in SPEC_FILES]
        result = CliRunner().invoke(main, ["check", "--strict", *paths])
        assert result.exit_code == 0, result.output
        for path in paths:
            shape = r"\(run [a-z0-9.-]+: rubric [a-z0-9.-]+" if "/training/" in path and "_rubric" not in path \
                else r"\(rubric [a-z0-9.-]+: \d+ criteri"
            assert re.search(rf"^ok {re.escape(path)} {shape}", result.output, re.M), path

    @pytest.mark.parametrize("path", SPEC_FILES, ids=_id)
    def test_every_spec_is_exercised_by_a_test(self, path):
        # the style guide: every example spec is compiled and exercised by a test
        sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
        assert f'"{path.name}"' in sources, f"no test names {path.name}"


# rewards of the bundled CRPO rows: k*accuracy + format + 0.5*cross_reference + 0.5*consistency, k = 10
CRPO_EXPECTED = {
    "q01-correct": 12.0,                 # 10 + 1 + 0.5 + 0.5
    "q01-wrong-boxed": 2.0,              # 0 + 1 + 0.5 + 0.5
    "q01-bare-letter": 11.5,             # a one-word conclusion has no bigram: no cross-reference
    "q01-conclusion-first": 10.5,        # 10 + 0 (order) + 0 + 0.5
    "q01-chat-correct": 12.0,
    "q02-correct": 12.0,
    "q02-copied-dx": 11.5,               # conclusion = dx + \boxed{A}: overlap above 0.8
    "q02-spanish": 1.5,                  # "La respuesta es (A)" is not read as an answer; Latin script: 0.5
    "q02-missing-dx-close": 10.5,
    "q02-wrong": 2.0,
    "q03-correct-boxed": 11.5,           # overlap 2/12 (low c3, poststreptococcal glomerulonephritis) < 0.2
    "q03-chinese": 11.161458333333334,   # 10 + 1 + 0 + 0.5 * 31 Latin / (31 + 65 Han)
    "q03-two-dx": 10.5,
    "q03-wrong": 1.5,                    # wrong, and the conclusion shares too few bigrams with the dx
    "q03-ignores-dx": 11.5,
    "q04-correct": 12.0,
    "q04-mismatched-tags": 0.5,          # no complete conclusion: no answer, no format
    "q04-partly-chinese": 11.955128205128204,  # 10 + 1 + 0.5 + 0.5 * 142 / (142 + 14)
    "q04-chat-wrong": 2.0,
    "q04-answer-colon": 12.0,
    "q05-correct": 12.0,
    "q05-null": None,                    # not text: no reward
    "q05-wrong-boxed": 2.0,
    "q05-copied-dx": 11.5,
    "q05-spanish-english-answer": 12.0,  # "Answer: E" is read; Spanish is Latin script
    "q06-correct": 12.0,
    "q06-bold-letter": 11.5,
    "q06-wrong": 2.0,
    "q06-missing-conclusion-close": 0.5,
    "q06-chat-correct": 12.0,
    "q07-correct": 12.0,
    "q07-chinese-dx": 11.333333333333334,  # 10 + 1 + 0 + 0.5 * 66 / (66 + 33)
    "q07-no-tags": 0.5,
    "q07-wrong": 2.0,
    "q07-boxed-text": 12.0,
    "q08-correct": 12.0,
    "q08-stray-close": 10.5,
    "q08-wrong": 2.0,
    "q08-ignores-dx": 11.5,
    "q08-spanish": 2.0,                  # "la opción correcta es la B" is not read as an answer
    "q09-correct": 12.0,
    "q09-wrong": 2.0,
    "q09-bare-letter-dot": 11.5,
    "q09-two-conclusions": 10.5,         # the last "answer is" of the joined conclusions is C; two: no format
    "q09-chat-correct": 12.0,
    "q10-correct": 12.0,
    "q10-wrong": 2.0,
    "q10-chinese": 11.180722891566266,   # 10 + 1 + 0 + 0.5 * 30 / (30 + 53)
    "q10-truncated": 0.5,
    "q10-bold-answer": 12.0,
    "q11-correct": 12.0,
    "q11-wrong": 2.0,
    "q11-copied-dx": 11.5,
    "q11-malformed-dx-tag": 10.5,        # <dx type=analysis> is not a tag
    "q11-chat-correct": 12.0,
    "q12-correct": 12.0,
    "q12-wrong": 2.0,
    "q12-mixed-spanish": 12.0,
    "q12-lowercase": 12.0,               # "the answer is d." counts a lower-case letter before "."
    "q12-empty": 0.0,
}


class TestCrpoBundledData:
    def test_every_row(self):
        results = score_rows(CRPO, read_jsonl(CRPO_DATA))
        assert list(results) == list(CRPO_EXPECTED)
        for rid, expected in CRPO_EXPECTED.items():
            assert results[rid].reward == (None if expected is None else pytest.approx(expected)), rid

    def test_rows_checked_term_by_term(self):
        results = score_rows(CRPO, read_jsonl(CRPO_DATA))
        assert results["q02-copied-dx"].criteria == {"accuracy": 1.0, "format": 1.0, "cross_reference": 0.0,
                                                     "consistency": 1.0}
        assert results["q07-chinese-dx"].criteria["consistency"] == pytest.approx(66 / 99)
        assert results["q09-two-conclusions"].criteria == {"accuracy": 1.0, "format": 0.0, "cross_reference": 0.0,
                                                           "consistency": 1.0}
        assert results["q05-null"].error == "the completion is NoneType, not text or chat messages"

    def test_the_readme_job_scores_the_whole_file(self, tmp_path):
        output = tmp_path / "out" / "crpo_scored.jsonl"
        result = CliRunner().invoke(main, ["score", str(CRPO), "--input", str(CRPO_DATA), "--output", str(output),
                                           "--quiet"])
        assert result.exit_code == 0, result.output
        scored = read_jsonl(output)
        assert len(scored) == 60
        assert [r["id"] for r in scored] == list(CRPO_EXPECTED)
        rewards = [r["reward"] for r in scored]
        assert rewards.count(None) == 1
        given = [r for r in rewards if r is not None]
        assert sum(given) / len(given) == pytest.approx(8.358146487514595)  # 493.1306... / 59
        assert sum(given) / len(given) == pytest.approx(sum(v for v in CRPO_EXPECTED.values() if v) / 59)
        assert "clinical-r1-crpo: 60 rows" in result.output
        assert "vetoed: 0 (0.0%); no reward: 1" in result.output

    def test_no_cross_reference_port_matches_the_variant(self):
        rows = read_jsonl(CRPO_DATA)
        variant = score_rows(CRPO, rows, variant="no-cross-reference")
        port = score_rows(EXAMPLES / "crpo_without_cross_reference.yaml", rows)
        assert {k: r.reward for k, r in port.items()} == {k: r.reward for k, r in variant.items()}
        assert port["q01-correct"].reward == 11.5  # 10 + 1 + 0.5


# ClinTutor rows: IS-1 + the seven recorded verdicts, or -15 when CS-1, CS-2 or IS-1 < 0
TURNS_EXPECTED = {
    #                                        default   no-veto   medtutor-exact  vanilla
    "t01-all-named":                        (15.0,     15.0,     15.0,           2.0),   # 2 + 13
    "t02-two-of-three-named":               (9.6666667, 9.6666667, 9.6666667,    2.0),   # (-2 + 8/3) + 9
    "t03-one-of-three-named":               (-15.0,    4.3333333, -15.0,         1.0),   # (-2 + 4/3) + 5
    "t04-none-named":                       (-15.0,    2.0,      -15.0,          1.0),   # -2 + 4
    "t05-alicia-is-not-ali":                (11.6666667, 11.6666667, 11.6666667, 2.0),   # (-2 + 8/3) + 11
    "t06-names-any-case":                   (15.0,     15.0,     -15.0,          2.0),   # 2 + 13; no think_image
    "t07-single-learner":                   (13.0,     13.0,     -15.0,          2.0),   # 2 + 11
    "t08-image-all-named":                  (15.0,     15.0,     15.0,           2.0),   # 2 + 13
    "t09-image-without-think-image":        (-15.0,    8.0,      -15.0,          1.0),   # -2 + 10
    "t10-missing-think-group":              (-15.0,    7.0,      -15.0,          0.0),   # -2 + 9
    "t11-factual-error":                    (-15.0,    7.0,      -15.0,          1.0),   # 2 + 5, CS-1 = -1
    "t12-unsafe-discharge":                 (-15.0,    3.0,      -15.0,          1.0),   # 2 + 1, CS-2 = -2
    "t13-missing-verdict":                  (None,     None,     -15.0,          2.0),
    "t14-out-of-scale-verdict":             (None,     None,     -15.0,          2.0),
    "t15-non-number-verdict":               (None,     None,     None,           2.0),
    "t16-cs1-missing-and-student-missing":  (-15.0,    None,     -15.0,          1.0),
    "t17-cs2-missing":                      (None,     None,     -15.0,          2.0),
    "t18-verdicts-with-reasons":            (11.0,     11.0,     11.0,           2.0),   # 2 + 9
    "t19-chat-all-named":                   (9.0,      9.0,      9.0,            2.0),   # 2 + 7
    "t20-gives-away-answer":                (5.0,      5.0,      5.0,            1.0),   # 2 + 3
}


class TestClinTutorBundledData:
    @pytest.mark.parametrize("column, variant", [(0, None), (1, "no-veto"), (2, "medtutor-exact"), (3, "vanilla")])
    @pytest.mark.parametrize("spec", [CLINTUTOR, LEGAL], ids=["clintutor", "legal-port"])
    def test_every_row_in_every_variant(self, spec, column, variant):
        results = score_rows(spec, read_jsonl(TURNS_DATA), variant=variant, judge="replay")
        assert list(results) == list(TURNS_EXPECTED)
        for rid, expected in TURNS_EXPECTED.items():
            want = expected[column]
            assert results[rid].reward == (None if want is None else pytest.approx(want)), (rid, variant)

    def test_failures_are_recorded_with_their_reasons(self):
        results = score_rows(CLINTUTOR, read_jsonl(TURNS_DATA), judge="replay")
        assert results["t13-missing-verdict"].failures == {"AQ-2": "no recorded verdict for AQ-2"}
        assert results["t14-out-of-scale-verdict"].failures == {
            "IS-3": "the verdict 3 for IS-3 is outside its scale -2..2"}
        assert results["t15-non-number-verdict"].failures == {"AQ-1": 'the verdict for AQ-1 is "good", not a number'}
        assert results["t16-cs1-missing-and-student-missing"].failures == {"CS-1": "no recorded verdict for CS-1"}
        assert results["t17-cs2-missing"].error == "no reward: a veto could not be decided without CS-2"

    def test_vetoes_and_reasons(self):
        results = score_rows(CLINTUTOR, read_jsonl(TURNS_DATA), judge="replay")
        vetoed = sorted(rid for rid, r in results.items() if r.vetoed)
        assert vetoed == ["t03-one-of-three-named", "t04-none-named", "t09-image-without-think-image",
                          "t10-missing-think-group", "t11-factual-error", "t12-unsafe-discharge",
                          "t16-cs1-missing-and-student-missing"]
        assert {results[rid].veto_reason for rid in vetoed} == {
            "A safety-critical criterion (CS-1, CS-2 or IS-1) scored below zero."}
        assert results["t11-factual-error"].explanations["CS-1"] == (
            "judge: -1: States that insulin raises serum potassium; it lowers it.")

    def test_score_command_with_the_replay_judge(self, tmp_path):
        output = tmp_path / "turns.jsonl"
        result = CliRunner().invoke(main, ["score", str(CLINTUTOR), "-i", str(TURNS_DATA), "-o", str(output),
                                           "--judge", "replay", "--quiet"])
        assert result.exit_code == 0, result.output
        scored = read_jsonl(output)
        assert [r["reward"] for r in scored].count(None) == 4
        assert sum(r["vetoed"] for r in scored) == 7
        assert "vetoed: 7 (35.0%); no reward: 4" in result.output
