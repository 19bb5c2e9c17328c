"""Suppressions (SPEC §6): annotations, inline comments, config ``ignores`` and the baseline.

``suppress(findings, Request(...))`` removes the findings a suppression covers, counts them,
and adds MESH008 for suppressions that name unknown codes, have expired or cover nothing.
"""

from __future__ import annotations

from meshlint.suppress.baseline import Baseline
from meshlint.suppress.baseline import read as read_baseline
from meshlint.suppress.baseline import render as render_baseline
from meshlint.suppress.codes import CodeBook
from meshlint.suppress.engine import Outcome, Request, suppress
from meshlint.suppress.texts import SourceTexts

__all__ = [
    "Baseline",
    "CodeBook",
    "Outcome",
    "Request",
    "SourceTexts",
    "read_baseline",
    "render_baseline",
    "suppress",
]
