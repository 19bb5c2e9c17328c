"""VirtualService routing rules (MESH1xx)."""

from __future__ import annotations

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
from meshlint.rule import Rule

RULES: tuple[Rule, ...] = (
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
