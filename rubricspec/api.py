"""The public functions behind ``rubricspec.load`` and ``rubricspec.compile``.

In: a spec path (or a loaded ``Spec``), a variant, param overrides, a judge.
Out: a checked ``Spec``, or a ``RewardProgram`` ready to be called by TRL.
"""

from __future__ import annotations


from pathlib import Path
from typing import Any, Callable, Mapping

from rubricspec import library as _library  # noqa: F401 - fills the signature table
from rubricspec.compiler import Spec, build_ir, load_spec
from rubricspec.diagnostics import Diagnostic, SpecError
from rubricspec.runtime.functions.registry import IMPLEMENTATIONS, Implementation
from rubricspec.runtime.judges import Judge, ReplayJudge
from rubricspec.runtime.program import RewardProgram
from rubricspec.signatures import Example, Overload, Signature, define


class JudgeBindingError(ValueError):
    """A rubric with judged criteria was compiled without a usable judge."""


def load(path: str | Path) -> Spec:
    """Read and check a spec file. Raises ``SpecError`` listing every problem."""
    spec = load_spec(path)
    rubric, _ = build_ir(spec)
    RewardProgram(rubric)  # prepares every constant argument (regexes, tag names, scripts)
    return spec


def check(path: str | Path) -> tuple[Spec, list[Diagnostic]]:
    """Check a spec and every one of its variants; return the spec and all warnings.

    RS401 (criterion cannot affect the reward) is not reported for variants: an
    ablation leaves criteria out of the reward on purpose.
    """
    spec = load(path)
    warnings = list(spec.warnings)
    errors: list[Diagnostic] = []
    for variant in spec.variants:
        try:
            rubric, variant_warnings = build_ir(spec, variant)
            RewardProgram(rubric)
        except SpecError as err:
            errors.extend(err.diagnostics)
            continue
        warnings.extend(w for w in variant_warnings if w not in warnings and w.code != "RS401")
    if errors:
        raise SpecError(errors)
    return spec, warnings


def compile(spec_or_path: Spec | str | Path, variant: str | None = None,
            params: Mapping[str, Any] | None = None, judge: Judge | str | None = None) -> RewardProgram:
    """Compile a rubric into a reward program.

    ``variant`` names one of the spec's `variants`; ``params`` overrides param
    defaults (e.g. ``{"k": 5}``); ``judge`` grades `ask`/`points` criteria:
    ``"replay"`` reads recorded verdicts from the ``verdicts`` column, or pass
    any object implementing the ``Judge`` protocol.
    """
    spec = spec_or_path if isinstance(spec_or_path, Spec) else load_spec(spec_or_path)
    rubric, warnings = build_ir(spec, variant, params)
    bound = _bind_judge(judge)
    if rubric.judged and bound is None:
        ids = ", ".join(c.id for c in rubric.judged)
        raise JudgeBindingError(
            f"rubric {rubric.name} has judged criteria ({ids}); compile it with judge='replay' to read recorded "
            "verdicts from the `verdicts` column, or pass a judge.")
    return RewardProgram(rubric, bound, warnings)


def _bind_judge(judge: Judge | str | None) -> Judge | None:
    if judge is None or isinstance(judge, Judge):
        return judge
    if judge == "replay":
        return ReplayJudge()
    raise JudgeBindingError(f"unknown judge {judge!r}: this version offers 'replay' or a Judge object.")


def register_function(signature: Signature, implementation: Callable[..., Any]) -> None:
    """Add a Python function to the expression language under ``signature.name``.

    Specs then call it by that name; a spec never names a Python file.
    """
    define(signature)
    IMPLEMENTATIONS[signature.name] = Implementation(call=implementation)


__all__ = ["load", "compile", "register_function", "Signature", "Overload", "Example", "JudgeBindingError"]

