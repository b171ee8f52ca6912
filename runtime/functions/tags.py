"""Tag built-ins: XML-like elements in model output such as ``<dx>...</dx>`` or
``<think_student student_id="Alice">...</think_student>``.

In: a text (usually the completion) and tag names that are constant per
rubric (checked when the rubric compiles).
Out: presence, order, counts, inner texts, attribute values,
well-formedness, and the text outside the elements.

A text is scanned once (the result is cached, so the many tag calls of one
rubric share it). A tag is ``<name attr="v" ...>``, ``</name>`` or
``<name .../>`` with names ``[A-Za-z_][A-Za-z0-9_.-]*`` (case-sensitive). A
``<`` that is not followed by a name (``a < b``, ``<140 mmHg``) or that has no
``>`` before the next ``<`` is plain text. ``<name`` followed by anything else
up to ``>`` (``<dx foo>``, ``<dx a=1>``) is a malformed tag: plain text for
every function except ``well_formed``, which it fails.

Closing tags pair with the nearest open element of the same name, as HTML
parsers recover: in ``<a><b></a></b>`` the ``a`` element is complete and
``b`` is not (its opening is left unclosed and ``</b>`` is stray).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Mapping, NamedTuple

from rubricspec.runtime.functions._common import over_text
from rubricspec.runtime.functions.registry import FunctionError, implements, specializes

_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789.-")
_SPACE = frozenset(" \t\r\n")

OPEN, CLOSE, SELF, BAD = "open", "close", "self", "bad"


class Token(NamedTuple):
    kind: str
    name: str
    attrs: tuple[tuple[str, str], ...]
    start: int
    end: int


class Element(NamedTuple):
    """A complete element: offsets of its opening tag start, its inner text and its end."""

    name: str
    attrs: tuple[tuple[str, str], ...]
    start: int
    inner_start: int
    inner_end: int
    end: int


@dataclass(frozen=True, slots=True)
class Parsed:
    tokens: tuple[Token, ...]
    #: complete elements, in the order of their opening tags
    elements: tuple[Element, ...]
    by_name: Mapping[str, tuple[Element, ...]]
    #: valid tags that belong to no complete element (unclosed openings, stray closings)
    loose: tuple[Token, ...]


_new = tuple.__new__  # builds a NamedTuple without the slower keyword-handling constructor

_EMPTY = Parsed((), (), MappingProxyType({}), ())


def valid_name(name: str) -> bool:
    return bool(name) and name[0] in _NAME_START and all(c in _NAME_CHARS for c in name)


def _name_end(body: str, i: int) -> int:
    n = len(body)
    while i < n and body[i] in _NAME_CHARS:
        i += 1
    return i


def _skip_space(body: str, i: int, n: int) -> int:
    while i < n and body[i] in _SPACE:
        i += 1
    return i


def _attributes(body: str, i: int, n: int) -> tuple[tuple[str, str], ...] | None:
    """The ``name="value"`` pairs of ``body[i:n]``; None when the syntax is wrong."""
    attrs: list[tuple[str, str]] = []
    seen: set[str] = set()
    while True:
        j = _skip_space(body, i, n)
        if j == n:
            return tuple(attrs)
        if j == i or body[j] not in _NAME_START:
            return None
        k = _name_end(body, j)
        name = body[j:k]
        k = _skip_space(body, k, n)
        if k == n or body[k] != "=":
            return None
        k = _skip_space(body, k + 1, n)
        if k == n or body[k] not in "\"'":
            return None
        close = body.find(body[k], k + 1, n)
        if close == -1 or name in seen:
            return None
        seen.add(name)
        attrs.append((name, body[k + 1:close]))
        i = close + 1


def _classify(body: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """Kind, name and attributes of the tag ``<body>`` (a name follows ``<`` or ``</``)."""
    if body[0] == "/":
        k = _name_end(body, 1)
        ok = _skip_space(body, k, len(body)) == len(body)
        return (CLOSE if ok else BAD), body[1:k], ()
    k = _name_end(body, 0)
    n = len(body)
    kind = OPEN
    if body.endswith("/"):
        kind, n = SELF, n - 1
    attrs = _attributes(body, k, n)
    if attrs is None:
        return BAD, body[:k], ()
    return kind, body[:k], attrs


# the same few tags recur in every completion of a training run; long ones are not kept
_classify_short = lru_cache(maxsize=4096)(_classify)
_SHORT = 256


def _scan(text: str) -> list[Token]:
    tokens: list[Token] = []
    find, n = text.find, len(text)
    gt = -1
    i = find("<")
    while i != -1:
        nxt = find("<", i + 1)
        j = i + 2 if i + 1 < n and text[i + 1] == "/" else i + 1
        if j < n and text[j] in _NAME_START:
            if gt < i:
                # '>' positions only move forward, so this search never rescans text
                gt = find(">", i + 1)
                if gt == -1:
                    break
            if nxt == -1 or gt < nxt:
                body = text[i + 1:gt]
                kind, name, attrs = _classify_short(body) if len(body) <= _SHORT else _classify(body)
                tokens.append(_new(Token, (kind, name, attrs, i, gt + 1)))
        i = nxt
    return tokens


def _pair(tokens: list[Token]) -> tuple[list[Element], set[int]]:
    """Complete elements, and the indices of the tokens that form them."""
    stack: list[int] = []
    depths: dict[str, list[int]] = {}  # name -> stack positions of its open tags, for O(1) lookup
    elements: list[Element] = []
    used: set[int] = set()
    for index, tok in enumerate(tokens):
        if tok.kind == OPEN:
            depths.setdefault(tok.name, []).append(len(stack))
            stack.append(index)
        elif tok.kind == SELF:
            elements.append(_new(Element, (tok.name, tok.attrs, tok.start, tok.end, tok.end, tok.end)))
            used.add(index)
        elif tok.kind == CLOSE:
            where = depths.get(tok.name)
            if not where:
                continue
            depth = where[-1]
            for k in range(len(stack) - 1, depth - 1, -1):
                depths[tokens[stack[k]].name].pop()
            opener_index = stack[depth]
            del stack[depth:]
            opener = tokens[opener_index]
            elements.append(_new(Element, (opener.name, opener.attrs, opener.start, opener.end, tok.start, tok.end)))
            used.update((opener_index, index))
    elements.sort(key=lambda e: e.start)
    return elements, used


@lru_cache(maxsize=128)
def _parse(text: str) -> Parsed:
    tokens = _scan(text)
    if not tokens:
        return _EMPTY
    elements, used = _pair(tokens)
    by_name: dict[str, list[Element]] = {}
    for element in elements:
        by_name.setdefault(element.name, []).append(element)
    loose = tuple(t for i, t in enumerate(tokens) if i not in used and t.kind in (OPEN, CLOSE))
    return Parsed(tuple(tokens), tuple(elements), MappingProxyType({k: tuple(v) for k, v in by_name.items()}),
                  loose)


def parse_tags(text: str) -> Parsed:
    """The tags and complete elements of ``text`` (cached per text)."""
    if "<" not in text:
        return _EMPTY
    return _parse(text)


def _well_formed(tokens: list[Token] | tuple[Token, ...]) -> bool:
    siblings: list[set[tuple[str, frozenset[tuple[str, str]]]]] = [set()]
    names: list[str] = []
    for tok in tokens:
        if tok.kind == BAD:
            return False
        if tok.kind == CLOSE:
            if not names or names[-1] != tok.name:
                return False
            names.pop()
            siblings.pop()
            continue
        key = (tok.name, frozenset(tok.attrs))
        if key in siblings[-1]:
            return False
        siblings[-1].add(key)
        if tok.kind == OPEN:
            names.append(tok.name)
            siblings.append(set())
    return not names


@lru_cache(maxsize=128)
def _all_well_formed(text: str) -> bool:
    return _well_formed(_parse(text).tokens)


@lru_cache(maxsize=256)
def _inner_texts(text: str, name: str) -> tuple[str, ...]:
    return tuple(text[e.inner_start:e.inner_end].strip() for e in parse_tags(text).by_name.get(name, ()))


@lru_cache(maxsize=256)
def _joined(text: str, name: str) -> str:
    # cached so that repeated calls hand out the same object, which keeps later caches cheap
    return "\n".join(_inner_texts(text, name))


@lru_cache(maxsize=64)
def _outside(text: str) -> str:
    parsed = parse_tags(text)
    spans = sorted([(e.start, e.end) for e in parsed.elements] + [(t.start, t.end) for t in parsed.loose])
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        if start >= position:
            pieces.append(text[position:start])
        position = max(position, end)
    pieces.append(text[position:])
    return "".join(pieces).strip()


# --- compile-time checks ----------------------------------------------------------


def check_name(value: Any, index: int, what: str = "tag name") -> str:
    """``value`` if it is a valid tag (or attribute) name, else a FunctionError that says the fix."""
    if isinstance(value, str) and valid_name(value):
        return value
    shown = value if isinstance(value, str) else repr(value)
    if isinstance(value, str):
        bare = value.strip().strip("<>/").strip()
        if bare != value and valid_name(bare):
            raise FunctionError(f'"{shown}" is not a {what}: write it without angle brackets or spaces, '
                                f'as "{bare}".', argument=index)
    raise FunctionError(f'"{shown}" is not a valid {what}: a {what} starts with a letter or _ and has only '
                        'letters, digits, _, . and - (for example "think_student").', argument=index)


def _names(args: tuple[Any, ...], first: int) -> tuple[str, ...]:
    return tuple(check_name(args[i], i) for i in range(first, len(args)))


# --- built-ins ----------------------------------------------------------------------


@specializes("has_tag")
def has_tag(*args: Any) -> Callable[..., bool]:
    """in: text, name. out: whether a complete element ``name`` exists."""
    (name,) = _names(args, 1)
    return over_text(args, lambda text: name in parse_tags(text).by_name)


@specializes("has_tags")
def has_tags(*args: Any) -> Callable[..., bool]:
    """in: text, name, ... out: whether a complete element exists for every name."""
    names = _names(args, 1)

    def core(text: str) -> bool:
        present = parse_tags(text).by_name
        return all(n in present for n in names)

    return over_text(args, core)


@specializes("tags_in_order")
def tags_in_order(*args: Any) -> Callable[..., bool]:
    """in: text, name, ... out: all present, each first opening after the previous name's first closing."""
    names = _names(args, 1)

    def core(text: str) -> bool:
        present = parse_tags(text).by_name
        previous_close = -1
        for name in names:
            elements = present.get(name)
            if not elements or elements[0].start < previous_close:
                return False
            previous_close = elements[0].end
        return True

    return over_text(args, core)


@specializes("well_formed")
def well_formed(*args: Any) -> Callable[..., bool]:
    """in: text [, name, ...]. out: whether the (named) tags are well-formed."""
    names = frozenset(_names(args, 1))
    if not names:
        return over_text(args, lambda text: "<" not in text or _all_well_formed(text))

    def core(text: str) -> bool:
        return _well_formed([t for t in parse_tags(text).tokens if t.name in names])

    return over_text(args, core)


@specializes("tag_count")
def tag_count(*args: Any) -> Callable[..., int]:
    """in: text, name. out: the number of complete ``name`` elements."""
    (name,) = _names(args, 1)
    return over_text(args, lambda text: len(parse_tags(text).by_name.get(name, ())))


@specializes("tag_text")
def tag_text(*args: Any) -> Callable[..., str]:
    """in: text, name. out: the trimmed inner texts of the ``name`` elements, joined with newlines."""
    (name,) = _names(args, 1)
    return over_text(args, lambda text: _joined(text, name) if "<" in text else "")


@specializes("tag_texts")
def tag_texts(*args: Any) -> Callable[..., list[str]]:
    """in: text, name. out: the trimmed inner text of each ``name`` element."""
    (name,) = _names(args, 1)
    return over_text(args, lambda text: list(_inner_texts(text, name)) if "<" in text else [])


@specializes("tag_attr")
def tag_attr(*args: Any) -> Callable[..., list[str]]:
    """in: text, name, attribute. out: the attribute's value on each ``name`` element that has it."""
    name = check_name(args[1], 1)
    attr = check_name(args[2], 2, "attribute name")

    def core(text: str) -> list[str]:
        values = []
        for element in parse_tags(text).by_name.get(name, ()):
            for key, value in element.attrs:
                if key == attr:
                    values.append(value)
        return values

    return over_text(args, core)


@specializes("after_tag")
def after_tag(*args: Any) -> Callable[..., str]:
    """in: text, name. out: the trimmed text after the last ``</name>``, "" if there is none."""
    (name,) = _names(args, 1)

    def core(text: str) -> str:
        for tok in reversed(parse_tags(text).tokens):
            if tok.kind == CLOSE and tok.name == name:
                return text[tok.end:].strip()
        return ""

    return over_text(args, core)


@implements("strip_tags")
def strip_tags(text: str) -> str:
    """in: text. out: the trimmed text outside all complete elements, loose tags removed."""
    return _outside(text) if "<" in text else text.strip()
