"""Helpers shared by the built-in implementations.

In: raw text of any kind (empty, huge, emoji, lone surrogates, NUL).
Out: UTF-8 bytes that RE2 accepts, Unicode-aware word tokens and word-char
tests, and ``over_text`` which turns a function of the text into what a
specializer returns.
"""

from __future__ import annotations

import codecs
import unicodedata
from typing import Any, Callable

from rubricspec.runtime.functions.registry import DYNAMIC

_REPLACE = "rubricspec.replace"


def _to_replacement_char(error: UnicodeError) -> tuple[bytes, int]:
    assert isinstance(error, UnicodeEncodeError)
    # bytes, because the UTF-8 encoder accepts only ASCII text as a replacement
    return "\ufffd".encode() * (error.end - error.start), error.end


codecs.register_error(_REPLACE, _to_replacement_char)


def utf8(text: str) -> bytes:
    """``text`` as valid UTF-8; lone surrogates (which UTF-8 cannot hold) become U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", _REPLACE)


_MARKS = frozenset({"Mn", "Mc", "Me"})
_VARIATION_SELECTORS = (0xFE00, 0xFE0F, 0xE0100, 0xE01EF)
_TABLE_LIMIT = 1 << 17


class _WordTable(dict):
    """str.translate table: word characters map to themselves, everything else to a space.

    A word character is a letter, a digit or other number, a combining mark
    (so decomposed accents stay inside their word) or ``_``; variation
    selectors, marks that follow emoji, are not. Entries are
    computed on first sight and kept, up to a bound, so that a text full of
    distinct code points cannot grow the table without limit.
    """

    def __missing__(self, code: int) -> int:
        char = chr(code)
        low, high, low2, high2 = _VARIATION_SELECTORS
        word = char.isalnum() or char == "_" or (
            unicodedata.category(char) in _MARKS and not (low <= code <= high or low2 <= code <= high2))
        value = code if word else 32
        if len(self) < _TABLE_LIMIT:
            self[code] = value
        return value


_WORD_TABLE = _WordTable()
_ASCII_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def is_word_char(char: str) -> bool:
    """Whether ``char`` (one code point) is part of a word: letter, digit, mark or ``_``."""
    if char in _ASCII_WORD:
        return True
    if char < "\x80":
        return False
    return _WORD_TABLE[ord(char)] != 32


#: bytes.translate table: ASCII bytes that are not word characters become spaces; others stay
_BYTE_TABLE = bytes(b if b >= 0x80 or chr(b) in _ASCII_WORD else 0x20 for b in range(256))
_FEW_DISTINCT = 32


def word_tokens(text: str) -> list[str]:
    """The runs of word characters of ``text``, in order."""
    # str.translate is fast only on ASCII text (one stray "°C" makes it ~25x slower), so
    # mixed text replaces its few distinct non-ASCII separators, then cuts ASCII in bytes.
    if text.isascii():
        return text.translate(_WORD_TABLE).split()
    wide = [c for c in set(text) if c >= "\x80"]
    if len(wide) > _FEW_DISTINCT:
        return text.translate(_WORD_TABLE).split()
    for char in wide:
        if not is_word_char(char):
            text = text.replace(char, " ")
    return text.encode("utf-8", "surrogatepass").translate(_BYTE_TABLE).decode("utf-8", "surrogatepass").split()


def over_text(args: tuple[Any, ...], core: Callable[[str], Any]) -> Callable[..., Any]:
    """What a specializer returns when only the first argument (the text) may be dynamic.

    ``core`` already holds the constant arguments. When the text is itself a
    constant the value is computed once, here.
    """
    if args[0] is DYNAMIC:
        return core
    value = core(args[0])
    if isinstance(value, list):
        return lambda: list(value)
    return lambda: value
