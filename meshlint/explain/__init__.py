"""``meshlint explain``: trace one request through the mesh offline (SPEC §4)."""

from __future__ import annotations

from meshlint.explain.caller import ExplainError
from meshlint.explain.trace import trace
from meshlint.explain.values import (
    STEP_NAMES,
    Item,
    Outcome,
    Ref,
    Request,
    Step,
    Tone,
    Trace,
    Verdict,
)

__all__ = [
    "STEP_NAMES",
    "ExplainError",
    "Item",
    "Outcome",
    "Ref",
    "Request",
    "Step",
    "Tone",
    "Trace",
    "Verdict",
    "trace",
]
