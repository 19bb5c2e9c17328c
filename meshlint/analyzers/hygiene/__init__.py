"""Kubernetes, ServiceEntry, Sidecar and hygiene rules (MESH5xx)."""

from __future__ import annotations

from meshlint.analyzers.hygiene import (
    exportto_unknown_namespace,
    ns_injection,
    se_addresses_required,
    se_protocol_conflict,
    sidecar_egress_hides_route,
    sidecar_selector,
    svc_port_protocol,
    workload_multi_service,
    workload_uid_1337,
)
from meshlint.rule import Rule

RULES: tuple[Rule, ...] = (
    svc_port_protocol.RULE,
    ns_injection.RULE,
    se_addresses_required.RULE,
    se_protocol_conflict.RULE,
    sidecar_selector.RULE,
    sidecar_egress_hides_route.RULE,
    workload_multi_service.RULE,
    workload_uid_1337.RULE,
    exportto_unknown_namespace.RULE,
)
