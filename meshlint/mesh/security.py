"""PeerAuthentication precedence (4.2), client TLS (4.3) and policy selection (5.2, 5.6)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from meshlint.matching import labels_subset
from meshlint.mesh.inventory import creation_key
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.security import AuthorizationPolicy, PeerAuthentication, RequestAuthentication

P = TypeVar("P", AuthorizationPolicy, RequestAuthentication)


class MtlsMode(enum.StrEnum):
    UNSET = "UNSET"
    DISABLE = "DISABLE"
    PERMISSIVE = "PERMISSIVE"
    STRICT = "STRICT"


class MtlsLevel(enum.StrEnum):
    DEFAULT = "default"  # no policy: PERMISSIVE
    MESH = "mesh"
    NAMESPACE = "namespace"
    WORKLOAD = "workload"
    PORT = "port"


@dataclass(frozen=True, slots=True)
class MtlsDecision:
    """The effective server-side mode and the PeerAuthentication (and level) that set it."""

    mode: MtlsMode
    level: MtlsLevel = MtlsLevel.DEFAULT
    policy: PeerAuthentication | None = None


DEFAULT_DECISION = MtlsDecision(MtlsMode.PERMISSIVE)


def _selector_labels(policy: PeerAuthentication) -> dict[str, str]:
    selector = policy.spec.selector
    return dict(selector.match_labels) if selector is not None else {}


def _mode(policy: PeerAuthentication) -> MtlsMode:
    mtls = policy.spec.mtls
    return MtlsMode(mtls.mode) if mtls is not None and mtls.mode else MtlsMode.UNSET


class PeerAuthenticationIndex:
    """``getConfigsForWorkload`` + ``ComposePeerAuthentication`` (authentication.go,
    policy_applier.go): mesh -> namespace -> workload -> port, UNSET inherits, oldest wins
    within a level, selector policies in the root namespace are ignored."""

    __slots__ = ("_by_namespace", "_default", "_selected", "root")

    def __init__(self, policies: Iterable[tuple[PeerAuthentication, str]], root: str) -> None:
        self.root = root
        self._default: dict[str, PeerAuthentication] = {}  # oldest selector-less per namespace
        self._selected: dict[str, list[PeerAuthentication]] = {}
        self._by_namespace: dict[str, MtlsDecision] = {}  # namespace_mode, computed once each
        for policy, namespace in sorted(policies, key=lambda item: creation_key(*item)):
            if _selector_labels(policy):
                if namespace != root:  # ignored in the root namespace
                    self._selected.setdefault(namespace, []).append(policy)
            else:
                self._default.setdefault(namespace, policy)

    def namespace_mode(self, namespace: str) -> MtlsDecision:
        """Mesh + namespace levels only (``BestEffortInferServiceMTLSMode`` estimate)."""
        known = self._by_namespace.get(namespace)
        if known is None:
            known = self._by_namespace[namespace] = self._namespace_mode(namespace)
        return known

    def _namespace_mode(self, namespace: str) -> MtlsDecision:
        decision = DEFAULT_DECISION
        levels = [(MtlsLevel.MESH, self.root)]
        if namespace != self.root:
            levels.append((MtlsLevel.NAMESPACE, namespace))
        for level, owner in levels:
            policy = self._default.get(owner)
            if policy is not None and _mode(policy) is not MtlsMode.UNSET:
                decision = MtlsDecision(_mode(policy), level, policy)
        return decision

    def workload_policy(self, workload: WorkloadInfo) -> PeerAuthentication | None:
        """The oldest selector policy in the workload's namespace that selects it."""
        candidates = self._selected.get(workload.namespace, ())
        return next(
            (p for p in candidates if labels_subset(_selector_labels(p), workload.labels)), None
        )

    def mode_for(self, workload: WorkloadInfo, port: int | None = None) -> MtlsDecision:
        """Effective mode for ``port``: a workload (container/target) port, not a Service port."""
        decision = self.namespace_mode(workload.namespace)
        policy = self.workload_policy(workload)
        if policy is None:
            return decision
        if _mode(policy) is not MtlsMode.UNSET:
            decision = MtlsDecision(_mode(policy), MtlsLevel.WORKLOAD, policy)
        port_mtls = policy.spec.port_level_mtls.get(port) if port is not None else None
        if port_mtls is not None and port_mtls.mode and port_mtls.mode != MtlsMode.UNSET:
            decision = MtlsDecision(MtlsMode(port_mtls.mode), MtlsLevel.PORT, policy)
        return decision


class PolicySelector:
    """``ListAuthorizationPolicies`` / ``ShouldAttachPolicy`` for sidecar workloads: policies in
    the root namespace and the workload's namespace; ``targetRef(s)`` policies are ignored; no
    selector = every workload in scope; a root-namespace selector applies mesh-wide."""

    __slots__ = ("_by_namespace", "root")

    def __init__(self, policies: Iterable[tuple[P, str]], root: str) -> None:
        self.root = root
        self._by_namespace: dict[str, list[AuthorizationPolicy | RequestAuthentication]] = {}
        for policy, namespace in policies:
            if policy.spec.target_ref is None and not policy.spec.target_refs:
                self._by_namespace.setdefault(namespace, []).append(policy)

    def for_workload(
        self, workload: WorkloadInfo
    ) -> tuple[AuthorizationPolicy | RequestAuthentication, ...]:
        namespaces = dict.fromkeys((self.root, workload.namespace))
        return tuple(
            policy
            for namespace in namespaces
            for policy in self._by_namespace.get(namespace, ())
            if _applies(policy, workload)
        )


def _applies(policy: AuthorizationPolicy | RequestAuthentication, workload: WorkloadInfo) -> bool:
    selector = policy.spec.selector
    return selector is None or labels_subset(selector.match_labels, workload.labels)
