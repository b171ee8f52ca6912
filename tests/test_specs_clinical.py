"""The clinical specs' rewards, computed by hand from the papers' formulas (SEEDS.md).

In: specs/clinical/crpo.yaml, specs/clinical/clintutor.yaml and the legal port
specs/legal/socratic_tutor.yaml, compiled with rubricspec.
Out: assertions that each reward equals a number worked out by hand (the
arithmetic is in the comment beside it), never recomputed with rubricspec's
own built-ins.

CRPO: r = k * accuracy + format + 0.5 * cross_reference + 0.5 * consistency.
ClinTutor-R1: reward = IS-1 + IS-2 + IS-3 + AQ-1 + AQ-2 + AQ-3 + CS-1 + CS-2, or
P_veto = -15 when CS-1, CS-2 or IS-1 is below 0; IS-1 = -2 if a tag is missing,
+2 with no students, else -2 + 4 * (students named) / (students listed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rubricspec
from rubricspec import SpecError

ROOT = Path(__file__).resolve().parents[1]
CRPO = ROOT / "specs" / "clinical" / "crpo.yaml"
CLINTUTOR = ROOT / "specs" / "clinical" / "clintutor.yaml"
LEGAL = ROOT / "specs" / "legal" / "socratic_tutor.yaml"
MEDQA = Path(__file__).resolve().parents[2] / "shared" / "data" / "medqa" / "medqa_sampled_50.jsonl"

# ---------------------------------------------------------------------------------------------------------------
# CRPO
# ---------------------------------------------------------------------------------------------------------------

DX = "Fever and a productive cough point to pneumonia."
# dx word bigrams: fever and, and a, a productive, productive cough, cough point, point to, to pneumonia (7)
CONCLUSION = "Cough and fever point to pneumonia. The answer is (B)."
# conclusion bigrams: cough and, and fever, fever point, point to, to pneumonia, pneumonia the, the answer,
# answer is, is b (9); shared with the dx: point to, to pneumonia -> overlap 2/9 = 0.222, inside 0.2..0.8
GOOD = f"<dx>{DX}</dx>\n<conclusion>{CONCLUSION}</conclusion>"


def crpo(completion, answer="B", variant=None, params=None):
    program = rubricspec.compile(CRPO, variant=variant, params=params)
    return program.score(prompts=["question"], completions=[completion], answer=[answer])[0]


class TestCrpoAllCriteria:
    def test_correct_well_formed_cross_referenced_english_answer_gets_everything(self):
        result = crpo(GOOD)
        assert result.criteria == {"accuracy": 1.0, "format": 1.0, "cross_reference": 1.0, "consistency": 1.0}
        assert result.reward == 12.0  # 10*1 + 1 + 0.5*1 + 0.5*1.0

    def test_wrong_option_keeps_format_cross_reference_and_consistency(self):
        result = crpo(GOOD, answer="C")
        assert result.criteria["accuracy"] == 0.0
        assert result.reward == 2.0  # 10*0 + 1 + 0.5*1 + 0.5*1.0

    @pytest.mark.parametrize("conclusion", [
        "Cough and fever point to pneumonia. \\boxed{B}",
        "Cough and fever point to pneumonia. The answer is (B).",
        "Cough and fever point to pneumonia. Answer: B",
    ])
    def test_the_option_is_read_from_boxed_and_answer_is_phrasings(self, conclusion):
        # each shares `point to` and `to pneumonia` with the dx: 2 of at most 8 bigrams >= 0.2
        assert crpo(f"<dx>{DX}</dx><conclusion>{conclusion}</conclusion>").reward == 12.0  # 10 + 1 + 0.5 + 0.5

    def test_a_bare_letter_conclusion_is_accurate_but_cannot_cross_reference(self):
        # one word has no bigram, so the overlap is 0 < 0.2
        result = crpo(f"<dx>{DX}</dx><conclusion>B</conclusion>")
        assert result.criteria["cross_reference"] == 0.0
        assert result.reward == 11.5  # 10*1 + 1 + 0.5*0 + 0.5*1.0

    @pytest.mark.parametrize("completion, accuracy", [
        pytest.param(f"<dx>{DX}\n<conclusion>{CONCLUSION}</conclusion>", 1.0, id="missing-dx-close"),
        pytest.param(f"<conclusion>{CONCLUSION}</conclusion>\n<dx>{DX}</dx>", 1.0, id="conclusion-before-dx"),
        pytest.param(f"<dx>{DX}</dx><dx>{DX}</dx><conclusion>{CONCLUSION}</conclusion>", 1.0, id="two-dx"),
        pytest.param(f"<dx>{DX}</dx><conclusion>{CONCLUSION}</conclusion><conclusion>B</conclusion>", 1.0,
                     id="two-conclusions"),
        pytest.param(f"<dx>{DX}</dx><conclusion>{CONCLUSION}</conclusion></dx>", 1.0, id="stray-close"),
        pytest.param(f"<dx>{DX}<conclusion>{CONCLUSION}</dx></conclusion>", 0.0, id="mismatched"),
        pytest.param(f"{DX} {CONCLUSION}", 0.0, id="no-tags"),
    ])
    def test_broken_format_scores_no_format_and_no_cross_reference(self, completion, accuracy):
        result = crpo(completion)
        assert result.criteria["format"] == 0.0
        assert result.criteria["cross_reference"] == 0.0  # counted only when the format is right
        assert result.criteria["accuracy"] == accuracy
        # 10*accuracy + 0 + 0.5*0 + 0.5*1.0
        assert result.reward == {1.0: 10.5, 0.0: 0.5}[accuracy]


class TestCrpoCrossReference:
    def test_overlap_of_exactly_the_maximum_still_counts(self):
        dx = "Fever with a productive cough and crackles points to pneumonia."
        conclusion = "with a productive cough and crackles points to pneumonia \\boxed{B}"
        # conclusion bigrams: with a, a productive, productive cough, cough and, and crackles, crackles points,
        # points to, to pneumonia, pneumonia boxed, boxed b (10); 8 are in the dx: 8/10 = 0.8 <= 0.8
        result = crpo(f"<dx>{dx}</dx><conclusion>{conclusion}</conclusion>")
        assert result.criteria["cross_reference"] == 1.0
        assert result.reward == 12.0  # 10 + 1 + 0.5*1 + 0.5*1.0

    def test_a_conclusion_that_copies_the_dx_earns_no_cross_reference(self):
        dx = "Fever with a productive cough and crackles points to pneumonia."
        # all 9 bigrams of the dx plus `pneumonia boxed`, `boxed b`: 9/11 = 0.818 > 0.8 (the anti-gaming cap)
        result = crpo(f"<dx>{dx}</dx><conclusion>{dx} \\boxed{{B}}</conclusion>")
        assert result.criteria["cross_reference"] == 0.0
        assert result.reward == 11.5  # 10 + 1 + 0.5*0 + 0.5*1.0

    def test_a_conclusion_that_ignores_the_dx_earns_no_cross_reference(self):
        # bigrams: the answer, answer is, is b; none in the dx: 0/3 < 0.2
        result = crpo(f"<dx>{DX}</dx><conclusion>The answer is (B).</conclusion>")
        assert result.criteria["cross_reference"] == 0.0
        assert result.reward == 11.5  # 10 + 1 + 0 + 0.5

    def test_the_minimum_overlap_is_a_param(self):
        # GOOD overlaps 2/9 = 0.222: enough for 0.2, not for 0.25
        assert crpo(GOOD, params={"cr_min_overlap": 0.25}).reward == 11.5  # 10 + 1 + 0.5*0 + 0.5
        assert crpo(GOOD, params={"cr_min_overlap": 0.2}).reward == 12.0

    def test_unigram_overlap_via_cr_ngram(self):
        # conclusion words: cough, and, fever, point, to, pneumonia, the, answer, is, b (10 distinct);
        # 6 are dx words -> 0.6; with cr_max_overlap 0.5 that is a copy
        assert crpo(GOOD, params={"cr_ngram": 1, "cr_max_overlap": 0.5}).reward == 11.5  # 10 + 1 + 0 + 0.5
        assert crpo(GOOD, params={"cr_ngram": 1}).reward == 12.0  # 0.6 <= 0.8


class TestCrpoVariantsAndParams:
    @pytest.mark.parametrize("variant, right, wrong", [
        (None, 12.0, 2.0),   # 10*1 + 1 + 0.5 + 0.5 ; 10*0 + 1 + 0.5 + 0.5
        ("k1", 3.0, 2.0),    # 1*1 + 1 + 0.5 + 0.5
        ("k5", 7.0, 2.0),    # 5*1 + 1 + 0.5 + 0.5
        ("k20", 22.0, 2.0),  # 20*1 + 1 + 0.5 + 0.5
    ])
    def test_k_variants(self, variant, right, wrong):
        assert crpo(GOOD, variant=variant).reward == right
        assert crpo(GOOD, answer="C", variant=variant).reward == wrong

    def test_set_style_param_override(self):
        assert crpo(GOOD, params={"k": 3}).reward == 5.0  # 3*1 + 1 + 0.5 + 0.5
        assert crpo(GOOD, answer="C", params={"k": 3}).reward == 2.0

    def test_an_explicit_param_beats_the_variant_param(self):
        assert crpo(GOOD, variant="k5", params={"k": 3}).reward == 5.0  # 3*1 + 1 + 0.5 + 0.5

    def test_k_below_its_minimum_is_refused(self):
        with pytest.raises(SpecError) as err:
            rubricspec.compile(CRPO, params={"k": -1})
        assert [d.code for d in err.value.diagnostics] == ["RS503"]
        assert err.value.diagnostics[0].message == "`k` may not be below 0; the override gives -1."

    def test_accuracy_only(self):
        assert crpo(GOOD, variant="accuracy-only").reward == 10.0  # 10*1
        assert crpo(GOOD, answer="C", variant="accuracy-only").reward == 0.0  # 10*0
        assert crpo(GOOD, variant="accuracy-only", params={"k": 3}).reward == 3.0  # 3*1
        # a broken format costs nothing here
        assert crpo(f"<conclusion>{CONCLUSION}</conclusion>", variant="accuracy-only").reward == 10.0

    def test_no_cross_reference(self):
        result = crpo(GOOD, variant="no-cross-reference")
        assert list(result.criteria) == ["accuracy", "format", "consistency"]
        assert result.reward == 11.5  # 10*1 + 1 + 0.5*1.0
        assert crpo(GOOD, answer="C", variant="no-cross-reference").reward == 1.5  # 0 + 1 + 0.5


class TestCrpoConsistency:
    MIXED = "<dx>胸痛 chest pain</dx><conclusion>答案 \\boxed{B}</conclusion>"
    # Latin letters: dx 2 + chest 5 + pain 4 + dx 2 + conclusion 10 + boxed 5 + B 1 + conclusion 10 = 39
    # Han letters: 胸 痛 答 案 = 4; backslash, braces, < > / and spaces are not letters

    def test_mixed_chinese_and_english_counts_letters_by_script(self):
        result = crpo(self.MIXED)
        assert result.criteria["consistency"] == pytest.approx(0.9069767)  # 39 / 43
        assert result.criteria["cross_reference"] == 0.0  # bigrams `答案 boxed`, `boxed b`: none in the dx
        assert result.reward == pytest.approx(11.4534884)  # 10*1 + 1 + 0.5*0 + 0.5*39/43

    def test_the_expected_language_is_a_param(self):
        result = crpo(self.MIXED, params={"language": "zh"})
        assert result.criteria["consistency"] == pytest.approx(0.0930233)  # 4 / 43
        assert result.reward == pytest.approx(11.0465116)  # 10 + 1 + 0 + 0.5*4/43

    def test_mostly_chinese_answer(self):
        completion = "<dx>发热咳嗽</dx><conclusion>肺炎 B</conclusion>"
        # Latin: dx 2 + dx 2 + conclusion 10 + B 1 + conclusion 10 = 25; Han: 发热咳嗽 4 + 肺炎 2 = 6
        result = crpo(completion)
        assert result.criteria["consistency"] == pytest.approx(0.8064516)  # 25 / 31
        assert result.criteria["accuracy"] == 0.0  # "肺炎 B" is neither a bare letter nor an "answer is" phrase
        assert result.reward == pytest.approx(1.4032258)  # 0 + 1 + 0 + 0.5*25/31

    def test_spanish_shares_the_latin_script_so_it_scores_full_consistency(self):
        completion = "<dx>Fiebre y tos productiva: neumonía.</dx><conclusion>La respuesta es (B).</conclusion>"
        result = crpo(completion)
        assert result.criteria["consistency"] == 1.0  # í is a Latin letter: languages sharing a script are not told apart
        assert result.criteria["accuracy"] == 0.0  # "respuesta es" is not an English answer phrase
        assert result.reward == 1.5  # 0 + 1 + 0 + 0.5*1.0

    def test_no_letters_at_all(self):
        assert crpo("").reward == 0.0  # no answer, no format, share 0 of 0 letters


@pytest.mark.skipif(not MEDQA.is_file(), reason="the shared MedQA sample is not available")
class TestCrpoOnMedqa:
    """CRPO rows built from the shared MedQA sample: answer = answer_idx."""

    @staticmethod
    def rows():
        rows = [json.loads(line) for line in MEDQA.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(rows) == 50
        return rows

    @staticmethod
    def completion(row, letter):
        option = row["options"][letter]
        return (f"<dx>The findings fit {option}.</dx>\n"
                f"<conclusion>The findings fit {option}. The answer is ({letter}).</conclusion>")

    def test_the_gold_letter_is_accurate_for_every_question(self):
        rows = self.rows()
        program = rubricspec.compile(CRPO)
        results = program.score(prompts=[r["question"] for r in rows],
                                completions=[self.completion(r, r["answer_idx"]) for r in rows],
                                answer=[r["answer_idx"] for r in rows])
        assert [r.criteria["accuracy"] for r in results] == [1.0] * 50
        assert all(r.criteria["format"] == 1.0 for r in results)

    def test_a_shifted_letter_is_never_accurate(self):
        rows = self.rows()
        program = rubricspec.compile(CRPO)
        shifted = []
        for r in rows:
            letters = sorted(r["options"])
            shifted.append(letters[(letters.index(r["answer_idx"]) + 1) % len(letters)])
        results = program.score(prompts=[r["question"] for r in rows],
                                completions=[self.completion(r, s) for r, s in zip(rows, shifted)],
                                answer=[r["answer_idx"] for r in rows])
        assert [r.criteria["accuracy"] for r in results] == [0.0] * 50


# ---------------------------------------------------------------------------------------------------------------
# ClinTutor-R1
# ---------------------------------------------------------------------------------------------------------------

STUDENTS = ["Ali", "Beatriz", "Chen"]
NAMED = {"Ali": "Ali misses the low blood pressure.", "Beatriz": "Beatriz worries about embolism.",
         "Chen": "Chen scores CURB-65 correctly."}
VETO_REASON = "A safety-critical criterion (CS-1, CS-2 or IS-1) scored below zero."
# IS-2 2 + IS-3 1 + AQ-1 2 + AQ-2 1 + AQ-3 0 + CS-1 2 + CS-2 1 = 9
VERDICTS = {"IS-2": 2, "IS-3": 1, "AQ-1": 2, "AQ-2": 1, "AQ-3": 0, "CS-1": 2, "CS-2": 1}
PROMPT = ("Case: fever and confusion in a 67-year-old man.\n\nCurrent Student Analyses:\n"
          "- Ali: pneumonia, treat at home\n- Beatriz: pulmonary embolism\n- Chen: CURB-65 of 4, admit\n\n"
          "Reason in the tags, then ask the group one question.")


def turn(students=None, *, image=None, drop=()):
    """A tutor turn; ``students`` maps each think_student id to the text of its block."""
    students = NAMED if students is None else students
    parts = []
    for tag, text in (("think_history", "Severe pneumonia in an older man."),
                      ("think_question", "Objective: grade severity.")):
        if tag not in drop:
            parts.append(f"<{tag}>{text}</{tag}>")
    if "think_student" not in drop:
        parts += [f'<think_student student_id="{sid}">{text}</think_student>' for sid, text in students.items()]
    if "think_group" not in drop:
        parts.append("<think_group>They disagree on severity.</think_group>")
    if image is not None:
        parts.append(f"<think_image>{image}</think_image>")
    parts.append("What would each of you check before deciding where to treat him?")
    return "\n".join(parts)


def tutor(completion, students=STUDENTS, verdicts=VERDICTS, spec=CLINTUTOR, variant=None, prompt=PROMPT,
          **columns):
    program = rubricspec.compile(spec, variant=variant, judge="replay")
    data = {name: [value] for name, value in columns.items()}
    if students is not None:
        data["students"] = [students]
    return program.score(prompts=[prompt], completions=[completion], verdicts=[verdicts], **data)[0]


def verdicts(**changes):
    out = dict(VERDICTS)
    out.update({k.replace("_", "-"): v for k, v in changes.items()})
    return {k: v for k, v in out.items() if v is not None}


class TestIS1:
    @pytest.mark.parametrize("named, expected", [
        (3, 2.0),          # -2 + 4 * 3/3
        (2, 0.6666667),    # -2 + 4 * 2/3
        (1, -0.6666667),   # -2 + 4 * 1/3
        (0, -2.0),         # -2 + 4 * 0/3
    ])
    def test_share_of_listed_students_named(self, named, expected):
        # unnamed students get a block whose id and text do not name them
        blocks = {(sid if i < named else f"student-{i + 1}"): (NAMED[sid] if i < named else "Has a point.")
                  for i, sid in enumerate(STUDENTS)}
        assert tutor(turn(blocks)).criteria["IS-1"] == pytest.approx(expected)

    def test_names_match_whole_words_only(self):
        blocks = {"Alicia": "Alicia misses the low blood pressure.", "Beatriz": NAMED["Beatriz"],
                  "Chen": NAMED["Chen"]}
        # "Alicia" does not name "Ali": 2 of 3 named -> -2 + 4 * 2/3
        assert tutor(turn(blocks)).criteria["IS-1"] == pytest.approx(0.6666667)

    def test_names_match_in_any_case_and_before_punctuation(self):
        blocks = {"a": "ALI is wrong.", "b": "beatriz's worry is fair.", "c": "As for chen: correct."}
        assert tutor(turn(blocks)).criteria["IS-1"] == 2.0  # -2 + 4 * 3/3

    def test_no_students_listed_scores_plus_two(self):
        assert tutor(turn({"learner": "The learner is right."}), students=[]).criteria["IS-1"] == 2.0

    @pytest.mark.parametrize("tag", ["think_history", "think_question", "think_student", "think_group"])
    def test_a_missing_tag_scores_minus_two_even_with_no_students(self, tag):
        assert tutor(turn(drop=(tag,))).criteria["IS-1"] == -2.0
        assert tutor(turn(drop=(tag,)), students=[]).criteria["IS-1"] == -2.0

    def test_an_unclosed_tag_counts_as_missing(self):
        completion = turn().replace("</think_group>", "")
        assert tutor(completion).criteria["IS-1"] == -2.0

    def test_think_image_is_required_only_when_the_case_has_an_image(self):
        assert tutor(turn(), has_image=True).criteria["IS-1"] == -2.0
        assert tutor(turn(image="Right lower lobe consolidation."), has_image=True).criteria["IS-1"] == 2.0
        assert tutor(turn(), has_image=False).criteria["IS-1"] == 2.0

    def test_has_image_defaults_to_false_when_the_column_is_absent_or_null(self):
        assert tutor(turn()).criteria["IS-1"] == 2.0
        assert tutor(turn(), has_image=None).criteria["IS-1"] == 2.0


class TestClinTutorReward:
    def test_reward_is_the_sum_of_the_eight_scores(self):
        result = tutor(turn())
        assert result.criteria == {"IS-1": 2.0, "IS-2": 2.0, "IS-3": 1.0, "AQ-1": 2.0, "AQ-2": 1.0, "AQ-3": 0.0,
                                   "CS-1": 2.0, "CS-2": 1.0}
        assert result.reward == 11.0  # 2 + 2 + 1 + 2 + 1 + 0 + 2 + 1
        assert result.vetoed is False

    def test_sum_with_a_fractional_is1(self):
        blocks = {"Ali": NAMED["Ali"], "Beatriz": NAMED["Beatriz"], "student-3": "Right about severity."}
        assert tutor(turn(blocks)).reward == pytest.approx(9.6666667)  # (-2 + 4*2/3) + 9

    def test_extremes(self):
        top = {k: 2 for k in VERDICTS}
        assert tutor(turn(), verdicts=top).reward == 16.0  # 8 * 2
        low = {k: (0 if k.startswith("CS") else -2) for k in VERDICTS}
        assert tutor(turn(), verdicts=low).reward == -8.0  # 2 (IS-1) + 5 * -2 + 0 + 0

    def test_negative_scores_outside_the_veto_do_not_veto(self):
        result = tutor(turn(), verdicts=verdicts(IS_3=-2, AQ_1=-2))
        assert result.vetoed is False
        assert result.reward == 4.0  # 2 + 2 - 2 - 2 + 1 + 0 + 2 + 1

    def test_zero_safety_scores_do_not_veto(self):
        assert tutor(turn(), verdicts=verdicts(CS_1=0, CS_2=0)).reward == 8.0  # 2 + 2 + 1 + 2 + 1 + 0 + 0 + 0

    @pytest.mark.parametrize("changes, blocks", [
        ({"CS_1": -1}, None),
        ({"CS_2": -2}, None),
        ({}, {"Ali": NAMED["Ali"], "x": "Someone is right.", "y": "Someone is wrong."}),  # IS-1 = -2 + 4/3
        ({"CS_1": -2, "CS_2": -1}, None),
    ])
    def test_veto_replaces_the_reward_with_minus_fifteen(self, changes, blocks):
        result = tutor(turn(blocks), verdicts=verdicts(**changes))
        assert result.reward == -15.0
        assert result.vetoed is True
        assert result.veto_rule == 0
        assert result.veto_reason == VETO_REASON

    def test_p_veto_is_a_param(self):
        program = rubricspec.compile(CLINTUTOR, judge="replay", params={"p_veto": -20})
        result = program.score(prompts=[PROMPT], completions=[turn()], students=[STUDENTS],
                               verdicts=[verdicts(CS_1=-1)])[0]
        assert result.reward == -20.0

    def test_no_veto_variant_gives_the_raw_sum(self):
        result = tutor(turn(), verdicts=verdicts(CS_1=-1), variant="no-veto")
        assert result.vetoed is False
        assert result.reward == 8.0  # 2 + 2 + 1 + 2 + 1 + 0 - 1 + 1
        blocks = {"Ali": NAMED["Ali"], "x": "Someone is right.", "y": "Someone is wrong."}
        result = tutor(turn(blocks), verdicts=verdicts(CS_2=-2), variant="no-veto")
        assert result.reward == pytest.approx(5.3333333)  # (-2 + 4/3) + 2 + 1 + 2 + 1 + 0 + 2 - 2 = -0.667 + 6


class TestClinTutorVariants:
    def test_vanilla_is_format_plus_holistic(self):
        assert tutor(turn(), verdicts={"holistic": 1}, students=None, variant="vanilla").reward == 2.0  # 1 + 1
        assert tutor(turn(), verdicts={"holistic": 0}, students=None, variant="vanilla").reward == 1.0  # 1 + 0

    def test_vanilla_format_needs_the_tags_and_well_formed_text(self):
        result = tutor(turn(drop=("think_group",)), verdicts={"holistic": 1}, students=None, variant="vanilla")
        assert result.criteria == {"format": 0.0, "holistic": 1.0}
        assert result.reward == 1.0  # 0 + 1
        broken = turn() + "\n<think_group>again</think_group>"  # a second think_group: not well-formed
        assert tutor(broken, verdicts={"holistic": 1}, students=None, variant="vanilla").reward == 1.0

    def test_vanilla_has_no_veto_and_ignores_other_verdicts(self):
        result = tutor(turn(), verdicts={"holistic": 1, "CS-1": -2, "AQ-1": "good"}, students=None,
                       variant="vanilla")
        assert (result.reward, result.vetoed, result.failures) == (2.0, False, {})

    def test_vanilla_missing_holistic_gives_no_reward(self):
        result = tutor(turn(), verdicts=VERDICTS, students=None, variant="vanilla")
        assert result.reward is None
        assert result.failures == {"holistic": "no recorded verdict for holistic"}

    def test_medtutor_exact_reads_names_from_the_prompt(self):
        image = "No image in this case."
        # the `students` column is not an input of this variant: the names come from the prompt
        result = tutor(turn(image=image), students=None, variant="medtutor-exact")
        assert result.criteria["IS-1"] == 2.0  # -2 + 4 * 3/3
        assert result.reward == 11.0  # 2 + 9
        blocks = {"Ali": NAMED["Ali"], "Beatriz": NAMED["Beatriz"], "x": "Someone is right."}
        assert tutor(turn(blocks, image=image), students=None,
                     variant="medtutor-exact").criteria["IS-1"] == pytest.approx(0.6666667)  # -2 + 4 * 2/3

    def test_medtutor_exact_always_requires_think_image(self):
        result = tutor(turn(), students=None, variant="medtutor-exact")
        assert result.criteria["IS-1"] == -2.0
        assert (result.reward, result.vetoed) == (-15.0, True)

    def test_medtutor_exact_with_no_student_section_scores_plus_two(self):
        result = tutor(turn({"learner": "Right."}, image="None."), students=None, variant="medtutor-exact",
                       prompt="Case: fever.\nLearner's analysis: pneumonia.")
        assert result.criteria["IS-1"] == 2.0


class TestClinTutorJudgeFailures:
    @pytest.mark.parametrize("changes, failures", [
        ({"AQ_2": None}, {"AQ-2": "no recorded verdict for AQ-2"}),
        ({"IS_3": 3}, {"IS-3": "the verdict 3 for IS-3 is outside its scale -2..2"}),
        ({"AQ_1": "good"}, {"AQ-1": 'the verdict for AQ-1 is "good", not a number'}),
        ({"CS_2": 1.5}, {"CS-2": "the verdict 1.5 for CS-2 is not a whole number on scale -2..2"}),
        ({"AQ_3": {"reason": "no score given"}}, {"AQ-3": "the verdict for AQ-3 has no `score`"}),
    ])
    def test_a_failed_verdict_gives_no_reward_never_zero(self, changes, failures):
        result = tutor(turn(), verdicts=verdicts(**changes))
        assert result.reward is None
        assert result.failures == failures
        cid = next(iter(failures))
        assert result.criteria[cid] is None

    def test_the_reason_of_a_missing_reward_names_the_criterion(self):
        result = tutor(turn(), verdicts=verdicts(AQ_2=None))
        assert result.error == "no reward: AQ-2 has no score (no recorded verdict for AQ-2)"

    def test_the_is1_veto_still_fires_when_a_cs_verdict_failed(self):
        blocks = {"Ali": NAMED["Ali"], "x": "Someone is right.", "y": "Someone is wrong."}  # IS-1 = -2 + 4/3
        result = tutor(turn(blocks), verdicts=verdicts(CS_1=None))
        assert result.reward == -15.0
        assert result.vetoed is True
        assert result.veto_reason == VETO_REASON
        assert result.failures == {"CS-1": "no recorded verdict for CS-1"}

    def test_cs2_below_zero_fires_the_veto_past_a_failed_cs1(self):
        result = tutor(turn(), verdicts=verdicts(CS_1="n/a", CS_2=-1))
        assert (result.reward, result.vetoed) == (-15.0, True)

    def test_a_veto_on_cs1_fires_whatever_failed_elsewhere(self):
        result = tutor(turn(), verdicts=verdicts(CS_1=-2, AQ_2=None))
        assert (result.reward, result.vetoed) == (-15.0, True)

    def test_a_failed_cs_verdict_without_another_veto_reason_gives_no_reward(self):
        result = tutor(turn(), verdicts=verdicts(CS_1=None))
        assert result.reward is None
        assert result.vetoed is False
        assert result.error == "no reward: a veto could not be decided without CS-1"

    def test_no_verdicts_column_at_all(self):
        program = rubricspec.compile(CLINTUTOR, judge="replay")
        result = program.score(prompts=[PROMPT], completions=[turn()], students=[STUDENTS])[0]
        assert result.reward is None
        assert result.failures["IS-2"] == ("no `verdicts` column in the data (the replay judge reads recorded "
                                           "verdicts from it)")


class TestLegalPort:
    CASES = [
        ({}, None, None, 11.0),                      # 2 + 9
        ({"CS_1": -1}, None, None, -15.0),           # veto
        ({"CS_1": -1}, None, "no-veto", 8.0),        # 2 + 2 + 1 + 2 + 1 + 0 - 1 + 1
        ({"AQ_2": None}, None, None, None),          # judge failure
        ({}, {"Ali": "Ali is wrong.", "x": "Someone.", "y": "Someone."}, None, -15.0),  # IS-1 = -2 + 4/3
    ]

    @pytest.mark.parametrize("changes, blocks, variant, expected", CASES)
    def test_same_numbers_as_clintutor(self, changes, blocks, variant, expected):
        for spec in (CLINTUTOR, LEGAL):
            assert tutor(turn(blocks), verdicts=verdicts(**changes), spec=spec, variant=variant).reward == expected

    def test_vanilla_and_medtutor_exact_are_inherited(self):
        assert tutor(turn(), verdicts={"holistic": 1}, students=None, spec=LEGAL, variant="vanilla").reward == 2.0
        assert tutor(turn(image="Exhibit: a lease."), students=None, spec=LEGAL,
                     variant="medtutor-exact").reward == 11.0

    def test_own_titles_and_veto_reason(self):
        program = rubricspec.compile(LEGAL, judge="replay")
        rubric = program.rubric
        assert rubric.name == "legal-socratic-tutor"
        assert rubric.title == "Socratic supervision of several law students on one client matter"
        assert rubric.criterion("CS-1").title == "Correct statements of law"
        assert rubric.criterion("CS-2").title == "Client protection"
        assert rubric.criterion("AQ-3").title == "Exhibit analysis"
        assert rubric.criterion("IS-1").title == "Reasoning tags are complete and cover every student"  # inherited
        assert [a.title for a in rubric.axes] == ["Instructional structure", "Analysis quality",
                                                  "Legal accuracy and client safety"]
        result = program.score(prompts=[PROMPT], completions=[turn()], students=[STUDENTS],
                               verdicts=[verdicts(CS_2=-1)])[0]
        assert result.veto_reason == "An error of law, a risk to the client, or missing reasoning tags."


class TestStudentIdCountsForIS1:
    """A student named only in `student_id` is covered: the id is part of the <think_student> block."""

    def test_named_by_id_only(self):
        program = rubricspec.compile(CLINTUTOR, judge="replay")
        text = ('<think_history>h</think_history><think_question>q</think_question>'
                '<think_student student_id="Chen">He scored correctly.</think_student>'
                '<think_student student_id="Dana">She missed the ECG.</think_student>'
                '<think_group>g</think_group> What would you order next?')
        verdicts = {cid: 0 for cid in ("IS-2", "IS-3", "AQ-1", "AQ-2", "AQ-3", "CS-1", "CS-2")}
        both, one_missing = program.score(prompts=["", ""], completions=[text, text],
                                          students=[["Chen", "Dana"], ["Chen", "Dana", "Eli"]],
                                          verdicts=[verdicts, verdicts])
        assert both.criteria["IS-1"] == 2.0          # -2 + 4 * 2/2
        assert one_missing.criteria["IS-1"] == pytest.approx(-2 + 4 * 2 / 3)
