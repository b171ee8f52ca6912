"""Synthetic CRPO rollouts for benchmarks: what a policy writes during GRPO on MedQA-style questions.

In: a count and a seed. Out: ``Rollouts`` with ``prompts``, ``completions`` and
``answers`` (the gold letter per row), the same for the same seed and count.
Nothing is read from disk; every text is assembled here from small phrase banks.

The mix follows what a Clinical-R1 policy produces early in training:

* ~60% well-formed: ``<dx>…</dx>`` then ``<conclusion>…</conclusion>``, 80-400
  words; the conclusion picks the gold option about 60% of the time, in one of
  the usual forms (``The answer is (B).``, ``\\boxed{C}``, a bare ``D``,
  ``**Answer:** E``, ``B) Aspirin``, or a form no rule reads); it reuses a
  sentence of the analysis, restates the letter only, or copies the analysis.
* ~20% broken: truncated, a tag missing, repeated, nested, out of order,
  upper-case, malformed (``<dx reasoning>``), or no tags at all.
* ~10% partly not English: Chinese or Spanish sentences mixed into the analysis
  or the conclusion.
* ~10% chat format: TRL's conversational completions (a list holding one
  assistant message), with the prompt as chat messages too.

Clinical texts contain ``<`` and ``>`` as comparisons (``BP <90``, ``Na < 135``),
``°C``, ``µg`` and ``m²``; so do these.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

LETTERS = "ABCDEFGHIJ"

_AGES = list(range(2, 91))
_SEXES = [("man", "He", "his"), ("woman", "She", "her"), ("boy", "He", "his"), ("girl", "She", "her")]
_COMPLAINTS = [
    "fever and a productive cough", "crushing substernal chest pain", "progressive shortness of breath",
    "sudden severe headache", "painless jaundice", "bloody diarrhea", "right lower quadrant pain",
    "palpitations and weight loss", "swelling of both legs", "fatigue and easy bruising",
    "episodes of confusion", "polyuria and polydipsia", "a painful swollen knee", "double vision",
    "hemoptysis", "dysphagia to solids", "a pruritic rash", "syncope while exercising",
]
_DURATIONS = ["2 hours", "6 hours", "1 day", "3 days", "1 week", "2 weeks", "3 months", "6 months"]
_HISTORY = [
    "a history of type 2 diabetes mellitus treated with metformin", "a 30-pack-year smoking history",
    "hypertension and hyperlipidemia", "no significant past medical history", "rheumatoid arthritis on methotrexate",
    "a recent long-haul flight", "alcohol use disorder", "HIV infection with a CD4 count of 150/mm3",
    "chronic kidney disease stage 3", "a mechanical aortic valve on warfarin",
]
_EXAM = [
    "crackles at the right lung base", "a holosystolic murmur at the apex", "jugular venous distension",
    "scleral icterus", "tenderness at McBurney point", "a fine tremor and lid lag", "pitting edema to the knees",
    "petechiae over the lower extremities", "nuchal rigidity", "a warm, erythematous, effusive knee",
    "decreased breath sounds on the left", "hepatomegaly with a palpable gallbladder",
]
_LABS = [
    "Na 128 mEq/L", "K 6.1 mEq/L", "creatinine 2.4 mg/dL", "leukocyte count 18,500/mm3", "hemoglobin 7.9 g/dL",
    "platelet count 42,000/mm3", "troponin I 2.3 ng/mL", "TSH <0.01 µU/mL", "glucose 412 mg/dL",
    "lactate 4.8 mmol/L", "INR 4.2", "lipase 980 U/L", "ALT 1,240 U/L", "D-dimer 2,900 ng/mL",
]
_IMAGING = [
    "chest radiography shows a right lower lobe consolidation", "ECG shows ST elevation in leads II, III and aVF",
    "CT of the head shows a hyperdense crescent", "ultrasound shows a dilated common bile duct",
    "CT angiography shows a filling defect in the right pulmonary artery", "radiography shows joint space narrowing",
    "echocardiography shows an ejection fraction of 30%", "abdominal CT shows a mass in the pancreatic head",
]
_OPTIONS = [
    "Community-acquired pneumonia", "Acute inferior myocardial infarction", "Pulmonary embolism",
    "Subarachnoid hemorrhage", "Pancreatic adenocarcinoma", "Acute appendicitis", "Graves disease",
    "Congestive heart failure", "Immune thrombocytopenia", "Septic arthritis", "Diabetic ketoacidosis",
    "Aortic dissection", "Intravenous ceftriaxone", "Oral amoxicillin", "Emergency laparotomy",
    "Low molecular weight heparin", "Propylthiouracil", "Observation and repeat imaging", "Aspirin",
    "Insulin infusion", "Hemodialysis", "Vitamin K and prothrombin complex", "Methimazole", "Colchicine",
]
_REASONING = [
    "The combination of {a} and {b} points towards {o}.",
    "{o} would explain the {a}, and it is also consistent with the {b}.",
    "Given the {b}, {o} is less likely than it first appears.",
    "We should not ignore the {a}; it narrows the differential considerably.",
    "A patient with {h} is at increased risk, which supports {o}.",
    "The vital signs suggest hemodynamic compromise, so the next step must be urgent.",
    "If the blood pressure falls below 90 mm Hg (BP <90), resuscitation takes priority over imaging.",
    "A sodium below the normal range (Na < 135) can cause confusion but does not explain the {a}.",
    "Option {l} ({o}) does not fit the time course of {d}.",
    "Option {l}, {o}, is the best match for these findings.",
    "The {b} is the key discriminating finding here.",
    "Most guidelines recommend treating empirically while the work-up is ongoing.",
    "Laboratory values show {lab}, which must be corrected before any procedure.",
    "The dose is usually 15 µg/kg, and the body surface area of 1.9 m² matters only for chemotherapy.",
    "Temperature of 38.9 °C and a heart rate of 118/min meet the SIRS criteria.",
    "Let me reconsider: {o} usually presents with {a}, which this patient has.",
    "This is a classic presentation, and the {b} makes {o} the leading diagnosis.",
    "Other causes such as drug toxicity or an infection elsewhere are possible but less likely.",
]
_ZH = [
    "患者出现发热和咳嗽，右下肺可闻及湿啰音。", "结合影像学检查，最可能的诊断是社区获得性肺炎。",
    "心电图提示下壁导联ST段抬高，应考虑急性心肌梗死。", "实验室检查显示白细胞明显升高。",
    "需要尽快给予经验性抗生素治疗。", "综合以上分析，", "因此答案是", "该患者的病史支持这一诊断。",
]
_ES = [
    "El paciente presenta fiebre y tos productiva desde hace tres días.",
    "La radiografía de tórax muestra una consolidación en el lóbulo inferior derecho.",
    "Según la guía, la 1.ª opción de tratamiento es un antibiótico empírico.",
    "En el informe n.º 3 la saturación bajó al 91 %, lo que sugiere hipoxemia.",
    "La combinación de hallazgos apunta a una neumonía adquirida en la comunidad.",
    "Por lo tanto, la respuesta correcta es la opción",
    "Es importante descartar una embolia pulmonar en este contexto.",
]


@dataclass
class Rollouts:
    prompts: list[Any] = field(default_factory=list)
    completions: list[Any] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    #: what the generator meant to produce, per row ("well_formed", "broken", "non_english", "chat")
    kinds: list[str] = field(default_factory=list)


@dataclass
class _Case:
    question: str
    options: list[str]
    gold: str
    findings: list[str]
    facts: dict[str, str]


def _case(rng: random.Random) -> _Case:
    age = rng.choice(_AGES)
    sex, pronoun, _ = rng.choice(_SEXES)
    complaint, duration, history = rng.choice(_COMPLAINTS), rng.choice(_DURATIONS), rng.choice(_HISTORY)
    exam, lab, imaging = rng.choice(_EXAM), rng.choice(_LABS), rng.choice(_IMAGING)
    n_options = rng.choice([4, 4, 5, 5, 5, 10])
    options = rng.sample(_OPTIONS, n_options)
    question = (f"A {age}-year-old {sex} comes to the emergency department because of {complaint} for {duration}. "
                f"{pronoun} has {history}. Examination shows {exam}. Laboratory studies show {lab}, and "
                f"{imaging}. Which of the following is the most likely diagnosis or the most appropriate next "
                "step in management?\n" + "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options)))
    gold = LETTERS[rng.randrange(n_options)]
    facts = {"a": complaint, "b": exam, "h": history, "d": duration, "lab": lab}
    return _Case(question, options, gold, [complaint, exam, lab, imaging], facts)


def _sentence(rng: random.Random, case: _Case) -> str:
    index = rng.randrange(len(case.options))
    return rng.choice(_REASONING).format(l=LETTERS[index], o=case.options[index].lower(), **case.facts)


def _analysis(rng: random.Random, case: _Case, words: int) -> list[str]:
    sentences = [f"The patient presents with {case.findings[0]} for {case.facts['d']}, on a background of "
                 f"{case.facts['h']}.", f"Key findings: {case.findings[1]}; {case.findings[2]}; {case.findings[3]}."]
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(_sentence(rng, case))
    return sentences


def _letter_phrase(rng: random.Random, letter: str, option: str) -> str:
    form = rng.randrange(10)
    if form == 0:
        return f"The answer is ({letter})."
    if form == 1:
        return f"The answer is {letter}."
    if form == 2:
        return f"\\boxed{{{letter}}}"
    if form == 3:
        return f"Final answer: \\boxed{{\\text{{{letter}}}}}"
    if form == 4:
        return f"**Answer:** {letter}"
    if form == 5:
        return f"Therefore, the answer is option {letter}, {option.lower()}."
    if form == 6:
        return f"answer: {letter.lower()})"
    if form == 7:
        return f"I would choose {letter}."  # no rule reads this: choice_letter gives ""
    if form == 8:
        return f"The best answer is **{letter}**"
    return f"The correct answer is: {letter}"


def _conclusion(rng: random.Random, case: _Case, analysis: list[str], letter: str) -> str:
    option = case.options[LETTERS.index(letter)]
    style = rng.random()
    if style < 0.12:
        return letter  # a bare letter
    if style < 0.2:
        return f"{letter}) {option}"
    phrase = _letter_phrase(rng, letter, option)
    if style < 0.35:
        return phrase  # restates the letter only: no cross-reference
    if style < 0.45:
        return " ".join(analysis[-4:]) + " " + phrase  # copies the end of the analysis
    reused = rng.sample(analysis, min(len(analysis), rng.choice([1, 1, 2])))
    return f"{' '.join(reused)} Taken together, this favours {option.lower()}. {phrase}"


def _pick(rng: random.Random, case: _Case) -> str:
    if rng.random() < 0.6:
        return case.gold
    return LETTERS[rng.randrange(len(case.options))]


def _layout(rng: random.Random, dx: str, conclusion: str) -> str:
    sep, between = rng.choice(["\n", "\n\n", " ", ""]), rng.choice(["\n", "\n\n", " "])
    return f"<dx>{sep}{dx}{sep}</dx>{between}<conclusion>{sep}{conclusion}{sep}</conclusion>"


def _well_formed(rng: random.Random, case: _Case) -> str:
    analysis = _analysis(rng, case, rng.randint(78, 330))
    return _layout(rng, " ".join(analysis), _conclusion(rng, case, analysis, _pick(rng, case)))


def _broken(rng: random.Random, case: _Case) -> str:
    analysis = _analysis(rng, case, rng.randint(60, 360))
    dx, conclusion = " ".join(analysis), _conclusion(rng, case, analysis, _pick(rng, case))
    kind = rng.randrange(12)
    if kind == 0:  # cut off by the token limit inside the analysis
        return f"<dx>\n{dx[: rng.randint(20, max(21, len(dx) - 1))]}"
    if kind == 1:  # cut off inside the conclusion
        return f"<dx>\n{dx}\n</dx>\n<conclusion>\n{conclusion[: max(1, len(conclusion) // 2)]}"
    if kind == 2:
        return f"{dx}\n\n{conclusion}"  # no tags at all
    if kind == 3:
        return f"<conclusion>{conclusion}</conclusion>\n<dx>{dx}</dx>"  # out of order
    if kind == 4:
        again = _letter_phrase(rng, case.gold, case.options[0])
        return f"<dx>{dx}</dx>\n<conclusion>{conclusion}</conclusion>\n<conclusion>{again}</conclusion>"
    if kind == 5:
        half = len(analysis) // 2
        return (f"<dx>{' '.join(analysis[:half])}</dx>\n<dx>{' '.join(analysis[half:])}</dx>\n"
                f"<conclusion>{conclusion}</conclusion>")
    if kind == 6:
        return f"<dx>{dx}\n<conclusion>{conclusion}</conclusion></dx>"  # conclusion nested in dx
    if kind == 7:
        return f"<dx reasoning>{dx}</dx>\n<conclusion>{conclusion}</conclusion>"  # malformed opening tag
    if kind == 8:
        return f"<DX>{dx}</DX>\n<CONCLUSION>{conclusion}</CONCLUSION>"  # tag names are case-sensitive
    if kind == 9:
        return f"<think>\n{dx}\n</think>\n{conclusion}"  # another model's format
    if kind == 10:
        return f"<dx>{dx}</conclusion>\n<conclusion>{conclusion}</dx>"  # closings swapped
    return f"<dx>{dx}</dx>\n</dx>\n<conclusion>{conclusion}</conclusion>"  # a stray closing tag


def _non_english(rng: random.Random, case: _Case) -> str:
    analysis = _analysis(rng, case, rng.randint(40, 300))
    letter = _pick(rng, case)
    bank = _ZH if rng.random() < 0.5 else _ES
    sep = "" if bank is _ZH else " "
    for _ in range(rng.randint(1, 6)):
        analysis.insert(rng.randrange(len(analysis) + 1), rng.choice(bank))
    if rng.random() < 0.4:
        # no rule reads a letter after 因此答案是 / la respuesta correcta es la opción
        conclusion = f"{rng.choice(bank)}{sep}{bank[-2]}{sep}({letter})"
    else:
        conclusion = _conclusion(rng, case, analysis, letter)
    return _layout(rng, sep.join(analysis), conclusion)


def generate(count: int = 20480, seed: int = 20250101) -> Rollouts:
    """``count`` rollouts (prompt, completion, gold letter), the same for the same arguments."""
    rng = random.Random(seed)
    out = Rollouts()
    for _ in range(count):
        case = _case(rng)
        draw = rng.random()
        prompt: Any = f"{case.question}\nThink inside <dx></dx>, then answer inside <conclusion></conclusion>."
        if draw < 0.6:
            kind, completion = "well_formed", _well_formed(rng, case)
        elif draw < 0.8:
            kind, completion = "broken", _broken(rng, case)
        elif draw < 0.9:
            kind, completion = "non_english", _non_english(rng, case)
        else:
            kind = "chat"
            completion = [{"role": "assistant", "content": _well_formed(rng, case)}]
            prompt = [{"role": "system", "content": "You are a careful clinician."},
                      {"role": "user", "content": prompt}]
        out.prompts.append(prompt)
        out.completions.append(completion)
        out.answers.append(case.gold)
        out.kinds.append(kind)
    return out
