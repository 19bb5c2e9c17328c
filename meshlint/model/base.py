"""Kinds, metadata and the resource base class shared by every typed model."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from meshlint.findings import ResourceRef
from meshlint.source import SourceMap

ISTIO_NETWORKING = "networking.istio.io"
ISTIO_SECURITY = "security.istio.io"
NETWORKING_VERSIONS = ("v1", "v1beta1", "v1alpha3")
SECURITY_VERSIONS = ("v1", "v1beta1")
GATEWAY_API = "gateway.networking.k8s.io"
GATEWAY_API_VERSIONS = ("v1", "v1beta1")


class Kind(enum.Enum):
    """Every kind meshlint models, as (API group, kind). The core group is ""."""

    VIRTUAL_SERVICE = (ISTIO_NETWORKING, "VirtualService")
    DESTINATION_RULE = (ISTIO_NETWORKING, "DestinationRule")
    GATEWAY = (ISTIO_NETWORKING, "Gateway")
    SERVICE_ENTRY = (ISTIO_NETWORKING, "ServiceEntry")
    SIDECAR = (ISTIO_NETWORKING, "Sidecar")
    WORKLOAD_ENTRY = (ISTIO_NETWORKING, "WorkloadEntry")
    PEER_AUTHENTICATION = (ISTIO_SECURITY, "PeerAuthentication")
    REQUEST_AUTHENTICATION = (ISTIO_SECURITY, "RequestAuthentication")
    AUTHORIZATION_POLICY = (ISTIO_SECURITY, "AuthorizationPolicy")
    NAMESPACE = ("", "Namespace")
    SERVICE = ("", "Service")
    SERVICE_ACCOUNT = ("", "ServiceAccount")
    SECRET = ("", "Secret")
    CONFIG_MAP = ("", "ConfigMap")
    POD = ("", "Pod")
    DEPLOYMENT = ("apps", "Deployment")
    STATEFUL_SET = ("apps", "StatefulSet")
    DAEMON_SET = ("apps", "DaemonSet")
    REPLICA_SET = ("apps", "ReplicaSet")
    JOB = ("batch", "Job")
    CRON_JOB = ("batch", "CronJob")
    K8S_GATEWAY = (GATEWAY_API, "Gateway")  # Kubernetes Gateway API (Istio: KubernetesGateway)

    @property
    def group(self) -> str:
        return self.value[0]

    @property
    def kind_name(self) -> str:
        return self.value[1]

    @property
    def served_versions(self) -> tuple[str, ...]:
        if self.group == ISTIO_NETWORKING:
            return NETWORKING_VERSIONS
        if self.group == ISTIO_SECURITY:
            return SECURITY_VERSIONS
        if self.group == GATEWAY_API:
            return GATEWAY_API_VERSIONS
        return ("v1",)

    @property
    def schema_name(self) -> str:
        """A name unique across groups (schema files, docs): ``kind_name`` but for the
        Gateway API Gateway, which shares its kind name with Istio's Gateway."""
        return "KubernetesGateway" if self is Kind.K8S_GATEWAY else self.kind_name

    @classmethod
    def from_api(cls, api_version: str, kind: str) -> Kind | None:
        """The Kind for an (apiVersion, kind) pair, or None when meshlint does not model it."""
        group, _, version = api_version.rpartition("/")
        for member in cls:
            if member.kind_name == kind and member.group == group:
                return member if version in member.served_versions else None
        return None


class MeshModel(BaseModel):
    """Base for every model object: camelCase aliases, snake_case attributes, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        arbitrary_types_allowed=True,
        # validators are built on first use, so a run pays only for the kinds it reads
        # (measured: importing the model takes about a quarter of the time)
        defer_build=True,
    )


class Metadata(MeshModel):
    # A YAML number in a label or annotation (`version: 1`) is kept as its string form; the
    # schema still reports it, but the resource stays usable.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    name: str = ""
    namespace: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    creation_timestamp: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a resource was read: display path, document index, span map, Helm template."""

    path: str
    doc_index: int
    source: SourceMap
    template: str | None = None


class Resource(MeshModel):
    """A Kubernetes object with the fields every kind shares."""

    KIND: ClassVar[Kind]

    api_version: str = ""
    kind: str = ""
    metadata: Metadata = Field(default_factory=Metadata)
    origin: Origin | None = Field(default=None, exclude=True, repr=False)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def written_namespace(self) -> str | None:
        """The namespace as written in the YAML (None when absent)."""
        return self.metadata.namespace

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.kind, self.name, self.metadata.namespace, self.api_version)
