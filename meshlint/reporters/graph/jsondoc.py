"""The graph as JSON: the view document described by ``schemas/graph.json``."""

from __future__ import annotations

import json

from meshlint.graph.view import GraphView


def render(view: GraphView) -> str:
    """``indent=2``, non-ASCII kept, trailing newline."""
    return json.dumps(view.to_json(), indent=2, ensure_ascii=False) + "\n"
