"""The rubric compiler: spec file -> checked IR.

Steps (one module each):
  resolve   `extends`, a variant and param overrides merged into one node tree
  validate  the tree's shape against the spec models (pydantic) -> diagnostics
  checks    cross-field rules (ids, scales, input types, criterion kinds)
  typecheck expressions: names resolved, types and ranges checked
  lower     everything assembled into a ``RubricIR``
  artifact  the IR as versioned, byte-stable JSON
"""

from rubricspec.compiler.spec import Spec, build_ir, load_spec

__all__ = ["Spec", "build_ir", "load_spec"]
