"""DestinationRule checks (ISTIO-SEMANTICS 3.1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_list, as_map, as_str
from meshlint.schema.common import export_to, label_map, metadata_namespace, selector_labels
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.names import is_label, wildcard_domain_problem
from meshlint.schema.traffic_policy import traffic_policy


def check_destination_rule(data: Mapping[str, Any]) -> Iterator[Issue]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    yield from _host(spec)
    if "trafficPolicy" in spec:
        yield from traffic_policy(spec.get("trafficPolicy"), "/spec/trafficPolicy")
    yield from _subsets(spec.get("subsets"))
    yield from export_to(spec, "/spec", metadata_namespace(data))
    selector = spec.get("workloadSelector")
    if isinstance(selector, dict):
        yield from _selector_export(spec, metadata_namespace(data))
        at = "/spec/workloadSelector/matchLabels"
        yield from selector_labels(selector.get("matchLabels"), at)


def _host(spec: Mapping[str, Any]) -> Iterator[Issue]:
    host = as_str(spec.get("host"))
    if host is None:
        return
    problem = None if host == "*" else wildcard_domain_problem(host)
    if problem:
        yield invalid("/spec/host", f"host {host!r} is not valid: {problem}")


def _subsets(value: object) -> Iterator[Issue]:
    seen: set[str] = set()
    for index, subset in enumerate(as_list(value)):
        at = f"/spec/subsets/{index}"
        if subset is None:
            yield invalid(at, "subset must not be null")
        fields = as_map(subset)
        name = as_str(fields.get("name"))
        if isinstance(subset, dict) and "name" not in fields:
            yield invalid(f"{at}/name", 'required field "name" is missing in Subset')
        elif name is not None and not is_label(name):
            text = f"subset name {name!r} is not a DNS-1123 label (letters, digits, '-')"
            yield invalid(f"{at}/name", text)
        elif name is not None and name in seen:
            yield invalid(f"{at}/name", f"duplicate subset name {name!r}")
        seen.add(name or "")
        yield from label_map(fields.get("labels"), f"{at}/labels")
        if "trafficPolicy" in fields:
            yield from traffic_policy(fields["trafficPolicy"], f"{at}/trafficPolicy")


def _selector_export(spec: Mapping[str, Any], namespace: str | None) -> Iterator[Issue]:
    entries = as_list(spec.get("exportTo"))
    own = {".", namespace} if namespace else {"."}
    if entries and (len(entries) != 1 or entries[0] not in own):
        text = "a DestinationRule with workloadSelector can only be exported to its own namespace"
        yield invalid("/spec/exportTo", text)
