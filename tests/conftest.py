"""Test configuration shared by every test module.

In CI (the `CI` environment variable is set) property-based tests run with a
fixed seed, so a submission's result does not depend on luck; locally they
explore new examples on every run.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
