"""Text built-ins: whole-word mentions, substrings, case and size measures, and
the names listed under a heading.

In: texts (any str: empty, huge, emoji, combining marks, lone surrogates).
Out: bools, counts (int) and texts; nothing here raises on odd input.

A word character is a letter, a digit, a combining mark or ``_`` (Unicode
aware); everything else, and the edge of the text, is a word boundary.
"""

from __future__ import annotations

from functools import lru_cache

from rubricspec.runtime.functions._common import is_word_char, word_tokens
from rubricspec.runtime.functions.registry import implements


@lru_cache(maxsize=64)
def _folded(text: str) -> str:
    # casefold for case-insensitive matching; whitespace runs become one space so that
    # a phrase such as "chest pain" also matches across a line break
    return " ".join(text.casefold().split())


@lru_cache(maxsize=1024)
def _folded_word(word: str) -> str:
    return " ".join(word.casefold().split())


def _count_mentions(text: str, word: str, first_only: bool) -> int:
    needle = _folded_word(word)
    if not needle:
        return 0
    haystack = _folded(text)
    find, size, end = haystack.find, len(needle), len(haystack)
    count = 0
    i = find(needle)
    while i != -1:
        j = i + size
        if (i == 0 or not is_word_char(haystack[i - 1])) and (j == end or not is_word_char(haystack[j])):
            if first_only:
                return 1
            count += 1
            i = find(needle, j)
        else:
            i = find(needle, i + 1)
    return count


@implements("mentions")
def mentions(text: str, word: str) -> bool:
    """in: text, word or phrase. out: whether it occurs as a whole word, ignoring case."""
    return _count_mentions(text, word, True) > 0


@implements("mention_count")
def mention_count(text: str, word: str) -> int:
    """in: text, word or phrase. out: how many non-overlapping whole-word occurrences, ignoring case."""
    return _count_mentions(text, word, False)


@implements("mentions_any")
def mentions_any(text: str, words: list[str]) -> bool:
    """in: text, list of words. out: whether any of them is mentioned (see ``mentions``)."""
    return any(_count_mentions(text, w, True) for w in words)


@implements("contains")
def contains(text: str, part: str) -> bool:
    """in: text, part. out: whether ``part`` occurs in ``text`` exactly as written."""
    return part in text


@implements("starts_with")
def starts_with(text: str, prefix: str) -> bool:
    """in: text, prefix. out: whether the text begins with ``prefix`` (case-sensitive)."""
    return text.startswith(prefix)


@implements("ends_with")
def ends_with(text: str, suffix: str) -> bool:
    """in: text, suffix. out: whether the text ends with ``suffix`` (case-sensitive)."""
    return text.endswith(suffix)


@implements("lower")
def lower(text: str) -> str:
    """in: text. out: the text in lower case."""
    return text.lower()


@implements("trim")
def trim(text: str) -> str:
    """in: text. out: the text without leading and trailing whitespace."""
    return text.strip()


@implements("chars")
def chars(text: str) -> int:
    """in: text. out: the number of Unicode code points."""
    return len(text)


@implements("words")
def words(text: str) -> int:
    """in: text. out: the number of runs of word characters."""
    return len(word_tokens(text))


@implements("lines")
def lines(text: str) -> int:
    """in: text. out: the number of lines that hold something other than whitespace."""
    return sum(1 for line in text.splitlines() if line and not line.isspace())


def _bullet_name(line: str) -> str | None:
    """``Alice`` for ``- Alice: ...`` or ``* **Alice**: ...``; "" for another list line; None for non-list."""
    if line[0] not in "-*" or line.startswith("**"):
        return None
    item = line[1:]
    colon = item.find(":")
    if colon == -1:
        return ""
    return item[:colon].strip().strip("*_").strip()


@implements("listed_names")
def listed_names(text: str, heading: str) -> list[str]:
    """in: text, heading. out: the names of the ``- Name: ...`` lines in the section under the heading."""
    wanted = heading.casefold().strip()
    if not wanted:
        return []
    rows = text.splitlines()
    for index, row in enumerate(rows):
        if wanted in row.casefold():
            break
    else:
        return []
    names: list[str] = []
    after_blank = False
    for row in rows[index + 1:]:
        line = row.strip()
        if not line:
            after_blank = True
            continue
        name = _bullet_name(line)
        if name is None:
            if after_blank:
                break
            continue
        after_blank = False
        if name:
            names.append(name)
    return names
