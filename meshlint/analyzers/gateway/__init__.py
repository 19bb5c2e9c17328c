"""Gateway rules (MESH4xx)."""

from __future__ import annotations

from meshlint.analyzers.gateway import (
    gw_duplicate_certificate,
    gw_host_unrouted,
    gw_port_not_on_service,
    gw_selector_no_workloads,
    gw_server_conflict,
    gw_tls_credential,
)
from meshlint.rule import Rule

RULES: tuple[Rule, ...] = (
    gw_selector_no_workloads.RULE,
    gw_server_conflict.RULE,
    gw_port_not_on_service.RULE,
    gw_tls_credential.RULE,
    gw_duplicate_certificate.RULE,
    gw_host_unrouted.RULE,
)
