"""RewardProgram: TRL's reward-function contract, bad inputs, judge failures and policies."""

from __future__ import annotations

import logging
import math
import textwrap
from pathlib import Path

import pytest

import rubricspec
from rubricspec.api import JudgeBindingError
from rubricspec.runtime.judges import Failure, JudgeRequest, Verdict

ROOT = Path(__file__).resolve().parents[1]
CRPO = ROOT / "specs" / "clinical" / "crpo.yaml"
CLINTUTOR = ROOT / "specs" / "clinical" / "clintutor.yaml"

GOOD = ("<dx>Crushing chest pain with ST elevation points to acute myocardial infarction.</dx>"
        "<conclusion>ST elevation with crushing chest pain: acute myocardial infarction. "
        "The answer is (B).</conclusion>")


def write_spec(tmp_path: Path, body: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


JUDGED = """\
rubricspec: 1
kind: rubric
name: judged
title: Judged criteria with a rule
scale: -2..2
criteria:
  RULE:
    title: Mentions aspirin
    rule: "if mentions(completion, \\"aspirin\\") then 2 else -2"
  SAFE:
    title: Safe advice
    ask: The advice is safe.
  URGENT:
    title: Urgency
    points: 5
    met: The response says to call emergency services.
reward: "[RULE] + [SAFE] + [URGENT]"
veto:
  - when: "[SAFE] < 0 or [RULE] < 0"
    reward: -10
    because: Unsafe or aspirin missing.
"""


class CountingJudge:
    """A judge double that records requests and answers from a table."""

    name = "counting"

    def __init__(self, answers: dict[str, object]) -> None:
        self.answers = answers
        self.calls = 0

    def grade(self, requests):
        self.calls += len(requests)
        out = []
        for request in requests:
            out.append({c.id: (self.answers[c.id] if c.id in self.answers else Failure("not answered"))
                        for c in request.criteria})
        return out


class TestTrlSignature:
    def test_returns_one_float_per_completion_and_ignores_trl_extras(self):
        program = rubricspec.compile(CRPO)
        rewards = program(prompts=["q", "q"], completions=[GOOD, GOOD.replace("(B)", "(C)")], answer=["B", "B"],
                          completion_ids=[[1], [2]], trainer_state=object(), log_extra=print, log_metric=print)
        assert rewards == [12.0, 2.0]
        assert all(isinstance(r, float) for r in rewards)

    def test_chat_messages_are_scored_by_their_last_assistant_message(self):
        program = rubricspec.compile(CRPO)
        chat = [{"role": "user", "content": "ignored"}, {"role": "assistant", "content": GOOD}]
        parts = [{"role": "assistant", "content": [{"type": "text", "text": GOOD}]}]
        prompt = [{"role": "system", "content": "You are a doctor."}, {"role": "user", "content": "Question"}]
        assert program(prompts=[prompt, prompt], completions=[chat, parts], answer=["B", "B"]) == [12.0, 12.0]

    def test_name_is_rubric_name_and_variant(self):
        assert rubricspec.compile(CRPO).__name__ == "clinical-r1-crpo"
        assert rubricspec.compile(CRPO, variant="k5").__name__ == "clinical-r1-crpo:k5"

    def test_bad_completions_give_none_with_a_reason_never_an_exception(self):
        program = rubricspec.compile(CRPO)
        completions = [None, 42, {"role": "assistant"}, [1, 2], "\ud800 lone surrogate", "x" * 2_000_000, ""]
        results = program.score(prompts=["q"] * len(completions), completions=completions,
                                answer=["B"] * len(completions))
        assert [r.reward for r in results[:4]] == [None, None, None, None]
        assert results[0].error == "the completion is NoneType, not text or chat messages"
        assert results[1].error == "the completion is int, not text or chat messages"
        assert results[4].reward == 0.5  # only consistency: all letters Latin
        assert results[5].reward == 0.5
        assert results[6].reward == 0.0  # no letters: share 0, no format, no answer

    def test_length_always_matches_completions(self):
        program = rubricspec.compile(CRPO)
        assert program(prompts=["q"], completions=[GOOD, GOOD, GOOD], answer=["B", "B", "B"]) == [12.0] * 3
        assert program(prompts=[], completions=[], answer=[]) == []
        assert len(program(prompts=["q"] * 2, completions=[GOOD, GOOD], answer=["B"])) == 2


class TestColumns:
    def test_missing_column_gives_none_for_every_row_and_logs_the_column(self, caplog):
        program = rubricspec.compile(CRPO)
        with caplog.at_level(logging.ERROR, logger="rubricspec"):
            rewards = program(prompts=["q", "q"], completions=[GOOD, GOOD], answers=["B", "B"])
        assert rewards == [None, None]
        assert "reads the input column `answer` (the data has `answers`)" in caplog.text

    def test_check_columns_raises_before_training(self):
        program = rubricspec.compile(CRPO)
        with pytest.raises(rubricspec.InputError, match=r"`answer` \(the data has `answers`\)"):
            program.check_columns(["prompt", "completion", "answers"])
        program.check_columns(["prompt", "completion", "answer"])

    def test_wrongly_typed_value_fails_that_row_only(self):
        program = rubricspec.compile(CLINTUTOR, judge="replay")
        verdicts = {k: 1 for k in ("IS-2", "IS-3", "AQ-1", "AQ-2", "AQ-3", "CS-1", "CS-2")}
        results = program.score(prompts=["p", "p"], completions=["x", "x"], students=["Alice", []],
                                verdicts=[verdicts, verdicts])
        assert results[0].reward is None
        assert results[0].error == "column `students` should be list[text], but this row has 'Alice'"
        assert results[1].error is None

    def test_optional_column_uses_its_default(self):
        program = rubricspec.compile(CLINTUTOR, judge="replay")
        program.check_columns(["students", "verdicts"])  # has_image has a default
        verdicts = {k: 0 for k in ("IS-2", "IS-3", "AQ-1", "AQ-2", "AQ-3", "CS-1", "CS-2")}
        text = ("<think_history>h</think_history><think_question>q</think_question>"
                "<think_student student_id=\"Ann\">Ann</think_student><think_group>g</think_group> Why?")
        no_image, with_image = program.score(prompts=["p", "p"], completions=[text, text], students=[["Ann"]] * 2,
                                             verdicts=[verdicts] * 2, has_image=[None, True])
        assert no_image.criteria["IS-1"] == 2.0
        assert with_image.criteria["IS-1"] == -2.0 and with_image.vetoed


class TestJudgeFailures:
    def test_compile_without_judge_is_refused_for_judged_rubrics(self, tmp_path):
        with pytest.raises(JudgeBindingError, match=r"judged criteria \(SAFE, URGENT\)"):
            rubricspec.compile(write_spec(tmp_path, JUDGED))

    def test_verdicts_validated_against_scale(self, tmp_path):
        program = rubricspec.compile(write_spec(tmp_path, JUDGED), judge="replay")
        rows = [{"SAFE": 2, "URGENT": True}, {"SAFE": {"score": 1, "reason": "ok"}, "URGENT": {"met": False}},
                {"SAFE": 3, "URGENT": True}, {"SAFE": "good", "URGENT": True}, {"SAFE": 1.5, "URGENT": True},
                {"URGENT": True}, {"SAFE": 1, "URGENT": "yes"}, "not json", {"SAFE": 1, "URGENT": {"x": 1}}]
        results = program.score(prompts=[""] * len(rows), completions=["Take aspirin now."] * len(rows),
                                verdicts=rows)
        assert [r.reward for r in results] == [9.0, 3.0, None, None, None, None, None, None, None]
        assert results[1].explanations["SAFE"] == "judge: 1: ok"
        assert results[1].explanations["URGENT"] == "judge: not met (0 points)"
        assert results[2].failures == {"SAFE": "the verdict 3 for SAFE is outside its scale -2..2"}
        assert results[3].failures == {"SAFE": 'the verdict for SAFE is "good", not a number'}
        assert results[4].failures == {"SAFE": "the verdict 1.5 for SAFE is not a whole number on scale -2..2"}
        assert results[5].failures == {"SAFE": "no recorded verdict for SAFE"}
        assert results[6].failures == {"URGENT": 'the verdict for URGENT is "yes", not true or false'}
        assert results[7].failures["SAFE"] == "the `verdicts` column is not valid JSON"
        assert results[8].failures == {"URGENT": "the verdict for URGENT has no `met` (true/false)"}
        assert results[2].error == "no reward: a veto could not be decided without SAFE"

    def test_failure_is_never_a_silent_zero_and_veto_survives_it(self, tmp_path):
        program = rubricspec.compile(write_spec(tmp_path, JUDGED), judge="replay")
        no_aspirin, with_aspirin = program.score(prompts=["", ""], completions=["Rest.", "Take aspirin."],
                                                 verdicts=[{"URGENT": True}, {"URGENT": True}])
        # RULE < 0 decides the veto even though SAFE failed
        assert (no_aspirin.reward, no_aspirin.vetoed, no_aspirin.veto_rule) == (-10.0, True, 0)
        assert no_aspirin.failures == {"SAFE": "no recorded verdict for SAFE"}
        assert with_aspirin.reward is None and with_aspirin.criteria["SAFE"] is None

    def test_policy_score(self, tmp_path):
        spec = write_spec(tmp_path, JUDGED + "on_judge_failure: {score: 0}\n")
        result = rubricspec.compile(spec, judge="replay").score(prompts=[""], completions=["aspirin"],
                                                                verdicts=[{"URGENT": True}])[0]
        assert result.reward == 7.0 and result.criteria["SAFE"] == 0.0
        assert result.explanations["SAFE"] == "scored 0 by the failure policy; failed: no recorded verdict for SAFE"

    def test_policy_reward(self, tmp_path):
        spec = write_spec(tmp_path, JUDGED + "on_judge_failure: {reward: -1, because: Judge unavailable.}\n")
        result = rubricspec.compile(spec, judge="replay").score(prompts=[""], completions=["aspirin"],
                                                                verdicts=[{"URGENT": True}])[0]
        assert (result.reward, result.vetoed, result.veto_reason) == (-1.0, True, "Judge unavailable.")

    def test_a_judge_that_raises_fails_every_verdict_with_its_message(self, tmp_path):
        class Broken:
            name = "broken"

            def grade(self, requests):
                raise ConnectionError("server down")

        results = rubricspec.compile(write_spec(tmp_path, JUDGED), judge=Broken()).score(
            prompts=["", ""], completions=["aspirin", "aspirin"])
        assert [r.reward for r in results] == [None, None]
        assert results[0].failures == {"SAFE": "judge error: server down", "URGENT": "judge error: server down"}

    def test_a_judge_answering_too_few_requests_is_a_failure_not_a_misalignment(self, tmp_path):
        class Short:
            name = "short"

            def grade(self, requests):
                return [{c.id: Verdict(1.0) for c in requests[0].criteria}]

        results = rubricspec.compile(write_spec(tmp_path, JUDGED), judge=Short()).score(
            prompts=["", ""], completions=["aspirin", "aspirin"])
        assert [r.reward for r in results] == [None, None]
        assert results[1].failures["SAFE"] == "judge error: the judge answered 1 of 4 requests"

    def test_grouping_per_axis_and_all(self, tmp_path):
        judge = CountingJudge({"SAFE": Verdict(1.0), "URGENT": Verdict(5.0)})
        program = rubricspec.compile(write_spec(tmp_path, JUDGED), judge=judge)
        assert program(prompts=[""] * 3, completions=["aspirin"] * 3) == [8.0] * 3
        assert judge.calls == 6  # per-criterion: 2 judged criteria x 3 completions
        judge_all = CountingJudge({"SAFE": Verdict(1.0), "URGENT": Verdict(5.0)})
        spec = write_spec(tmp_path, JUDGED + "judge: {model: safety-judge, grade: all}\n", "all.yaml")
        assert rubricspec.compile(spec, judge=judge_all)(prompts=[""] * 3, completions=["aspirin"] * 3) == [8.0] * 3
        assert judge_all.calls == 3


class TestRules:
    def test_rule_outside_its_scale_fails_the_sample(self, tmp_path):
        spec = write_spec(tmp_path, """\
            rubricspec: 1
            kind: rubric
            name: words
            title: Word count
            inputs: {limit: number}
            criteria:
              LEN:
                title: Short
                scale: 0..10
                rule: words(completion) / limit
            """)
        program = rubricspec.compile(spec)
        ok, too_long, zero = program.score(prompts=[""] * 3, completions=["a b c d", "a " * 30, "a"],
                                           limit=[2, 2, 0])
        assert ok.reward == 2.0
        assert too_long.reward is None and too_long.failures == {"LEN": "rule gave 15.0, outside scale 0..10"}
        assert zero.reward is None
        assert zero.failures["LEN"].startswith("rule could not be computed (division by zero, ")

    def test_warnings_are_kept_on_the_program(self, tmp_path):
        spec = write_spec(tmp_path, """\
            rubricspec: 1
            kind: rubric
            name: unused
            title: One criterion unused
            criteria:
              A: {title: A, rule: "1"}
              B: {title: B, rule: "0"}
            reward: "[A]"
            """)
        program = rubricspec.compile(spec)
        assert [(w.code, w.line) for w in program.warnings] == [("RS401", 7)]
        assert math.isclose(program(prompts=[""], completions=["x"])[0], 1.0)


def test_judge_request_is_hashable_data():
    program = rubricspec.compile(CLINTUTOR, judge="replay")
    criterion = program.rubric.criterion("CS-1")
    request = JudgeRequest((criterion,), "p", "c", {})
    assert request.criteria[0].id == "CS-1"


BOUNDED = """\
rubricspec: 1
kind: rubric
name: bounded
title: Bounded param
params:
  k: {default: 10, min: 0}
criteria:
  A: {title: A, rule: "1"}
reward: k * [A]
variants:
  negative: {params: {k: -5}}
"""


class TestVariantsKeepParamDeclarations:
    def test_variant_value_is_checked_against_min(self):
        # k1 sets k through the declaration, so min: 0 still applies to a later override
        with pytest.raises(rubricspec.SpecError) as caught:
            rubricspec.compile(CRPO, variant="k1", params={"k": -1})
        assert caught.value.diagnostics[0].message == "`k` may not be below 0; the override gives -1."
        assert rubricspec.compile(CRPO, variant="k1").rubric.params["k"] == 1

    def test_variant_below_min_is_an_error(self, tmp_path):
        spec = write_spec(tmp_path, BOUNDED)
        with pytest.raises(rubricspec.SpecError) as caught:
            rubricspec.compile(spec, variant="negative")
        d = caught.value.diagnostics[0]
        assert (d.code, d.line, d.message) == ("RS503", 11, "`k` may not be below 0; the override gives -5.")
        assert d.hint == "The variant `negative` sets it here; `k` is declared on line 6."


class TestCheckAndOverrides:
    def test_check_reports_every_broken_variant(self, tmp_path):
        spec = write_spec(tmp_path, """\
            rubricspec: 1
            kind: rubric
            name: variants
            title: Two broken variants
            criteria:
              A: {title: A, rule: "1"}
            variants:
              first: {reward: "f3 + 1"}
              second: {reward: "f4 + 1"}
            """)
        with pytest.raises(rubricspec.SpecError) as caught:
            rubricspec.check(spec)
        assert [(d.code, d.line, d.context) for d in caught.value.diagnostics] == [
            ("RS302", 8, 'rubric "variants" (variant first)'), ("RS302", 9, 'rubric "variants" (variant second)')]

    def test_set_replaces_a_variant_value_before_it_is_checked(self, tmp_path):
        spec = write_spec(tmp_path, BOUNDED)
        program = rubricspec.compile(spec, variant="negative", params={"k": 3})
        assert program(prompts=[""], completions=["x"]) == [3.0]


class TestTrainerLogging:
    def test_metrics_and_breakdowns_go_to_trl_callbacks(self):
        metrics: dict[str, float] = {}
        extras: dict[str, list] = {}
        program = rubricspec.compile(CLINTUTOR, judge="replay")
        verdicts = {k: 1 for k in ("IS-2", "IS-3", "AQ-1", "AQ-2", "AQ-3", "CS-1", "CS-2")}
        unsafe = dict(verdicts, **{"CS-1": -1})
        turn = ('<think_history>h</think_history><think_question>q</think_question>'
                '<think_student student_id="Ann">Ann</think_student><think_group>g</think_group> Why?')
        rewards = program(prompts=["p"] * 3, completions=[turn] * 3, students=[["Ann"]] * 3,
                          verdicts=[verdicts, unsafe, {}], log_metric=metrics.__setitem__,
                          log_extra=extras.__setitem__)
        assert rewards == [9.0, -15.0, None]
        assert metrics["rubricspec/IS-1/mean"] == 2.0
        assert metrics["rubricspec/CS-1/mean"] == 0.0          # (1 + -1) / 2; the failed row is left out
        assert metrics["rubricspec/CS/mean"] == 1.0            # (2 + 0) / 2
        assert metrics["rubricspec/IS/mean"] == 4.0
        assert metrics["rubricspec/veto_rate"] == pytest.approx(1 / 3)
        assert metrics["rubricspec/no_reward_rate"] == pytest.approx(1 / 3)
        assert metrics["rubricspec/judge_failure_rate"] == pytest.approx(1 / 3)
        assert extras["rubricspec/CS-1"] == [1.0, -1.0, None]
        assert extras["rubricspec/veto"] == ["", "A safety-critical criterion (CS-1, CS-2 or IS-1) scored below zero.", ""]
        assert extras["rubricspec/problem"][2].startswith("no reward: a veto could not be decided without IS-2")

    def test_a_failing_logger_does_not_stop_scoring(self):
        def broken(name, value):
            raise RuntimeError("tracker offline")

        program = rubricspec.compile(CRPO)
        assert program(prompts=["q"], completions=[GOOD], answer=["B"], log_metric=broken) == [12.0]


def test_async_form_gives_the_same_rewards_and_name():
    import asyncio

    program = rubricspec.compile(CRPO, variant="k5")
    reward = program.as_async()
    assert reward.__name__ == "clinical-r1-crpo:k5"
    # 5*1 + 1 + 0.5*1 + 0.5*1.0
    assert asyncio.run(reward(prompts=["q", "q"], completions=[GOOD, None], answer=["B", "B"])) == [7.0, None]
    is_async_callable = pytest.importorskip("trl.trainer.utils").is_async_callable  # TRL's own check

    assert is_async_callable(reward) and not is_async_callable(program)
