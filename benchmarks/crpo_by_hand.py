"""The CRPO reward written by hand, the way a researcher would without rubricspec.

In: TRL's reward-function arguments: ``prompts``, ``completions`` (text, or chat
messages whose last assistant message is scored) and the ``answer`` column (the
gold letter). Out: one float per completion,

    reward = 10 · accuracy + format + 0.5 · cross_reference + 0.5 · consistency,

with the meaning that ``specs/clinical/crpo.yaml`` and ``docs/functions.md`` give
each term at the default params (k = 10, language en, word bigrams, overlap
0.2..0.8). It is the baseline of ``reward_throughput.py``, which first checks
that both agree on every completion. Known differences, none of which the
benchmark data contains: ``\\s`` here is Unicode whitespace where the compiled
regexes take ASCII only, and Python's ``\\w`` leaves out combining marks (so a
decomposed "é" splits a word) and counts numerals such as "²" as letters in
the "not followed by a letter" test of choice letters; ``is_latin`` knows the
Latin letters of clinical text, not phonetic letters, ligatures such as "ﬁ",
or Latin Extended-C/D.
"""

from __future__ import annotations

import re
from collections import Counter

K, MIN_OVERLAP, MAX_OVERLAP = 10, 0.2, 0.8
OPTION_LETTERS = frozenset("ABCDEFGHIJ")

# a tag: <name ...>, </name ...> or <name .../>, with no other '<' before its '>'
TAG = re.compile(r"<(/?)([A-Za-z_][A-Za-z0-9_.-]*)([^<>]*)>")
ATTRIBUTES = re.compile(r"""(?:[ \t\r\n]+[A-Za-z_][A-Za-z0-9_.-]*[ \t\r\n]*=[ \t\r\n]*(?:"[^"]*"|'[^']*'))*"""
                        r"[ \t\r\n]*")
ATTRIBUTE = re.compile(r"""([A-Za-z_][A-Za-z0-9_.-]*)[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')""")

# choice letters; "not followed by a letter" is [\W\d_] (one non-letter) or the end
BOXED = re.compile(r"\\boxed\s*\{\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?[(\[]?\s*([A-Za-z])(?:[\W\d_]|$)")
ANSWER = re.compile(r"(?<![A-Za-z0-9_])answer[*_]*(?:\s*:|\s+is(?![A-Za-z0-9_])\s*:?)[\s*_]*(?:(?:option|choice)\s+)?"
                    r"([(\[]?)\s*([A-Za-z])\s*([)\]]?)([*_]*)([\W\d_]|$)", re.IGNORECASE)
BARE = re.compile(r"\s*[*_]*\s*(?:[(\[]\s*([A-Za-z])\s*[)\]][*_]*(?:[.):\s].*)?|([A-Za-z])[*_]*(?:[.):].*)?)\s*",
                  re.DOTALL)
WORD = re.compile(r"\w+")


def completion_text(completion) -> str:
    return completion if isinstance(completion, str) else completion[-1]["content"]


def parse_tags(text: str) -> tuple[list[tuple], list[tuple]]:
    """Tags as (kind, name, attrs, start, end) and complete elements as (name, start, inner_start, inner_end, end)."""
    tokens = []
    for m in TAG.finditer(text):
        slash, name, rest = m.groups()
        if slash:
            kind = "close" if not rest.strip(" \t\r\n") else "bad"
            attrs = ()
        else:
            kind = "open"
            if rest.endswith("/"):
                kind, rest = "self", rest[:-1]
            pairs = [(key, v1 or v2) for key, v1, v2 in ATTRIBUTE.findall(rest)] if "=" in rest else []
            attrs = frozenset(pairs)
            if not ATTRIBUTES.fullmatch(rest) or len({key for key, _ in pairs}) != len(pairs):
                kind, attrs = "bad", frozenset()
        tokens.append((kind, name, attrs, m.start(), m.end()))
    # a closing tag closes the nearest open element of its name; everything opened after it stays unclosed
    elements, stack = [], []
    for tok in tokens:
        kind, name = tok[0], tok[1]
        if kind == "open":
            stack.append(tok)
        elif kind == "self":
            elements.append((name, tok[3], tok[4], tok[4], tok[4]))
        elif kind == "close":
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][1] == name:
                    opener = stack[depth]
                    del stack[depth:]
                    elements.append((name, opener[3], opener[4], tok[3], tok[4]))
                    break
    elements.sort(key=lambda e: e[1])
    return tokens, elements


def well_formed(tokens: list[tuple], names: set[str]) -> bool:
    """Named tags only: nothing malformed, unclosed, stray, crossed or repeated under one parent."""
    open_names, siblings = [], [set()]
    for kind, name, attrs, _, _ in tokens:
        if name not in names:
            continue
        if kind == "bad":
            return False
        if kind == "close":
            if not open_names or open_names[-1] != name:
                return False
            open_names.pop()
            siblings.pop()
            continue
        if (name, attrs) in siblings[-1]:
            return False
        siblings[-1].add((name, attrs))
        if kind == "open":
            open_names.append(name)
            siblings.append(set())
    return not open_names


def choice_letter(text: str) -> str:
    """The option picked: last \\boxed{X}, else last "answer is X", else the whole text is the letter."""
    found = [m.group(1).upper() for m in BOXED.finditer(text)] if "boxed" in text else []
    found = [x for x in found if x in OPTION_LETTERS]
    if found:
        return found[-1]
    for m in ANSWER.finditer(text):
        opening, letter, closing, bold, after = m.groups()
        if letter.islower() and not (opening or closing or bold or after in ("", ".", ")", ":", ",", "\r", "\n")):
            continue
        if letter.upper() in OPTION_LETTERS:
            found.append(letter.upper())
    if found:
        return found[-1]
    m = BARE.fullmatch(text)
    letter = (m.group(1) or m.group(2)).upper() if m else ""
    return letter if letter in OPTION_LETTERS else ""


def bigrams(text: str) -> set[tuple[str, str]]:
    words = WORD.findall(text.lower())
    return set(zip(words, words[1:]))


def overlap(a: str, b: str) -> float:
    grams = bigrams(a)
    return len(grams & bigrams(b)) / len(grams) if grams else 0.0


def is_latin(char: str) -> bool:
    """Latin script, for letters: Basic Latin to Latin Extended-B (not µ), Extended Additional, fullwidth."""
    return (char <= "\u02b8" and char != "µ") or "\u1e00" <= char <= "\u1eff" or "\uff21" <= char <= "\uff5a"


def english_share(text: str) -> float:
    letters = latin = 0
    for char, n in Counter(text).items():
        if char.isalpha():
            letters += n
            if is_latin(char):
                latin += n
    return latin / letters if letters else 0.0


def crpo_reward(prompts, completions, answer, **kwargs) -> list[float]:
    rewards = []
    for completion, gold in zip(completions, answer):
        text = completion_text(completion)
        tokens, elements = parse_tags(text)
        dx = [e for e in elements if e[0] == "dx"]
        conclusion = [e for e in elements if e[0] == "conclusion"]
        conclusion_text = "\n".join(text[e[2]:e[3]].strip() for e in conclusion)

        accuracy = choice_letter(conclusion_text) == gold
        fmt = (len(dx) == 1 and len(conclusion) == 1 and conclusion[0][1] >= dx[0][4]
               and well_formed(tokens, {"dx", "conclusion"}))
        cross_reference = False
        if fmt:
            share = overlap(conclusion_text, text[dx[0][2]:dx[0][3]].strip())
            cross_reference = MIN_OVERLAP <= share <= MAX_OVERLAP
        rewards.append(float(K * accuracy + fmt + 0.5 * cross_reference + 0.5 * english_share(text)))
    return rewards
