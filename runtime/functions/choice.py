"""``choice_letter``: the option letter a multiple-choice answer picked.

In: a text (a completion or the inside of a ``<conclusion>`` tag) and the
allowed letters (constant, default ``ABCDEFGHIJ``).
Out: the upper-case letter, or "" when none is found. The first rule that
finds an allowed letter wins:

1. the last ``\\boxed{X}`` (also ``\\boxed{\\text{X}}``, ``\\boxed{(X)}``);
2. the last "answer is X" / "answer: X" (case-insensitive; parentheses,
   bold and "option"/"choice" allowed; X followed by a non-letter). A
   lower-case x only counts when bracketed or bold, or when followed by
   ``.``, ``)``, ``:``, ``,`` or the end of a line, so "the answer is a
   beta blocker" picks nothing;
3. the whole trimmed text is the letter, possibly decorated: ``B``, ``(B)``,
   ``**B**``, ``B.``, ``B) Aspirin``, ``B: Aspirin``. A letter followed by a
   space and more text (``A 45-year-old man``) is not an answer.
"""

from __future__ import annotations

from typing import Any, Callable

import re2

from rubricspec.runtime.functions._common import over_text, utf8
from rubricspec.runtime.functions.registry import FunctionError, specializes

DEFAULT_LETTERS = "ABCDEFGHIJ"

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_BOXED = re2.compile(
    rb"\\boxed\s*\{\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?[(\[]?\s*([A-Za-z])(?:[^\pL]|$)", _OPTIONS)
_ANSWER = re2.compile(
    rb"(?i)\banswer[*_]*(?:\s*:|\s+is\b\s*:?)[\s*_]*(?:(?:option|choice)\s+)?"
    rb"([(\[]?)\s*([A-Za-z])\s*([)\]]?)([*_]*)([^\pL]|$)", _OPTIONS)
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_LOWER_OK_AFTER = frozenset(b".):,\r\n")


def _from_boxed(data: bytes, allowed: frozenset[str]) -> str:
    found = ""
    for match in _BOXED.finditer(data):
        letter = match.group(1).decode().upper()
        if letter in allowed:
            found = letter
    return found


def _from_answer(data: bytes, allowed: frozenset[str]) -> str:
    found = ""
    for match in _ANSWER.finditer(data):
        opening, letter, closing, bold, after = match.groups()
        if letter.islower() and not (opening or closing or bold or not after or after[0] in _LOWER_OK_AFTER):
            continue
        upper = letter.decode().upper()
        if upper in allowed:
            found = upper
    return found


def _bare(text: str, allowed: frozenset[str]) -> str:
    s = text.strip().lstrip("*_").lstrip()
    bracketed = s[:1] in ("(", "[")
    if bracketed:
        s = s[1:].lstrip()
    if not s or s[0] not in _ASCII_LETTERS:
        return ""
    letter, rest = s[0].upper(), s[1:]
    if bracketed:
        rest = rest.lstrip()
        if rest[:1] not in (")", "]"):
            return ""
        rest = rest[1:]
    rest = rest.lstrip("*_")
    if rest and not (rest[0] in ".):" or (bracketed and rest[0].isspace())):
        return ""
    return letter if letter in allowed else ""


#: spaces RE2's ASCII `\s` does not match but writers (and French typography) use around answers
_WIDE_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})


def _choice(text: str, allowed: frozenset[str]) -> str:
    if not text.isascii():
        text = text.translate(_WIDE_SPACES)
    data = utf8(text)
    letter = _from_boxed(data, allowed) if "boxed" in text else ""
    return letter or _from_answer(data, allowed) or _bare(text, allowed)


def _allowed(value: Any, index: int) -> frozenset[str]:
    if not isinstance(value, str) or not value or not all(c in _ASCII_LETTERS for c in value):
        raise FunctionError(f"the option letters must be written together as text, such as \"ABCD\"; "
                            f"got {value!r}.", argument=index)
    return frozenset(value.upper())


@specializes("choice_letter")
def choice_letter(*args: Any) -> Callable[..., str]:
    """in: text [, letters]. out: the chosen option letter, upper case, or ""."""
    allowed = _allowed(args[1] if len(args) > 1 else DEFAULT_LETTERS, 1)
    return over_text(args, lambda text: _choice(text, allowed))
