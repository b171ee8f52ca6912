"""Regular-expression built-ins on RE2 (linear time: no pattern can make a call hang).

In: a text and a pattern that is constant per rubric; the pattern is checked
and compiled once, when the rubric compiles.
Out: whether it matches, how many non-overlapping matches, the first match.

Matching runs on the UTF-8 bytes of the text (lone surrogates become U+FFFD)
so that each call encodes the text once.
"""

from __future__ import annotations

from typing import Any, Callable

import re2

from rubricspec.runtime.functions._common import over_text, utf8
from rubricspec.runtime.functions.registry import FunctionError, specializes

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # errors are reported to the rubric author, not printed to stderr

_HINT = (" RE2 syntax has no look-around ((?=, (?!, (?<=) and no back-references (\\1); "
         "\\w, \\d and \\b match ASCII only (use \\pL for any letter).")


#: RE2's reasons, in words a rubric author can act on
_PLAIN_REASONS = (
    ("missing )", "a `(` is opened but never closed"),
    ("missing ]", "a `[` is opened but never closed"),
    ("unexpected )", "a `)` closes nothing"),
    ("missing (", "a `)` closes nothing"),
    ("bad repetition operator", "`*`, `+`, `?` or `{n}` repeats nothing or is doubled"),
    ("missing argument to repetition operator", "`*`, `+`, `?` or `{n}` has nothing before it to repeat"),
    ("invalid escape sequence", "a backslash escape that RE2 does not know"),
    ("trailing \\", "the pattern ends with a lone backslash"),
    ("invalid perl operator", "a `(?...)` group that RE2 does not support"),
    ("invalid character class range", "a range like `[z-a]` runs backwards"),
)


def compile_pattern(pattern: Any, index: int) -> Any:
    """The compiled RE2 pattern, or a FunctionError that quotes RE2's reason."""
    if not isinstance(pattern, str):
        raise FunctionError(f"the pattern must be text, not {pattern!r}", argument=index)
    try:
        return re2.compile(utf8(pattern), _OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else "invalid pattern"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        hint = _HINT if ("perl operator" in reason or "escape" in reason) else ""
        plain = next((words for prefix, words in _PLAIN_REASONS if reason.startswith(prefix)), None)
        said = f"{plain} (RE2: {reason})" if plain else reason
        raise FunctionError(f'the pattern "{pattern}" is not a valid regular expression: {said}.{hint}',
                            argument=index) from None


@specializes("matches")
def matches(*args: Any) -> Callable[..., bool]:
    """in: text, pattern. out: whether the pattern matches anywhere in the text."""
    regex = compile_pattern(args[1], 1)
    search = regex.search
    return over_text(args, lambda text: search(utf8(text)) is not None)


@specializes("regex_count")
def regex_count(*args: Any) -> Callable[..., int]:
    """in: text, pattern. out: the number of non-overlapping matches."""
    finditer = compile_pattern(args[1], 1).finditer
    return over_text(args, lambda text: sum(1 for _ in finditer(utf8(text))))


@specializes("regex_find")
def regex_find(*args: Any) -> Callable[..., str]:
    """in: text, pattern. out: the first match (its group 1 when the pattern has groups), "" if none."""
    regex = compile_pattern(args[1], 1)
    search, group = regex.search, 1 if regex.groups else 0

    def core(text: str) -> str:
        found = search(utf8(text))
        if found is None:
            return ""
        value = found.group(group)
        return "" if value is None else value.decode("utf-8", "replace")

    return over_text(args, core)
