"""Route-match solver: which rules are unreachable, which matches ineffective, which requests 404.

z3 is imported only when a question needs it (``meshlint.solver.z3env``).
"""

from __future__ import annotations

from meshlint.solver.concrete import Request, first_match
from meshlint.solver.conditions import (
    CondKind,
    Context,
    HttpMatch,
    HttpRule,
    Selector,
    StrCond,
    absent,
    exact,
    http_match,
    http_rule,
    prefix,
    present,
    regex,
    without,
)
from meshlint.solver.http import (
    HttpAnalysis,
    HttpReport,
    match_ineffective,
    rule_unreachable,
    uncovered_request,
)
from meshlint.solver.l4 import L4Match, L4Rule, tcp_unreachable, tls_unreachable
from meshlint.solver.witness import Outcome, Verdict, Witness

__all__ = [
    "CondKind",
    "Context",
    "HttpAnalysis",
    "HttpMatch",
    "HttpReport",
    "HttpRule",
    "L4Match",
    "L4Rule",
    "Outcome",
    "Request",
    "Selector",
    "StrCond",
    "Verdict",
    "Witness",
    "absent",
    "exact",
    "first_match",
    "http_match",
    "http_rule",
    "match_ineffective",
    "prefix",
    "present",
    "regex",
    "rule_unreachable",
    "tcp_unreachable",
    "tls_unreachable",
    "uncovered_request",
    "without",
]
