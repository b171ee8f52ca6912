"""Golden tests of the diagnostics a clinician reads.

In: the bad spec files ``tests/diagnostics/NN-short-name.yaml`` (each a small
rubric with one realistic mistake; ``extends/`` holds files they extend).
Out: each case compiled with the real code, its rendered diagnostics compared
byte for byte with ``NN-short-name.txt``, and the code, line and column of its
first diagnostic checked against ``FIRST`` below, so a careless regeneration
of the goldens cannot hide a regression in positions.

A case may start with header comments that say how to compile it::

    # compile: variant=no-vetoes
    # compile: set=k=5

Regenerate the goldens after an intended change of wording, then review every
diff as a clinician would read it::

    UPDATE_GOLDEN=1 python -m pytest tests/test_diagnostics_golden.py

Cases in ``tests/diagnostics/pending/`` render a message that is wrong or
unclear today. They have no golden; ``test_pending_case`` asserts the correct
behaviour and is expected to fail (strictly) until the message is fixed, at
which point the case moves up into the goldens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

import rubricspec
from rubricspec.compiler import build_ir, load_spec
from rubricspec.compiler.resolve import parse_override
from rubricspec.diagnostics import Diagnostic, SpecError, render_all

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = REPO / "tests" / "diagnostics"
PENDING_DIR = CASES_DIR / "pending"
CASES = sorted(p.name for p in CASES_DIR.glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

#: case -> (code, line, column) of its first diagnostic
FIRST: dict[str, tuple[str, int, int]] = {
    "01-unclosed-quote.yaml": ("RS003", 8, 12),
    "02-tab-indent.yaml": ("RS003", 8, 1),
    "03-bad-indent.yaml": ("RS003", 9, 4),
    "04-duplicate-key.yaml": ("RS004", 13, 5),
    "05-python-tag.yaml": ("RS006", 9, 10),
    "06-empty-file.yaml": ("RS007", 1, 1),
    "07-not-a-mapping.yaml": ("RS007", 1, 1),
    "08-wrong-version.yaml": ("RS104", 1, 13),
    "09-titel-typo.yaml": ("RS101", 11, 9),
    "10-wieght-typo.yaml": ("RS101", 9, 5),
    "11-veto-because-typo.yaml": ("RS101", 13, 5),
    "12-missing-title.yaml": ("RS102", 11, 5),
    "13-veto-missing-because.yaml": ("RS102", 11, 5),
    "14-title-is-list.yaml": ("RS103", 9, 7),
    "15-judge-failure-ignore.yaml": ("RS112", 10, 19),
    "16-scale-reversed.yaml": ("RS105", 5, 8),
    "17-scale-words.yaml": ("RS105", 9, 12),
    "18-rule-and-ask.yaml": ("RS106", 7, 3),
    "19-points-without-met.yaml": ("RS106", 8, 5),
    "20-bad-criterion-id.yaml": ("RS107", 10, 7),
    "21-duplicate-id-across-axes.yaml": ("RS108", 19, 7),
    "22-input-type-txt.yaml": ("RS109", 7, 13),
    "23-veto-unknown-criterion.yaml": ("RS301", 17, 26),
    "24-bare-hyphen-id.yaml": ("RS301", 17, 11),
    "25-misspelt-param.yaml": ("RS302", 16, 9),
    "26-unknown-function.yaml": ("RS303", 9, 15),
    "27-wrong-argument-type.yaml": ("RS202", 8, 32),
    "28-wrong-argument-count.yaml": ("RS203", 8, 11),
    "29-when-not-yes-no.yaml": ("RS202", 11, 11),
    "30-reward-yes-no.yaml": ("RS202", 10, 9),
    "31-double-ampersand.yaml": ("RS201", 17, 23),
    "32-missing-then.yaml": ("RS201", 9, 39),
    "33-missing-else.yaml": ("RS201", 9, 73),
    "34-missing-paren.yaml": ("RS201", 9, 67),
    "35-non-constant-regex.yaml": ("RS205", 10, 31),
    "36-rule-outside-scale.yaml": ("RS204", 9, 11),
    "37-rule-maybe-outside-scale.yaml": ("RS204", 9, 11),
    "38-unused-criterion.yaml": ("RS401", 10, 3),
    "39-unknown-variant.yaml": ("RS501", 15, 1),
    "40-extends-missing.yaml": ("RS111", 3, 10),
    "41-extends-cycle.yaml": ("RS111", 3, 10),
    "42-variant-patches-kind.yaml": ("RS110", 13, 5),
    "43-several-errors.yaml": ("RS105", 15, 16),
    "44-folded-rule-column.yaml": ("RS302", 14, 30),
    "45-flow-mapping-column.yaml": ("RS301", 11, 27),
    "46-double-quoted-escapes.yaml": ("RS303", 9, 56),
    "47-literal-block-when.yaml": ("RS301", 20, 12),
    "48-multiple-documents.yaml": ("RS003", 10, 1),
    "49-merge-key.yaml": ("RS006", 11, 5),
    "50-plain-multiline-reward.yaml": ("RS303", 15, 5),
    "51-single-quoted-escapes.yaml": ("RS303", 9, 56),
    "52-alias-bomb.yaml": ("RS005", 9, 1),
    "53-criterion-keys-not-indented.yaml": ("RS103", 7, 8),
    "54-invalid-regex.yaml": ("RS206", 8, 31),
    "55-missing-then-after-call.yaml": ("RS201", 9, 68),
    "56-over-indented-key.yaml": ("RS003", 9, 10),
    "57-param-override-above-max.yaml": ("RS503", 7, 3),
    "58-param-override-wrong-kind.yaml": ("RS503", 7, 3),
    "59-rule-cycle.yaml": ("RS304", 8, 11),
    "60-unknown-kind.yaml": ("RS104", 2, 7),
    "61-unknown-param-override.yaml": ("RS502", 7, 3),
    "62-shape-and-expression-errors.yaml": ("RS101", 8, 5),
}

#: cases whose first diagnostic is in another file than the case itself
OTHER_FILE = {"41-extends-cycle.yaml": "tests/diagnostics/extends/cycle-partner.yaml"}

#: cases that compile with warnings only (rendered with ``render_all``)
WARNING_ONLY = {"37-rule-maybe-outside-scale.yaml", "38-unused-criterion.yaml"}


@dataclass
class Outcome:
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = True


def compile_options(path: Path) -> dict[str, Any]:
    """The variant and param overrides named in a case's ``# compile:`` header lines."""
    options: dict[str, Any] = {"variant": None, "params": {}}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("# compile:"):
            break
        for setting in line.removeprefix("# compile:").split():
            key, _, value = setting.partition("=")
            if key == "variant":
                options["variant"] = value
            elif key == "set":
                name, parsed = parse_override(value)
                options["params"][name] = parsed
            else:
                raise ValueError(f"{path.name}: unknown compile header setting {setting!r}")
    return options


def run_case(relative: str) -> Outcome:
    """Compile a case (cwd must be the repo root) and render what a clinician would read."""
    options = compile_options(REPO / relative)
    try:
        program = rubricspec.compile(relative, variant=options["variant"], params=options["params"] or None,
                                     judge="replay")
    except SpecError as err:
        return Outcome(err.render(), err.diagnostics, True)
    return Outcome(render_all(program.warnings), list(program.warnings), False)


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_every_case_has_a_position_row_and_a_golden() -> None:
    assert len(CASES) >= 22
    assert set(CASES) == set(FIRST)
    goldens = {p.name for p in CASES_DIR.glob("*.txt")}
    if not UPDATE:
        assert goldens == {c.removesuffix(".yaml") + ".txt" for c in CASES}


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, at_repo_root: None) -> None:
    outcome = run_case(f"tests/diagnostics/{case}")
    golden = CASES_DIR / case.replace(".yaml", ".txt")
    text = outcome.text + "\n"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert str(REPO) not in text, "goldens must not hold machine-specific paths"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_first_diagnostic_position(case: str, at_repo_root: None) -> None:
    outcome = run_case(f"tests/diagnostics/{case}")
    assert outcome.failed == (case not in WARNING_ONLY)
    assert outcome.diagnostics, "every case must produce a diagnostic"
    first = outcome.diagnostics[0]
    assert (first.code, first.line, first.column) == FIRST[case]
    assert first.file == OTHER_FILE.get(case, f"tests/diagnostics/{case}")
    if case in WARNING_ONLY:
        assert all(d.severity == "warning" for d in outcome.diagnostics)


def test_several_errors_are_all_reported_in_file_order(at_repo_root: None) -> None:
    outcome = run_case("tests/diagnostics/43-several-errors.yaml")
    assert [(d.code, d.line, d.column) for d in outcome.diagnostics] == [
        ("RS105", 15, 16), ("RS303", 16, 19), ("RS301", 27, 26)]


def test_compile_header_is_parsed() -> None:
    assert compile_options(CASES_DIR / "39-unknown-variant.yaml") == {"variant": "no-vetoes", "params": {}}
    assert compile_options(CASES_DIR / "58-param-override-wrong-kind.yaml") == {"variant": None,
                                                                               "params": {"k": "high"}}
    assert compile_options(CASES_DIR / "01-unclosed-quote.yaml") == {"variant": None, "params": {}}


# --- pending: messages that are wrong or unclear today -------------------------


def _first(outcome: Outcome) -> Diagnostic:
    assert outcome.diagnostics
    return outcome.diagnostics[0]


def _caret_text(d: Diagnostic) -> str:
    assert d.span is not None
    line = (REPO / d.span.file).read_text(encoding="utf-8").splitlines()[d.span.line - 1]
    return line[d.span.column - 1:]


def _check_invalid_regex(relative: str) -> None:
    # `rubricspec check` and `rubricspec.load` must report the bad pattern too
    try:
        rubricspec.load(relative)
    except SpecError as err:
        first = err.diagnostics[0]
    else:
        raise AssertionError("the invalid pattern passed load_spec + build_ir")
    assert first.code == "RS206"
    assert first.path == "criteria › ER-1 › rule"


#: pending case -> (what is wrong today, a check that passes once it is fixed)
PENDING: dict[str, tuple[str, Callable[[str], None]]] = {}


def _assert(condition: bool) -> None:
    assert condition


def test_pending_cases_are_listed() -> None:
    assert {p.name for p in PENDING_DIR.glob("*.yaml")} == set(PENDING)
    assert not list(PENDING_DIR.glob("*.txt"))


@pytest.mark.parametrize("case", sorted(PENDING))
def test_pending_case(case: str, at_repo_root: None, request: pytest.FixtureRequest) -> None:
    reason, check = PENDING[case]
    request.applymarker(pytest.mark.xfail(reason=reason, strict=True, raises=AssertionError))
    check(f"tests/diagnostics/pending/{case}")
