"""The schema engine: fast pre-check, jsonschema error mapping, deprecations, robustness."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from meshlint.model.base import Kind
from meshlint.resources import data_dir
from meshlint.schema import SchemaValidator, Validator
from meshlint.schema.deprecations import deprecated_fields, deprecation_tree
from meshlint.schema.fastcheck import compile_schema
from meshlint.schema.schema_errors import schema_issues
from meshlint.source import RawDocument, SourceMap, Span

ORIGIN = Span("t.yaml", 1, 1, 1, 1)

WIDGET: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "WorkloadEntry",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {"$ref": "#/$defs/Spec"},
    },
    "$defs": {
        "Spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["mode"],
            "properties": {
                "mode": {"enum": ["STRICT", "PERMISSIVE"]},
                "old": {"type": "string", "deprecated": True, "x-deprecated-message": "use new"},
                "new": {"type": "string"},
                "count": {"type": "integer", "minimum": 0, "maximum": 10},
                "match": {"oneOf": [{"$ref": "#/$defs/Exact"}, {"$ref": "#/$defs/Prefix"}]},
                "labels": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}},
                "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
            },
        },
        "Exact": {
            "type": "object",
            "required": ["exact"],
            "properties": {"exact": {"type": "string"}},
            "additionalProperties": False,
        },
        "Prefix": {
            "type": "object",
            "required": ["prefix"],
            "properties": {"prefix": {"type": "string"}},
            "additionalProperties": False,
        },
        "Item": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"lb": {"enum": ["A", "OLD"], "x-deprecated-values": {"OLD": "use A"}}},
        },
    },
}


def _doc(spec: object, kind: str = "WorkloadEntry") -> RawDocument:
    """A document of a kind with no Istio value checks, so only the schema speaks."""
    data = {"apiVersion": "networking.istio.io/v1", "kind": kind, "spec": spec}
    return RawDocument("t.yaml", 0, data, SourceMap.from_table("t.yaml", ORIGIN, {}))


def _widget_findings(spec: object) -> list[tuple[str, str, str]]:
    validator = Validator(schemas=SchemaValidator({"WorkloadEntry": WIDGET}))
    return [(f.code, f.pointer, f.message) for f in validator.validate(_doc(spec))]


def test_schema_errors_map_to_precise_findings() -> None:
    spec = {"mode": "strict", "count": 11, "olld": "x", "labels": {"x-a": 1}}
    assert sorted(_widget_findings(spec)) == [
        ("MESH003", "/spec/olld", 'unknown field "olld" in Spec; did you mean "old"?'),
        ("MESH004", "/spec/count", "count must be <= 10, got 11"),
        ("MESH004", "/spec/labels/x-a", "x-a must be of type string, not integer"),
        (
            "MESH004",
            "/spec/mode",
            "mode 'strict' is not one of STRICT, PERMISSIVE; did you mean \"STRICT\"?",
        ),
    ]


def test_missing_required_field_points_at_the_field() -> None:
    assert _widget_findings({}) == [
        ("MESH004", "/spec/mode", 'required field "mode" is missing in Spec')
    ]


def test_one_of_noise_collapses_to_one_finding() -> None:
    found = _widget_findings({"mode": "STRICT", "match": {"exact": "a", "prefx": "b"}})
    assert [(code, pointer) for code, pointer, _ in found] == [("MESH003", "/spec/match/prefx")]


def test_deprecated_fields_and_values_from_the_schema() -> None:
    found = _widget_findings({"mode": "STRICT", "old": "x", "items": [{"lb": "A"}, {"lb": "OLD"}]})
    assert sorted(found) == [
        ("MESH006", "/spec/items/1/lb", 'lb value "OLD" is deprecated: use A'),
        ("MESH006", "/spec/old", 'field "old" is deprecated: use new'),
    ]


def test_deprecation_tree_stops_at_recursive_refs() -> None:
    """A cycle is followed once (the generated Istio schemas have none)."""
    schema = {
        "$defs": {"N": {"properties": {"next": {"$ref": "#/$defs/N"}, "x": {"deprecated": True}}}},
        "$ref": "#/$defs/N",
    }
    tree = deprecation_tree(schema)
    found = list(deprecated_fields(tree, {"next": {"x": 1}, "x": 2}))
    assert [i.pointer for i in found] == ["/x"]


def test_a_kind_without_a_schema_gets_only_istio_checks() -> None:
    validator = Validator(schemas=SchemaValidator({}))
    spec = {"hosts": ["r"], "http": [{"route": [{"destination": {"host": "r"}}], "timeout": "0s"}]}
    found = validator.validate(_doc(spec, "VirtualService"))
    assert [f.pointer for f in found] == ["/spec/http/0/timeout"]


# ------------------------------------------------------------------ fast pre-check

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 20)
    | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
WIDGET_SPEC = st.fixed_dictionaries(
    {"mode": st.sampled_from(["STRICT", "PERMISSIVE", "x"])},
    optional={
        "count": json_values | st.integers(-2, 12),
        "match": st.sampled_from(
            [{"exact": "a"}, {"prefix": "b"}, {"exact": "a", "prefix": "b"}, {}]
        )
        | json_values,
        "labels": st.dictionaries(st.sampled_from(["x-a", "b"]), json_values, max_size=2),
        "items": st.lists(
            st.fixed_dictionaries({}, optional={"lb": st.sampled_from(["A", "OLD", 1])})
        ),
        "old": json_values,
    },
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(WIDGET_SPEC)
def test_fast_check_never_accepts_what_jsonschema_rejects(spec: dict[str, Any]) -> None:
    instance = {"apiVersion": "v", "kind": "k", "metadata": {}, "spec": spec}
    fast = compile_schema(WIDGET)(instance)
    full = not list(Draft202012Validator(WIDGET).iter_errors(instance))
    assert fast == full


@pytest.mark.parametrize(
    "schema",
    [
        {"not": {"type": "string"}},
        {"if": {"type": "string"}, "then": {"minLength": 2}},
        {"$ref": "https://example.com/other.json"},
        {"type": "array", "uniqueItems": True},
    ],
)
def test_unsupported_or_inexact_keywords_defer_to_jsonschema(schema: dict[str, Any]) -> None:
    check = compile_schema(schema)
    values: list[Any] = [[1, 1.0], ["a", "a"], ["a", "b"], "ab", "a", 5]
    accepted = [v for v in values if check(v)]
    assert all(not list(Draft202012Validator(schema).iter_errors(v)) for v in accepted)


# ------------------------------------------------------------------ robustness


def _real_schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (data_dir("schemas") / "kinds" / f"{kind}.json").read_text()
    )
    return loaded


VALID_VS: dict[str, Any] = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "VirtualService",
    "metadata": {"name": "r", "namespace": "shop"},
    "spec": {
        "hosts": ["reviews"],
        "gateways": ["mesh"],
        "http": [
            {
                "match": [{"uri": {"prefix": "/a"}, "headers": {"x": {"exact": "1"}}}],
                "route": [{"destination": {"host": "reviews", "subset": "v1"}, "weight": 100}],
                "retries": {"attempts": 2, "perTryTimeout": "1s"},
                "corsPolicy": {"allowOrigins": [{"exact": "a"}]},
                "fault": {"abort": {"httpStatus": 500, "percentage": {"value": 1}}},
            }
        ],
        "tcp": [{"match": [{"port": 1}], "route": [{"destination": {"host": "r"}}]}],
        "tls": [{"match": [{"sniHosts": ["reviews"]}], "route": [{"destination": {"host": "r"}}]}],
    },
}


def _istio(kind: str, spec: dict[str, Any], group: str = "networking") -> dict[str, Any]:
    return {
        "apiVersion": f"{group}.istio.io/v1",
        "kind": kind,
        "metadata": {"name": "r", "namespace": "shop"},
        "spec": spec,
    }


HTTP_PORT = {"number": 80, "name": "http", "protocol": "HTTP"}
TLS = {"mode": "SIMPLE", "credentialName": "c"}
POLICY = {
    "tls": {"mode": "ISTIO_MUTUAL"},
    "connectionPool": {"tcp": {"connectTimeout": "1s"}, "http": {"idleTimeout": "1s"}},
    "outlierDetection": {"interval": "1s"},
    "loadBalancer": {
        "simple": "RANDOM",
        "localityLbSetting": {"failover": [{"from": "a", "to": "b"}]},
    },
    "portLevelSettings": [{"port": {"number": 80}, "tls": {"mode": "DISABLE"}}],
}
VALID_DOCS: list[dict[str, Any]] = [
    VALID_VS,
    _istio(
        "DestinationRule",
        {
            "host": "r",
            "trafficPolicy": POLICY,
            "subsets": [{"name": "v1", "labels": {"v": "1"}, "trafficPolicy": POLICY}],
        },
    ),
    _istio(
        "Gateway",
        {
            "selector": {"app": "gw"},
            "servers": [
                {
                    "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                    "hosts": ["a.com"],
                    "tls": TLS,
                }
            ],
        },
    ),
    _istio(
        "ServiceEntry",
        {
            "hosts": ["a.com"],
            "ports": [HTTP_PORT],
            "resolution": "STATIC",
            "endpoints": [{"address": "1.1.1.1"}],
            "exportTo": ["."],
        },
    ),
    _istio(
        "Sidecar",
        {
            "egress": [{"port": HTTP_PORT, "hosts": ["./a.com"]}],
            "ingress": [{"port": HTTP_PORT, "defaultEndpoint": "127.0.0.1:80"}],
        },
    ),
    _istio(
        "AuthorizationPolicy",
        {
            "action": "DENY",
            "rules": [
                {
                    "from": [{"source": {"serviceAccounts": ["a"]}}],
                    "to": [{"operation": {"paths": ["/a"]}}],
                }
            ],
        },
        "security",
    ),
    _istio(
        "RequestAuthentication",
        {"selector": {"matchLabels": {"a": "b"}}, "jwtRules": [{"issuer": "a"}]},
        "security",
    ),
    _istio("PeerAuthentication", {"mtls": {"mode": "STRICT"}}, "security"),
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


SHARED_SCHEMAS = SchemaValidator()
SHARED = Validator(schemas=SHARED_SCHEMAS)  # compiling the schemas once keeps fuzz tests fast
PATHS = [(i, p) for i, doc in enumerate(VALID_DOCS) for p in _paths(doc) if p]
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=3)
    ),
    max_leaves=10,
)


@pytest.mark.parametrize("doc", VALID_DOCS, ids=lambda d: str(d["kind"]))
def test_the_valid_documents_are_clean(doc: dict[str, Any]) -> None:
    assert Validator().validate(_raw(doc)) == []


def _raw(data: dict[str, Any]) -> RawDocument:
    return RawDocument("t.yaml", 0, data, SourceMap.from_table("t.yaml", ORIGIN, {}))


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(PATHS), anything)
def test_random_values_anywhere_never_raise(where: tuple[int, tuple[Any, ...]], value: Any) -> None:
    index, path = where
    data = copy.deepcopy(VALID_DOCS[index])
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    findings = SHARED.validate(_raw(data))
    assert all(f.code in {"MESH003", "MESH004", "MESH005", "MESH006"} for f in findings)


@pytest.mark.parametrize(
    "kind", [k for k in Kind if k.group.endswith("istio.io")], ids=lambda k: k.kind_name
)
@pytest.mark.parametrize("spec", [None, [], "text", 3, {"a": None}, [{"b": []}]])
def test_odd_spec_shapes_never_raise(kind: Kind, spec: object) -> None:
    data = {
        "apiVersion": f"{kind.group}/v1",
        "kind": kind.kind_name,
        "metadata": None,
        "spec": spec,
    }
    findings = Validator().validate(_raw(data))
    assert all(f.resource is not None and f.resource.kind == kind.kind_name for f in findings)


def test_deep_nesting_is_a_finding_not_a_crash() -> None:
    deep: Any = "x"
    for _ in range(5000):
        deep = {"a": deep}
    data = copy.deepcopy(VALID_VS)
    data["spec"]["http"][0]["headers"] = deep
    codes = {f.code for f in Validator().validate(_raw(data))}
    assert codes <= {"MESH003", "MESH004"} and codes


def test_real_schemas_compile() -> None:
    for kind in Kind:
        schema = _real_schema(kind.schema_name)
        Draft202012Validator.check_schema(schema)
        assert compile_schema(schema)({"apiVersion": 1}) is False


KEYWORD_SCHEMAS: list[dict[str, Any]] = [
    {"const": "a"},
    {"const": 1},
    {"enum": [1, "a", None, True]},
    {"type": ["string", "null"]},
    {"type": "integer"},
    {"type": "number", "minimum": 0, "exclusiveMaximum": 10},
    {"exclusiveMinimum": 0, "maximum": 5},
    {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^a"},
    {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "integer"}},
    {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 2,
        "propertyNames": {"pattern": "^[a-c]"},
    },
    {"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
    {"properties": {"a": {"type": "integer"}}, "required": ["a"]},
    {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 3}]},
    {"allOf": [{"type": "object"}, {"required": ["b"]}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 2}]},
    {"not": {"type": "object"}},
    {"$defs": {"S": {"type": "string"}}, "items": {"$ref": "#/$defs/S"}},
]
small_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 12)
    | st.floats(-3, 12)
    | st.text("abcx", max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text("abcdx", max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("schema", KEYWORD_SCHEMAS, ids=lambda s: ",".join(sorted(s)))
@settings(max_examples=150, deadline=None)
@given(value=small_json)
def test_fast_check_agrees_with_jsonschema(schema: dict[str, Any], value: Any) -> None:
    valid = not list(Draft202012Validator(schema).iter_errors(value))
    assert compile_schema(schema)(value) == valid


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(PATHS), anything)
def test_narrowing_finds_what_a_whole_document_run_finds(
    where: tuple[int, tuple[Any, ...]], value: Any
) -> None:
    index, path = where
    data = copy.deepcopy(VALID_DOCS[index])
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    kind = SHARED_SCHEMAS.for_kind(VALID_DOCS[index]["kind"])
    assert kind is not None
    narrowed = kind.narrower.parts(kind.schema, data)
    whole = [((), kind.schema, data)]
    found = {(i.code, i.pointer) for i in schema_issues(kind.full, narrowed, kind.names)}
    assert found == {(i.code, i.pointer) for i in schema_issues(kind.full, whole, kind.names)}
