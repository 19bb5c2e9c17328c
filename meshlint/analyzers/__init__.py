"""The rule registry: every built-in rule, imported explicitly and sorted by code.

Each family package lists its rules in an explicit ``RULES`` tuple; this module joins them.
"""

from __future__ import annotations

from types import MappingProxyType

from meshlint.analyzers import gateway, hygiene, routing, security, traffic
from meshlint.analyzers.tool import TOOL_RULES
from meshlint.rule import Rule

_ANALYZERS: tuple[Rule, ...] = (
    *routing.RULES,
    *traffic.RULES,
    *security.RULES,
    *gateway.RULES,
    *hygiene.RULES,
)

ALL_RULES: tuple[Rule, ...] = tuple(sorted((*TOOL_RULES, *_ANALYZERS), key=lambda rule: rule.code))
RULES_BY_CODE = MappingProxyType({rule.code: rule for rule in ALL_RULES})
RULES_BY_NAME = MappingProxyType({rule.name: rule for rule in ALL_RULES})

# Codes that were used once and must never be reused: code -> what replaced it.
RETIRED: MappingProxyType[str, str] = MappingProxyType({})
