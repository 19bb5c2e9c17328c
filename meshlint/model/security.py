"""security.istio.io models: PeerAuthentication, RequestAuthentication, AuthorizationPolicy.

Field coverage follows istio/api security/v1beta1/*.proto (served as v1 and v1beta1).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from meshlint.model.base import Kind, MeshModel, Resource
from meshlint.model.common import (
    Duration,
    PolicyTargetReference,
    WorkloadSelector,
    schema_required,
)

MTLSMode = Literal["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]
Action = Literal["ALLOW", "DENY", "AUDIT", "CUSTOM"]

# ---------------------------------------------------------------- PeerAuthentication


class MutualTLS(MeshModel):
    mode: MTLSMode | None = None


class PeerAuthenticationSpec(MeshModel):
    selector: WorkloadSelector | None = None
    mtls: MutualTLS | None = None
    # Keys are workload (container) ports; YAML gives ints, JSON gives digit strings.
    port_level_mtls: dict[int, MutualTLS] = Field(
        default_factory=dict,
        json_schema_extra={"propertyNames": {"pattern": "^[0-9]+$"}, "minProperties": 1},
    )


class PeerAuthentication(Resource):
    KIND: ClassVar[Kind] = Kind.PEER_AUTHENTICATION
    spec: PeerAuthenticationSpec = Field(default_factory=PeerAuthenticationSpec)


# ---------------------------------------------------------------- RequestAuthentication


class JWTHeader(MeshModel):
    model_config = schema_required("name")

    name: str = ""
    prefix: str | None = None


class ClaimToHeader(MeshModel):
    model_config = schema_required("header", "claim")

    header: str = ""
    claim: str = ""


class JWTRule(MeshModel):
    issuer: str = ""
    audiences: tuple[str, ...] = ()
    jwks_uri: str | None = None
    jwks: str | None = None
    from_headers: tuple[JWTHeader, ...] = ()
    from_params: tuple[str, ...] = ()
    output_payload_to_header: str | None = None
    from_cookies: tuple[str, ...] = ()
    forward_original_token: bool | None = None
    output_claim_to_headers: tuple[ClaimToHeader, ...] = ()
    timeout: Duration | None = None


class RequestAuthenticationSpec(MeshModel):
    selector: WorkloadSelector | None = None
    target_ref: PolicyTargetReference | None = None
    target_refs: tuple[PolicyTargetReference, ...] = ()
    jwt_rules: tuple[JWTRule, ...] = ()


class RequestAuthentication(Resource):
    KIND: ClassVar[Kind] = Kind.REQUEST_AUTHENTICATION
    spec: RequestAuthenticationSpec = Field(default_factory=RequestAuthenticationSpec)


# ---------------------------------------------------------------- AuthorizationPolicy


class Source(MeshModel):
    principals: tuple[str, ...] = ()
    not_principals: tuple[str, ...] = ()
    request_principals: tuple[str, ...] = ()
    not_request_principals: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    not_namespaces: tuple[str, ...] = ()
    service_accounts: tuple[str, ...] = ()
    not_service_accounts: tuple[str, ...] = ()
    trust_domains: tuple[str, ...] = ()
    not_trust_domains: tuple[str, ...] = ()
    ip_blocks: tuple[str, ...] = ()
    not_ip_blocks: tuple[str, ...] = ()
    remote_ip_blocks: tuple[str, ...] = ()
    not_remote_ip_blocks: tuple[str, ...] = ()


class Operation(MeshModel):
    hosts: tuple[str, ...] = ()
    not_hosts: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()
    not_ports: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    not_methods: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    not_paths: tuple[str, ...] = ()


class From(MeshModel):
    source: Source | None = None


class To(MeshModel):
    operation: Operation | None = None


class Condition(MeshModel):
    model_config = schema_required("key")

    key: str = ""
    values: tuple[str, ...] = ()
    not_values: tuple[str, ...] = ()


class Rule(MeshModel):
    """One rule: matches when one ``from``, one ``to`` and every ``when`` condition match."""

    from_: tuple[From, ...] | None = Field(None, alias="from")
    to: tuple[To, ...] | None = None
    when: tuple[Condition, ...] = ()


class ExtensionProvider(MeshModel):
    model_config = schema_required("name")

    name: str = ""


class AuthorizationPolicySpec(MeshModel):
    selector: WorkloadSelector | None = None
    target_ref: PolicyTargetReference | None = None
    target_refs: tuple[PolicyTargetReference, ...] = ()
    rules: tuple[Rule, ...] | None = None
    action: Action | None = None
    provider: ExtensionProvider | None = None

    @property
    def effective_action(self) -> Action:
        """The action, with Istio's default ALLOW when unset."""
        return self.action or "ALLOW"


class AuthorizationPolicy(Resource):
    KIND: ClassVar[Kind] = Kind.AUTHORIZATION_POLICY
    spec: AuthorizationPolicySpec = Field(default_factory=AuthorizationPolicySpec)
