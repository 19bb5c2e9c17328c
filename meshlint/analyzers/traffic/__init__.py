"""DestinationRule and subset rules (MESH2xx)."""

from __future__ import annotations

from meshlint.analyzers.traffic import (
    dr_conflict,
    dr_hidden_by_wildcard,
    dr_host_unknown,
    dr_locality_without_outlier,
    dr_port_settings_reset,
    dr_subset_no_workloads,
    dr_subset_unused,
    dr_tls_no_ca,
)
from meshlint.rule import Rule

RULES: tuple[Rule, ...] = (
    dr_subset_no_workloads.RULE,
    dr_subset_unused.RULE,
    dr_host_unknown.RULE,
    dr_conflict.RULE,
    dr_hidden_by_wildcard.RULE,
    dr_locality_without_outlier.RULE,
    dr_tls_no_ca.RULE,
    dr_port_settings_reset.RULE,
)
