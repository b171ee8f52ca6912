"""The feature example specs in specs/examples/, one test class each, with rewards worked out by hand.

In: each example spec and a few rows written here.
Out: assertions on rewards, criterion scores, vetoes and failures; the
arithmetic is in the comment beside each number.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rubricspec
from rubricspec import SpecError
from rubricspec.runtime.judges import Verdict

EXAMPLES = Path(__file__).resolve().parents[1] / "specs" / "examples"


def score(spec, completions, prompts=None, variant=None, params=None, judge=None, **columns):
    program = rubricspec.compile(EXAMPLES / spec, variant=variant, params=params, judge=judge)
    prompts = prompts if prompts is not None else ["prompt"] * len(completions)
    return program.score(prompts=prompts, completions=completions, **columns)


class TestPointsCriteria:
    """healthbench_chest_pain.yaml: `points`/`met`, per-criterion grading, `on_judge_failure: {score: 0}`."""

    SPEC = "healthbench_chest_pain.yaml"
    NONE_MET = {"emergency": False, "aspirin": False, "while_waiting": False, "wait_and_see": False,
                "diagnoses": False}

    def grade(self, *verdicts):
        return score(self.SPEC, ["answer"] * len(verdicts), judge="replay", verdicts=list(verdicts))

    def test_all_positive_criteria_met(self):
        result, = self.grade({**self.NONE_MET, "emergency": True, "aspirin": True, "while_waiting": True})
        assert result.reward == 1.0  # (10 + 5 + 3) / 18

    def test_partial_credit(self):
        result, = self.grade({**self.NONE_MET, "emergency": True, "aspirin": {"met": True, "reason": "ok"}})
        assert result.criteria == {"emergency": 10.0, "aspirin": 5.0, "while_waiting": 0.0, "wait_and_see": 0.0,
                                   "diagnoses": 0.0}
        assert result.reward == pytest.approx(0.8333333)  # (10 + 5) / 18
        assert result.explanations["aspirin"] == "judge: met (5 points): ok"
        assert result.explanations["while_waiting"] == "judge: not met (0 points)"

    def test_negative_points_can_take_the_score_below_zero(self):
        result, = self.grade({**self.NONE_MET, "while_waiting": True, "wait_and_see": True,
                              "diagnoses": {"criteria_met": True, "explanation": "calls it heartburn"}})
        assert result.criteria["wait_and_see"] == -8.0
        assert result.reward == -0.5  # (3 - 8 - 4) / 18, not clipped per example

    def test_a_failed_verdict_counts_as_not_met_and_is_recorded(self):
        result, = self.grade({**self.NONE_MET, "emergency": True, "aspirin": "yes", "while_waiting": True,
                              "diagnoses": None})
        assert result.reward == pytest.approx(0.7222222)  # (10 + 0 + 3) / 18
        assert result.criteria["aspirin"] == 0.0
        assert result.failures == {"aspirin": 'the verdict for aspirin is "yes", not true or false',
                                   "diagnoses": "the verdict for diagnoses is null, not true or false"}
        assert result.explanations["aspirin"] == ("scored 0 by the failure policy; failed: the verdict for aspirin "
                                                  'is "yes", not true or false')

    def test_each_criterion_is_a_separate_judge_call(self):
        class Recording:
            name = "recording"

            def __init__(self):
                self.requests = []

            def grade(self, requests):
                self.requests.extend(requests)
                return [{c.id: Verdict(c.points if c.id == "emergency" else 0.0) for c in r.criteria}
                        for r in requests]

        judge = Recording()
        result, = score(self.SPEC, ["Call 911 now."], judge=judge)
        assert [[c.id for c in r.criteria] for r in judge.requests] == [
            ["emergency"], ["aspirin"], ["while_waiting"], ["wait_and_see"], ["diagnoses"]]
        assert result.reward == pytest.approx(0.5555556)  # 10 / 18


class TestWeights:
    """discharge_summary_weights.yaml: criterion and axis weights, `weighted_sum`, a param weight, `[SAFETY]`."""

    SPEC = "discharge_summary_weights.yaml"
    FULL = ("Your diagnosis is pneumonia. Follow-up appointment with your GP in 1 week. Come back if you get "
            "breathless. Allergies: penicillin.")
    NO_SAFETY = "Your diagnosis is pneumonia. Follow-up with your GP."
    ONLY_ALLERGIES = "Allergies: none known."

    def test_weighted_sum_of_criteria_and_axes(self):
        full, no_safety, allergies = score(self.SPEC, [self.FULL, self.NO_SAFETY, self.ONLY_ALLERGIES])
        # CONTENT 1 * (2*1 + 1*1) + SAFETY w_safety=2 * (1.5*1 + 1*1) + STYLE 0.5 * (1*1) = 3 + 5 + 0.5
        assert full.reward == 8.5
        assert full.axes == {"CONTENT": 3.0, "SAFETY": 2.5, "STYLE": 1.0}  # axis scores without the axis weight
        # 1 * (2*0 + 1*0) + 2 * (1.5*0 + 1*1) + 0.5 * 1
        assert allergies.reward == 2.5
        assert no_safety.reward == 0.0

    def test_veto_on_an_axis_reference(self):
        result = score(self.SPEC, [self.NO_SAFETY])[0]
        assert result.axes["SAFETY"] == 0.0
        assert (result.vetoed, result.veto_rule) == (True, 0)
        assert result.veto_reason == "The summary gives neither warning signs nor allergies."

    def test_variant_patches_the_weight_param(self):
        full, allergies = score(self.SPEC, [self.FULL, self.ONLY_ALLERGIES], variant="safety-first")
        assert full.reward == 13.5  # 3 + 4 * 2.5 + 0.5
        assert allergies.reward == 4.5  # 0 + 4 * 1 + 0.5

    def test_weight_param_set_at_compile_time(self):
        assert score(self.SPEC, [self.FULL], params={"w_safety": 0})[0].reward == 3.5  # 3 + 0 * 2.5 + 0.5
        assert score(self.SPEC, [self.FULL], params={"w_safety": 1})[0].reward == 6.0  # 3 + 1 * 2.5 + 0.5

    def test_a_long_summary_loses_the_style_half_point(self):
        long = self.FULL + " More detail." * 30  # 21 + 60 = 81 words > 50
        assert score(self.SPEC, [long], params={"max_words": 50})[0].reward == 8.0  # 3 + 5 + 0.5 * 0


class TestIfChainsMembershipAndFailureReward:
    """triage_escalation.yaml: `if/then/else` chains, `in`/`not in`, `on_judge_failure: {reward, because}`."""

    SPEC = "triage_escalation.yaml"
    BECAUSE = "The safety judge gave no valid verdict; the note was not rewarded."

    def run(self, *rows):
        return score(self.SPEC, [r[1] for r in rows], judge="replay", acuity=[r[0] for r in rows],
                     verdicts=[r[2] for r in rows])

    def test_acuity_chain(self):
        results = self.run(
            ("1", "Chest pain: physician now, moved to the resuscitation bay.", {"plan_safe": 2}),
            ("2", "Chest pain, stable. Waiting room.", {"plan_safe": 1}),
            ("3", "Abdominal pain; will reassess in 30 minutes.", {"plan_safe": {"score": 1, "reason": "ok"}}),
            ("3", "Abdominal pain; waiting room.", {"plan_safe": 1}),
            ("5", "Minor cut; discharge after dressing.", {"plan_safe": 2}),
        )
        assert [r.criteria["escalation"] for r in results] == [2.0, 0.0, 2.0, 1.0, 2.0]
        # escalation + 2 * no_discharge + plan_safe
        assert [r.reward for r in results] == [
            6.0,  # 2 + 2*1 + 2
            3.0,  # 0 + 2*1 + 1
            5.0,  # 2 + 2*1 + 1
            4.0,  # 1 + 2*1 + 1
            6.0,  # 2 + 2*1 + 2 (level 5 may go home)
        ]

    def test_not_in_forbids_discharge_for_urgent_levels_only(self):
        urgent, minor = self.run(("2", "Stable for now. Plan: Discharge with GP follow-up.", {"plan_safe": 0}),
                                 ("4", "Sprain. Plan: discharge.", {"plan_safe": 2}))
        assert urgent.criteria["no_discharge_from_triage"] == 0.0  # "discharge" in lower(completion)
        assert urgent.reward == 0.0  # 0 + 2*0 + 0
        assert minor.criteria["no_discharge_from_triage"] == 1.0  # "4" not in ["1", "2"]
        assert minor.reward == 6.0  # 2 + 2*1 + 2

    @pytest.mark.parametrize("verdicts, failure", [
        ({}, "no recorded verdict for plan_safe"),
        ({"plan_safe": 5}, "the verdict 5 for plan_safe is outside its scale 0..2"),
    ])
    def test_a_judge_failure_gives_the_declared_reward_and_reason(self, verdicts, failure):
        result, = self.run(("1", "Physician now.", verdicts))
        assert result.reward == -1.0
        assert (result.vetoed, result.veto_reason) == (True, self.BECAUSE)
        assert result.failures == {"plan_safe": failure}
        assert result.criteria["escalation"] == 2.0  # rules are still computed


class TestListsWithFunctions:
    """medication_reconciliation.yaml: `fraction`, `all`, `any`, `count`, `sum` with `m => ...`; a defaulted input."""

    SPEC = "medication_reconciliation.yaml"
    MEDS = ["warfarin", "metformin", "atorvastatin"]

    def test_list_built_ins(self):
        texts = ["Continue warfarin with INR monitoring. Continue metformin. Continue atorvastatin.",
                 "Continue metformin. Stop atorvastatin.",
                 "Stop metformin because of contrast. Continue warfarin, atorvastatin.",
                 "warfarin warfarin warfarin warfarin metformin atorvastatin"]
        full, partial, explained, repeated = score(self.SPEC, texts, home_medications=[self.MEDS] * 4)
        assert full.reward == 5.5  # 1 + 1 + 2*1 + 1 + 0.5*1
        assert partial.criteria == {
            "coverage": pytest.approx(0.6666667),   # 2 of 3 named
            "risk_weighted": 0.5,                   # (0 + 0.5 + 0.5) / (1 + 0.5 + 0.5): warfarin is high-risk
            "high_risk_named": 0.0,                 # warfarin missing
            "stops_explained": 0.0,                 # "stop atorvastatin" without "because"
            "no_repetition": 1.0}
        assert partial.reward == pytest.approx(1.6666667)  # 2/3 + 0.5 + 2*0 + 0 + 0.5*1
        assert explained.reward == 5.5  # "stop metformin" with "because"
        assert repeated.criteria["no_repetition"] == 0.0  # warfarin mentioned 4 times > 3
        assert repeated.reward == 5.0  # 1 + 1 + 2 + 1 + 0.5*0

    def test_empty_medication_list(self):
        result, = score(self.SPEC, ["Nothing to reconcile."], home_medications=[[]])
        assert result.reward == 5.5  # 1 (guarded) + 1 (guarded) + 2*all([])=2 + not any([]) 1 + 0.5*1

    def test_optional_column_default_and_per_row_override(self):
        text = "Continue metformin. Stop atorvastatin."
        default, custom, null = score(self.SPEC, [text] * 3, home_medications=[self.MEDS] * 3,
                                      high_risk=[None, ["metformin"], None])
        assert default.criteria["high_risk_named"] == 0.0  # default list holds warfarin
        # metformin is the only high-risk drug: (0 + 1 + 0.5) / (0.5 + 1 + 0.5) = 0.75, and it is named
        assert custom.criteria["risk_weighted"] == 0.75
        assert custom.criteria["high_risk_named"] == 1.0
        assert custom.reward == pytest.approx(3.9166667)  # 2/3 + 0.75 + 2*1 + 0 + 0.5
        assert null.reward == default.reward == pytest.approx(1.6666667)

    def test_the_column_may_be_left_out_entirely(self):
        result, = score(self.SPEC, ["Continue warfarin, metformin and atorvastatin."],
                        home_medications=[self.MEDS])
        assert result.reward == 5.5  # 1 + 1 + 2 + 1 + 0.5


class TestListedNamesAndRuleDependencies:
    """handoff_roster.yaml: `listed_names` from the prompt, and rules reading other rules."""

    SPEC = "handoff_roster.yaml"
    PROMPT = ("Night shift, ward 7.\nPatients to hand over:\n- Okafor: day 1 after hip replacement\n"
              "- Lindqvist: sepsis on antibiotics\n- **Nakamura**: awaiting CT\n\nWrite the handover.")

    def test_roster(self):
        texts = ["Situation: three patients. Background: Okafor post-op, Lindqvist septic, Nakamura awaiting CT. "
                 "Assessment: stable. Recommendation: recheck lactate.",
                 "Situation: Okafor and Lindqvist stable. Background: post-op and sepsis. Assessment: fine. "
                 "Recommendation: none.",
                 "Okafor, Lindqvist and Nakamura are all stable."]
        ready, missing_one, unstructured = score(self.SPEC, texts, prompts=[self.PROMPT] * 3)
        assert ready.criteria == {"coverage": 1.0, "complete": 1.0, "structured": 1.0, "ready": 1.0}
        assert ready.reward == 3.0  # ready
        assert missing_one.criteria == {"coverage": pytest.approx(0.6666667), "complete": 0.0,
                                        "structured": 1.0, "ready": 0.0}
        assert missing_one.reward == pytest.approx(1.6666667)  # 2/3 + 1
        assert unstructured.reward == 1.0  # 1 + 0

    def test_a_prompt_without_the_list(self):
        text = "Situation: quiet. Background: none. Assessment: stable. Recommendation: none."
        result, = score(self.SPEC, [text], prompts=["Write the handover."])
        assert result.criteria["coverage"] == 1.0  # nobody listed
        assert result.reward == 3.0


class TestRegexBuiltIns:
    """ed_note_regex.yaml: `matches` and `regex_count`."""

    def test_vitals_and_abbreviations(self):
        texts = ["Triage: BP 142/88, HR 104, RR 22, SpO2 93%, T 38.4. Give insulin 10 U QD.",
                 "BP: 120/80 HR: 72 RR: 14 SpO2: 99 % Temp 36.9. Heparin 5000 units twice daily.",
                 "Patient looks well.",
                 "HR 72. MSO4 2 mg IV, QOD review, IU dosing, U, QD."]
        results = score("ed_note_regex.yaml", texts)
        assert [r.criteria for r in results] == [
            {"vitals": 1.0, "abbreviations": 0.0},   # 5/5; U and QD: max(0, 1 - 0.5*2)
            {"vitals": 1.0, "abbreviations": 1.0},   # 5/5; none
            {"vitals": 0.0, "abbreviations": 1.0},
            {"vitals": 0.2, "abbreviations": 0.0},   # HR only: 1/5; five abbreviations: max(0, 1 - 2.5)
        ]
        assert [r.reward for r in results] == [2.0, 3.0, 1.0, 0.4]  # 2*vitals + abbreviations

    def test_one_abbreviation_costs_half_a_point(self):
        result, = score("ed_note_regex.yaml", ["Digoxin 125 micrograms QD."])
        assert result.reward == 0.5  # 2*0 + (1 - 0.5*1)

    def test_patterns_are_case_sensitive_unless_marked(self):
        result, = score("ed_note_regex.yaml", ["bp 120/80, spo2 97%, qd dosing"])
        assert result.criteria == {"vitals": 0.2, "abbreviations": 1.0}  # only SpO2 has (?i)


class TestNgramOverlap:
    """lay_summary_overlap.yaml: `ngram_overlap` for grounding (n = 1) and copying (n = 4)."""

    SPEC = "lay_summary_overlap.yaml"
    LETTER = ("Thank you for referring Mrs Diaz. Echocardiography shows moderate aortic stenosis with a mean "
              "gradient of 28 mmHg. She should avoid heavy exertion and we will repeat the echocardiogram in "
              "12 months.")

    def test_grounded_rephrased_copied_invented(self):
        texts = [
            # 20 distinct words, 15 in the letter: 0.75 >= 0.5; 4-grams: 1 of 19 ("we will repeat the") <= 0.3
            "Your heart scan shows a moderate narrowing of the aortic valve. Avoid heavy exertion. We will "
            "repeat the scan in 12 months.",
            # every word and every 4-gram comes from the letter: 1.0 > 0.3
            "Echocardiography shows moderate aortic stenosis with a mean gradient of 28 mmHg.",
            # you, and, a of 11 words: 0.27 < 0.5; no shared 4-gram
            "You have nothing to worry about and can run a marathon.",
        ]
        results = score(self.SPEC, texts, letter=[self.LETTER] * 3)
        assert [(r.criteria["grounding"], r.criteria["rephrased"]) for r in results] == [
            (1.0, 1.0), (1.0, 0.0), (0.0, 1.0)]
        assert [r.reward for r in results] == [2.0, 1.0, 1.0]

    def test_thresholds_are_params(self):
        text = "Your heart scan shows a moderate narrowing of the aortic valve."
        # words: your heart scan shows a moderate narrowing of the aortic valve (11); in the letter: shows, a,
        # moderate, of, the, aortic (6): 6/11 = 0.545
        assert score(self.SPEC, [text], letter=[self.LETTER])[0].criteria["grounding"] == 1.0
        assert score(self.SPEC, [text], letter=[self.LETTER],
                     params={"min_grounding": 0.6})[0].criteria["grounding"] == 0.0


class TestScriptShare:
    """translated_instructions.yaml: `script_share` with the script as a param, patched by a variant."""

    SPEC = "translated_instructions.yaml"
    TEXTS = ["Принимайте по одной таблетке в день.",
             "Принимайте metformin 500 mg два раза в день.",
             "Take one tablet daily.",
             "每天服用一片 metformin。"]

    def test_cyrillic_reader(self):
        results = score(self.SPEC, self.TEXTS)
        # 2: Cyrillic Принимайте 10 + два 3 + раза 4 + в 1 + день 4 = 22; Latin metformin 9 + mg 2 = 11
        assert [r.reward for r in results] == [
            1.0,                             # all Cyrillic: min(1, 1 / 0.8)
            pytest.approx(0.8333333),        # min(1, (22/33) / 0.8)
            0.0,
            0.0,
        ]

    def test_variant_patches_the_script_param(self):
        results = score(self.SPEC, self.TEXTS, variant="chinese-reader")
        # 4: Han 每天服用一片 6, Latin metformin 9: min(1, (6/15) / 0.8)
        assert [r.reward for r in results] == [0.0, 0.0, 0.0, 0.5]

    def test_min_share_param(self):
        result = score(self.SPEC, self.TEXTS[1:2], params={"min_share": 0.5})[0]
        assert result.reward == 1.0  # min(1, (22/33) / 0.5)


class TestExtendsWithDeletions:
    """crpo_without_cross_reference.yaml: `extends:` with `null` deleting a criterion, params and a variant."""

    SPEC = "crpo_without_cross_reference.yaml"
    GOOD = ("<dx>Fever and a productive cough point to pneumonia.</dx>"
            "<conclusion>Cough and fever point to pneumonia. The answer is (B).</conclusion>")

    def test_criteria_params_and_variants_left(self):
        spec = rubricspec.load(EXAMPLES / self.SPEC)
        assert list(spec.model.criteria) == ["accuracy", "format", "consistency"]
        assert spec.params == {"k": 10, "language": "en"}
        assert spec.variants == ["k1", "k5", "k20", "accuracy-only"]
        assert spec.model.title == "CRPO without the cross-reference bonus (accuracy, format and language only)"

    def test_rewards(self):
        right, wrong = score(self.SPEC, [self.GOOD, self.GOOD], answer=["B", "C"])
        assert right.reward == 11.5  # 10*1 + 1 + 0.5*1.0
        assert wrong.reward == 1.5  # 10*0 + 1 + 0.5*1.0

    def test_inherited_variants(self):
        assert score(self.SPEC, [self.GOOD], answer=["B"], variant="k5")[0].reward == 6.5  # 5 + 1 + 0.5
        assert score(self.SPEC, [self.GOOD], answer=["B"], variant="accuracy-only")[0].reward == 10.0

    def test_deleted_names_are_gone(self):
        with pytest.raises(SpecError) as err:
            rubricspec.compile(EXAMPLES / self.SPEC, params={"cr_ngram": 3})
        assert [d.code for d in err.value.diagnostics] == ["RS502"]
        with pytest.raises(SpecError) as err:
            rubricspec.compile(EXAMPLES / self.SPEC, variant="no-cross-reference")
        assert [d.code for d in err.value.diagnostics] == ["RS501"]
