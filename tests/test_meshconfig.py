"""Tests for meshlint.meshconfig: defaults, the accepted shapes, and type errors."""

from __future__ import annotations

import pytest
import yaml

from meshlint.errors import ConfigError
from meshlint.meshconfig import MeshSettings, parse_mesh_config


def test_defaults():
    settings = MeshSettings()
    assert (
        settings.root_namespace,
        settings.trust_domain,
        settings.domain_suffix,
        settings.outbound_traffic_policy,
        settings.enable_auto_mtls,
        settings.default_virtual_service_export_to,
        settings.extension_providers,
        settings.default_namespace,
        settings.assume_complete,
    ) == (
        "istio-system",
        "cluster.local",
        "cluster.local",
        "ALLOW_ANY",
        True,
        ("*",),
        None,
        "default",
        False,
    )


def test_bare_mesh_config():
    settings = parse_mesh_config(
        {
            "rootNamespace": "mesh-root",
            "trustDomain": "corp.example",
            "trustDomainAliases": ["old.example"],
            "outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"},
            "enableAutoMtls": False,
            "defaultServiceExportTo": ["."],
            "defaultVirtualServiceExportTo": ["."],
            "defaultDestinationRuleExportTo": ["~"],
            "extensionProviders": [{"name": "opa", "envoyExtAuthzGrpc": {}}, {"name": "oauth2"}],
            "ingressService": "my-ingress",
            "ingressSelector": "my-gw",
            "localityLbSetting": {"enabled": False},
            "defaultTrafficPolicy": {"outlierDetection": {"consecutive5xxErrors": 3}},
            "pathNormalization": {"normalization": "MERGE_SLASHES"},
            "someFutureKey": {"ignored": True},
        },
        path="mesh.yaml",
    )
    assert settings.root_namespace == "mesh-root"
    assert settings.trust_domain == "corp.example"
    assert settings.trust_domain_aliases == ("old.example",)
    assert settings.outbound_traffic_policy == "REGISTRY_ONLY"
    assert settings.enable_auto_mtls is False
    assert settings.default_service_export_to == (".",)
    assert settings.default_destination_rule_export_to == ("~",)
    assert settings.extension_providers == ("opa", "oauth2")
    assert (settings.ingress_service, settings.ingress_selector) == ("my-ingress", "my-gw")
    assert settings.locality_lb_enabled is False
    assert settings.default_traffic_policy == frozenset({"outlierDetection"})
    assert settings.path_normalization == "MERGE_SLASHES"
    assert settings.source == "mesh.yaml"


def test_given_config_without_providers_knows_there_are_none():
    assert parse_mesh_config({}, path="m.yaml").extension_providers == ()


def test_conformance_proxy_metadata_shape():
    data = {
        "defaultConfig": {
            "proxyMetadata": {
                "ISTIO_META_DNS_CAPTURE": "true",
                "ISTIO_META_DNS_AUTO_ALLOCATE": "true",
            }
        }
    }
    settings = parse_mesh_config(data, path="m.yaml")
    assert (settings.dns_capture, settings.dns_auto_allocate) == (True, True)


def test_conformance_image_only_config_keeps_defaults():
    settings = parse_mesh_config(
        {"defaultConfig": {"image": {"imageType": "distroless"}}}, path="m"
    )
    assert settings.root_namespace == "istio-system"
    assert settings.dns_capture is False


def test_config_map_uses_supplied_parser():
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "istio", "namespace": "istio-system"},
        "data": {
            "mesh": "rootNamespace: custom\ntrustDomain: td.example\n",
            "meshNetworks": "networks: {}",
        },
    }
    settings = parse_mesh_config(config_map, path="cm.yaml", parse_yaml=yaml.safe_load)
    assert (settings.root_namespace, settings.trust_domain) == ("custom", "td.example")


def test_config_map_without_parser_is_a_config_error():
    with pytest.raises(ConfigError, match=r"cm\.yaml"):
        parse_mesh_config({"kind": "ConfigMap", "data": {"mesh": "a: b"}}, path="cm.yaml")


def test_config_map_without_mesh_key_gives_defaults():
    settings = parse_mesh_config({"kind": "ConfigMap", "data": {}}, path="cm.yaml")
    assert settings.root_namespace == "istio-system"


def test_istio_operator_and_helm_values():
    operator = {"kind": "IstioOperator", "spec": {"meshConfig": {"rootNamespace": "a"}}}
    helm = {"meshConfig": {"rootNamespace": "b"}}
    assert parse_mesh_config(operator, path="o").root_namespace == "a"
    assert parse_mesh_config(helm, path="h").root_namespace == "b"


def test_base_settings_are_kept():
    base = MeshSettings(default_namespace="apps", assume_complete=True)
    settings = parse_mesh_config({"trustDomain": "x"}, path="m", base=base)
    assert (settings.default_namespace, settings.assume_complete, settings.trust_domain) == (
        "apps",
        True,
        "x",
    )


def test_with_options():
    assert MeshSettings().with_options(default_namespace="ns").default_namespace == "ns"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"rootNamespace": 3}, "rootNamespace"),
        ({"enableAutoMtls": "yes"}, "enableAutoMtls"),
        ({"trustDomainAliases": "a"}, "trustDomainAliases"),
        ({"outboundTrafficPolicy": "REGISTRY_ONLY"}, "outboundTrafficPolicy"),
        ({"outboundTrafficPolicy": {"mode": "BOGUS"}}, "outboundTrafficPolicy"),
        ({"extensionProviders": {"name": "x"}}, "extensionProviders"),
        ({"extensionProviders": [{"nope": 1}]}, "extensionProviders[].name"),
        (
            {"defaultConfig": {"proxyMetadata": {"ISTIO_META_DNS_CAPTURE": 5}}},
            "ISTIO_META_DNS_CAPTURE",
        ),
    ],
)
def test_wrong_types_name_path_and_key(data, key):
    with pytest.raises(ConfigError) as info:
        parse_mesh_config(data, path="bad.yaml")
    assert str(info.value).startswith("bad.yaml: mesh config key '" + key + "'")


def test_not_a_mapping():
    with pytest.raises(ConfigError, match="must be a mapping"):
        parse_mesh_config(["a"], path="bad.yaml")  # type: ignore[arg-type]
