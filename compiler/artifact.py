"""Artifact: a ``RubricIR`` -> a versioned, byte-stable JSON document.

In: the IR of one compile (variant and params applied).
Out: a dict (and its canonical JSON text) with ``schema_version``, the spec
hash, variant, params, and every criterion, veto and the reward in canonical
expression form. The same spec, variant and params give byte-identical JSON
on every machine: keys are sorted and file paths are relative to the spec.
``read_artifact`` checks the version on the way back in.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from rubricspec import __version__
from rubricspec.diagnostics import Diagnostic, SpecError

from rubricspec.compiler import ir

SCHEMA_VERSION = 1
ARTIFACT_KIND = "rubricspec.reward-program"


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def spec_hash(data: dict[str, Any]) -> str:
    """sha256 of the resolved spec (after `extends`, variant and params), not of its formatting."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _sources(files: tuple[str, ...]) -> list[dict[str, str]]:
    """Each file read, relative to the compiled spec's folder, with its content hash."""
    base = Path(files[-1]).resolve().parent
    out = []
    for name in files:
        path = Path(name).resolve()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        out.append({"path": Path(os.path.relpath(path, base)).as_posix(), "sha256": digest})
    return out


def build_artifact(rubric: ir.RubricIR) -> dict[str, Any]:
    def criterion(c: ir.CriterionIR) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": c.id, "title": c.title, "axis": c.axis, "kind": c.kind,
                                 "scale": c.scale.text, "weight": c.weight}
        if c.rule is not None:
            entry["rule"] = c.rule.canonical
        if c.ask is not None:
            entry["ask"] = c.ask
        if c.points is not None:
            entry["points"] = c.points
            entry["met"] = c.met
        return entry

    policy = rubric.on_judge_failure
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": ARTIFACT_KIND,
        "rubricspec_version": __version__,
        "rubric": rubric.name,
        "title": rubric.title,
        "variant": rubric.variant,
        "params": rubric.params,
        "spec_hash": spec_hash(rubric.spec_data),
        "sources": _sources(rubric.files),
        "inputs": [{"name": i.name, "type": i.type_name} for i in rubric.inputs],
        "axes": [{"id": a.id, "title": a.title, "weight": a.weight, "criteria": list(a.criteria)}
                 for a in rubric.axes],
        "criteria": [criterion(c) for c in rubric.criteria],
        "rule_order": [rubric.criteria[i].id for i in rubric.rule_order],
        "reward": rubric.reward.canonical,
        "veto": [{"when": v.when.canonical, "reward": v.reward.canonical, "because": v.because}
                 for v in rubric.vetoes],
        "judge": None if rubric.judge is None else {"model": rubric.judge.model, "grade": rubric.judge.grade,
                                                    "temperature": rubric.judge.temperature},
        "on_judge_failure": {"mode": policy.mode, "value": policy.value, "because": policy.because},
    }


def read_artifact(path: str | Path) -> dict[str, Any]:
    """Load an artifact and check that this version of rubricspec can read it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError([Diagnostic("RS001", f"Cannot read the artifact {path}: {exc}", None)]) from None
    if not isinstance(data, dict) or data.get("kind") != ARTIFACT_KIND:
        raise SpecError([Diagnostic("RS104", f"{path} is not a rubricspec reward-program artifact.", None)])
    if data.get("schema_version") != SCHEMA_VERSION:
        raise SpecError([Diagnostic(
            "RS104", f"{path} has artifact schema_version {data.get('schema_version')!r}; this rubricspec reads "
            f"version {SCHEMA_VERSION}.", None, hint="Recompile the spec with this version: `rubricspec compile`.")])
    return data
