"""The committed schemas/kinds/*.json match the model, and say what schema.py relies on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from meshlint.dev import gen_schemas
from meshlint.model import MODELS, Kind
from meshlint.resources import data_dir


def committed(name: str) -> str:
    return (data_dir("schemas") / "kinds" / name).read_text(encoding="utf-8")


def test_committed_schemas_match_the_model():
    generated = gen_schemas.generate()
    stale = [name for name, text in generated.items() if committed(name) != text]
    assert not stale, f"schemas out of date: {stale}; run `{gen_schemas.REGENERATE}`"


def test_no_extra_committed_schemas():
    on_disk = {p.name for p in (data_dir("schemas") / "kinds").iterdir()}
    assert on_disk == set(gen_schemas.generate())


def test_generation_is_deterministic():
    assert gen_schemas.generate() == gen_schemas.generate()
    text = gen_schemas.generate()["Gateway.json"]
    assert text.endswith("}\n") and text.startswith('{\n  "$defs"')


def test_write_and_main(tmp_path):
    assert gen_schemas.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(gen_schemas.generate())
    assert gen_schemas.default_destination().parts[-2:] == ("schemas", "kinds")


def validator(kind: Kind) -> Draft202012Validator:
    schema = json.loads(committed(f"{kind.schema_name}.json"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(kind: Kind, data: dict[str, Any]) -> list[tuple[str, str]]:
    found = validator(kind).iter_errors(data)
    return sorted((e.json_path, e.validator) for e in found)  # type: ignore[misc]


@pytest.mark.parametrize("kind", list(MODELS))
def test_every_schema_is_valid_2020_12(kind):
    schema = validator(kind).schema
    assert schema["$schema"] == gen_schemas.DRAFT
    assert schema["properties"]["kind"]["const"] == kind.kind_name
    assert schema["properties"]["apiVersion"]["enum"] == list(gen_schemas.api_versions(kind))


def vs(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": "networking.istio.io/v1beta1",
        "kind": "VirtualService",
        "metadata": {"name": "r", "uid": "1", "resourceVersion": "2", **metadata},
        "spec": spec,
    }


def test_unknown_field_is_rejected_in_istio_spec():
    data = vs({"hosts": ["r"], "http": [{"route": [{"destination": {"host": "r"}, "wieght": 5}]}]})
    assert errors(Kind.VIRTUAL_SERVICE, data) == [
        ("$.spec.http[0].route[0]", "additionalProperties")
    ]
    assert errors(Kind.VIRTUAL_SERVICE, {**vs({}), "specs": {}}) == [("$", "additionalProperties")]


def test_ranges_enums_and_required_fields():
    data = vs(
        {
            "hosts": ["r"],
            "http": [
                {
                    "match": [{"port": 70000}],
                    "route": [{"destination": {"host": "r"}, "weight": -1}, {"weight": 1}],
                    "corsPolicy": {"unmatchedPreflights": "DROP"},
                }
            ],
        }
    )
    assert errors(Kind.VIRTUAL_SERVICE, data) == [
        ("$.spec.http[0].corsPolicy.unmatchedPreflights", "enum"),
        ("$.spec.http[0].match[0].port", "maximum"),
        ("$.spec.http[0].route[0].weight", "minimum"),
        ("$.spec.http[0].route[1]", "required"),
    ]


def test_metadata_is_open_but_typed():
    assert errors(Kind.VIRTUAL_SERVICE, vs({}, labels={"a": 1})) == [
        ("$.metadata.labels.a", "type")
    ]
    no_name = {**vs({}), "metadata": {"namespace": "x"}}
    assert errors(Kind.VIRTUAL_SERVICE, no_name) == [("$.metadata", "required")]


def test_unknown_api_version_is_rejected():
    assert errors(Kind.VIRTUAL_SERVICE, {**vs({}), "apiVersion": "networking.istio.io/v2"}) == [
        ("$.apiVersion", "enum")
    ]


def test_deprecations_are_marked():
    vs_defs = validator(Kind.VIRTUAL_SERVICE).schema["$defs"]
    mirror_percent = vs_defs["HTTPRoute"]["properties"]["mirrorPercent"]
    assert mirror_percent["deprecated"] is True
    assert "mirrorPercentage" in mirror_percent["x-deprecated-message"]
    assert vs_defs["CorsPolicy"]["properties"]["allowOrigin"]["deprecated"] is True
    dr_defs = validator(Kind.DESTINATION_RULE).schema["$defs"]
    assert dr_defs["OutlierDetection"]["properties"]["consecutiveErrors"]["deprecated"] is True
    assert dr_defs["ConsistentHashLB"]["properties"]["minimumRingSize"]["deprecated"] is True
    simple = dr_defs["LoadBalancerSettings"]["properties"]["simple"]
    assert set(simple["x-deprecated-values"]) == {"LEAST_CONN"}


def test_kubernetes_kinds_are_open():
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "strategy": {"type": "Recreate"},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {
                    "containers": [{"name": "c", "resources": {}, "ports": [{"containerPort": 0}]}]
                },
            },
        },
        "status": {},
    }
    assert errors(Kind.DEPLOYMENT, deployment) == [
        ("$.spec.template.spec.containers[0].ports[0].containerPort", "minimum")
    ]
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {}, "data": {"k": "djE="}}
    assert errors(Kind.SECRET, secret) == []


def test_port_level_mtls_keys():
    pa = {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "p"},
        "spec": {"portLevelMtls": {"8080": {"mode": "STRICT"}, 9090: {"mode": "DISABLE"}}},
    }
    assert errors(Kind.PEER_AUTHENTICATION, pa) == []
    pa["spec"] = {"portLevelMtls": {"http": {"mode": "STRICT"}}}
    assert errors(Kind.PEER_AUTHENTICATION, pa) == [("$.spec.portLevelMtls", "pattern")]


def test_authorization_policy_from_keyword_in_schema():
    rules = [{"from": [{"source": {"serviceAccounts": ["a/b"]}}], "when": [{"values": ["x"]}]}]
    ap = {
        "apiVersion": "security.istio.io/v1beta1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "p"},
        "spec": {"rules": rules},
    }
    assert errors(Kind.AUTHORIZATION_POLICY, ap) == [("$.spec.rules[0].when[0]", "required")]


def test_string_match_allows_one_type_or_presence():
    match = {"uri": {"prefix": "/a", "exact": "/a"}, "headers": {"x": {}}}
    data = vs({"hosts": ["r"], "http": [{"match": [match]}]})
    assert errors(Kind.VIRTUAL_SERVICE, data) == [("$.spec.http[0].match[0].uri", "maxProperties")]


def test_zero_port_means_unset_in_selectors():
    route = {"destination": {"host": "r", "port": {"number": 0}}}
    data = vs({"hosts": ["r"], "http": [{"match": [{"port": 0}], "route": [route]}]})
    assert errors(Kind.VIRTUAL_SERVICE, data) == []
