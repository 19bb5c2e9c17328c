"""The rule registry: every built-in rule, imported explicitly and sorted by code."""

from __future__ import annotations

from types import MappingProxyType

from meshlint.analyzers.routing import (
    vs_duplicate_destination,
    vs_gateway_unknown,
    vs_host_not_in_gateway,
    vs_host_unknown,
    vs_port_unknown,
    vs_subset_undefined,
    vs_weight_single_destination,
    vs_weight_sum,
    vs_weight_total_zero,
)
from meshlint.analyzers.tool import TOOL_RULES
from meshlint.rule import Rule

_ANALYZERS: tuple[Rule, ...] = (
    vs_weight_total_zero.RULE,
    vs_weight_single_destination.RULE,
    vs_weight_sum.RULE,
    vs_duplicate_destination.RULE,
    vs_subset_undefined.RULE,
    vs_host_unknown.RULE,
    vs_port_unknown.RULE,
    vs_gateway_unknown.RULE,
    vs_host_not_in_gateway.RULE,
)

ALL_RULES: tuple[Rule, ...] = tuple(sorted((*TOOL_RULES, *_ANALYZERS), key=lambda rule: rule.code))
RULES_BY_CODE = MappingProxyType({rule.code: rule for rule in ALL_RULES})
RULES_BY_NAME = MappingProxyType({rule.name: rule for rule in ALL_RULES})

# Codes that were used once and must never be reused: code -> what replaced it.
RETIRED: MappingProxyType[str, str] = MappingProxyType({})
