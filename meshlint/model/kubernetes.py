"""Kubernetes kinds meshlint reads: Namespace, Service, ServiceAccount, Secret, ConfigMap, pods.

Workloads are Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob; they expose
their pod template through ``Workload.pod_template``. Only the fields mesh rules need are
modelled; everything else is ignored (meshlint is not a Kubernetes validator).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from meshlint.model.base import Kind, MeshModel, Metadata, Resource
from meshlint.model.common import Labels, LabelValue, PortNumber, schema_required

# ---------------------------------------------------------------- metadata-only kinds


class Namespace(Resource):
    KIND: ClassVar[Kind] = Kind.NAMESPACE


class ServiceAccount(Resource):
    KIND: ClassVar[Kind] = Kind.SERVICE_ACCOUNT


class Secret(Resource):
    """Metadata and ``type`` only: secret data is never kept in the model."""

    KIND: ClassVar[Kind] = Kind.SECRET
    type: str | None = None


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
