"""Sidecar checks (ISTIO-SEMANTICS 7.2)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_list, as_map, as_str, strings
from meshlint.schema.common import port, selector_labels
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.names import namespaced_host_problem

PARTS = ("egress", "ingress", "outboundTrafficPolicy", "inboundConnectionPool")


def check_sidecar(data: Mapping[str, Any]) -> Iterator[Issue]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    if not any(spec.get(key) for key in PARTS):
        yield invalid("/spec", f"a Sidecar must set at least one of {', '.join(PARTS)}")
    selector = as_map(spec.get("workloadSelector"))
    yield from selector_labels(selector.get("labels"), "/spec/workloadSelector/labels")
    yield from _egress(spec.get("egress"))
    yield from _ingress(spec.get("ingress"))
    policy = as_map(spec.get("outboundTrafficPolicy"))
    if policy.get("mode") == "ALLOW_ANY_DYNAMIC_DNS":
        text = "outboundTrafficPolicy ALLOW_ANY_DYNAMIC_DNS is only allowed in the mesh config"
        yield invalid("/spec/outboundTrafficPolicy/mode", text)


def _egress(value: object) -> Iterator[Issue]:
    listeners = as_list(value)
    for index, listener in enumerate(listeners):
        at = f"/spec/egress/{index}"
        if listener is None:
            yield invalid(at, "egress listener must not be null")
        spec = as_map(listener)
        if isinstance(listener, dict) and spec.get("port") is None and index != len(listeners) - 1:
            yield invalid(at, "only the last egress listener may omit port (it is the catch-all)")
        yield from _listener_port(spec.get("port"), f"{at}/port")
        hosts_at = f"{at}/hosts"
        if isinstance(listener, dict) and not as_list(spec.get("hosts")):
            yield invalid(hosts_at, "egress listener needs at least one host")
        for host_at, host in strings(spec.get("hosts"), hosts_at):
            problem = namespaced_host_problem(host, gateway=False)
            if problem:
                yield invalid(host_at, f"egress host {host!r} is not valid: {problem}")


def _listener_port(value: object, pointer: str) -> Iterator[Issue]:
    spec = as_map(value)
    if spec.get("number") == 0:
        return  # a Unix domain socket listener; the bind decides
    yield from port(spec.get("number"), f"{pointer}/number")


def _ingress(value: object) -> Iterator[Issue]:
    numbers: set[object] = set()
    for index, listener in enumerate(as_list(value)):
        at = f"/spec/ingress/{index}"
        spec = as_map(listener)
        if listener is None or spec.get("port") is None:
            yield invalid(f"{at}/port", "ingress listener needs a port")
        port_spec = as_map(spec.get("port"))
        yield from port(port_spec.get("number"), f"{at}/port/number")
        number = port_spec.get("number")
        if number is not None and not isinstance(number, dict | list) and number in numbers:
            yield invalid(f"{at}/port/number", f"duplicate ingress port {number}")
        numbers.add(number if not isinstance(number, dict | list) else None)
        if port_spec.get("targetPort") is not None:
            text = "targetPort is not allowed on a Sidecar ingress port"
            yield invalid(f"{at}/port/targetPort", text, on_key=True)
        yield from _default_endpoint(as_str(spec.get("defaultEndpoint")), f"{at}/defaultEndpoint")


def _default_endpoint(text: str | None, pointer: str) -> Iterator[Issue]:
    if not text or text.startswith("unix://"):
        return
    host, _, number = text.rpartition(":")
    if host not in {"127.0.0.1", "0.0.0.0", "[::1]", "[::]", ""} or not number.isdigit():
        forms = "127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>"
        yield invalid(pointer, f"defaultEndpoint {text!r} must be one of {forms}")
