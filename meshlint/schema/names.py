"""Name syntax as Istio validates it: DNS labels, (wildcard) hosts, IPs, label keys/values.

Each ``*_problem`` function returns why a value is invalid, or None when it is valid.
Grammar from istio/istio ``pkg/config/validation/agent`` and ``pkg/config/labels``.
"""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?")
_WILDCARD_LABEL = re.compile(r"\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?")
_NUMERIC = re.compile(r"[+-]?\d+")
_LABEL_NAME = re.compile(r"[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")
_SUBDOMAIN = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*")
MAX_LABEL = 63
MAX_NAME = 255


def is_label(text: str) -> bool:
    """A DNS-1123 label (Istio's variant accepts uppercase)."""
    return len(text) <= MAX_LABEL and _LABEL.fullmatch(text) is not None


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_ip_or_cidr(text: str) -> bool:
    if "/" not in text:
        return is_ip(text)
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _length_problem(name: str) -> str | None:
    if not name:
        return "empty host name"
    if len(name) > MAX_NAME:
        return f"host name is longer than {MAX_NAME} characters"
    return None


def labels_problem(name: str) -> str | None:
    """Istio's ValidateDNS1123Labels: dot-separated labels, last one not all-numeric."""
    parts = name.split(".")
    if _NUMERIC.fullmatch(parts[-1]):
        return f"top-level domain {parts[-1]!r} cannot be all-numeric"
    for index, label in enumerate(parts):
        if index == len(parts) - 1 and not label and index > 0:
            return None  # one trailing dot is allowed
        if not is_label(label):
            return f"label {label!r} is not a valid DNS-1123 label"
    return None


def wildcard_domain_problem(name: str) -> str | None:
    """Istio's ValidateWildcardDomain: a wildcard is allowed only in the first label."""
    problem = _length_problem(name)
    if problem:
        return problem
    first, dot, rest = name.partition(".")
    if len(first) > MAX_LABEL or not _WILDCARD_LABEL.fullmatch(first):
        return f"label {first!r} is not valid (a wildcard may only be the whole first label)"
    return labels_problem(rest) if dot else None


def fqdn_problem(name: str) -> str | None:
    """Istio's ValidateFQDN: DNS-1123 labels, no wildcard."""
    return _length_problem(name) or labels_problem(name)


def label_key_problem(key: str) -> str | None:
    """A Kubernetes label key: optional DNS subdomain prefix and ``/``, then a name."""
    prefix, slash, name = key.rpartition("/")
    if slash and (len(prefix) > 253 or not _SUBDOMAIN.fullmatch(prefix)):
        return f"label key prefix {prefix!r} is not a DNS subdomain"
    if len(name) > MAX_LABEL or not _LABEL_NAME.fullmatch(name):
        return f"label key {key!r} is not valid (alphanumerics, '-', '_', '.'; at most 63)"
    return None


def label_value_problem(value: str) -> str | None:
    if value and (len(value) > MAX_LABEL or not _LABEL_NAME.fullmatch(value)):
        return f"label value {value!r} is not valid (alphanumerics, '-', '_', '.'; at most 63)"
    return None


def namespaced_host_problem(entry: str, *, gateway: bool) -> str | None:
    """A Gateway server host (``host`` or ``ns/host``) or a Sidecar egress host (``ns/host``)."""
    namespace, slash, host = entry.partition("/")
    if not slash:
        if not gateway:
            return "must have the form namespace/dnsName"
        namespace, host = "*", entry
    if not namespace or not host:
        return "namespace and dnsName must not be empty"
    if not gateway and namespace != "~":
        namespace = namespace.removeprefix("~")
    if namespace not in {"*", ".", "~"} and not is_label(namespace):
        return f"namespace {namespace!r} is not '*', '.' or a DNS-1123 label"
    if gateway and is_ip(host):
        return None
    if host != "*" and "." not in host:
        return f"short name {host!r} is not allowed here (use a fully qualified name)"
    return _host_part_problem(host, gateway=gateway)


def _host_part_problem(host: str, *, gateway: bool) -> str | None:
    problem = wildcard_domain_problem(host)
    if problem:
        return problem
    first = host.partition(".")[0]
    if gateway and "*" in first and first != "*":
        return f"partial wildcard {first!r} is not allowed (use '*' as the whole first label)"
    return None


def gateway_name_problem(name: str) -> str | None:
    """A VirtualService ``gateways`` entry: ``mesh``, ``name``, ``ns/name`` or legacy FQDN."""
    namespace, slash, gw = name.partition("/")
    if not slash:
        problem = fqdn_problem(name)
        return f"gateway name {name!r} is not valid: {problem}" if problem else None
    if not is_label(namespace):
        return f"namespace {namespace!r} in gateway {name!r} is not a DNS-1123 label"
    if not is_label(gw):
        return f"name {gw!r} in gateway {name!r} is not a DNS-1123 label"
    return None


def hosts_overlap(a: str, b: str) -> bool:
    """Istio's host.Name.Matches: equal, or one wildcard's suffix covers the other."""
    if a.startswith("*") and b.startswith("*"):
        shorter, longer = sorted((a, b), key=len)
        return longer[1:].endswith(shorter[1:])
    if a.startswith("*"):
        return b.endswith(a[1:])
    if b.startswith("*"):
        return a.endswith(b[1:])
    return a == b
