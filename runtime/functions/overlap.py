"""``ngram_overlap``: how much of one text's wording reappears in another.

In: texts ``a`` and ``b`` and a constant n (a whole number >= 1).
Out: the share (0..1) of the distinct word n-grams of ``a`` that also occur
in ``b``; 0 when ``a`` has fewer than n words. Words are runs of Unicode word
characters, lower-cased.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Callable

from rubricspec.runtime.functions._common import word_tokens
from rubricspec.runtime.functions.registry import DYNAMIC, FunctionError, specializes


@lru_cache(maxsize=128)
def ngrams(text: str, n: int) -> frozenset[Any]:
    """The distinct word n-grams of ``text`` (plain words when n is 1)."""
    tokens = word_tokens(text.lower())
    if n == 1:
        return frozenset(tokens)
    return frozenset(zip(*(tokens[i:] for i in range(n))))


def _share(grams_a: frozenset[Any], grams_b: frozenset[Any]) -> float:
    if not grams_a:
        return 0.0
    return len(grams_a & grams_b) / len(grams_a)


def _size(value: Any) -> int:
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value != int(value) or value < 1):
        raise FunctionError(f"n must be a whole number of words, 1 or more (2 for word pairs); got {value!r}.",
                            argument=2)
    if value > 100:
        raise FunctionError(f"n = {value} is too long an n-gram; use at most 100.", argument=2)
    return int(value)


@specializes("ngram_overlap")
def ngram_overlap(*args: Any) -> Callable[..., float]:
    """in: a, b, n. out: share of a's distinct n-grams found in b (0..1)."""
    a, b, n = args[0], args[1], _size(args[2])
    if a is DYNAMIC and b is DYNAMIC:
        return lambda x, y: _share(ngrams(x, n), ngrams(y, n))
    if a is DYNAMIC:
        fixed_b = ngrams(b, n)
        return lambda x: _share(ngrams(x, n), fixed_b)
    fixed_a = ngrams(a, n)
    if b is DYNAMIC:
        return lambda y: _share(fixed_a, ngrams(y, n))
    value = _share(fixed_a, ngrams(b, n))
    return lambda: value
