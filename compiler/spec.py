"""Spec: a loaded, checked rubric file, ready to be compiled in any of its variants.

In: a path.
Out: ``Spec`` (the validated model of the base spec, its variants and
warnings) and ``build_ir(spec, variant, params)`` -> ``(RubricIR, warnings)``.
Loading checks the base spec completely; compiling a variant re-checks the
patched spec, so an ablation can never bypass the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from rubricspec.diagnostics import Collector, Diagnostic, SpecError, sorted_diagnostics
from rubricspec.loader import YMap
from rubricspec.models import RubricSpec

from rubricspec.compiler import ir
from rubricspec.compiler.checks import run_checks
from rubricspec.compiler.lower import Lowering
from rubricspec.compiler.resolve import apply_params, apply_variant, resolve_file, variant_names
from rubricspec.compiler.validate import spec_context, validate_tree


@dataclass
class Spec:
    """A rubric file that passed every check (its base form, without a variant)."""

    path: str
    model: RubricSpec
    tree: YMap = field(repr=False)
    files: tuple[str, ...]
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def kind(self) -> str:
        return self.model.kind

    @property
    def variants(self) -> list[str]:
        return variant_names(self.tree)

    @property
    def params(self) -> dict[str, Any]:
        return {k: (v.default if hasattr(v, "default") else v) for k, v in self.model.params.items()}


def _check(tree: YMap, variant: str | None, files: tuple[str, ...]) -> tuple[ir.RubricIR, list[Diagnostic], RubricSpec]:
    validated = validate_tree(tree)
    if not isinstance(validated.model, RubricSpec):
        kind = tree.get("kind")
        raise SpecError([Diagnostic(
            "RS104", f"This file is a `{validated.model.kind}` spec, not a rubric.", kind.span if kind else tree.span,
            "kind", hint="Train with it: `rubricspec train FILE` (a run file names its rubric under `rubric: path:`).",
            context=validated.context)])
    errors = validated.errors or Collector(validated.context)
    run_checks(validated, errors)
    # lowering goes on after cross-field errors (it tolerates them) so that
    # expression errors are reported in the same run
    rubric = Lowering(validated, errors).lower(variant, tuple(variant_names(tree)), files)
    return rubric, sorted_diagnostics(errors.warnings), validated.model


def load_spec(path: str | Path) -> Spec:
    resolved = resolve_file(path)
    _, warnings, model = _check(resolved.root, None, tuple(resolved.files))
    return Spec(str(path), model, resolved.root, tuple(resolved.files), warnings)


def build_ir(spec: Spec, variant: str | None = None,
             params: Mapping[str, Any] | None = None) -> tuple[ir.RubricIR, list[Diagnostic]]:
    tree = spec.tree
    if variant:
        tree = apply_variant(tree, variant, set(params or ()))
    if params:
        tree = apply_params(tree, dict(params))
    try:
        rubric, warnings, _ = _check(tree, variant, spec.files)
        return rubric, warnings
    except SpecError as err:
        if variant:
            context = f'{spec_context({"kind": spec.kind, "name": spec.name})} (variant {variant})'
            raise SpecError([_in_variant(d, context) for d in err.diagnostics]) from None
        raise


def _in_variant(d: Diagnostic, context: str) -> Diagnostic:
    return Diagnostic(d.code, d.message, d.span, d.path, d.hint, d.severity, context)
