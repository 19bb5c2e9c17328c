"""Steps 5 and 6: destinations with their share, the DestinationRule each gets, and the
workloads behind them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from meshlint.explain.route import Taken
from meshlint.explain.scene import Scene
from meshlint.graph.routing import effective_percents
from meshlint.mesh import ResolvedDestinationRule, ServiceInfo, WorkloadInfo
from meshlint.mesh.traffic_queries import subset_selector
from meshlint.model.networking import HTTPRoute, TrafficPolicy

ROUTED = frozenset({"rule", "default", "unrouted"})


@dataclass(frozen=True, slots=True)
class Backend:
    """One destination of the taken route. ``percent`` None: weight 0 (no traffic).

    ``dr`` is the DestinationRule entry the caller's lookup returns (3.4); ``workloads`` are the
    Service's endpoints narrowed to the subset labels; ``direct`` means no client proxy (or a
    passthrough): no DestinationRule applies and the Service balances over all endpoints.
    """

    host: str
    subset: str | None
    port: int
    percent: float | None
    weight: int | None
    services: tuple[ServiceInfo, ...]
    workloads: tuple[WorkloadInfo, ...]
    dr: ResolvedDestinationRule | None = None
    policy: TrafficPolicy | None = None
    direct: bool = False
    pointer: str = ""  # where the destination is written in the VirtualService

    @property
    def subset_missing(self) -> bool:
        if not self.subset:
            return False
        return self.dr is None or self.dr.subset(self.subset) is None

    @property
    def label(self) -> str:
        return self.host + (f" subset {self.subset}" if self.subset else "")


def backends(scene: Scene, taken: Taken) -> tuple[Backend, ...]:
    """The destinations of the route the request took (none for 404, blackhole, redirects)."""
    if taken.kind in ("direct", "passthrough"):
        return (_backend(scene, scene.target.host, direct=True),)
    if taken.kind not in ROUTED:
        return ()
    candidate = taken.candidate
    if candidate is None:
        return (_backend(scene, scene.target.host),)
    entries = [e for e in candidate.route.route if e.destination is not None]
    percents = effective_percents([e.weight for e in entries])
    found = []
    for index, (entry, percent) in enumerate(zip(entries, percents, strict=True)):
        destination = entry.destination
        assert destination is not None
        host = scene.mesh.fqdn(destination.host, candidate.vs.namespace).lower()
        port = destination.port.number if destination.port is not None else None
        at = f"{candidate.pointer}/route/{index}/destination"
        item = _backend(
            scene,
            host,
            subset=destination.subset or None,
            port=port,
            percent=percent,
            weight=entry.weight,
        )
        found.append(_with_pointer(item, at))
    return tuple(found)


def _with_pointer(backend: Backend, pointer: str) -> Backend:
    return replace(backend, pointer=pointer)


def _backend(  # noqa: PLR0913 - one value per field of a route destination
    scene: Scene,
    host: str,
    *,
    subset: str | None = None,
    port: int | None = None,
    percent: float | None = 100.0,
    weight: int | None = None,
    direct: bool = False,
) -> Backend:
    mesh = scene.mesh
    namespace = scene.caller.namespace
    services = mesh.services_for_host(host, namespace) or mesh.services_for_host(host)
    number = port if port is not None else scene.target.port
    dr = None
    if not direct:
        labels = scene.caller.workload.labels if scene.caller.workload is not None else None
        dr = mesh.destination_rule_for(namespace, host, client_labels=labels)
    policy = mesh.subset_policy(dr, subset, number) if dr is not None else None
    workloads = _workloads(scene, services, dr, subset)
    return Backend(host, subset, number, percent, weight, services, workloads, dr, policy, direct)


def _workloads(
    scene: Scene,
    services: Sequence[ServiceInfo],
    dr: ResolvedDestinationRule | None,
    subset: str | None,
) -> tuple[WorkloadInfo, ...]:
    """Service selector, then the subset's labels from the DR the caller gets (3.5)."""
    found = [w for s in services[:1] for w in scene.mesh.workloads_for_service(s)]
    if subset:
        chosen = dr.subset(subset) if dr is not None else None
        if chosen is None:
            return ()
        labels = subset_selector(chosen)
        found = [w for w in found if all(w.labels.get(k) == v for k, v in labels.items())]
    return tuple(found)


def route_policy(route: HTTPRoute | None) -> dict[str, object]:
    """timeout, retries, fault and mirrors as written on the route (absent: Istio defaults)."""
    if route is None:
        return {}
    data: dict[str, object] = {}
    for name in ("timeout", "retries", "fault", "mirror", "mirrors", "mirror_percentage"):
        value = getattr(route, name)
        if value:
            data[_camel(name)] = _dump(value)
    return data


def _dump(value: object) -> object:
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if dump is None:
        return value
    return dump(by_alias=True, exclude_none=True, exclude_defaults=True, mode="json")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def policy_components(policy: TrafficPolicy | None) -> dict[str, object]:
    """The DestinationRule components in force for this subset and port (3.2)."""
    if policy is None:
        return {}
    names = ("load_balancer", "connection_pool", "outlier_detection", "tls")
    return {_camel(n): _dump(getattr(policy, n)) for n in names if getattr(policy, n)}
