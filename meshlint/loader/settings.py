"""Parse small settings documents (config files, mesh config) that need no positions."""

from __future__ import annotations

import yaml


def parse_yaml(text: str) -> object:
    """One YAML document as plain values; ``ValueError`` with the parser's message if invalid.

    Input meshes go through ``meshlint.loader.load``, which records positions; settings files
    need none, so PyYAML's safe loader (C when available) reads them.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # a safe loader
    except yaml.YAMLError as exc:
        raise ValueError(f"invalid YAML: {' '.join(str(exc).split())}") from None
