"""DestinationRule merging, per-client lookup and policy precedence (sections 3.2-3.4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from meshlint.matching import (
    ExportTo,
    expand_short_name,
    is_wildcard,
    labels_subset,
    most_specific_match,
)
from meshlint.mesh.inventory import creation_key
from meshlint.mesh.visibility import export_to_of
from meshlint.meshconfig import MeshSettings
from meshlint.model.networking import DestinationRule, Subset, TrafficPolicy

# Components a subset (or a port-level entry) replaces wholesale (MergeTrafficPolicy).
SUBSET_COMPONENTS = (
    "connection_pool",
    "load_balancer",
    "outlier_detection",
    "tls",
    "tunnel",
    "proxy_protocol",
    "retry_budget",
)
PORT_COMPONENTS = ("connection_pool", "load_balancer", "outlier_detection", "tls")


@dataclass(frozen=True, slots=True, eq=False)
class ResolvedDestinationRule:
    """One consolidated DR entry: same namespace, same host string (``mergeDestinationRule``).

    ``rules`` are the merged DRs in sort order; the first one's ``trafficPolicy`` wins unless it
    has none; subsets are unioned by name with the first definition kept.
    """

    host: str  # FQDN, lower-cased
    namespace: str
    rules: tuple[DestinationRule, ...]
    subsets: tuple[Subset, ...]
    traffic_policy: TrafficPolicy | None
    export_to: ExportTo
    selector: Mapping[str, str] | None = None
    # (subset name, the later DR whose duplicate definition was dropped)
    dropped_subsets: tuple[tuple[str, DestinationRule], ...] = field(default=())

    @property
    def rule(self) -> DestinationRule:
        return self.rules[0]

    def subset(self, name: str) -> Subset | None:
        return next((s for s in self.subsets if s.name == name), None)


def dr_selector(rule: DestinationRule) -> Mapping[str, str] | None:
    selector = rule.spec.workload_selector
    return None if selector is None else dict(selector.match_labels)


def _sort_key(rule: DestinationRule, namespace: str) -> tuple[bool, tuple[str, str, str]]:
    # sortConfigBySelectorAndCreationTime: DRs with workloadSelector first, then oldest first
    return (rule.spec.workload_selector is None, creation_key(rule, namespace))


def _merge(entry: ResolvedDestinationRule, rule: DestinationRule) -> ResolvedDestinationRule:
    known = {s.name for s in entry.subsets}
    added = tuple(s for s in rule.spec.subsets if s.name not in known)
    dropped = tuple((s.name, rule) for s in rule.spec.subsets if s.name in known)
    return ResolvedDestinationRule(
        host=entry.host,
        namespace=entry.namespace,
        rules=(*entry.rules, rule),
        subsets=(*entry.subsets, *added),
        traffic_policy=entry.traffic_policy or rule.spec.traffic_policy,
        export_to=entry.export_to,
        selector=entry.selector,
        dropped_subsets=(*entry.dropped_subsets, *dropped),
    )


def consolidate(
    rules: Iterable[tuple[DestinationRule, str]], settings: MeshSettings
) -> dict[tuple[str, str], list[ResolvedDestinationRule]]:
    """``setDestinationRules``: entries per (namespace, FQDN host).

    Only DRs with the identical host string in the same namespace merge, and (with
    ENABLE_ENHANCED_DESTINATIONRULE_MERGE, the default) only with equal exportTo and an equal
    selector; otherwise they stay separate entries.
    """
    table: dict[tuple[str, str], list[ResolvedDestinationRule]] = {}
    for rule, namespace in sorted(rules, key=lambda item: _sort_key(*item)):
        host = expand_short_name(rule.spec.host, namespace, settings.domain_suffix).lower()
        export = export_to_of(rule, namespace, settings)
        selector = dr_selector(rule)
        entries = table.setdefault((namespace, host), [])
        for index, entry in enumerate(entries):
            if entry.export_to == export and entry.selector == selector:
                entries[index] = _merge(entry, rule)
                break
        else:
            entries.append(
                ResolvedDestinationRule(
                    host,
                    namespace,
                    (rule,),
                    tuple(_unique(rule.spec.subsets)),
                    rule.spec.traffic_policy,
                    export,
                    selector,
                )
            )
    return table


def _unique(subsets: Iterable[Subset]) -> Iterable[Subset]:
    seen: set[str] = set()
    for subset in subsets:
        if subset.name not in seen:
            seen.add(subset.name)
            yield subset


@dataclass(slots=True)
class _Level:
    """DR entries of one namespace at one visibility level, by host."""

    entries: dict[str, list[ResolvedDestinationRule]] = field(default_factory=dict)
    wildcards: list[str] = field(default_factory=list)

    def add(self, entry: ResolvedDestinationRule) -> None:
        if entry.host not in self.entries and is_wildcard(entry.host):
            self.wildcards.append(entry.host)
        self.entries.setdefault(entry.host, []).append(entry)

    def best(self, host: str) -> list[ResolvedDestinationRule] | None:
        """``MostSpecificHostMatch``: the exact host, else the longest matching wildcard."""
        if host in self.entries:
            return self.entries[host]
        match = most_specific_match(host, self.wildcards)
        return None if match is None else self.entries[match]


class DestinationRuleIndex:
    """``PushContext.destinationRule`` + ``SidecarScope.DestinationRule`` (section 3.4)."""

    __slots__ = ("_exported", "_local", "_root_private", "root", "table")

    def __init__(
        self, rules: Iterable[tuple[DestinationRule, str]], settings: MeshSettings
    ) -> None:
        self.root = settings.root_namespace
        self.table = consolidate(rules, settings)
        self._local: dict[str, _Level] = {}
        self._exported: dict[str, _Level] = {}
        self._root_private = _Level()
        for (namespace, _), entries in self.table.items():
            for entry in entries:
                self._file(namespace, entry)

    def _file(self, namespace: str, entry: ResolvedDestinationRule) -> None:
        export = entry.export_to
        if export.visible_to(namespace):
            self._local.setdefault(namespace, _Level()).add(entry)
        if export.private and namespace == self.root:
            self._root_private.add(entry)
        if not export.private and not export.hidden:
            self._exported.setdefault(namespace, _Level()).add(entry)

    def lookup(
        self,
        client_namespace: str,
        host: str,
        service_namespace: str | None,
        client_labels: Mapping[str, str] | None = None,
    ) -> ResolvedDestinationRule | None:
        """Client namespace, then the service's namespace, then the root namespace; stop at
        the first level with a host match (a wildcard DR in the client namespace hides an
        exact DR in the service namespace)."""
        host = host.lower()
        if client_namespace == self.root:
            # only root-namespace DRs private to it at this step
            local = self._root_private.best(host)
        else:
            local = self._local.get(client_namespace, _Level()).best(host)
        if local is not None:
            return _choose(local, client_namespace, client_labels)
        for namespace in (service_namespace, self.root):
            if namespace is None:
                continue
            found = self._exported.get(namespace, _Level()).best(host)
            # getExportedDestinationRuleFromNamespace: the best host must be exported to the
            # client, otherwise this level yields nothing (no fallback to a lesser wildcard)
            if found is not None and any(e.export_to.visible_to(client_namespace) for e in found):
                return _choose(found, client_namespace, client_labels)
        return None


def _choose(
    entries: list[ResolvedDestinationRule],
    client_namespace: str,
    client_labels: Mapping[str, str] | None,
) -> ResolvedDestinationRule | None:
    """A matching selector DR in the client's own namespace wins; else the last one without
    selector. Unknown client labels (None) never match a selector."""
    catch_all = None
    for entry in entries:
        if entry.selector is None:
            catch_all = entry
        elif (
            client_labels is not None
            and entry.namespace == client_namespace
            and labels_subset(entry.selector, client_labels)
        ):
            return entry
    return catch_all


def subset_policy(
    traffic_policy: TrafficPolicy | None, subset: Subset | None, port: int | None
) -> TrafficPolicy | None:
    """The policy a cluster gets (``MergeSubsetTrafficPolicy`` / ``GetPortLevelTrafficPolicy``).

    A port-level entry (the first whose port matches) replaces connectionPool, loadBalancer,
    outlierDetection and tls; omitted ones fall back to defaults, not to the top level. A
    subset's components replace the top-level ones wholesale, and a subset port-level entry
    for the port replaces those four again.
    """
    merged = _port_level(traffic_policy, port)
    subset_tp = subset.traffic_policy if subset is not None else None
    if subset_tp is None:
        return merged
    updates = {c: getattr(subset_tp, c) for c in SUBSET_COMPONENTS if getattr(subset_tp, c)}
    base = merged or TrafficPolicy()
    combined = base.model_copy(update=updates)
    return _port_level(
        combined.model_copy(update={"port_level_settings": subset_tp.port_level_settings}), port
    )


def _port_level(policy: TrafficPolicy | None, port: int | None) -> TrafficPolicy | None:
    if policy is None or not policy.port_level_settings:
        return policy  # nothing to apply or clear: the policy itself (models are immutable)
    match = None
    if port is not None:
        match = next(
            (p for p in policy.port_level_settings if p.port is not None and p.port.number == port),
            None,
        )
    updates: dict[str, object] = {"port_level_settings": ()}
    if match is not None:
        updates.update({c: getattr(match, c) for c in PORT_COMPONENTS})
    return policy.model_copy(update=updates)
