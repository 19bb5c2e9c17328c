"""Kubernetes kinds meshlint reads: Namespace, Service, ServiceAccount, Secret, ConfigMap, pods.

Workloads are Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob; they expose
their pod template through ``Workload.pod_template``. Only the fields mesh rules need are
modelled; everything else is ignored (meshlint is not a Kubernetes validator).
"""

from __future__ import annotations

import base64
import binascii
import warnings
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from meshlint.model.base import Kind, MeshModel, Metadata, Resource
from meshlint.model.common import Labels, LabelValue, PortNumber, schema_required

# ---------------------------------------------------------------- metadata-only kinds


class Namespace(Resource):
    KIND: ClassVar[Kind] = Kind.NAMESPACE


class ServiceAccount(Resource):
    KIND: ClassVar[Kind] = Kind.SERVICE_ACCOUNT


# ---------------------------------------------------------------- Secret

# data keys whose values Istio's SDS reads as PEM certificates (pilot/pkg/credentials/kube)
CERTIFICATE_KEYS = ("cert", "tls.crt", "cacert", "ca.crt")
# the model's own fields, never taken from the document
_FACT_FIELDS = frozenset(
    {"data", "stringData", "dataKeys", "data_keys", "emptyKeys", "empty_keys", "certificates"}
)


def _data_schema(schema: JsonDict) -> None:
    """The Secret schema types ``data`` and ``stringData``, the string maps the model drops (a
    null value is an empty one to the API server)."""
    values: JsonDict = {"type": ["string", "null"]}
    properties = schema.setdefault("properties", {})
    if isinstance(properties, dict):
        for field in ("data", "stringData"):
            properties[field] = {"type": "object", "additionalProperties": values}


class Validity(MeshModel):
    """The validity window of one certificate: ISO 8601 instants in UTC."""

    not_before: str
    not_after: str


class CertificateFacts(MeshModel):
    """What meshlint keeps of one certificate value: whether it parses, and when it is valid.

    ``error`` is None when the value holds PEM X.509 certificates, else one of ``empty``,
    ``not-text``, ``not-base64``, ``not-pem`` (no CERTIFICATE block) or ``not-x509`` (a block
    that does not parse). ``validity`` has one entry per certificate, in the order written.
    """

    error: str | None = None
    validity: tuple[Validity, ...] = ()

    @property
    def earliest_expiry(self) -> str | None:
        """When the first certificate expires (a chain is unusable from then on)."""
        return min((v.not_after for v in self.validity), default=None)

    @property
    def latest_expiry(self) -> str | None:
        """When the last certificate expires (a CA bundle is unusable from then on)."""
        return max((v.not_after for v in self.validity), default=None)


class Secret(Resource):
    """Metadata, ``type`` and non-secret facts about the data; the data itself is never kept.

    The facts are computed while building and the data is dropped: ``data_keys`` (keys of
    ``data`` and ``stringData``), ``empty_keys`` (those with an empty value) and
    ``certificates`` (CertificateFacts for the CERTIFICATE_KEYS present). Private keys are
    never decoded or parsed.
    """

    model_config = ConfigDict(json_schema_extra=_data_schema)

    KIND: ClassVar[Kind] = Kind.SECRET
    type: str | None = None
    data_keys: SkipJsonSchema[tuple[str, ...]] = ()
    empty_keys: SkipJsonSchema[tuple[str, ...]] = ()
    certificates: SkipJsonSchema[dict[str, CertificateFacts]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _facts_from_data(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        values = _secret_values(value)
        facts = {k: certificate_facts(*values[k]) for k in CERTIFICATE_KEYS if k in values}
        kept = {key: item for key, item in value.items() if key not in _FACT_FIELDS}
        kept["dataKeys"] = tuple(values)
        kept["emptyKeys"] = tuple(k for k, (item, _) in values.items() if item in (None, ""))
        kept["certificates"] = facts
        return kept

    def has_value(self, key: str) -> bool:
        """Whether ``key`` is in the data with a non-empty value (Istio's ``hasValue``)."""
        return key in self.data_keys and key not in self.empty_keys


def _secret_values(doc: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    """key -> (raw value, base64-encoded?); ``stringData`` overrides ``data`` as the API
    server does."""
    found: dict[str, tuple[Any, bool]] = {}
    for field, encoded in (("data", True), ("stringData", False)):
        block = doc.get(field)
        if isinstance(block, dict):
            found.update((str(key), (item, encoded)) for key, item in block.items())
    return found


def certificate_facts(value: Any, encoded: bool) -> CertificateFacts:
    """Facts about one certificate value (base64 when ``encoded``, as in ``data``)."""
    if value is None or value == "":
        return CertificateFacts(error="empty")
    if not isinstance(value, str):
        return CertificateFacts(error="not-text")
    if not encoded:
        return _parse_pem(value.encode())
    try:
        pem = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return CertificateFacts(error="not-base64")
    return _parse_pem(pem)


def _parse_pem(pem: bytes) -> CertificateFacts:
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        return CertificateFacts(error="not-pem")
    # imported here: the import costs tens of milliseconds, paid only for certificates
    from cryptography import x509
    from cryptography.utils import CryptographyDeprecationWarning

    try:
        with warnings.catch_warnings():
            # e.g. a zero serial number: Envoy accepts it, so meshlint does too
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        return CertificateFacts(error="not-x509")
    return CertificateFacts(
        validity=tuple(
            Validity(
                not_before=c.not_valid_before_utc.isoformat(),
                not_after=c.not_valid_after_utc.isoformat(),
            )
            for c in certificates
        )
    )


class ConfigMap(Resource):
    """Metadata and the string ``data`` map (Istio's mesh config and injector templates)."""

    KIND: ClassVar[Kind] = Kind.CONFIG_MAP
    data: dict[str, LabelValue] = Field(default_factory=dict)

    @property
    def data_keys(self) -> tuple[str, ...]:
        return tuple(self.data)


# ---------------------------------------------------------------- Service


class ServicePort(MeshModel):
    model_config = schema_required("port")

    name: str | None = None
    port: PortNumber | None = None
    target_port: int | str | None = None
    protocol: str | None = None
    app_protocol: str | None = None
    node_port: int | None = None


class ServiceSpec(MeshModel):
    type: str | None = None
    selector: Labels = Field(default_factory=dict)
    ports: tuple[ServicePort, ...] = ()
    cluster_ip: str | None = Field(None, alias="clusterIP")
    cluster_ips: tuple[str, ...] = Field((), alias="clusterIPs")
    external_name: str | None = None

    @property
    def is_headless(self) -> bool:
        return self.cluster_ip == "None"


class Service(Resource):
    KIND: ClassVar[Kind] = Kind.SERVICE
    spec: ServiceSpec = Field(default_factory=ServiceSpec)


# ---------------------------------------------------------------- pods and workloads


class SecurityContext(MeshModel):
    run_as_user: int | None = None


class ContainerPort(MeshModel):
    name: str | None = None
    container_port: PortNumber | None = None
    protocol: str | None = None


class Container(MeshModel):
    name: str = ""
    image: str | None = None
    ports: tuple[ContainerPort, ...] = ()
    security_context: SecurityContext | None = None


class PodSpec(MeshModel):
    service_account_name: str | None = None
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    security_context: SecurityContext | None = None
    host_network: bool | None = None

    @property
    def effective_service_account(self) -> str:
        """The service account the pod runs as (Kubernetes defaults it to ``default``)."""
        return self.service_account_name or "default"


class PodTemplateSpec(MeshModel):
    metadata: Metadata = Field(default_factory=Metadata)
    spec: PodSpec = Field(default_factory=PodSpec)


class LabelSelectorRequirement(MeshModel):
    key: str = ""
    operator: str = ""
    values: tuple[str, ...] = ()


class LabelSelector(MeshModel):
    match_labels: Labels = Field(default_factory=dict)
    match_expressions: tuple[LabelSelectorRequirement, ...] = ()


class Workload(Resource):
    """A resource that runs pods; ``pod_template`` gives their labels, annotations and spec."""

    @property
    def pod_template(self) -> PodTemplateSpec:
        raise NotImplementedError


class Pod(Workload):
    KIND: ClassVar[Kind] = Kind.POD
    spec: PodSpec = Field(default_factory=PodSpec)

    @property
    def pod_template(self) -> PodTemplateSpec:
        return PodTemplateSpec(metadata=self.metadata, spec=self.spec)


class WorkloadSpec(MeshModel):
    """The part shared by Deployment, StatefulSet, DaemonSet, ReplicaSet and Job specs."""

    selector: LabelSelector | None = None
    replicas: int | None = None
    template: PodTemplateSpec = Field(default_factory=PodTemplateSpec)


class TemplatedWorkload(Workload):
    spec: WorkloadSpec = Field(default_factory=WorkloadSpec)

    @property
    def pod_template(self) -> PodTemplateSpec:
        return self.spec.template


class Deployment(TemplatedWorkload):
    KIND: ClassVar[Kind] = Kind.DEPLOYMENT


class StatefulSet(TemplatedWorkload):
    KIND: ClassVar[Kind] = Kind.STATEFUL_SET


class DaemonSet(TemplatedWorkload):
    KIND: ClassVar[Kind] = Kind.DAEMON_SET


class ReplicaSet(TemplatedWorkload):
    KIND: ClassVar[Kind] = Kind.REPLICA_SET


class Job(TemplatedWorkload):
    KIND: ClassVar[Kind] = Kind.JOB


class JobTemplateSpec(MeshModel):
    metadata: Metadata = Field(default_factory=Metadata)
    spec: WorkloadSpec = Field(default_factory=WorkloadSpec)


class CronJobSpec(MeshModel):
    schedule: str | None = None
    job_template: JobTemplateSpec = Field(default_factory=JobTemplateSpec)


class CronJob(Workload):
    KIND: ClassVar[Kind] = Kind.CRON_JOB
    spec: CronJobSpec = Field(default_factory=CronJobSpec)

    @property
    def pod_template(self) -> PodTemplateSpec:
        return self.spec.job_template.spec.template
