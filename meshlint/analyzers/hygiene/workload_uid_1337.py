"""MESH508: an application container runs as UID 1337, the UID whose traffic the sidecar skips."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.hygiene_queries import PROXY_UID, app_containers
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.rule import Rule, RuleContext

WORKLOAD_KINDS = (
    Kind.POD,
    Kind.DEPLOYMENT,
    Kind.STATEFUL_SET,
    Kind.DAEMON_SET,
    Kind.REPLICA_SET,
    Kind.JOB,
    Kind.CRON_JOB,
)
_TEMPLATE_SPEC = {
    Kind.POD: "/spec",
    Kind.CRON_JOB: "/spec/jobTemplate/spec/template/spec",
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for workload in ctx.mesh.workloads():
        if workload.has_sidecar is False:
            continue  # no sidecar: UID 1337 bypasses nothing
        yield from _check_workload(ctx, workload)


def _check_workload(ctx: RuleContext, workload: WorkloadInfo) -> Iterator[Finding]:
    template = workload.pod_template
    if template is None:
        return
    base = _TEMPLATE_SPEC.get(workload.kind, "/spec/template/spec")
    pod_context = template.spec.security_context
    pod_uid = pod_context.run_as_user if pod_context else None
    for index, container in app_containers(template):
        own = container.security_context.run_as_user if container.security_context else None
        if own is not None:
            pointer = f"{base}/containers/{index}/securityContext/runAsUser"
        else:
            own, pointer = pod_uid, f"{base}/securityContext/runAsUser"
        if own == PROXY_UID:
            yield ctx.finding(workload.resource, pointer, container=container.name or "?")


RULE = Rule(
    code="MESH508",
    name="workload-uid-1337",
    summary="An application container runs as UID 1337, the proxy's UID",
    message="container {container} runs as UID 1337: its traffic bypasses the sidecar",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.NAMESPACE, *WORKLOAD_KINDS}),
    rationale=(
        "The sidecar's iptables rules exempt traffic from UID 1337 so that the proxy's own "
        "connections are not captured again. An application container running as 1337 "
        "(set on the container, or inherited from the pod securityContext) therefore "
        "sends its outbound traffic straight to the network: no mTLS, no routing rules, no "
        "telemetry and no egress control."
    ),
    remediation=(
        "Run application containers as another UID; set runAsUser on the container when "
        "the pod securityContext uses 1337."
    ),
    example_bad="""\
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  securityContext: {runAsUser: 1337}
  containers: [{name: app, image: app}]
""",
    example_good="""\
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  securityContext: {runAsUser: 1000}
  containers: [{name: app, image: app}]
""",
    since="0.1.0",
    istio=("IST0144",),
    check=check,
)
