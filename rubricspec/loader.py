"""Loader: YAML text -> a tree of nodes that remember where they were written.

In: a file path (or text and a name).
Out: ``YMap`` / ``YSeq`` / ``YScalar`` nodes, each with the ``Span`` of its
text, plus ``to_data`` to turn a node into plain Python data and a ``SourceMap``
(key path -> spans) for later passes.

Only safe YAML is read: PyYAML's composer under ``SafeLoader`` builds the node
graph and scalars are resolved with ``SafeConstructor``; custom tags and merge
keys are refused. Duplicate keys, alias bombs, deep nesting and oversized
files are reported as diagnostics, never as tracebacks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Union

import yaml

from rubricspec.diagnostics import SOURCES, Collector, Diagnostic, Span, SpecError

MAX_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 64

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(eq=False)
class YScalar:
    value: Any
    span: Span
    #: character offsets of the node's text in its source file (end exclusive)
    start: int = 0
    end: int = 0
    style: str | None = None


@dataclass(eq=False)
class YMap:
    span: Span
    #: key text -> (key node, value node), in the order written
    entries: dict[str, tuple[YScalar, "YNode"]] = field(default_factory=dict)

    def get(self, key: str) -> "YNode | None":
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def key_span(self, key: str) -> Span | None:
        entry = self.entries.get(key)
        return entry[0].span if entry else None


@dataclass(eq=False)
class YSeq:
    span: Span
    items: list["YNode"] = field(default_factory=list)


YNode = Union[YScalar, YMap, YSeq]
PathKey = tuple[Union[str, int], ...]


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a document was written."""

    values: dict[PathKey, Span] = field(default_factory=dict)
    keys: dict[PathKey, Span] = field(default_factory=dict)
    scalars: dict[PathKey, YScalar] = field(default_factory=dict)

    def value(self, path: PathKey) -> Span | None:
        """The span of the value at ``path``, or of its nearest enclosing value."""
        path = tuple(path)
        while True:
            if path in self.values:
                return self.values[path]
            if not path:
                return None
            path = path[:-1]

    def key(self, path: PathKey) -> Span | None:
        return self.keys.get(tuple(path)) or self.value(path)


def _span(file: str, node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Reader:
    """Turns a composed PyYAML node graph into positioned nodes."""

    def __init__(self, file: str, diagnostics: Collector) -> None:
        self.file = file
        self.diagnostics = diagnostics
        self.count = 0
        self.constructor = yaml.SafeLoader("")
        #: the top-level key being read, named when a value grows too big
        self.top_key: YScalar | None = None

    def read(self, node: yaml.Node, depth: int = 0) -> YNode | None:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node, deep=False)
        if depth > MAX_DEPTH:
            raise _TooBig(node, deep=True)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.bad_tag(node)
                return None
            seq = YSeq(_span(self.file, node))
            for item in node.value:
                child = self.read(item, depth + 1)
                if child is not None:
                    seq.items.append(child)
            return seq
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self.bad_tag(node)
                return None
            return self.mapping(node, depth)
        return None

    def mapping(self, node: yaml.MappingNode, depth: int) -> YMap:
        result = YMap(_span(self.file, node))
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.error(
                    "RS006", "A key must be plain text, not a list or a mapping.", _span(self.file, key_node),
                    hint="Write the key as a word, e.g. `title:`.")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.diagnostics.error(
                    "RS006", "Merge keys (`<<:`) are not supported in rubricspec files.",
                    _span(self.file, key_node),
                    hint="Repeat the keys, or use `extends:` or `variants:` to share a base.")
                continue
            key_text = str(key_node.value)
            key = YScalar(key_text, _span(self.file, key_node), key_node.start_mark.index,
                          key_node.end_mark.index, key_node.style)
            if key_text in result.entries:
                first = result.entries[key_text][0].span
                self.diagnostics.error(
                    "RS004", f"The key `{key_text}` appears twice in the same mapping (first on line {first.line}).",
                    key.span, hint="Keep one of them: YAML would silently keep only the last.")
                continue
            if depth == 0:
                self.top_key = key
            value = self.read(value_node, depth + 1)
            if value is not None:
                result.entries[key_text] = (key, value)
        return result

    def scalar(self, node: yaml.ScalarNode) -> YScalar | None:
        if node.tag not in _SCALAR_TAGS:
            self.bad_tag(node)
            return None
        value = self.constructor.construct_object(node)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = str(node.value)
        return YScalar(value, _span(self.file, node), node.start_mark.index, node.end_mark.index, node.style)

    def bad_tag(self, node: yaml.Node) -> None:
        self.diagnostics.error(
            "RS006", f"The YAML tag `{node.tag.replace('tag:yaml.org,2002:', '!!')}` is not allowed in a rubricspec file.",
            _span(self.file, node), hint="Remove the `!tag`: rubricspec files hold plain text, numbers, lists and mappings.")


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, deep: bool) -> None:
        self.node = node
        self.deep = deep


def read_text(path: str | Path) -> str:
    """Read a spec file's text or raise SpecError(RS001/RS002)."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise SpecError([Diagnostic(
                "RS002", f"The file is {size:,} bytes; rubricspec files may be at most {MAX_BYTES:,} bytes.",
                Span(name, 1, 1), hint="Split it with `extends:`, or move data into the dataset.")])
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SpecError([Diagnostic("RS001", f"No such file: {name}", Span(name, 1, 1),
                                    hint="Check the path; it is relative to the current directory.")]) from None
    except OSError as exc:
        raise SpecError([Diagnostic("RS001", f"Cannot read {name}: {exc.strerror}", Span(name, 1, 1))]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError([Diagnostic("RS001", f"The file is not UTF-8 text (bad byte at offset {exc.start}).",
                                    Span(name, 1, 1), hint="Save the file as UTF-8.")]) from None


def parse_yaml(text: str, file: str) -> YNode:
    """Parse one YAML document into positioned nodes, or raise SpecError."""
    SOURCES.remember(file, text)
    diagnostics = Collector()
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError([Diagnostic("RS002", f"The text is larger than {MAX_BYTES:,} bytes.", Span(file, 1, 1))])
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or "invalid YAML"
        if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
            mark = exc.context_mark
            message = "YAML syntax error: the text in quotes that starts here is never closed."
            hint = "Add the closing quote; inside \"...\" write a quote as \\\" (or use '...' outside)."
        else:
            mark = exc.problem_mark or exc.context_mark
            message = f"YAML syntax error: {problem}" + (f" ({exc.context})" if exc.context else "") + "."
            hint = _yaml_hint(problem)
        span = Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1)
        raise SpecError([Diagnostic("RS003", message, span, hint=hint)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic("RS003", f"YAML syntax error: {exc}", Span(file, 1, 1))]) from None
    except RecursionError:
        raise SpecError([Diagnostic("RS005", "The YAML is nested too deeply.", Span(file, 1, 1))]) from None
    documents = [d for d in documents if d is not None]
    if not documents:
        raise SpecError([Diagnostic("RS007", "The file is empty.", Span(file, 1, 1),
                                    hint="Start with `rubricspec: 1` and `kind: rubric`.")])
    if len(documents) > 1:
        second = documents[1]
        raise SpecError([Diagnostic("RS003", "The file holds more than one YAML document (`---`).",
                                    _span(file, second), hint="Put one spec per file.")])
    reader = _Reader(file, diagnostics)
    try:
        root = reader.read(documents[0])
    except _TooBig as big:
        if big.deep:
            raise SpecError([Diagnostic(
                "RS005", f"The document nests deeper than {MAX_DEPTH} levels.", _span(file, big.node),
                hint="A rubric needs only a few levels; check for runaway indentation or nested brackets.")]) from None
        where = reader.top_key
        what = f"The value of `{where.value}`" if where is not None else "The document"
        raise SpecError([Diagnostic(
            "RS005", f"{what} expands to more than {MAX_NODES:,} values (often a chain of `*aliases`, an "
            "'alias bomb').", where.span if where is not None else _span(file, big.node),
            hint="Write the values out, or share them with `extends:` instead of aliases.")]) from None
    except RecursionError:
        raise SpecError([Diagnostic("RS005", "The YAML is nested too deeply.", Span(file, 1, 1))]) from None
    diagnostics.raise_if_errors()
    if not isinstance(root, YMap):
        span = root.span if root is not None else Span(file, 1, 1)
        raise SpecError([Diagnostic("RS007", "A rubricspec file must be a mapping of keys to values.", span,
                                    hint="Start with `rubricspec: 1` and `kind: rubric`.")])
    return root


def _yaml_hint(problem: str) -> str:
    if "\\t" in problem or "tab" in problem:
        return "Indent with spaces, not tabs."
    if "mapping values are not allowed" in problem:
        return ("Either this key is indented deeper than the key above it (line them up), or a value contains "
                "`: ` and must be quoted, e.g. title: \"Note: read carefully\".")
    if "could not find expected ':'" in problem:
        return "Each line in a mapping needs `key: value`; check the indentation of this line and the one above."
    if "found character '%' that cannot start any token" in problem or "cannot start any token" in problem:
        return "Quote a value that starts with a special character (`@`, `%`, `` ` ``, `*`, `&`, `!`)."
    if "expected <block end>" in problem:
        return "Check the indentation: items of one list or mapping must line up."
    if "found undefined alias" in problem:
        return "An `*alias` refers to an `&anchor` that is not defined above it."
    return "Check the line above the marked position too: YAML often notices a mistake late."


def load_yaml(path: str | Path) -> YNode:
    return parse_yaml(read_text(path), str(path))


def to_data(node: YNode, path: PathKey = (), source_map: SourceMap | None = None) -> Any:
    """Plain Python data of ``node``; records every value's span in ``source_map``."""
    if source_map is not None:
        source_map.values[path] = node.span
    if isinstance(node, YScalar):
        if source_map is not None:
            source_map.scalars[path] = node
        return node.value
    if isinstance(node, YSeq):
        return [to_data(item, path + (i,), source_map) for i, item in enumerate(node.items)]
    data: dict[str, Any] = {}
    for key, (key_node, value) in node.entries.items():
        if source_map is not None:
            source_map.keys[path + (key,)] = key_node.span
        data[key] = to_data(value, path + (key,), source_map)
    return data


def walk(node: YNode, path: PathKey = ()) -> Iterator[tuple[PathKey, YNode]]:
    yield path, node
    if isinstance(node, YMap):
        for key, (_, value) in node.entries.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, YSeq):
        for i, item in enumerate(node.items):
            yield from walk(item, path + (i,))


def scalar_offset_span(scalar: YScalar, start: int, end: int) -> Span:
    """The source span of characters ``start:end`` of a text scalar's value.

    Plain, quoted and block (``|``/``>``) scalars are mapped by walking the raw
    source and the value in step: non-space characters correspond one to one,
    runs of white space (which folding rewrites) are skipped on both sides.
    """
    text = SOURCES.text(scalar.span.file)
    value = scalar.value if isinstance(scalar.value, str) else str(scalar.value)
    if text is None:
        return scalar.span
    raw_start = scalar.start
    if scalar.style in ("|", ">"):
        newline = text.find("\n", raw_start)
        raw_start = newline + 1 if newline >= 0 else raw_start
    elif scalar.style in ('"', "'"):
        raw_start += 1
    positions = _align(value, text, raw_start, scalar.end)
    a = positions[min(start, len(positions) - 1)] if positions else scalar.start
    b_index = max(start, end - 1)
    b = positions[min(b_index, len(positions) - 1)] + 1 if positions else scalar.end
    line_a, col_a = _line_col(text, a)
    line_b, col_b = _line_col(text, b)
    return Span(scalar.span.file, line_a, col_a, line_b, col_b)


def _align(value: str, text: str, raw_start: int, raw_end: int) -> list[int]:
    out: list[int] = []
    j = raw_start
    limit = min(raw_end, len(text))
    for ch in value:
        if ch.isspace():
            while j < limit and text[j] in " \t" and not ch == text[j]:
                j += 1
            out.append(min(j, limit - 1 if limit else 0))
            if j < limit and text[j] == ch:
                j += 1
            continue
        k = j
        while k < limit and text[k] != ch:
            k += 1
        if k >= limit:
            out.append(min(j, max(limit - 1, 0)))
            continue
        out.append(k)
        j = k + 1
    return out


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1
