"""mTLS and authorization rules (MESH3xx)."""

from __future__ import annotations

from meshlint.analyzers.security import (
    authz_allow_all,
    authz_custom_provider,
    authz_deny_all,
    authz_http_on_tcp,
    authz_identity_without_mtls,
    authz_invalid_value,
    authz_selector_no_workloads,
    authz_unknown_source,
    jwt_not_enforced,
    mtls_disabled_partner,
    mtls_namespace_disable_workload_strict,
    mtls_plaintext_port,
    mtls_plaintext_to_strict,
    mtls_to_no_sidecar,
    pa_port_level_without_selector,
    pa_root_selector_ignored,
)
from meshlint.rule import Rule

RULES: tuple[Rule, ...] = (
    mtls_plaintext_to_strict.RULE,
    mtls_to_no_sidecar.RULE,
    mtls_plaintext_port.RULE,
    mtls_namespace_disable_workload_strict.RULE,
    pa_port_level_without_selector.RULE,
    pa_root_selector_ignored.RULE,
    mtls_disabled_partner.RULE,
    authz_identity_without_mtls.RULE,
    authz_deny_all.RULE,
    authz_allow_all.RULE,
    authz_selector_no_workloads.RULE,
    authz_unknown_source.RULE,
    authz_http_on_tcp.RULE,
    authz_custom_provider.RULE,
    jwt_not_enforced.RULE,
    authz_invalid_value.RULE,
)
