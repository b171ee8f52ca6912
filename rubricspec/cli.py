"""The `rubricspec` command: check, compile, score, explain, schema.

In: command-line arguments.
Out: diagnostics and tables on the terminal, artifacts and scored JSONL on
disk. Exit codes: 0 success, 1 invalid spec (or scoring problems reported),
2 usage errors (bad flags, unreadable input).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from rubricspec.diagnostics import SpecError, render_all

console = Console(highlight=False)
errors_console = Console(stderr=True, highlight=False)


def _print(text: str, err: bool = False) -> None:
    (errors_console if err else console).print(text, markup=False, highlight=False, soft_wrap=True)


def _overrides(settings: tuple[str, ...]) -> dict[str, Any]:
    from rubricspec.compiler.resolve import parse_override

    return dict(parse_override(s) for s in settings)


def _compile(spec_path: str, variant: str | None, settings: tuple[str, ...], judge: str | None):
    import rubricspec
    from rubricspec.api import JudgeBindingError

    try:
        return rubricspec.compile(spec_path, variant=variant, params=_overrides(settings), judge=judge)
    except SpecError as err:
        _print(err.render(), err=True)
        raise SystemExit(1) from None
    except JudgeBindingError as err:
        _print(f"error: {err}".replace("compile it with judge='replay'", "add `--judge replay`")
               .replace(", or pass a judge.", " (live judges come in a later version)."), err=True)
        raise SystemExit(2) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rubricspec")
def main() -> None:
    """rubricspec: rubrics for reward design, checked and compiled into reward programs."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(paths: tuple[str, ...], strict: bool) -> None:
    """Check spec files, and every variant of each; exit 1 if any is invalid."""
    from rubricspec.api import check as check_spec

    failed = False
    for path in paths:
        try:
            if _kind(path) == "run":
                _check_run(path)
                continue
            spec, warnings = check_spec(path)
        except SpecError as err:
            _print(err.render())
            failed = True
            continue
        if warnings:
            _print(render_all(warnings))
            if strict:
                failed = True
                _print(f"not ok {path}: warnings count as errors with --strict")
                continue
        variants = f", {len(spec.variants)} variant{'s' if len(spec.variants) != 1 else ''}" if spec.variants else ""
        criteria = sum(len(a.criteria) for a in spec.model.axes.values()) + len(spec.model.criteria)
        noun = "criterion" if criteria == 1 else "criteria"
        _print(f"ok {path} ({spec.kind} {spec.name}: {criteria} {noun}{variants})")
    raise SystemExit(1 if failed else 0)


def _kind(path: str) -> str | None:
    from rubricspec.loader import YMap, YScalar, load_yaml

    root = load_yaml(path)
    kind = root.get("kind") if isinstance(root, YMap) else None
    return kind.value if isinstance(kind, YScalar) and isinstance(kind.value, str) else None


def _check_run(path: str) -> None:
    from rubricspec.training.runspec import load_run

    plan = load_run(path)
    if plan.program.warnings:
        _print(render_all(plan.program.warnings))
    variant = f", rubric variant {plan.variant}" if plan.variant else ""
    _print(f"ok {path} (run {plan.spec.name}: rubric {plan.program.name}{variant})")


@main.command("compile")
@click.argument("spec", type=click.Path())
@click.option("--variant", help="Name of a variant of the spec.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a param, e.g. --set k=5.")
@click.option("--output", "-o", type=click.Path(), help="Where to write the artifact (default: stdout).")
def compile_command(spec: str, variant: str | None, settings: tuple[str, ...], output: str | None) -> None:
    """Compile a spec into a JSON reward-program artifact (byte-stable)."""
    from rubricspec.compiler import build_ir, load_spec
    from rubricspec.compiler.artifact import build_artifact, canonical_json

    try:
        rubric, warnings = build_ir(load_spec(spec), variant, _overrides(settings))
    except SpecError as err:
        _print(err.render(), err=True)
        raise SystemExit(1) from None
    if warnings:
        _print(render_all(warnings), err=True)
    text = canonical_json(build_artifact(rubric))
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
        _print(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text)


@main.command()
@click.argument("spec", type=click.Path())
@click.option("--input", "-i", "input_path", required=True, type=click.Path(), help="JSONL rows: prompt, completion, columns.")
@click.option("--output", "-o", "output_path", required=True, type=click.Path(), help="JSONL of scored rows.")
@click.option("--variant", help="Name of a variant of the spec.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a param, e.g. --set k=5.")
@click.option("--judge", type=click.Choice(["replay"]), help="Judge for `ask`/`points` criteria.")
@click.option("--batch-size", default=512, show_default=True, help="Rows scored per batch.")
@click.option("--overwrite", is_flag=True, help="Start again instead of resuming an existing output file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def score(spec: str, input_path: str, output_path: str, variant: str | None, settings: tuple[str, ...],
          judge: str | None, batch_size: int, overwrite: bool, quiet: bool) -> None:
    """Score a JSONL file of completions; resumes an interrupted run."""
    from rubricspec.runtime.scoring import ScoringError, score_file, summary_table

    program = _compile(spec, variant, settings, judge)
    try:
        summary = score_file(program, input_path, output_path, batch_size=batch_size, overwrite=overwrite,
                             progress=not quiet, console=errors_console)
    except ScoringError as err:
        _print(f"error[{err.code}] {err}" if err.code else f"error: {err}", err=True)
        raise SystemExit(2) from None
    console.print(summary_table(program, summary))


@main.command()
@click.argument("spec", type=click.Path())
@click.option("--input", "-i", "input_path", required=True, type=click.Path(), help="JSONL rows.")
@click.option("--row", "row", required=True, type=int, help="Row to explain (0 = first data row).")
@click.option("--variant", help="Name of a variant of the spec.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a param.")
@click.option("--judge", type=click.Choice(["replay"]), help="Judge for `ask`/`points` criteria.")
def explain(spec: str, input_path: str, row: int, variant: str | None, settings: tuple[str, ...],
            judge: str | None) -> None:
    """Show one row's score criterion by criterion, with what each rule computed."""
    from rubricspec.runtime.explain import explain as run_explain, render
    from rubricspec.runtime.scoring import ScoringError, read_row

    program = _compile(spec, variant, settings, judge)
    try:
        data = read_row(input_path, row)
    except ScoringError as err:
        _print(f"error[{err.code}] {err}" if err.code else f"error: {err}", err=True)
        raise SystemExit(2) from None
    columns = {k: v for k, v in data.items() if k not in ("prompt", "completion")}
    _print(render(program, run_explain(program, data.get("prompt", ""), data.get("completion"), columns)))


def _plan(run: str, variant: str | None, settings: tuple[str, ...], output: str | None):
    from rubricspec.training.runspec import load_run

    try:
        return load_run(run, variant=variant, params=_overrides(settings), output_dir=output)
    except SpecError as err:
        _print(err.render(), err=True)
        raise SystemExit(1) from None


def _training_available() -> None:
    try:
        import trl  # noqa: F401
    except ImportError:
        _print("error: training needs TRL and PyTorch: pip install 'rubricspec[train]'", err=True)
        raise SystemExit(2) from None


@main.command()
@click.argument("run", type=click.Path())
@click.option("--variant", help="Variant of the run's rubric (an ablation), instead of the run file's.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a rubric param, e.g. --set k=5.")
@click.option("--output", "-o", type=click.Path(), help="Output folder (default: the run file's output_dir).")
def train(run: str, variant: str | None, settings: tuple[str, ...], output: str | None) -> None:
    """Train the run's policy with GRPO (TRL) on the compiled rubric."""
    plan = _plan(run, variant, settings, output)
    _training_available()
    from rubricspec.training.grpo import train as run_grpo

    summary = run_grpo(plan)
    _print(f"trained {summary.steps} steps; reward {summary.first_reward} -> {summary.final_reward}; "
           f"state in {summary.output_dir / 'trainer_state.json'}")


@main.command()
@click.argument("run", type=click.Path())
@click.option("--variants", required=True, help="Comma-separated rubric variants; `base` is the rubric itself.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a rubric param.")
@click.option("--output", "-o", type=click.Path(), help="Output folder (default: the run file's output_dir).")
def ablate(run: str, variants: str, settings: tuple[str, ...], output: str | None) -> None:
    """Train once per rubric variant with the same seed and compare them in a table."""
    from rubricspec.training.ablate import ablate as run_ablation, rows

    names = [v.strip() for v in variants.split(",") if v.strip()]
    _plan(run, None, settings, output)
    _training_available()
    try:
        root, results = run_ablation(run, names, _overrides(settings), output)
    except SpecError as err:
        _print(err.render(), err=True)
        raise SystemExit(1) from None
    from rich.table import Table

    header, body = rows(results)
    table = Table(title=f"ablation written to {root / 'ablation.md'}", title_justify="left")
    for column in header:
        table.add_column(column, justify="left" if not column else "right")
    for row in body:
        table.add_row(*row)
    console.print(table)


@main.command()
@click.argument("run", type=click.Path())
@click.option("--output", "-o", type=click.Path(), help="Output folder (default: <output_dir>/sft).")
def sft(run: str, output: str | None) -> None:
    """Supervised fine-tuning (cold start) on the run's chat-format dataset."""
    from rubricspec.training.runspec import load_run

    try:
        plan = load_run(run)
    except SpecError as err:
        _print(err.render(), err=True)
        raise SystemExit(1) from None
    _training_available()
    from rubricspec.training.sft import sft as run_sft

    _print(f"fine-tuned model in {run_sft(plan, output)}")


@main.command()
@click.option("--output", "-o", type=click.Path(), help="Write the schema here (default: stdout).")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the rubric language (for editors and validators)."""
    from rubricspec.schema import schema_text

    text = schema_text()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["main"]
