"""Locate the data shipped with meshlint (JSON Schemas, built-in Rego rules)."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def data_dir(name: str) -> Traversable:
    """The packaged data folder ``name`` (``schemas`` or ``rules``).

    A wheel carries them under ``meshlint/_data/``. A source checkout or an editable install
    has them beside the package, at the repository root.
    """
    package = resources.files("meshlint")
    packaged = package / "_data" / name
    if packaged.is_dir():
        return packaged
    return package / ".." / name
