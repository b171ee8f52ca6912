"""Cross-field checks of a validated rubric: rules that involve more than one key.

In: a ``Validated`` spec (model, plain data, source map).
Out: diagnostics, appended to a ``Collector``. Each check is a named function
so it can be tested on its own; none raises.
"""

from __future__ import annotations

import re

from rubricspec.diagnostics import Collector, Span, did_you_mean
from rubricspec.loader import PathKey
from rubricspec.models import ID_PATTERN, InputColumn, Param, RubricSpec
from rubricspec.signatures import SIGNATURES
from rubricspec.types import INPUT_TYPES, parse_type, value_has_type

from rubricspec.compiler import ir
from rubricspec.compiler.validate import Validated, render_path

RESERVED_NAMES = {"completion", "prompt", "criteria", "weighted_sum", "verdicts", "if", "then", "else", "and",
                  "or", "not", "in", "true", "false"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ID = re.compile(ID_PATTERN)
_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*$")


def criterion_paths(spec: RubricSpec) -> list[tuple[PathKey, str, str | None]]:
    """(path, id, axis) of every criterion, in the order written."""
    out: list[tuple[PathKey, str, str | None]] = []
    for axis_id, axis in spec.axes.items():
        for cid in axis.criteria:
            out.append((("axes", axis_id, "criteria", cid), cid, axis_id))
    for cid in spec.criteria:
        out.append((("criteria", cid), cid, None))
    return out


def parse_scale(text: str) -> ir.Scale | None:
    match = _SCALE.match(text)
    if not match:
        return None
    low_text, high_text = match.groups()
    low, high = float(low_text), float(high_text)
    if low >= high:
        return None
    integer = "." not in low_text and "." not in high_text
    return ir.Scale(low, high, integer, f"{low_text}..{high_text}")


def check_scales(v: Validated, errors: Collector) -> None:
    places: list[tuple[PathKey, str]] = [(("scale",), v.model.scale)]
    for path, _, _ in criterion_paths(v.model):
        scale = _criterion(v.model, path).scale
        if scale is not None:
            places.append((path + ("scale",), scale))
    for path, text in places:
        if parse_scale(text) is None:
            errors.error("RS105", f"`{text}` is not a scale.", v.source_map.value(path), render_path(path),
                         "Write a scale as `low..high` with low below high, e.g. `-2..2`, `0..1` or `0.0..1.0`.")


def check_ids(v: Validated, errors: Collector) -> None:
    seen: dict[str, Span | None] = {}
    spec = v.model
    for axis_id in spec.axes:
        _check_id(v, ("axes", axis_id), axis_id, "axis", errors)
        seen[axis_id] = v.source_map.key(("axes", axis_id))
    for path, cid, _ in criterion_paths(spec):
        _check_id(v, path, cid, "criterion", errors)
        span = v.source_map.key(path)
        if cid in seen:
            first = seen[cid]
            where = f" (first on line {first.line})" if first else ""
            errors.error("RS108", f"The id `{cid}` is used twice{where}.", span, render_path(path),
                         "Every criterion and axis needs its own id.")
        seen[cid] = span
    names = {**{n: ("input", ("inputs", n)) for n in spec.inputs}, }
    for pname in spec.params:
        if pname in names:
            errors.error("RS305", f"`{pname}` is both an input and a param.", v.source_map.key(("params", pname)),
                         f"params › {pname}", "Rename one of them: an expression could not tell which is meant.")
        names[pname] = ("param", ("params", pname))
    for ident, (what, path) in names.items():
        if ident in seen:
            errors.error("RS305", f"`{ident}` is both an {what} and a criterion or axis id.", v.source_map.key(path),
                         render_path(path), "Rename one of them: an expression could not tell which is meant.")


def _check_id(v: Validated, path: PathKey, ident: str, what: str, errors: Collector) -> None:
    if not _ID.match(ident):
        errors.error("RS107", f"`{ident}` is not a valid {what} id.", v.source_map.key(path), render_path(path),
                     "Ids start with a letter and use letters, digits, `_`, `.` and single `-` between parts, "
                     "e.g. `CS-1` or `accuracy`.")
    elif ident in RESERVED_NAMES or ident in SIGNATURES:
        errors.error("RS107", f"`{ident}` is a reserved name and cannot be a {what} id.", v.source_map.key(path),
                     render_path(path), "Choose another id.")


def check_inputs(v: Validated, errors: Collector) -> None:
    for name, decl in v.model.inputs.items():
        path: PathKey = ("inputs", name)
        type_name = decl.type if isinstance(decl, InputColumn) else decl
        type_path = path + ("type",) if isinstance(decl, InputColumn) else path
        if not _IDENTIFIER.match(name) or name in RESERVED_NAMES:
            errors.error("RS107", f"`{name}` cannot be an input name.", v.source_map.key(path), render_path(path),
                         "Input names are dataset column names made of letters, digits and `_`, other than "
                         "completion, prompt, criteria, weighted_sum and verdicts.")
        if parse_type(type_name) is None:
            guess = did_you_mean(type_name, INPUT_TYPES)
            hint = (f"Did you mean `{guess}`? " if guess else "") + f"Input types: {', '.join(INPUT_TYPES)}."
            errors.error("RS109", f"`{type_name}` is not an input type.", v.source_map.value(type_path),
                         render_path(type_path), hint)
        elif isinstance(decl, InputColumn) and decl.default is not None:
            if not value_has_type(decl.default, type_name.replace(" ", "")):
                errors.error("RS109", f"The default of input `{name}` is not {type_name}.",
                             v.source_map.value(path + ("default",)), render_path(path + ("default",)),
                             "Give a default of the column's type, or remove `default:`.")


def check_params(v: Validated, errors: Collector) -> None:
    for name, decl in v.model.params.items():
        path: PathKey = ("params", name)
        if not _IDENTIFIER.match(name) or name in RESERVED_NAMES or name in SIGNATURES:
            errors.error("RS113", f"`{name}` cannot be a param name.", v.source_map.key(path), render_path(path),
                         "Param names are made of letters, digits and `_` and may not be a built-in name.")
        if isinstance(decl, Param) and isinstance(decl.default, (int, float)) and not isinstance(decl.default, bool):
            if decl.min is not None and decl.default < decl.min or decl.max is not None and decl.default > decl.max:
                errors.error("RS113", f"The default of `{name}` ({decl.default}) is outside its min/max.",
                             v.source_map.value(path + ("default",)), render_path(path + ("default",)))


def check_criterion_kinds(v: Validated, errors: Collector) -> None:
    for path, cid, _ in criterion_paths(v.model):
        c = _criterion(v.model, path)
        given = [k for k in ("rule", "ask", "points") if getattr(c, k) is not None]
        if len(given) != 1:
            shown = ", ".join(f"`{k}`" for k in given) if given else "none of them"
            errors.error("RS106", f"Criterion {cid} needs exactly one of `rule`, `ask` or `points`; it has {shown}.",
                         v.source_map.key(path), render_path(path),
                         "`rule:` computes the score, `ask:` asks a judge for a score, `points:` with `met:` asks "
                         "a judge whether a statement holds. When extending a rubric, remove the base's kind with "
                         "`ask: null`.")
        if c.points is not None and c.met is None:
            errors.error("RS106", f"Criterion {cid} gives `points` but no `met:` statement for the judge to check.",
                         v.source_map.key(path + ("points",)), render_path(path + ("points",)),
                         "Add e.g. `met: The response advises calling emergency services.`")
        if c.met is not None and c.points is None:
            errors.error("RS106", f"Criterion {cid} has `met:` but no `points`.", v.source_map.key(path + ("met",)),
                         render_path(path + ("met",)), "Add `points:` (the score when the statement holds).")
        if c.points is not None and c.scale is not None:
            errors.error("RS106", f"Criterion {cid} gives `points`; its scale is 0 or the points, so `scale` "
                         "does not apply.", v.source_map.key(path + ("scale",)), render_path(path + ("scale",)),
                         "Remove `scale:` from this criterion.")
    if not criterion_paths(v.model):
        errors.error("RS102", "The rubric has no criteria.", v.source_map.value(()), "",
                     "Add `axes:` with criteria, or `criteria:`.")


def _criterion(spec: RubricSpec, path: PathKey):
    if path[0] == "axes":
        return spec.axes[str(path[1])].criteria[str(path[3])]
    return spec.criteria[str(path[1])]


CHECKS = (check_scales, check_ids, check_inputs, check_params, check_criterion_kinds)


def run_checks(v: Validated, errors: Collector) -> None:
    for check in CHECKS:
        check(v, errors)
