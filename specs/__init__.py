"""The spec library shipped with rubricspec (clinical, legal, examples).

``library_path()`` is the folder holding the bundled YAML specs and example data.
"""

from pathlib import Path


def library_path() -> Path:
    return Path(__file__).parent
