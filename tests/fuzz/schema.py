"""Strategies (c) and (d): resources generated from schemas/kinds/*.json, then made hostile.

Strings are drawn from small pools chosen by the field name (hosts, names, subsets, ports,
labels, regexes, principals...), so references between generated resources resolve often
enough for the rules to do real work.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
MAX_DEPTH = 9

NAMES = ("reviews", "ratings", "productpage", "details", "ingress", "default", "x")
NAMESPACES = ("default", "bookinfo", "istio-system", "shop", "other")
HOSTS = (
    "reviews", "ratings", "reviews.bookinfo", "reviews.bookinfo.svc.cluster.local",
    "ratings.bookinfo.svc.cluster.local", "*.example.com", "api.example.com", "*",
    "*.bookinfo.svc.cluster.local", "istio-system/*.example.com", "./api.example.com",
    "details.default.svc.cluster.local", "bücher.example", "a..b", "",
)  # fmt: skip
SUBSETS = ("v1", "v2", "v3", "canary")
LABEL_KEYS = ("app", "version", "istio", "tier")
LABEL_VALUES = (*NAMES, *SUBSETS, "ingressgateway")
GATEWAYS = ("mesh", "ingress", "istio-system/ingress", "bookinfo/ingress", "other/missing")
PRINCIPALS = ("cluster.local/ns/bookinfo/sa/reviews", "cluster.local/ns/default/sa/*", "*")
LONG = "a" * 2000  # over Istio's 1024-character regex limit
REGEXES = ("^/api/.*", ".*", "(unclosed", "[a-", "a{99999}", "(?P<x>a)(?P=x)", "\\", "*", LONG)
DURATIONS = ("1s", "0.5s", "10ms", "0s", "1h", "-1s", "abc", "0.0001s", "1.5m")
PORT_NUMBERS = (80, 443, 9080, 8080, 15021, 0, 65535, 65536)
EXPORT_TO = (".", "*", "bookinfo", "~")
GENERIC = ("x", "http", "HTTP", "GRPC", "TLS", "ISTIO_MUTUAL", "end-user", "jason", "", " ")

_BY_KEY: dict[str, tuple[str, ...]] = {
    "host": HOSTS,
    "hosts": HOSTS,
    "name": NAMES,
    "subset": SUBSETS,
    "namespace": NAMESPACES,
    "namespaces": NAMESPACES,
    "gateways": GATEWAYS,
    "principals": PRINCIPALS,
    "regex": REGEXES,
    "exportTo": EXPORT_TO,
    "serviceAccountName": NAMES,
    "sni_hosts": HOSTS,
    "sniHosts": HOSTS,
    "credentialName": NAMES,
    "timeout": DURATIONS,
    "perTryTimeout": DURATIONS,
    "interval": DURATIONS,
    "baseEjectionTime": DURATIONS,
    "connectTimeout": DURATIONS,
    "fixedDelay": DURATIONS,
}

KINDS = (
    "VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar", "WorkloadEntry",
    "PeerAuthentication", "RequestAuthentication", "AuthorizationPolicy", "Namespace",
    "Service", "ServiceAccount", "Secret", "Pod", "Deployment", "StatefulSet", "DaemonSet",
    "ReplicaSet", "Job", "CronJob", "ConfigMap", "KubernetesGateway",
)  # fmt: skip
MESH_KINDS = (
    "VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar",
    "PeerAuthentication", "AuthorizationPolicy", "Service", "Deployment", "Namespace",
)  # fmt: skip

# Wrong values injected at any field.
HOSTILE: tuple[Any, ...] = (
    None, "", " ", 0, -1, -100, 2**31, 2**32, 2**63, 2**64, 10**30, -(10**30), 10**400,
    1e308, -1e-320, 1.5, float("nan"),
    float("inf"), float("-inf"), True, False, [], {}, [None], {"": None}, {"a": {"b": [1]}},
    "x" * 100_000, "bücher.example", "\u202e", "\x00", "😀" * 50, "(unclosed", "[a-",
    "a{99999}", "*", "**", "...", "1e999", "0x10", "2024-01-01",
)  # fmt: skip


@cache
def schema(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "schemas" / "kinds" / f"{kind}.json").read_text())
    return data


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _string(draw: st.DrawFn, key: str) -> str:
    pool = _BY_KEY.get(key)
    if pool is not None and draw(st.integers(0, 9)) > 0:
        return str(draw(st.sampled_from(pool)))
    return draw(st.one_of(st.sampled_from(GENERIC), st.text(max_size=12)))


def _integer(draw: st.DrawFn, node: dict[str, Any], key: str) -> int:
    low, high = node.get("minimum"), node.get("maximum")
    if key in ("number", "port", "targetPort", "containerPort") and draw(st.booleans()):
        return int(draw(st.sampled_from(PORT_NUMBERS)))
    return int(draw(st.integers(min_value=low, max_value=high)))


def _label_map(draw: st.DrawFn) -> dict[str, str]:
    keys = st.sampled_from(LABEL_KEYS)
    return draw(st.dictionaries(keys, st.sampled_from(LABEL_VALUES), max_size=3))


def _include(draw: st.DrawFn, depth: int) -> bool:
    chance = 6 if depth <= 2 else 3 if depth <= 5 else 1
    return bool(draw(st.integers(0, 9)) < chance)


def _object(draw: st.DrawFn, node: dict[str, Any], defs: dict[str, Any], depth: int) -> Any:
    properties: dict[str, Any] = node.get("properties", {})
    required = set(node.get("required", ()))
    out: dict[str, Any] = {}
    for key, child in properties.items():
        if key in required or (depth < MAX_DEPTH and _include(draw, depth)):
            out[key] = generate(draw, child, defs, key, depth + 1)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and not properties and depth < MAX_DEPTH:
        for name in draw(st.lists(st.sampled_from(LABEL_KEYS), max_size=2, unique=True)):
            out[name] = generate(draw, extra, defs, name, depth + 1)
    return out


Defs = dict[str, Any]


def _array(draw: st.DrawFn, node: dict[str, Any], defs: Defs, key: str, depth: int) -> Any:
    size = draw(st.integers(0, 3 if depth < MAX_DEPTH else 0))
    item = node.get("items", {})
    return [generate(draw, item, defs, key, depth + 1) for _ in range(size)]


def _scalar(draw: st.DrawFn, node: dict[str, Any], kind: str, key: str) -> Any:
    if kind == "string":
        return _string(draw, key)
    if kind == "integer":
        return _integer(draw, node, key)
    if kind == "number":
        return draw(st.floats(node.get("minimum"), node.get("maximum"), allow_nan=False))
    return draw(st.booleans()) if kind == "boolean" else None


def _typed(draw: st.DrawFn, node: dict[str, Any], defs: Defs, key: str, depth: int) -> Any:
    kind = node.get("type", "object")
    if isinstance(kind, list):
        kind = draw(st.sampled_from(kind))
    if kind == "object":
        labels = key in ("labels", "matchLabels", "selector") and "properties" not in node
        return _label_map(draw) if labels else _object(draw, node, defs, depth)
    if kind == "array":
        return _array(draw, node, defs, key, depth)
    return _scalar(draw, node, kind, key)


def generate(draw: st.DrawFn, node: Any, defs: dict[str, Any], key: str, depth: int) -> Any:
    """A value of the shape ``node`` describes (enums, consts, refs and unions honoured)."""
    if not isinstance(node, dict):
        return None
    node = _resolve(node, defs)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return draw(st.sampled_from(node["enum"]))
    for union in ("anyOf", "oneOf"):
        if union in node:
            return generate(draw, draw(st.sampled_from(node[union])), defs, key, depth)
    return _typed(draw, node, defs, key, depth)


@st.composite
def resources(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """A valid-shaped resource of one of ``kinds``, with a name and usually a namespace."""
    kind = draw(st.sampled_from(kinds))
    node = schema(kind)
    value: dict[str, Any] = generate(draw, node, node.get("$defs", {}), "", 0)
    metadata = value.setdefault("metadata", {})
    if isinstance(metadata, dict):
        metadata["name"] = draw(st.sampled_from(NAMES))
        if draw(st.integers(0, 3)) > 0:
            metadata["namespace"] = draw(st.sampled_from(NAMESPACES))
    return value


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"a": value}
    return value


def hostile_values() -> st.SearchStrategy[Any]:
    """Wrong types and extreme values, including nesting near and past the depth limit."""
    return st.one_of(
        st.sampled_from(HOSTILE).map(copy.deepcopy),  # later injections may write inside
        st.integers(1, 140).map(_deep),
        st.sampled_from([h + "." for h in HOSTS[:3]] + ["UPPER.case", "-bad", "a_b"]),
    )


def _set(root: Any, path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return value
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return root


@st.composite
def broken_resources(draw: st.DrawFn) -> dict[str, Any] | Any:
    """Strategy (c): a valid-shaped resource with one to three wrong values or typo'd keys."""
    value: Any = draw(resources())
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(value)))
        if path and draw(st.integers(0, 4)) == 0 and isinstance(path[-1], str):
            value = _set(value, (*path[:-1], path[-1] + draw(st.sampled_from(["x", "s", "_"]))), 1)
        else:
            value = _set(value, path, draw(hostile_values()))
    return value


def render(documents: list[Any], draw: st.DrawFn) -> str:
    """Documents as one YAML stream (block, flow or JSON-style per document)."""
    parts = []
    for document in documents:
        style = draw(st.sampled_from(["block", "flow", "json"]))
        if style == "json":
            parts.append(json.dumps(document, allow_nan=True, default=str))
        else:
            flow = style == "flow"
            parts.append(yaml.safe_dump(document, default_flow_style=flow, sort_keys=False))
    return "\n---\n".join(parts) + "\n"


@st.composite
def broken_documents(draw: st.DrawFn) -> str:
    """Strategy (c) rendered: one or two broken resources, maybe beside a valid one."""
    documents = draw(st.lists(broken_resources(), min_size=1, max_size=2))
    if draw(st.booleans()):
        documents.append(draw(resources()))
    return render(documents, draw)


@st.composite
def meshes(draw: st.DrawFn) -> str:
    """Strategy (d): two to eight related resources, sometimes with one broken value."""
    documents: list[Any] = draw(st.lists(resources(MESH_KINDS), min_size=2, max_size=8))
    if draw(st.integers(0, 3)) == 0:
        documents.append(draw(broken_resources()))
    return render(documents, draw)
