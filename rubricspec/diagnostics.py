"""Diagnostics: every problem found in a spec, with where it is and how to fix it.

In: a code, a message, a ``Span`` (file, line, column) and optional key path,
hint and list of alternatives.
Out: ``Diagnostic`` values, rendered as the text a clinician reads::

    error[RS301] specs/clinical/clintutor.yaml:88:30
      in rubric "clintutor-r1" › veto[0] › when
       88 |     when: "[CS-1] < 0 or [CS-3] < 0"
          |                          ^^^^^^
      The veto refers to criterion CS-3, but this rubric has no criterion CS-3.
      Did you mean CS-2 (line 71)? Criteria: IS-1, IS-2, ...

and ``SpecError``, the one exception the loader and compiler raise, carrying
all diagnostics collected before stopping. Codes are stable: tests and users
grep for them. The table of codes is ``CODES``; docs/diagnostics.md lists them.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

#: Stable diagnostic codes and what they mean. RS0xx: reading the file,
#: RS1xx: shape of the spec, RS2xx: expressions and types, RS3xx: references,
#: RS4xx: warnings about effect, RS5xx: compile options, RS6xx: run time.
CODES: dict[str, str] = {
    "RS001": "the file cannot be read",
    "RS002": "the file is too large",
    "RS003": "YAML syntax error",
    "RS004": "duplicate key in a mapping",
    "RS005": "too many aliases (alias bomb) or nesting too deep",
    "RS006": "YAML feature not allowed (custom tag, non-text key, merge key)",
    "RS007": "the document is empty or not a mapping",
    "RS101": "unknown key",
    "RS102": "missing required key",
    "RS103": "value of the wrong kind",
    "RS104": "unsupported `rubricspec` version or `kind`",
    "RS105": "invalid scale",
    "RS106": "a criterion needs exactly one of `rule`, `ask` or `points`",
    "RS107": "invalid identifier",
    "RS108": "duplicate criterion or axis id",
    "RS109": "invalid input type",
    "RS110": "invalid variant",
    "RS111": "`extends` problem (missing file or cycle)",
    "RS112": "invalid judge failure policy",
    "RS113": "invalid param",
    "RS114": "unknown TRL setting in a run file",
    "RS115": "judge role bound to an unknown backend",
    "RS116": "a file named by a run file does not exist",
    "RS201": "expression syntax error",
    "RS202": "type mismatch",
    "RS203": "wrong arguments to a function",
    "RS204": "a rule can yield a value outside its scale",
    "RS205": "argument must be known when the rubric is compiled",
    "RS206": "invalid argument to a function",
    "RS301": "unknown criterion",
    "RS302": "unknown name",
    "RS303": "unknown function",
    "RS304": "criteria depend on each other in a cycle",
    "RS305": "name is ambiguous",
    "RS401": "criterion cannot affect the reward",
    "RS402": "veto can never be reached",
    "RS501": "unknown variant",
    "RS502": "unknown param in an override",
    "RS503": "bad param override value",
    "RS601": "missing input column",
}


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a source file: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem. ``severity`` is ``"error"`` or ``"warning"``."""

    code: str
    message: str
    span: Span | None = None
    path: str = ""
    hint: str = ""
    severity: str = "error"
    context: str = ""

    @property
    def file(self) -> str | None:
        return self.span.file if self.span else None

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self, sources: "SourceCache | None" = None) -> str:
        return render(self, sources)


class SpecError(Exception):
    """A spec (or an override of it) is invalid. ``diagnostics`` holds every problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return render_all(self.diagnostics)


class SourceCache:
    """Lines of the source files, read once, for caret snippets."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}
        self._texts: dict[str, str] = {}

    def remember(self, file: str, text: str) -> None:
        self._texts[file] = text
        self._lines[file] = text.splitlines()

    def text(self, file: str) -> str | None:
        return self._texts.get(file)

    def line(self, file: str, number: int) -> str | None:
        if file not in self._lines:
            try:
                self._lines[file] = Path(file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[file] = []
        lines = self._lines[file]
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return None


SOURCES = SourceCache()


def render(d: Diagnostic, sources: SourceCache | None = None) -> str:
    sources = sources or SOURCES
    head = f"{d.severity}[{d.code}]"
    if d.span:
        head += f" {d.span}"
    out = [head]
    if d.context or d.path:
        where = " › ".join(p for p in (d.context, d.path) if p)
        out.append(f"  in {where}")
    if d.span:
        text = sources.line(d.span.file, d.span.line)
        if text is not None:
            num = str(d.span.line)
            out.append(f"  {num:>3} | {text.rstrip()}")
            width = 1
            if d.span.end_line == d.span.line and d.span.end_column:
                width = max(1, d.span.end_column - d.span.column)
            width = min(width, max(1, len(text) - d.span.column + 1))
            out.append(f"  {' ' * max(3, len(num))} | {' ' * (d.span.column - 1)}{'^' * width}")
    for line in d.message.splitlines():
        out.append(f"  {line}")
    if d.hint:
        for line in d.hint.splitlines():
            out.append(f"  {line}")
    return "\n".join(out)


def render_all(diagnostics: Iterable[Diagnostic], sources: SourceCache | None = None) -> str:
    items = list(diagnostics)
    body = "\n\n".join(render(d, sources) for d in items)
    errors = sum(1 for d in items if d.is_error)
    warnings = len(items) - errors
    summary = f"{errors} error{'s' if errors != 1 else ''}"
    if warnings:
        summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
    return f"{body}\n\n{summary}" if body else summary


def did_you_mean(word: str, choices: Iterable[str], n: int = 1) -> str | None:
    """The closest of ``choices`` to ``word``, case-insensitively, or None."""
    pool = [c for c in choices if c]
    lowered = {c.lower(): c for c in pool}
    target = word.lower()
    hits = difflib.get_close_matches(target, list(lowered), n=max(n, 5), cutoff=0.6)
    if not hits:
        return None

    def rank(candidate: str) -> tuple[float, int]:
        ratio = round(difflib.SequenceMatcher(None, target, candidate).ratio(), 6)
        prefix = len(os.path.commonprefix([target, candidate]))
        return (ratio, prefix)

    # equally close candidates: prefer the one sharing the longer prefix (CS-3 -> CS-2, not IS-3)
    return lowered[max(hits, key=rank)]


@dataclass
class Collector:
    """Accumulates diagnostics through a pass; ``raise_if_errors`` stops the pipeline."""

    context: str = ""
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, span: Span | None, path: str = "", hint: str = "") -> None:
        self.items.append(Diagnostic(code, message, span, path, hint, "error", self.context))

    def warning(self, code: str, message: str, span: Span | None, path: str = "", hint: str = "") -> None:
        self.items.append(Diagnostic(code, message, span, path, hint, "warning", self.context))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if not d.is_error]

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise SpecError(sorted_diagnostics(self.items))


def sorted_diagnostics(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors and warnings in file order, stable for equal positions."""

    def key(d: Diagnostic) -> tuple[str, int, int]:
        if d.span is None:
            return ("", 0, 0)
        return (d.span.file, d.span.line, d.span.column)

    return sorted(items, key=key)
