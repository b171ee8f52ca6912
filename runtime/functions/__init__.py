"""The built-in function implementations, keyed by the names in ``rubricspec.signatures``.

In: nothing (importing this package imports every implementation module).
Out: ``IMPLEMENTATIONS`` complete, plus ``DYNAMIC``, ``FunctionError`` and
``Implementation`` re-exported from ``registry``.
"""

from rubricspec.runtime.functions.registry import DYNAMIC, IMPLEMENTATIONS, FunctionError, Implementation

# imported for their registrations
from rubricspec.runtime.functions import (  # noqa: E402,F401  isort: skip
    choice,
    lists,
    numeric,
    overlap,
    patterns,
    scripts,
    tags,
    text,
)

__all__ = ["DYNAMIC", "IMPLEMENTATIONS", "FunctionError", "Implementation"]
