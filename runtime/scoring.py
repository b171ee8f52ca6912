"""Scoring files: a JSONL of completions -> a JSONL of scored rows, resumable.

In: a ``RewardProgram``, an input JSONL (rows with ``prompt``, ``completion``
and the rubric's columns) and an output path.
Out: one output line per input row, in order, with ``row``, ``reward``,
``criteria``, ``axes``, ``vetoed``, ``veto_reason``, ``failures``, ``error``;
a ``.meta.json`` beside it recording what produced it; a ``Summary``.

A rerun after an interruption keeps the complete lines already written (a
torn last line is cut off), checks that the spec, variant, params and input
are the same, and continues from the next row: no row is lost or repeated.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from rubricspec.compiler.artifact import spec_hash
from rubricspec.runtime.program import RewardProgram


class ScoringError(Exception):
    """The input or output file cannot be used; the message says which line and why."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Summary:
    rows: int = 0
    resumed: int = 0
    rewards: list[float] = field(default_factory=list)
    no_reward: int = 0
    vetoed: int = 0
    veto_rules: dict[str, int] = field(default_factory=dict)
    criteria: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)


def _rows(path: str) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(data row index, line number, row) of each non-blank line; ScoringError names a bad line."""
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise ScoringError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        index = 0
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ScoringError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno}).") from None
            if not isinstance(row, dict):
                raise ScoringError(f"{path}:{number}: each line must be a JSON object with `completion`.")
            if "completion" not in row:
                raise ScoringError(f"{path}:{number}: the row has no `completion` field "
                                   f"(it has: {', '.join(row) or 'nothing'}).")
            yield index, number, row
            index += 1


def read_row(path: str, wanted: int) -> dict[str, Any]:
    count = 0
    for index, _, row in _rows(path):
        if index == wanted:
            return row
        count = index + 1
    raise ScoringError(f"{path} has {count} rows; row {wanted} does not exist (rows count from 0).")


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _recover(output: Path) -> int:
    """Cut a torn last line; return how many complete rows the file holds."""
    if not output.exists():
        return 0
    good_bytes, rows = 0, 0
    with open(output, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                json.loads(raw)
            except ValueError:
                break
            good_bytes += len(raw)
            rows += 1
    if good_bytes != output.stat().st_size:
        with open(output, "r+b") as handle:
            handle.truncate(good_bytes)
    return rows


def score_file(program: RewardProgram, input_path: str, output_path: str, batch_size: int = 512,
               overwrite: bool = False, progress: bool = True, console: Console | None = None) -> Summary:
    if Path(input_path).is_dir():
        raise ScoringError(f"{input_path} is a folder; give the path of a JSONL file.")
    try:
        return _score_file(program, input_path, output_path, batch_size, overwrite, progress, console)
    except OSError as exc:
        where = exc.filename or output_path
        raise ScoringError(f"cannot use {where}: {exc.strerror or exc}") from None


def _score_file(program: RewardProgram, input_path: str, output_path: str, batch_size: int, overwrite: bool,
                progress: bool, console: Console | None) -> Summary:
    output = Path(output_path)
    meta_path = output.with_name(output.name + ".meta.json")
    rubric = program.rubric
    meta = {"rubric": rubric.name, "variant": rubric.variant, "params": rubric.params,
            "spec_hash": spec_hash(rubric.spec_data),
            "input_sha256": _file_digest(input_path) if Path(input_path).is_file() else None}
    if meta["input_sha256"] is None:  # the input is identified by its content, so a moved folder still resumes
        raise ScoringError(f"cannot read {input_path}: no such file")
    for _, number, row in _rows(input_path):  # before anything is written, so a fixed input can rerun
        _check_columns(program, row, f"{input_path}:{number}")
        break
    done = 0
    if output.exists() and not overwrite:
        previous = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else None
        if previous != meta:
            raise ScoringError(f"{output_path} exists but was produced from a different spec, variant, params or "
                               "input; pass --overwrite to start again, or choose another --output.")
        done = _recover(output)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(b"")
    meta_path.write_text(json.dumps(meta, sort_keys=True, indent=2) + "\n", encoding="utf-8")
    total = sum(1 for _ in _rows(input_path))
    summary = Summary(resumed=done)
    batch: list[tuple[int, dict[str, Any]]] = []
    with open(output, "a", encoding="utf-8") as out, _progress(progress, console) as bar:
        task = bar.add_task("scoring", total=total, completed=done) if bar else None
        for index, _, row in _rows(input_path):
            if index < done:
                continue
            batch.append((index, row))
            if len(batch) >= batch_size:
                _score_batch(program, batch, out)
                if bar is not None:
                    bar.advance(task, len(batch))
                batch = []
        if batch:
            _score_batch(program, batch, out)
            if bar is not None:
                bar.advance(task, len(batch))
    _summarise(output, summary)
    return summary


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _progress(enabled: bool, console: Console | None) -> Any:
    if not enabled:
        return _NoProgress()
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=console, transient=True)


def _check_columns(program: RewardProgram, row: dict[str, Any], path: str) -> None:
    from rubricspec.runtime.program import InputError

    try:
        program.check_columns(row)
    except InputError as err:
        raise ScoringError(f"{path}: {err}", err.code) from None


def _score_batch(program: RewardProgram, batch: list[tuple[int, dict[str, Any]]], out: Any) -> None:
    keys: dict[str, None] = {}
    for _, row in batch:
        keys.update(dict.fromkeys(k for k in row if k not in ("prompt", "completion")))
    columns = {k: [row.get(k) for _, row in batch] for k in keys}
    results = program.score(prompts=[row.get("prompt", "") for _, row in batch],
                            completions=[row.get("completion") for _, row in batch], **columns)
    lines = []
    for (index, row), result in zip(batch, results):
        record = {"row": index}
        if "id" in row:
            record["id"] = row["id"]
        data = result.to_dict()
        data.pop("explanations")
        record.update(data)
        lines.append(json.dumps(record, ensure_ascii=False, allow_nan=False))
    out.write("\n".join(lines) + "\n")
    out.flush()


def _summarise(output: Path, summary: Summary) -> None:
    with open(output, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            summary.rows += 1
            reward = record.get("reward")
            if reward is None:
                summary.no_reward += 1
            else:
                summary.rewards.append(float(reward))
            if record.get("vetoed"):
                summary.vetoed += 1
                key = str(record.get("veto_reason"))
                summary.veto_rules[key] = summary.veto_rules.get(key, 0) + 1
            for cid, value in (record.get("criteria") or {}).items():
                bucket = summary.criteria.setdefault(cid, [])
                if value is not None:
                    bucket.append(float(value))
            for cid in record.get("failures") or {}:
                summary.failures[cid] = summary.failures.get(cid, 0) + 1
            if record.get("error"):
                reason = str(record["error"]).split(":")[0]
                summary.errors[reason] = summary.errors.get(reason, 0) + 1


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.3f}"


def summary_table(program: RewardProgram, summary: Summary) -> Table:
    rubric = program.rubric
    variant = f" (variant {rubric.variant})" if rubric.variant else ""
    title = f"{rubric.name}{variant}: {summary.rows} rows"
    if summary.resumed:
        title += f" ({summary.resumed} from an earlier run)"
    table = Table(title=title, title_justify="left")
    for column in ("", "mean", "std", "min", "max", "n", "failed"):
        table.add_column(column, justify="left" if not column else "right")
    rewards = summary.rewards

    def stats(values: list[float]) -> tuple[str, str, str, str]:
        if not values:
            return "-", "-", "-", "-"
        std = statistics.pstdev(values) if len(values) > 1 else 0.0
        return _fmt(statistics.fmean(values)), _fmt(std), _fmt(min(values)), _fmt(max(values))

    table.add_row("reward", *stats(rewards), str(len(rewards)), str(summary.no_reward))
    for c in rubric.criteria:
        values = summary.criteria.get(c.id, [])
        table.add_row(f"  {c.id}", *stats(values), str(len(values)), str(summary.failures.get(c.id, 0)))
    rate = summary.vetoed / summary.rows if summary.rows else 0.0
    table.caption = f"vetoed: {summary.vetoed} ({rate:.1%}); no reward: {summary.no_reward}"
    if summary.errors:
        table.caption += "; problems: " + ", ".join(f"{k} ×{v}" for k, v in summary.errors.items())
    table.caption_justify = "left"
    return table
