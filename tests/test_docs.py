"""The documentation in docs/ says what the code does.

Checked here:
- docs/reference.md is exactly what ``rubricspec.reference.render()`` generates;
- every ```` ```yaml rubric ```` block (docs/*.md) is a complete rubric that loads,
  and every variant of it compiles, without warnings;
- every ```` ```yaml from PATH ```` block is a verbatim excerpt of that file;
- every ```` ```console ```` block prints what the docs show: its commands run in a
  fresh folder holding the ```` ```LANG file=NAME ```` and ```` ```yaml rubric NAME ````
  blocks written above it in the same document (```` ```console needs=trl ```` blocks,
  which check TRL settings, are skipped where TRL is not installed);
- every ```` ```python run ```` block runs (in a subprocess, from the repository
  root) and prints the ```` ```text output ```` block that follows it, if any;
- docs/cli.md mentions every command and every option that ``--help`` prints;
- docs/diagnostics.md has a section for every code in ``CODES`` with a real example.

When messages change on purpose, ``python tests/test_docs.py --update`` rewrites the
output part of every console block and every ``text output`` block from the code;
review the diff before committing it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import rubricspec
from rubricspec import cli
from rubricspec.compiler import build_ir
from rubricspec.diagnostics import CODES
from rubricspec.models import Criterion, InputColumn, RubricSpec
from rubricspec.reference import plain_type, render, walk

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OWNED = ("language.md", "reference.md", "diagnostics.md", "cli.md", "python-api.md", "trl.md", "training.md")
#: rich draws tables to the terminal's width; docs show them at this width
WIDTH = 80


# --- reading fenced blocks ----------------------------------------------------


@dataclass
class Block:
    doc: str
    line: int  # 1-based line of the opening fence
    info: str
    text: str
    start: int  # index of the first body line in the document's lines
    end: int  # index of the closing fence

    @property
    def words(self) -> list[str]:
        return self.info.split()

    @property
    def file_name(self) -> str | None:
        """The name a fixture block is written under, if any."""
        words = self.words
        for word in words[1:]:
            if word.startswith("file="):
                return word[5:]
        if words[:2] == ["yaml", "rubric"] and len(words) > 2:
            return words[2]
        return None

    def __repr__(self) -> str:
        return f"{self.doc}:{self.line}"


def read_blocks(doc: str) -> list[Block]:
    lines = (DOCS / doc).read_text(encoding="utf-8").split("\n")
    out: list[Block] = []
    opened: tuple[int, str] | None = None
    for i, line in enumerate(lines):
        if opened is None and line.startswith("```"):
            opened = (i, line[3:].strip())
        elif opened is not None and line.strip() == "```":
            start, info = opened
            out.append(Block(doc, start + 1, info, "\n".join(lines[start + 1:i]) + "\n", start + 1, i))
            opened = None
    assert opened is None, f"{doc}: the code block opened on line {opened[0] + 1} is never closed"
    return out


def blocks_of(kind: str, docs: tuple[str, ...] = OWNED) -> list[Block]:
    found = []
    for doc in docs:
        for block in read_blocks(doc):
            if block.words[:len(kind.split())] == kind.split():
                found.append(block)
    return found


def fixtures_before(block: Block) -> dict[str, str]:
    """name -> text of every fixture block above ``block`` in its document (the last one wins)."""
    files: dict[str, str] = {}
    for other in read_blocks(block.doc):
        if other.line >= block.line:
            break
        if other.file_name:
            files[other.file_name] = other.text
    return files


# --- running console examples ---------------------------------------------------


def run_console(block: Block, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(command, what it printed) for each `$` line of a console block, run in ``folder``."""
    for name, text in fixtures_before(block).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(folder)
    # rich sizes tables to the terminal; pin the width so that the output is the same everywhere
    monkeypatch.setattr(cli.console, "_width", WIDTH)
    monkeypatch.setattr(cli.errors_console, "_width", WIDTH)
    runner = CliRunner()
    status = 0
    out = []
    for command in [line[2:] for line in block.text.splitlines() if line.startswith("$ ")]:
        words = shlex.split(command)
        if words[0] == "rubricspec":
            result = runner.invoke(cli.main, words[1:], catch_exceptions=False)
            status = result.exit_code
            printed = result.output
        elif words[:2] == ["echo", "$?"]:
            printed = f"{status}\n"
        elif words[0] == "cat" and len(words) == 2:
            printed = (folder / words[1]).read_text(encoding="utf-8")
        else:
            raise AssertionError(f"{block}: console blocks run `rubricspec`, `echo $?` and `cat FILE`, not {command!r}")
        out.append((command, printed))
    return out


def expected_console(block: Block) -> list[tuple[str, str]]:
    """(command, text shown under it) for each `$` line of a console block."""
    out: list[tuple[str, str]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], ""))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + line + "\n")
    return out


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


CONSOLE_DOCS = ("language.md", "diagnostics.md", "cli.md", "python-api.md", "trl.md", "training.md")


def trl_missing() -> bool:
    try:
        import trl  # noqa: F401
    except ImportError:
        return True
    return False


@pytest.mark.parametrize("block", blocks_of("console", CONSOLE_DOCS), ids=repr)
def test_console_example_prints_what_the_docs_show(block, tmp_path, monkeypatch):
    if "needs=trl" in block.words and trl_missing():
        pytest.skip("this example checks `grpo:`/`sft:` settings against the installed TRL")
    expected = expected_console(block)
    assert expected, f"{block}: a console block starts with a `$ ` command line"
    actual = run_console(block, tmp_path, monkeypatch)
    assert [c for c, _ in actual] == [c for c, _ in expected]
    for (command, shown), (_, printed) in zip(expected, actual):
        assert normalise(printed) == normalise(shown), f"{block}: `{command}` printed:\n{printed}"


# --- rubrics in the docs load -------------------------------------------------------


RUBRIC_BLOCKS = blocks_of("yaml rubric")


def test_the_guide_has_complete_rubric_examples():
    assert len([b for b in RUBRIC_BLOCKS if b.doc == "language.md"]) >= 5


@pytest.mark.parametrize("block", RUBRIC_BLOCKS, ids=repr)
def test_rubric_block_loads_and_every_variant_compiles(block, tmp_path):
    for name, text in fixtures_before(block).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / (block.file_name or "rubric.yaml")
    path.write_text(block.text, encoding="utf-8")
    spec = rubricspec.load(path)
    assert spec.warnings == []
    for variant in spec.variants:
        build_ir(spec, variant)


def excerpt_found(excerpt: str, source: str) -> bool:
    """Whether the excerpt's lines occur in a row in ``source``, all shifted by one indentation."""
    want = excerpt.rstrip("\n").split("\n")
    have = source.split("\n")
    indent = len(want[0]) - len(want[0].lstrip())
    for start in range(len(have) - len(want) + 1):
        first = have[start]
        shift = (len(first) - len(first.lstrip())) - indent
        if shift < 0 or first.strip() != want[0].strip():
            continue
        if all(have[start + i] == (" " * shift + line if line else "") for i, line in enumerate(want)):
            return True
    return False


@pytest.mark.parametrize("block", blocks_of("yaml from"), ids=repr)
def test_quoted_excerpt_matches_its_source(block):
    source = (ROOT / block.words[2]).read_text(encoding="utf-8")
    assert excerpt_found(block.text, source), f"{block}: not a verbatim excerpt of {block.words[2]}"


def test_excerpt_matching_tolerates_only_a_uniform_indentation_shift():
    source = "a:\n  b:\n    c: 1\n    d: 2\n"
    assert excerpt_found("b:\n  c: 1\n", source)
    assert not excerpt_found("b:\n c: 1\n", source)
    assert not excerpt_found("b:\n  c: 2\n", source)


def _language_block(name: str) -> Block:
    (block,) = [b for b in blocks_of("yaml rubric", ("language.md",)) if b.file_name == name]
    return block


def test_the_first_rubric_scores_as_the_guide_says(tmp_path):
    path = tmp_path / "first.yaml"
    path.write_text(_language_block("first.yaml").text, encoding="utf-8")
    program = rubricspec.compile(path)
    assert program(completions=["Call an ambulance now. Do not drive yourself.", "Rest and see if it passes."]) \
        == [4.0, 1.0]


def test_the_weighted_sum_example_scores_as_the_guide_says(tmp_path):
    path = tmp_path / "discharge.yaml"
    path.write_text(_language_block("discharge.yaml").text, encoding="utf-8")
    result = rubricspec.compile(path).score(
        completions=["Take aspirin every day. Call an ambulance if the chest pain comes back."])[0]
    assert result.reward == 7.0
    assert result.criteria == {"medicines": 1.0, "follow_up": 0.0, "red_flags": 1.0}
    assert result.axes == {"content": 1.0, "safety": 2.0}


def test_the_extends_example_keeps_the_base_and_patches_one_question(tmp_path):
    for name in ("base.yaml", "pharmacy.yaml"):
        (tmp_path / name).write_text(_language_block(name).text, encoding="utf-8")
    spec = rubricspec.load(tmp_path / "pharmacy.yaml")
    assert list(spec.model.criteria) == ["CS-1", "CS-2", "CS-3"]
    assert spec.model.criteria["CS-2"].title == "Safety and triage"
    assert spec.model.criteria["CS-2"].ask.startswith("Nothing in the advice risks harm to the customer")
    assert [v.because for v in spec.model.veto] == ["A safety-critical criterion scored below zero."]


def test_the_check_example_in_the_guide_is_what_check_prints(tmp_path, monkeypatch):
    text = _language_block("first.yaml").text.replace("3 * emergency + brief", "3 * emergancy + brief")
    (tmp_path / "first.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    shown = (DOCS / "language.md").read_text(encoding="utf-8").split("check would say:\n\n```\n")[1].split("```")[0]
    result = CliRunner().invoke(cli.main, ["check", "first.yaml"])
    assert result.exit_code == 1
    assert normalise(result.output) == normalise(shown)


# --- python examples ---------------------------------------------------------------


def python_examples() -> list[tuple[Block, Block | None]]:
    out = []
    for doc in OWNED:
        blocks = read_blocks(doc)
        for i, block in enumerate(blocks):
            if block.words[:2] == ["python", "run"]:
                nxt = blocks[i + 1] if i + 1 < len(blocks) else None
                out.append((block, nxt if nxt is not None and nxt.words == ["text", "output"] else None))
    return out


def run_python(block: Block, folder: Path) -> subprocess.CompletedProcess[str]:
    script = folder / f"{block.doc.replace('.', '_')}_{block.line}.py"
    script.write_text(block.text, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("block", "output"), python_examples(), ids=lambda b: repr(b) if isinstance(b, Block) else "")
def test_python_example_runs_and_prints_what_the_docs_show(block, output, tmp_path):
    done = run_python(block, tmp_path)
    assert done.returncode == 0, f"{block} failed:\n{done.stderr}"
    if output is not None:
        assert normalise(done.stdout) == normalise(output.text), f"{block} printed:\n{done.stdout}"


def test_python_api_has_runnable_examples():
    assert len([b for b, _ in python_examples() if b.doc == "python-api.md"]) >= 4


def test_python_api_documents_every_public_name():
    text = (DOCS / "python-api.md").read_text(encoding="utf-8")
    for name in rubricspec.__all__:
        if name != "__version__":
            assert re.search(rf"`(rubricspec\.)?{name}[`(]", text), f"docs/python-api.md does not mention {name}"


# --- the generated reference ---------------------------------------------------------


def test_reference_md_is_up_to_date():
    assert (DOCS / "reference.md").read_text(encoding="utf-8") == render(), \
        "regenerate it: python -m rubricspec.reference > docs/reference.md"


def test_reference_walks_every_model_with_the_paths_where_it_is_written():
    paths = {model.__name__: where for model, where in walk()}
    assert list(paths) == ["RubricSpec", "InputColumn", "Param", "JudgeConfig", "Axis", "Criterion", "Veto",
                           "FailureScore", "FailureReward"]
    assert paths["Criterion"] == ["criteria.<criterion id>", "axes.<axis id>.criteria.<criterion id>"]
    assert paths["Veto"] == ["veto[i]"]
    assert paths["FailureReward"] == ["on_judge_failure"]


def test_reference_writes_types_in_plain_words():
    fields = RubricSpec.model_fields
    assert plain_type(fields["reward"].annotation, "reward") == "expression or number"
    assert plain_type(fields["axes"].annotation, "axes") == "mapping of axis id to [axis](#axis)"
    assert plain_type(fields["inputs"].annotation, "inputs") == \
        "mapping of column name to type name or [input column](#input-column)"
    assert plain_type(fields["on_judge_failure"].annotation, "on_judge_failure") == \
        "`skip`, [failure score](#failure-score) or [failure reward](#failure-reward)"
    assert plain_type(fields["veto"].annotation, "veto") == "list of [veto](#veto)"
    assert plain_type(Criterion.model_fields["points"].annotation, "points") == "number"
    assert plain_type(InputColumn.model_fields["default"].annotation, "default") == \
        "text, number or true/false, or a list of such values"


def test_reference_lists_every_key_and_every_code():
    text = render()
    for model, _ in walk():
        for name, info in model.model_fields.items():
            assert f"| `{name}` |" in text
            assert " ".join((info.description or "").split()) in text
    assert "| `scale` | text | default `0..1` |" in text
    assert "| `title` | text | required |" in text
    for code, meaning in CODES.items():
        assert f"| [{code}](diagnostics.md#{code.lower()}) | {meaning} |" in text


# --- the command line --------------------------------------------------------------


def help_options(command: list[str]) -> list[str]:
    """The options (``-o``, ``--output``...) listed under "Options:" in a command's --help."""
    result = CliRunner().invoke(cli.main, command + ["--help"])
    assert result.exit_code == 0
    options_part = result.output.split("Options:")[1].split("Commands:")[0]
    found: list[str] = []
    for line in options_part.splitlines():
        head = line.strip().split("  ")[0]
        found += re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", head)
    return found


def cli_sections() -> dict[str, str]:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        sections[heading.strip()] = body
    return sections


def test_help_options_are_read_from_the_help_text():
    assert help_options(["compile"]) == ["--variant", "--set", "-o", "--output", "-h", "--help"]


@pytest.mark.parametrize("name", sorted(cli.main.commands))
def test_every_command_and_option_is_documented(name):
    sections = cli_sections()
    heading = f"`rubricspec {name}`"
    assert heading in sections, f"docs/cli.md needs a section `## {heading}`"
    for option in help_options([name]):
        assert re.search(rf"`{re.escape(option)}[` =\[]", sections[heading]), \
            f"docs/cli.md, section {heading}, does not document {option}"


def test_top_level_options_are_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for option in help_options([]):
        assert f"`{option}" in text


# --- diagnostics -------------------------------------------------------------------


def diagnostics_sections() -> dict[str, str]:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    return {part.partition("\n")[0].strip(): part.partition("\n")[2]
            for part in re.split(r"^## ", text, flags=re.M)[1:]}


def test_every_code_has_a_section_in_order_with_its_meaning():
    sections = diagnostics_sections()
    assert list(sections) == list(CODES)
    for code, meaning in CODES.items():
        first = sections[code].strip().split("\n\n")[0]
        assert first.lower().startswith(f"**{meaning.lower()}.**"), f"{code}: start with **{meaning}.**"


def test_every_code_has_an_example_that_shows_it():
    sections = diagnostics_sections()
    for code in CODES:
        assert f"[{code}]" in sections[code], f"docs/diagnostics.md: the {code} example does not show {code}"


def test_the_sample_report_at_the_top_is_the_rs301_example():
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    sample = text.split("A report looks like this:\n\n```\n")[1].split("```")[0]
    assert sample.strip() and sample in diagnostics_sections()["RS301"]


def test_file_too_large_example(tmp_path, monkeypatch):
    shown = diagnostics_sections()["RS002"].split("```text\n")[1].split("```")[0]
    head = "rubricspec: 1\n"
    (tmp_path / "big.yaml").write_text(head + "#" * (2_000_001 - len(head)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["check", "big.yaml"])
    assert result.exit_code == 1
    assert normalise(result.output) == normalise(shown)


# --- keeping the docs current ------------------------------------------------------------


def update(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """Rewrite console and python outputs in the docs from what the code prints now."""
    changed = []
    for doc in CONSOLE_DOCS:
        lines = (DOCS / doc).read_text(encoding="utf-8").split("\n")
        edits: list[tuple[int, int, list[str]]] = []
        for block in read_blocks(doc):
            if block.words[:1] == ["console"] and not ("needs=trl" in block.words and trl_missing()):
                work = folder / f"{doc}-{block.line}"
                work.mkdir()
                body: list[str] = []
                for command, printed in run_console(block, work, monkeypatch):
                    body.append(f"$ {command}")
                    body += [line.rstrip() for line in printed.rstrip("\n").split("\n")] if printed.strip() else []
                edits.append((block.start, block.end, body))
        for block, output in python_examples():
            if block.doc == doc and output is not None:
                done = run_python(block, folder)
                if done.returncode != 0:
                    raise SystemExit(f"{block} failed:\n{done.stderr}")
                printed = done.stdout.rstrip("\n")
                edits.append((output.start, output.end, [line.rstrip() for line in printed.split("\n")]))
        for start, end, body in sorted(edits, reverse=True):
            lines[start:end] = body
        new = "\n".join(lines)
        if new != (DOCS / doc).read_text(encoding="utf-8"):
            (DOCS / doc).write_text(new, encoding="utf-8")
            changed.append(doc)
    return changed


if __name__ == "__main__":  # pragma: no cover - a maintenance command, not a test
    import os
    import tempfile

    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_docs.py --update")
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        print("updated:", ", ".join(update(patch, Path(scratch))) or "nothing")
        os.chdir(home)
