"""MeshSettings: the Istio MeshConfig values (and offline-analysis knobs) rules depend on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from meshlint.errors import ConfigError

ALLOW_ANY = "ALLOW_ANY"
REGISTRY_ONLY = "REGISTRY_ONLY"
OUTBOUND_MODES = (ALLOW_ANY, REGISTRY_ONLY, "ALLOW_ANY_DYNAMIC_DNS")
DNS_CAPTURE = "ISTIO_META_DNS_CAPTURE"
DNS_AUTO_ALLOCATE = "ISTIO_META_DNS_AUTO_ALLOCATE"


@dataclass(frozen=True, slots=True)
class MeshSettings:
    """Defaults follow ``DefaultMeshConfig`` (pkg/config/mesh/mesh.go) and ISTIO-SEMANTICS §8."""

    root_namespace: str = "istio-system"
    trust_domain: str = "cluster.local"
    trust_domain_aliases: tuple[str, ...] = ()
    domain_suffix: str = "cluster.local"  # cluster DNS suffix; not part of MeshConfig
    outbound_traffic_policy: str = ALLOW_ANY
    inbound_traffic_policy: str = "PASSTHROUGH"
    enable_auto_mtls: bool = True
    default_service_export_to: tuple[str, ...] = ("*",)
    default_virtual_service_export_to: tuple[str, ...] = ("*",)
    default_destination_rule_export_to: tuple[str, ...] = ("*",)
    # names of meshConfig.extensionProviders; None = unknown (no mesh config was given)
    extension_providers: tuple[str, ...] | None = None
    ingress_service: str = "istio-ingressgateway"
    ingress_selector: str = "ingressgateway"  # Helm default; matches label istio=<value>
    ingress_class: str = "istio"
    locality_lb_enabled: bool = True  # localityLbSetting.enabled
    # components set in meshConfig.defaultTrafficPolicy (e.g. "outlierDetection")
    default_traffic_policy: frozenset[str] = frozenset()
    connect_timeout: str = "10s"
    protocol_detection_timeout: str = "0s"
    path_normalization: str = "DEFAULT"
    # defaultConfig.proxyMetadata ISTIO_META_DNS_CAPTURE / ISTIO_META_DNS_AUTO_ALLOCATE
    dns_capture: bool = False
    dns_auto_allocate: bool = False
    # sidecarInjectorWebhook.enableNamespacesByDefault (injector values, not MeshConfig)
    inject_namespaces_by_default: bool = False
    # offline-analysis knobs (CLI flags, not MeshConfig)
    default_namespace: str = "default"
    assume_complete: bool = False
    source: str | None = None  # the mesh config file these settings came from

    def with_options(self, **changes: Any) -> MeshSettings:
        """A copy with CLI overrides applied (``--namespace``, ``--assume-complete``, ...)."""
        return replace(self, **changes)


def parse_mesh_config(
    data: Mapping[str, Any],
    *,
    path: str,
    parse_yaml: Callable[[str], object] | None = None,
    base: MeshSettings | None = None,
) -> MeshSettings:
    """Read a bare MeshConfig, the ``istio`` ConfigMap (``data.mesh``), an IstioOperator
    (``spec.meshConfig``) or Helm values (``meshConfig``). Unknown keys are ignored; a key with
    the wrong type raises ConfigError naming ``path`` and the key.

    ``parse_yaml`` turns the ConfigMap's ``data.mesh`` string into a mapping (the CLI passes
    the loader's parser; this module imports no YAML library).
    """
    mesh = _unwrap(data, path, parse_yaml)
    settings = replace(base or MeshSettings(), source=path, extension_providers=())
    for key, apply in _FIELDS.items():
        if key in mesh and mesh[key] is not None:
            settings = apply(settings, mesh[key], _Where(path, key))
    return settings


def _unwrap(
    data: Mapping[str, Any], path: str, parse_yaml: Callable[[str], object] | None
) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: mesh config must be a mapping")
    kind = data.get("kind")
    if kind == "ConfigMap":
        return _from_config_map(data, path, parse_yaml)
    if kind == "IstioOperator":
        spec = _mapping(data.get("spec") or {}, _Where(path, "spec"))
        return _mapping(spec.get("meshConfig") or {}, _Where(path, "spec.meshConfig"))
    if "meshConfig" in data and isinstance(data["meshConfig"], Mapping):
        return data["meshConfig"]
    return data


def _from_config_map(
    data: Mapping[str, Any], path: str, parse_yaml: Callable[[str], object] | None
) -> Mapping[str, Any]:
    entries = _mapping(data.get("data") or {}, _Where(path, "data"))
    text = entries.get("mesh")
    if text is None:
        return {}
    if not isinstance(text, str):
        raise ConfigError(f"{path}: key 'data.mesh' must be a YAML string")
    if parse_yaml is None:
        raise ConfigError(f"{path}: cannot read 'data.mesh' without a YAML parser")
    parsed = parse_yaml(text)
    if parsed is None:
        return {}
    return _mapping(parsed, _Where(path, "data.mesh"))


@dataclass(frozen=True, slots=True)
class _Where:
    path: str
    key: str

    def error(self, expected: str) -> ConfigError:
        return ConfigError(f"{self.path}: mesh config key '{self.key}' must be {expected}")


def _mapping(value: object, where: _Where) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.error("a mapping")
    return value


def _string(value: object, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.error("a string")
    return value


def _boolean(value: object, where: _Where) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise where.error("a boolean")


def _strings(value: object, where: _Where) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error("a list of strings")
    return tuple(value)


def _mode(value: object, where: _Where) -> str:
    mode = _string(_mapping(value, where).get("mode", ALLOW_ANY), _Where(where.path, "mode"))
    if mode not in OUTBOUND_MODES:
        raise where.error("one of " + ", ".join(OUTBOUND_MODES))
    return mode


def _providers(value: object, where: _Where) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise where.error("a list of providers")
    names = [_mapping(item, where).get("name") for item in value]
    return tuple(_string(name, _Where(where.path, f"{where.key}[].name")) for name in names)


def _locality(settings: MeshSettings, value: object, where: _Where) -> MeshSettings:
    enabled = _mapping(value, where).get("enabled")
    if enabled is None:
        return settings
    return replace(settings, locality_lb_enabled=_boolean(enabled, where))


def _default_config(settings: MeshSettings, value: object, where: _Where) -> MeshSettings:
    metadata = _mapping(_mapping(value, where).get("proxyMetadata") or {}, where)
    changes: dict[str, Any] = {}
    for key, field_name in ((DNS_CAPTURE, "dns_capture"), (DNS_AUTO_ALLOCATE, "dns_auto_allocate")):
        if key in metadata:
            changes[field_name] = _boolean(metadata[key], _Where(where.path, key))
    return replace(settings, **changes)


def _simple(field_name: str, convert: Callable[[object, _Where], object]) -> _Apply:
    def apply(settings: MeshSettings, value: object, where: _Where) -> MeshSettings:
        changes: dict[str, Any] = {field_name: convert(value, where)}
        return replace(settings, **changes)

    return apply


def _inbound(value: object, where: _Where) -> str:
    return _string(_mapping(value, where).get("mode", "PASSTHROUGH"), where)


def _normalization(value: object, where: _Where) -> str:
    return _string(_mapping(value, where).get("normalization", "DEFAULT"), where)


def _components(value: object, where: _Where) -> frozenset[str]:
    return frozenset(key for key, v in _mapping(value, where).items() if v is not None)


_Apply = Callable[[MeshSettings, object, _Where], MeshSettings]
_FIELDS: dict[str, _Apply] = {
    "rootNamespace": _simple("root_namespace", _string),
    "trustDomain": _simple("trust_domain", _string),
    "trustDomainAliases": _simple("trust_domain_aliases", _strings),
    "outboundTrafficPolicy": _simple("outbound_traffic_policy", _mode),
    "inboundTrafficPolicy": _simple("inbound_traffic_policy", _inbound),
    "enableAutoMtls": _simple("enable_auto_mtls", _boolean),
    "defaultServiceExportTo": _simple("default_service_export_to", _strings),
    "defaultVirtualServiceExportTo": _simple("default_virtual_service_export_to", _strings),
    "defaultDestinationRuleExportTo": _simple("default_destination_rule_export_to", _strings),
    "extensionProviders": _simple("extension_providers", _providers),
    "ingressService": _simple("ingress_service", _string),
    "ingressSelector": _simple("ingress_selector", _string),
    "ingressClass": _simple("ingress_class", _string),
    "localityLbSetting": _locality,
    "defaultTrafficPolicy": _simple("default_traffic_policy", _components),
    "connectTimeout": _simple("connect_timeout", _string),
    "protocolDetectionTimeout": _simple("protocol_detection_timeout", _string),
    "pathNormalization": _simple("path_normalization", _normalization),
    "defaultConfig": _default_config,
}
