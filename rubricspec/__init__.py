"""rubricspec: rubrics for reward design, written as checked YAML and compiled into fast reward programs.

The public API (the table of contents):

- ``load(path) -> Spec``: read and check a spec file; raises ``SpecError``.
- ``compile(spec_or_path, variant=None, params=None, judge=None) -> RewardProgram``:
  a TRL-compatible reward function (``program(prompts=..., completions=..., **columns)``)
  that also offers ``program.score(...) -> list[Result]``.
- ``SpecError`` (``.diagnostics``: ``Diagnostic`` with ``.code``, ``.message``,
  ``.file``, ``.line``, ``.column``), ``Result``, ``RewardProgram``.
- ``check(path) -> (Spec, warnings)``: check a spec and every one of its variants.
- ``register_function``: add a Python built-in to the expression language.
- Judges: the ``Judge`` protocol (``JudgeRequest`` in, ``Verdict``/``Failure`` out),
  ``ReplayJudge``, and ``CachedJudge`` over a ``VerdictCache`` (sqlite).
"""

from __future__ import annotations

__version__ = "0.1.0"

from rubricspec.api import JudgeBindingError, check, compile, load, register_function  # noqa: E402
from rubricspec.diagnostics import Diagnostic, SpecError  # noqa: E402
from rubricspec.runtime.judges import (  # noqa: E402
    CachedJudge, Failure, Judge, JudgeRequest, ReplayJudge, Verdict, VerdictCache)
from rubricspec.runtime.program import InputError, Result, RewardProgram  # noqa: E402

__all__ = [
    "__version__", "load", "check", "compile", "register_function", "SpecError", "Diagnostic", "RewardProgram",
    "Result", "InputError", "JudgeBindingError", "Judge", "JudgeRequest", "Verdict", "Failure", "ReplayJudge",
    "CachedJudge", "VerdictCache",
]
