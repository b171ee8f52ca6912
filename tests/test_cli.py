"""The `rubricspec` command line: check, compile, score (with resume), explain, schema.

In: click's ``CliRunner`` on ``rubricspec.cli.main`` with the bundled specs and
small JSONL files written to ``tmp_path``; one real run of the installed
console script.
Out: exit codes (0 ok, 1 invalid spec, 2 usage or input problem), the exact
texts a user reads, and byte-exact output files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import rubricspec
from rubricspec.cli import main
from rubricspec.compiler.artifact import canonical_json
from rubricspec.schema import schema_text

ROOT = Path(__file__).resolve().parents[1]
CRPO = ROOT / "specs" / "clinical" / "crpo.yaml"
CLINTUTOR = ROOT / "specs" / "clinical" / "clintutor.yaml"
LEGAL = ROOT / "specs" / "legal" / "socratic_tutor.yaml"
BUNDLED = [CRPO, CLINTUTOR, LEGAL]

GOOD = ("<dx>Crushing chest pain with ST elevation points to acute myocardial infarction.</dx>"
        "<conclusion>ST elevation with crushing chest pain: acute myocardial infarction. "
        "The answer is (B).</conclusion>")
#: (row, reward with k=10, reward with k=5) for the CRPO rubric
CRPO_ROWS = [
    ({"prompt": "q0", "completion": GOOD, "answer": "B"}, 12.0, 7.0),
    ({"prompt": "q1", "completion": GOOD, "answer": "C"}, 2.0, 2.0),
    ({"prompt": "q2", "completion": "The answer is B", "answer": "B"}, 0.5, 0.5),
    ({"prompt": "q3", "completion": "<dx>x</dx><conclusion>A</conclusion>", "answer": "A", "id": "r3"}, 11.5, 6.5),
    ({"prompt": "q4", "completion": "<dx>y</dx>", "answer": "D"}, 0.5, 0.5),
]

TINY = """\
    rubricspec: 1
    kind: rubric
    name: tiny
    title: Tiny rubric
    inputs:
      answer: text
    params:
      k: 10
    criteria:
      accuracy:
        title: Correct option
        rule: choice_letter(completion) == answer
      format:
        title: Has a dx section
        rule: has_tag(completion, "dx")
    reward: k * accuracy
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def cells(output: str, label: str) -> list[str]:
    """The cells of the summary-table row whose first cell is ``label``."""
    for line in output.splitlines():
        parts = [p.strip() for p in line.split("│")]
        if len(parts) > 2 and parts[1] == label:
            return parts[1:-1]
    raise AssertionError(f"no table row {label!r} in:\n{output}")


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- check -----------------------------------------------------------------------------------------

class TestCheck:
    def test_bundled_specs_are_ok(self, runner) -> None:
        result = runner.invoke(main, ["check", *map(str, BUNDLED)])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [
            f"ok {CRPO} (rubric clinical-r1-crpo: 4 criteria, 5 variants)",
            f"ok {CLINTUTOR} (rubric clintutor-r1: 8 criteria, 3 variants)",
            f"ok {LEGAL} (rubric legal-socratic-tutor: 8 criteria, 3 variants)",
        ]

    def test_invalid_spec_exits_1_with_the_diagnostic(self, runner, tmp_path) -> None:
        spec = write(tmp_path / "bad.yaml", TINY.replace("== answer", "== answr"))
        result = runner.invoke(main, ["check", str(spec)])
        assert result.exit_code == 1
        assert f"error[RS302] {spec}:12:40" in result.output
        assert "  `answr` is not an input, param, criterion or built-in name of this rubric." in result.output
        assert "Did you mean `answer`?" in result.output
        assert "    |                                        ^^^^^" in result.output
        assert result.output.rstrip().endswith("1 error")

    def test_one_bad_file_fails_the_run_but_all_are_checked(self, runner, tmp_path) -> None:
        spec = write(tmp_path / "bad.yaml", TINY.replace("title: Tiny rubric", "titel: Tiny rubric"))
        result = runner.invoke(main, ["check", str(spec), str(CRPO)])
        assert result.exit_code == 1
        assert "error[RS101]" in result.output
        assert f"ok {CRPO} (rubric clinical-r1-crpo: 4 criteria, 5 variants)" in result.output

    def test_missing_file(self, runner, tmp_path) -> None:
        result = runner.invoke(main, ["check", str(tmp_path / "nope.yaml")])
        assert result.exit_code == 1
        assert f"No such file: {tmp_path / 'nope.yaml'}" in result.output

    def test_warning_passes_without_strict(self, runner, tmp_path) -> None:
        spec = write(tmp_path / "warn.yaml", TINY)
        result = runner.invoke(main, ["check", str(spec)])
        assert result.exit_code == 0
        assert f"warning[RS401] {spec}:13:3" in result.output
        assert "Criterion format cannot affect the reward: neither the reward nor any veto reads it." in result.output
        assert "0 errors, 1 warning" in result.output

    def test_strict_turns_warnings_into_exit_1(self, runner, tmp_path) -> None:
        spec = write(tmp_path / "warn.yaml", TINY)
        result = runner.invoke(main, ["check", "--strict", str(spec)])
        assert result.exit_code == 1
        assert f"warning[RS401] {spec}:13:3" in result.output

    def test_strict_on_clean_specs_is_still_0(self, runner) -> None:
        assert runner.invoke(main, ["check", "--strict", str(CRPO)]).exit_code == 0


# --- compile ---------------------------------------------------------------------------------------

def _artifact_text(path: Path, variant: str | None = None, params: dict | None = None) -> str:
    program = rubricspec.compile(path, variant=variant, params=params, judge="replay")
    return canonical_json(program.artifact())


class TestCompile:
    def test_output_is_the_canonical_artifact(self, runner) -> None:
        result = runner.invoke(main, ["compile", str(CRPO)])
        assert result.exit_code == 0, result.output
        assert result.stdout == _artifact_text(CRPO)

    def test_judged_rubric_compiles_without_a_judge(self, runner) -> None:
        result = runner.invoke(main, ["compile", str(CLINTUTOR), "--variant", "no-veto"])
        assert result.exit_code == 0, result.output
        assert result.stdout == _artifact_text(CLINTUTOR, "no-veto")

    def test_same_bytes_twice(self, runner) -> None:
        first = runner.invoke(main, ["compile", str(LEGAL)]).stdout
        assert runner.invoke(main, ["compile", str(LEGAL)]).stdout == first

    def test_contents(self, runner) -> None:
        data = json.loads(runner.invoke(main, ["compile", str(CRPO), "--variant", "k5"]).stdout)
        assert data["schema_version"] == 1
        assert data["variant"] == "k5"
        assert data["params"] == {"k": 5, "language": "en", "cr_ngram": 2, "cr_min_overlap": 0.2,
                                  "cr_max_overlap": 0.8}
        assert data["spec_hash"].startswith("sha256:") and len(data["spec_hash"]) == 71

    def test_output_file(self, runner, tmp_path) -> None:
        out = tmp_path / "deep" / "crpo.json"
        result = runner.invoke(main, ["compile", str(CRPO), "-o", str(out)])
        assert result.exit_code == 0
        assert result.stdout == ""
        assert f"wrote {out}" in result.output
        assert out.read_text(encoding="utf-8") == _artifact_text(CRPO)

    def test_set_changes_params_and_spec_hash(self, runner) -> None:
        base = json.loads(runner.invoke(main, ["compile", str(CRPO)]).stdout)
        result = runner.invoke(main, ["compile", str(CRPO), "--set", "k=5"])
        assert result.exit_code == 0, result.output
        changed = json.loads(result.stdout)
        assert base["params"]["k"] == 10 and changed["params"]["k"] == 5
        assert changed["spec_hash"] != base["spec_hash"]
        assert changed["variant"] is None
        assert result.stdout == _artifact_text(CRPO, params={"k": 5})

    def test_set_unknown_param(self, runner) -> None:
        result = runner.invoke(main, ["compile", str(CRPO), "--set", "kk=5"])
        assert result.exit_code == 1
        assert "error[RS502]" in result.output
        assert "The rubric has no param `kk` to set" in result.output
        assert "Did you mean `k`?" in result.output

    def test_set_without_equals(self, runner) -> None:
        result = runner.invoke(main, ["compile", str(CRPO), "--set", "k"])
        assert result.exit_code == 1
        assert "`--set k` is missing `=`." in result.output

    def test_set_infinite_value_is_a_diagnostic_not_a_traceback(self, runner) -> None:
        result = runner.invoke(main, ["compile", str(CRPO), "--set", "k=.inf"])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code == 1
        assert "error[RS503]" in result.output

    def test_set_text_param_to_a_yaml_1_1_boolean_word(self, runner) -> None:
        # `no` is Norwegian's language code; a text param must keep the text, not read it as false
        result = runner.invoke(main, ["compile", str(CRPO), "--set", "language=no"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["params"]["language"] == "no"

    def test_unknown_variant(self, runner) -> None:
        result = runner.invoke(main, ["compile", str(CRPO), "--variant", "k50"])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert "error[RS501]" in result.output
        assert "The rubric has no variant `k50`." in result.output
        assert "Did you mean `k5`? Variants: k1, k5, k20, accuracy-only, no-cross-reference." in result.output


# --- score -----------------------------------------------------------------------------------------

@pytest.fixture
def crpo_input(tmp_path) -> Path:
    return write_rows(tmp_path / "in.jsonl", [row for row, _, _ in CRPO_ROWS])


def _score(runner: CliRunner, inp: Path, out: Path, *extra: str):
    return runner.invoke(main, ["score", str(CRPO), "-i", str(inp), "-o", str(out), "-q", *extra])


class TestScore:
    def test_one_output_row_per_input_row(self, runner, tmp_path, crpo_input) -> None:
        out = tmp_path / "out.jsonl"
        result = _score(runner, crpo_input, out)
        assert result.exit_code == 0, result.output
        got = records(out)
        assert [r["row"] for r in got] == [0, 1, 2, 3, 4]
        assert [r["reward"] for r in got] == [reward for _, reward, _ in CRPO_ROWS]
        assert got[0]["criteria"] == {"accuracy": 1.0, "format": 1.0, "cross_reference": 1.0, "consistency": 1.0}
        assert got[3]["id"] == "r3" and "id" not in got[0]
        assert set(got[0]) == {"row", "reward", "criteria", "axes", "vetoed", "veto_reason", "veto_rule",
                               "failures", "error"}

    def test_summary_table(self, runner, tmp_path, crpo_input) -> None:
        result = _score(runner, crpo_input, tmp_path / "out.jsonl")
        assert "clinical-r1-crpo: 5 rows" in result.output
        assert cells(result.output, "reward") == ["reward", "5.300", "5.297", "0.500", "12.000", "5", "0"]
        assert cells(result.output, "accuracy") == ["accuracy", "0.400", "0.490", "0.000", "1.000", "5", "0"]
        assert "vetoed: 0 (0.0%); no reward: 0" in result.output

    def test_set_changes_rewards(self, runner, tmp_path, crpo_input) -> None:
        out = tmp_path / "k5.jsonl"
        assert _score(runner, crpo_input, out, "--set", "k=5").exit_code == 0
        assert [r["reward"] for r in records(out)] == [k5 for _, _, k5 in CRPO_ROWS]

    def test_bad_json_line(self, runner, tmp_path) -> None:
        inp = tmp_path / "bad.jsonl"
        inp.write_text('{"completion": "a", "answer": "A"}\n\n{"completion": oops}\n', encoding="utf-8")
        result = _score(runner, inp, tmp_path / "out.jsonl")
        assert result.exit_code == 2
        assert f"error: {inp}:3: not valid JSON (Expecting value at column 16)." in result.output

    def test_row_that_is_not_an_object(self, runner, tmp_path) -> None:
        inp = tmp_path / "list.jsonl"
        inp.write_text('{"completion": "a", "answer": "A"}\n[1, 2]\n', encoding="utf-8")
        result = _score(runner, inp, tmp_path / "out.jsonl")
        assert result.exit_code == 2
        assert f"{inp}:2: each line must be a JSON object with `completion`." in result.output

    def test_missing_declared_column(self, runner, tmp_path) -> None:
        inp = write_rows(tmp_path / "miss.jsonl", [{"completion": "a", "answr": "A"}])
        result = _score(runner, inp, tmp_path / "out.jsonl")
        assert result.exit_code == 2
        assert "reads the input column `answer` (the data has `answr`)" in result.output
        assert f"{inp}:1:" in result.output

    def test_missing_input_file(self, runner, tmp_path) -> None:
        result = _score(runner, tmp_path / "none.jsonl", tmp_path / "out.jsonl")
        assert result.exit_code == 2
        assert f"cannot read {tmp_path / 'none.jsonl'}" in result.output

    def test_judged_rubric_needs_a_judge(self, runner, tmp_path) -> None:
        inp = write_rows(tmp_path / "in.jsonl", [{"completion": "x", "students": []}])
        result = runner.invoke(main, ["score", str(CLINTUTOR), "-i", str(inp), "-o", str(tmp_path / "o.jsonl")])
        assert result.exit_code == 2
        assert "rubric clintutor-r1 has judged criteria (IS-2, IS-3, AQ-1, AQ-2, AQ-3, CS-1, CS-2)" in result.output

    def test_replay_judge_and_veto(self, runner, tmp_path) -> None:
        tags = ('<think_history>h</think_history><think_question>q</think_question>'
                '<think_student student_id="Ana">Ana is right</think_student><think_group>g</think_group>')
        all_two = {cid: 2 for cid in ("IS-2", "IS-3", "AQ-1", "AQ-2", "AQ-3", "CS-1", "CS-2")}
        rows = [{"completion": tags + "What next?", "students": ["Ana"], "verdicts": all_two},
                {"completion": tags, "students": ["Ana"], "verdicts": {**all_two, "CS-2": {"score": -1,
                                                                                           "reason": "unsafe"}}}]
        inp = write_rows(tmp_path / "turns.jsonl", rows)
        out = tmp_path / "out.jsonl"
        result = runner.invoke(main, ["score", str(CLINTUTOR), "-i", str(inp), "-o", str(out), "--judge", "replay",
                                      "-q"])
        assert result.exit_code == 0, result.output
        first, second = records(out)
        assert (first["reward"], first["vetoed"]) == (16.0, False)
        assert first["axes"] == {"IS": 6.0, "AQ": 6.0, "CS": 4.0}
        assert (second["reward"], second["vetoed"], second["veto_rule"]) == (-15.0, True, 0)
        assert second["veto_reason"] == "A safety-critical criterion (CS-1, CS-2 or IS-1) scored below zero."
        assert "vetoed: 1 (50.0%); no reward: 0" in result.output


class TestResume:
    def _clean(self, runner, tmp_path, crpo_input) -> bytes:
        clean = tmp_path / "clean.jsonl"
        assert _score(runner, crpo_input, clean).exit_code == 0
        return clean.read_bytes()

    def test_torn_last_line_is_cut_and_scoring_continues(self, runner, tmp_path, crpo_input) -> None:
        clean = self._clean(runner, tmp_path, crpo_input)
        out = tmp_path / "out.jsonl"
        assert _score(runner, crpo_input, out).exit_code == 0
        lines = clean.splitlines(keepends=True)
        out.write_bytes(b"".join(lines[:2]) + lines[2][:25])  # interrupted in the middle of row 2
        result = _score(runner, crpo_input, out)
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == clean
        assert [r["row"] for r in records(out)] == [0, 1, 2, 3, 4]
        assert "clinical-r1-crpo: 5 rows (2 from an earlier run)" in result.output

    def test_interrupted_run_resumes(self, runner, tmp_path, crpo_input, monkeypatch) -> None:
        from rubricspec.runtime import scoring

        clean = self._clean(runner, tmp_path, crpo_input)
        out = tmp_path / "out.jsonl"
        real = scoring._score_batch
        calls = []

        def interrupted(program, batch, handle):
            if len(calls) == 3:
                raise KeyboardInterrupt
            calls.append(batch)
            real(program, batch, handle)

        monkeypatch.setattr(scoring, "_score_batch", interrupted)
        stopped = _score(runner, crpo_input, out, "--batch-size", "1")
        assert stopped.exit_code != 0
        assert [r["row"] for r in records(out)] == [0, 1, 2]
        monkeypatch.setattr(scoring, "_score_batch", real)
        result = _score(runner, crpo_input, out, "--batch-size", "2")
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == clean
        assert "(3 from an earlier run)" in result.output

    def test_complete_output_is_left_alone(self, runner, tmp_path, crpo_input) -> None:
        clean = self._clean(runner, tmp_path, crpo_input)
        out = tmp_path / "out.jsonl"
        _score(runner, crpo_input, out)
        result = _score(runner, crpo_input, out)
        assert result.exit_code == 0
        assert out.read_bytes() == clean
        assert "clinical-r1-crpo: 5 rows (5 from an earlier run)" in result.output

    def test_different_params_refuse_without_overwrite(self, runner, tmp_path, crpo_input) -> None:
        out = tmp_path / "out.jsonl"
        _score(runner, crpo_input, out)
        before = out.read_bytes()
        result = _score(runner, crpo_input, out, "--set", "k=5")
        assert result.exit_code == 2
        assert (f"error: {out} exists but was produced from a different spec, variant, params or input; pass "
                "--overwrite to start again, or choose another --output.") in result.output
        assert out.read_bytes() == before
        result = _score(runner, crpo_input, out, "--set", "k=5", "--overwrite")
        assert result.exit_code == 0
        assert [r["reward"] for r in records(out)] == [k5 for _, _, k5 in CRPO_ROWS]

    def test_different_input_refuses(self, runner, tmp_path, crpo_input) -> None:
        out = tmp_path / "out.jsonl"
        _score(runner, crpo_input, out)
        write_rows(crpo_input, [row for row, _, _ in CRPO_ROWS[:3]])
        assert _score(runner, crpo_input, out).exit_code == 2


# --- explain and schema ----------------------------------------------------------------------------

class TestExplain:
    def test_row_criterion_by_criterion(self, runner, crpo_input) -> None:
        result = runner.invoke(main, ["explain", str(CRPO), "-i", str(crpo_input), "--row", "0"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[:2] == [
            "rubric clinical-r1-crpo: Faithful, comprehensive single-answer clinical reasoning (Clinical-R1, CRPO)",
            "reward: 12"]
        for expected in [
            "accuracy  Correct option",
            "  score 1 on 0..1 (rule); rule gave 1",
            '  rule: choice_letter(tag_text(completion, "conclusion")) == answer',
            '    choice_letter(tag_text(completion, "conclusion")) = "B"',
            "consistency  Stays in the expected language",
            '    language_share(completion, "en") = 1',
            "reward = k * accuracy + format + 0.5 * cross_reference + 0.5 * consistency",
        ]:
            assert expected in lines

    def test_wrong_answer_row(self, runner, crpo_input) -> None:
        result = runner.invoke(main, ["explain", str(CRPO), "-i", str(crpo_input), "--row", "1"])
        assert result.exit_code == 0
        assert "reward: 2" in result.output.splitlines()
        assert "  score 0 on 0..1 (rule); rule gave 0" in result.output.splitlines()

    def test_row_out_of_range(self, runner, crpo_input) -> None:
        result = runner.invoke(main, ["explain", str(CRPO), "-i", str(crpo_input), "--row", "9"])
        assert result.exit_code == 2
        assert f"error: {crpo_input} has 5 rows; row 9 does not exist (rows count from 0)." in result.output


class TestSchemaCommand:
    def test_prints_the_schema_as_json(self, runner) -> None:
        result = runner.invoke(main, ["schema"])
        assert result.exit_code == 0
        assert result.stdout == schema_text()
        assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def test_writes_a_file(self, runner, tmp_path) -> None:
        out = tmp_path / "schema.json"
        assert runner.invoke(main, ["schema", "-o", str(out)]).exit_code == 0
        assert out.read_text(encoding="utf-8") == schema_text()


# --- the installed console script ------------------------------------------------------------------

def test_installed_console_script(tmp_path) -> None:
    """The one real subprocess test: `rubricspec` is on PATH, and compile is byte-stable across processes."""
    script = shutil.which("rubricspec") or str(Path(sys.executable).with_name("rubricspec"))
    if not Path(script).exists():
        pytest.skip("the rubricspec console script is not installed")
    shown = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "Usage: rubricspec [OPTIONS] COMMAND [ARGS]..." in shown.stdout
    for command in ("check", "compile", "explain", "schema", "score"):
        assert f"  {command} " in shown.stdout
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([script, "compile", str(LEGAL)], capture_output=True, timeout=60, check=False,
                              env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].decode("utf-8") == _artifact_text(LEGAL)


def test_a_run_stopped_by_a_missing_column_can_rerun_after_the_fix(runner, tmp_path) -> None:
    inp = write_rows(tmp_path / "rows.jsonl", [{"completion": "<dx>a</dx><conclusion>A</conclusion>", "answr": "A"}])
    out = tmp_path / "out.jsonl"
    first = _score(runner, inp, out)
    assert first.exit_code == 2
    assert f"error[RS601] {inp}:1: rubric clinical-r1-crpo reads the input column `answer`" in first.output
    assert not out.exists()
    write_rows(inp, [{"completion": "<dx>a</dx><conclusion>A</conclusion>", "answer": "A"}])
    second = _score(runner, inp, out)
    assert second.exit_code == 0, second.output
    assert json.loads(out.read_text())["reward"] == 11.5  # 10*1 + 1 + 0.5*0 + 0.5*1.0


def test_unusable_input_or_output_paths_are_clear_errors(runner, tmp_path) -> None:
    inp = write_rows(tmp_path / "rows.jsonl", [{"completion": "x", "answer": "A"}])
    folder = _score(runner, tmp_path, tmp_path / "out.jsonl")
    assert (folder.exit_code, folder.output.strip()) == (2, f"error: {tmp_path} is a folder; give the path of a "
                                                             "JSONL file.")
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    unwritable = _score(runner, inp, blocked / "out.jsonl")
    assert unwritable.exit_code == 2
    assert unwritable.output.startswith(f"error: cannot use {blocked}")
