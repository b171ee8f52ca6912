"""Writing-system built-ins: ``script_share`` and ``language_share`` (CRPO's
language-consistency reward: the share of letters in the expected language).

In: a text and a script name or language code, both constant per rubric.
Out: the share (0..1) of the text's letters (``str.isalpha()``) that belong
to the script(s); 0 when the text has no letters. Digits, punctuation,
spaces and marks are not letters and do not count either way.

Scripts come from a code point table (``_script_runs``); a text is counted
per distinct character (``collections.Counter`` runs in C), and ASCII letters
are counted on bytes, so English text costs almost nothing.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
from collections import Counter
from typing import Any, Callable

from rubricspec.runtime.functions._common import over_text
from rubricspec.runtime.functions._script_runs import RUNS, SCRIPTS
from rubricspec.runtime.functions.registry import FunctionError, specializes

LANGUAGES: dict[str, tuple[str, ...]] = {
    "en": ("Latin",), "fr": ("Latin",), "de": ("Latin",), "es": ("Latin",), "it": ("Latin",),
    "pt": ("Latin",), "nl": ("Latin",), "no": ("Latin",), "nb": ("Latin",), "da": ("Latin",),
    "sv": ("Latin",), "fi": ("Latin",), "pl": ("Latin",), "cs": ("Latin",), "ro": ("Latin",), "tr": ("Latin",),
    "vi": ("Latin",), "id": ("Latin",), "ms": ("Latin",), "sw": ("Latin",), "hu": ("Latin",),
    "bg": ("Cyrillic",), "sr": ("Cyrillic",), "ru": ("Cyrillic",), "uk": ("Cyrillic",), "zh": ("Han",),
    "ja": ("Han", "Hiragana", "Katakana"), "ko": ("Hangul", "Han"), "ar": ("Arabic",), "he": ("Hebrew",),
    "hi": ("Devanagari",), "el": ("Greek",), "th": ("Thai",),
}
#: codes people often write instead of the ISO 639-1 one
_LANGUAGE_MISTAKES = {"jp": "ja", "cn": "zh", "kr": "ko", "gr": "el", "iw": "he", "ua": "uk",
                      "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
                      "portuguese": "pt", "dutch": "nl", "russian": "ru", "ukrainian": "uk", "chinese": "zh",
                      "japanese": "ja", "korean": "ko", "arabic": "ar", "hebrew": "he", "hindi": "hi",
                      "greek": "el", "thai": "th"}

_STARTS = tuple(start for start, _ in RUNS)
_IDS = tuple(script for _, script in RUNS)
_NOT_LETTER = -2
_LATIN = SCRIPTS.index("Latin")
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ASCII = bytes(range(128))
_CACHE_LIMIT = 1 << 17


class _Classes(dict):
    """char -> script index, -1 for a letter of another script, -2 for a non-letter (cached, bounded)."""

    def __missing__(self, char: str) -> int:
        if not char.isalpha():
            value = _NOT_LETTER
        else:
            at = bisect_right(_STARTS, ord(char)) - 1
            value = _IDS[at] if at >= 0 else -1
        if len(self) < _CACHE_LIMIT:
            self[char] = value
        return value


_CLASSES = _Classes()


def share(text: str, wanted: frozenset[int]) -> float:
    """The share of the letters of ``text`` whose script index is in ``wanted``."""
    if text.isascii():
        letters = len(text) - len(text.encode().translate(None, _ASCII_LETTERS))
        return 1.0 if letters and _LATIN in wanted else 0.0
    data = text.encode("utf-8", "surrogatepass")
    letters = len(data) - len(data.translate(None, _ASCII_LETTERS))
    hits = letters if _LATIN in wanted else 0
    # deleting the ASCII bytes leaves whole UTF-8 sequences: exactly the non-ASCII characters
    others = data.translate(None, _ASCII).decode("utf-8", "surrogatepass")
    classes = _CLASSES
    for char, count in Counter(others).items():
        script = classes[char]
        if script == _NOT_LETTER:
            continue
        letters += count
        if script in wanted:
            hits += count
    return hits / letters if letters else 0.0


def _script(value: Any) -> int:
    names = {name.lower(): i for i, name in enumerate(SCRIPTS)}
    if isinstance(value, str) and value.strip().lower() in names:
        return names[value.strip().lower()]
    guess = difflib.get_close_matches(str(value).lower(), list(names), n=1, cutoff=0.5)
    hint = f'did you mean "{SCRIPTS[names[guess[0]]]}"? ' if guess else ""
    raise FunctionError(f'unknown script "{value}"; {hint}Scripts: {", ".join(SCRIPTS)}.', argument=1)


def _language(value: Any) -> tuple[str, ...]:
    code = str(value).strip().lower().replace("_", "-").split("-")[0]
    if isinstance(value, str) and code in LANGUAGES:
        return LANGUAGES[code]
    guess = _LANGUAGE_MISTAKES.get(code) or next(iter(difflib.get_close_matches(code, list(LANGUAGES), n=1)), None)
    hint = f'did you mean "{guess}"? ' if guess in LANGUAGES else ""
    raise FunctionError(f'unknown language code "{value}"; {hint}codes (ISO 639-1): '
                        f'{", ".join(sorted(LANGUAGES))}.', argument=1)


@specializes("script_share")
def script_share(*args: Any) -> Callable[..., float]:
    """in: text, script name. out: share (0..1) of the letters written in that script."""
    wanted = frozenset({_script(args[1])})
    return over_text(args, lambda text: share(text, wanted))


@specializes("language_share")
def language_share(*args: Any) -> Callable[..., float]:
    """in: text, language code. out: share (0..1) of the letters in that language's script(s)."""
    wanted = frozenset(SCRIPTS.index(s) for s in _language(args[1]))
    return over_text(args, lambda text: share(text, wanted))
