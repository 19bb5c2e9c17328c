"""Concrete AuthorizationPolicy evaluation of one request at one workload (5.3-5.5, 4.5)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from meshlint.mesh.security_queries import (
    HTTP_OPERATION_FIELDS,
    HTTP_SOURCE_FIELDS,
    http_only_pointers,
    is_http_key,
    namespace_glob_matches,
)
from meshlint.model.security import Condition, Operation, Source
from meshlint.model.security import Rule as AuthzRule


@dataclass(frozen=True, slots=True)
class AuthzRequest:
    """What the enforcing sidecar knows about a request.

    ``principal`` is the peer's SPIFFE identity without ``spiffe://`` (``td/ns/N/sa/S``), None
    on a plaintext connection (4.5). ``port`` is the workload (target) port. ``http`` is False
    on a TCP filter chain, where HTTP-only attributes do not exist (5.5).
    """

    principal: str | None
    method: str = "GET"
    path: str = "/"
    host: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    port: int | None = None
    http: bool = True

    def _part(self, index: int) -> str | None:
        parts = (self.principal or "").split("/")
        return parts[index] if len(parts) == 5 else None

    @property
    def trust_domain(self) -> str | None:
        return self._part(0)

    @property
    def namespace(self) -> str | None:
        return self._part(2)

    @property
    def service_account(self) -> str | None:
        return self._part(4)


@dataclass(frozen=True, slots=True)
class Check:
    """One condition of a rule: whether it held, why, and where it is written."""

    held: bool
    reason: str
    pointer: str


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """One rule: matched, or the first condition that failed (``failed``)."""

    index: int
    matched: bool
    failed: Check | None = None
    skipped: bool = False  # an ALLOW rule with HTTP-only attributes on a TCP port
    dropped: tuple[str, ...] = ()  # HTTP-only conditions dropped on TCP (DENY, CUSTOM)

    @property
    def reason(self) -> str:
        if self.skipped:
            return "skipped: HTTP-only attributes on a TCP port"
        if self.failed is not None:
            return self.failed.reason
        return "matched" + (" (HTTP-only conditions dropped on TCP)" if self.dropped else "")


def _service_account(request: AuthzRequest) -> str | None:
    if request.namespace is None:
        return None
    return f"{request.namespace}/{request.service_account}"


Lookup = Callable[[AuthzRequest], str | None]
SOURCE_VALUES: Mapping[str, Lookup] = {
    "principals": lambda r: r.principal,
    "namespaces": lambda r: r.namespace,
    "trust_domains": lambda r: r.trust_domain,
    "request_principals": lambda r: None,  # no JWT offline
}
WHEN_VALUES: Mapping[str, Lookup] = {
    "source.principal": lambda r: r.principal,
    "source.namespace": lambda r: r.namespace,
    "source.serviceAccount": _service_account,
    "source.trustDomain": lambda r: r.trust_domain,
    "destination.port": lambda r: None if r.port is None else str(r.port),
}


def string_matches(pattern: str, value: str | None, *, fold: bool = False) -> bool:
    """``*`` presence, ``abc*`` prefix, ``*abc`` suffix, else exact (5.3)."""
    if value is None:
        return False
    if fold:
        pattern, value = pattern.lower(), value.lower()
    if pattern == "*":
        return value != ""
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    return value == pattern


def _value_matches(name: str, pattern: str, value: str | None, owner: str) -> bool:
    if name in ("namespaces", "trust_domains"):
        return value is not None and namespace_glob_matches(pattern, value)
    if name == "service_accounts":
        wanted = pattern if "/" in pattern else f"{owner}/{pattern}"
        return value == wanted
    if name == "ip_blocks":
        return _in_block(pattern, value)
    return string_matches(pattern, value, fold=name == "hosts")


def _in_block(block: str, value: str | None) -> bool:
    if value is None:
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(block, strict=False)
    except ValueError:
        return False


def _list_check(
    name: str, values: Sequence[str], value: str | None, owner: str, at: str
) -> Check | None:
    """A positive (``name``) or negative (``not_name``) list; None when not written."""
    if not values:
        return None
    negative = name.startswith("not_")
    base = name.removeprefix("not_")
    alias = ALIASES.get(base, base)
    hit = any(_value_matches(base, v, value, owner) for v in values)
    shown = "absent" if value is None else f'"{value}"'
    listed = f"[{', '.join(values)}]"
    relation = "in" if hit else "not in"
    if negative:
        listed = f"{_camel(name)} {listed}"
    return Check(hit != negative, f"{alias} {shown} {relation} {listed}", f"{at}/{_camel(name)}")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _source_value(name: str, request: AuthzRequest) -> str | None:
    base = name.removeprefix("not_")
    if base == "service_accounts":
        return _service_account(request)
    if base in ("ip_blocks", "remote_ip_blocks"):
        return None  # the peer address is not known offline
    lookup = SOURCE_VALUES.get(base)
    return lookup(request) if lookup is not None else None


ALIASES = {
    "principals": "source.principal",
    "namespaces": "source.namespace",
    "service_accounts": "source.serviceAccount",
    "trust_domains": "source.trustDomain",
    "request_principals": "request.auth.principal",
    "ip_blocks": "source.ip",
    "remote_ip_blocks": "remote.ip",
    "hosts": "request.host",
    "methods": "request.method",
    "paths": "request.path",
    "ports": "destination.port",
}


def _source_checks(
    source: Source, request: AuthzRequest, owner: str, at: str, drop_http: bool
) -> Iterator[Check]:
    for name in type(source).model_fields:
        if drop_http and name in HTTP_SOURCE_FIELDS:
            continue
        value = _source_value(name, request)
        found = _list_check(name, getattr(source, name), value, owner, at)
        if found is not None:
            yield found


def _operation_value(name: str, request: AuthzRequest) -> str | None:
    values = {
        "hosts": request.host,
        "methods": request.method,
        "paths": request.path.split("?", 1)[0],
        "ports": None if request.port is None else str(request.port),
    }
    return values[name.removeprefix("not_")]


def _operation_checks(
    operation: Operation, request: AuthzRequest, at: str, drop_http: bool
) -> Iterator[Check]:
    for name in type(operation).model_fields:
        if drop_http and name in HTTP_OPERATION_FIELDS:
            continue
        value = _operation_value(name, request)
        found = _list_check(name, getattr(operation, name), value, "", at)
        if found is not None:
            yield found


def _when_value(key: str, request: AuthzRequest) -> str | None:
    if key.startswith("request.headers[") and key.endswith("]"):
        return request.headers.get(key[len("request.headers[") : -1].lower())
    lookup = WHEN_VALUES.get(key)
    return lookup(request) if lookup is not None else None


def _when_check(condition: Condition, request: AuthzRequest, at: str) -> Check:
    value = _when_value(condition.key, request)
    shown = "absent" if value is None else f'"{value}"'
    if condition.values and not any(string_matches(v, value) for v in condition.values):
        listed = ", ".join(condition.values)
        return Check(False, f"{condition.key} {shown} not in [{listed}]", f"{at}/values")
    if any(string_matches(v, value) for v in condition.not_values):
        listed = ", ".join(condition.not_values)
        return Check(False, f"{condition.key} {shown} in notValues [{listed}]", f"{at}/notValues")
    return Check(True, f"{condition.key} {shown} holds", at)


def _first_failing(checks: Iterator[Check]) -> Check | None:
    return next((c for c in checks if not c.held), None)


def _clauses_fail(clauses: Sequence[Iterator[Check]], label: str, at: str) -> Check | None:
    """Entries of ``from`` (or ``to``) are OR'ed: the rule fails when none holds; the first
    entry's failing condition explains it."""
    failures = [_first_failing(checks) for checks in clauses]
    if any(f is None for f in failures):
        return None
    first = failures[0]
    return first or Check(False, f"no {label} entry matched", at)


def evaluate_rule(
    rule: AuthzRule, index: int, request: AuthzRequest, *, action: str, owner: str
) -> RuleVerdict:
    """``from`` AND ``to`` AND ``when``; on TCP an ALLOW rule with HTTP-only attributes is
    skipped and other actions drop just those conditions (5.5)."""
    at = f"/spec/rules/{index}"
    http_only = http_only_pointers(rule, at) if not request.http else ()
    if http_only and action == "ALLOW":
        return RuleVerdict(index, False, skipped=True, dropped=http_only)
    drop = bool(http_only)
    froms = [
        _source_checks(e.source, request, owner, f"{at}/from/{i}/source", drop)
        for i, e in enumerate(rule.from_ or ())
        if e.source is not None
    ]
    tos = [
        _operation_checks(e.operation, request, f"{at}/to/{i}/operation", drop)
        for i, e in enumerate(rule.to or ())
        if e.operation is not None
    ]
    failed = _clauses_fail(froms, "from", at) if froms else None
    failed = failed or (_clauses_fail(tos, "to", at) if tos else None)
    if failed is None:
        whens = (
            _when_check(c, request, f"{at}/when/{i}")
            for i, c in enumerate(rule.when)
            if not (drop and is_http_key(c.key))
        )
        failed = _first_failing(whens)
    return RuleVerdict(index, failed is None, failed, dropped=http_only)
