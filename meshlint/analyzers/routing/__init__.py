"""VirtualService routing rules (MESH1xx)."""

from __future__ import annotations

from meshlint.analyzers.routing import (
    vs_duplicate_destination,
    vs_fault_injection,
    vs_gateway_unknown,
    vs_host_conflict,
    vs_host_not_in_gateway,
    vs_host_unknown,
    vs_ingress_bypasses_subsets,
    vs_jwt_claim_route_unauthenticated,
    vs_match_ineffective,
    vs_mirror_invalid,
    vs_no_default_route,
    vs_not_exported_to_gateway,
    vs_port_unknown,
    vs_retry_exceeds_timeout,
    vs_rule_unreachable,
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
    vs_rule_unreachable.RULE,
    vs_match_ineffective.RULE,
    vs_no_default_route.RULE,
    vs_subset_undefined.RULE,
    vs_host_unknown.RULE,
    vs_port_unknown.RULE,
    vs_gateway_unknown.RULE,
    vs_host_not_in_gateway.RULE,
    vs_host_conflict.RULE,
    vs_mirror_invalid.RULE,
    vs_not_exported_to_gateway.RULE,
    vs_ingress_bypasses_subsets.RULE,
    vs_retry_exceeds_timeout.RULE,
    vs_fault_injection.RULE,
    vs_jwt_claim_route_unauthenticated.RULE,
)
