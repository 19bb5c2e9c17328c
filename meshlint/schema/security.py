"""AuthorizationPolicy, PeerAuthentication and RequestAuthentication checks (4.1, 5.1, 5.6).

PeerAuthentication ``portLevelMtls`` checks are rule MESH305's; ``when`` keys, path
templates and port strings are rule MESH318's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_list, as_map, maps, strings
from meshlint.schema.common import duration, selector_labels
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.names import is_ip_or_cidr
from meshlint.source import join_pointer

IDENTITY_FIELDS = ("principals", "notPrincipals", "namespaces", "notNamespaces")
IP_FIELDS = ("ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks")


def _selector(spec: Mapping[str, Any]) -> Iterator[Issue]:
    labels = as_map(spec.get("selector")).get("matchLabels")
    yield from selector_labels(labels, "/spec/selector/matchLabels")
    targets = [k for k in ("selector", "targetRef", "targetRefs") if spec.get(k) is not None]
    if len(targets) > 1:
        text = f"only one of selector, targetRef, targetRefs may be set, found {', '.join(targets)}"
        yield invalid(f"/spec/{targets[1]}", text, on_key=True)


def check_peer_authentication(data: Mapping[str, Any]) -> Iterator[Issue]:
    spec = data.get("spec")
    if isinstance(spec, dict):
        yield from selector_labels(
            as_map(spec.get("selector")).get("matchLabels"), "/spec/selector/matchLabels"
        )


def check_request_authentication(data: Mapping[str, Any]) -> Iterator[Issue]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    yield from _selector(spec)
    for at, rule in maps(spec.get("jwtRules"), "/spec/jwtRules"):
        if not rule.get("issuer") and not rule.get("jwksUri"):
            yield invalid(at, "a jwtRules entry needs issuer or jwksUri")
        if rule.get("jwks") and rule.get("jwksUri"):
            yield invalid(f"{at}/jwks", "jwks and jwksUri cannot both be set", on_key=True)
        yield from duration(rule, at, "timeout")


def check_authorization_policy(data: Mapping[str, Any]) -> Iterator[Issue]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    yield from _selector(spec)
    yield from _action(spec)
    for index, rule in enumerate(as_list(spec.get("rules"))):
        at = f"/spec/rules/{index}"
        if rule is None:
            yield invalid(at, "rule must not be null")
        elif isinstance(rule, dict):
            yield from _rule(rule, at)


def _action(spec: Mapping[str, Any]) -> Iterator[Issue]:
    action = spec.get("action") or "ALLOW"
    has_rules = spec.get("rules") is not None
    if action == "CUSTOM" and not has_rules:
        yield invalid("/spec/action", "CUSTOM needs rules (use rules: [{}] to match every request)")
    # CUSTOM without provider.name is MESH316's (authz-custom-provider), not reported here
    if action != "CUSTOM" and spec.get("provider") is not None:
        yield invalid(
            "/spec/provider",
            f"provider is only allowed with action CUSTOM, not {action}",
            on_key=True,
        )
    if action == "DENY" and not has_rules:
        yield invalid("/spec/action", "DENY needs rules (a DENY policy without rules is rejected)")


def _rule(rule: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    for key, inner in (("from", "source"), ("to", "operation")):
        if rule.get(key) == []:
            yield invalid(
                join_pointer(pointer, key),
                f"{key} must not be empty (omit it instead)",
                on_key=True,
            )
        for index, entry in enumerate(as_list(rule.get(key))):
            at = join_pointer(pointer, key, index, inner)
            if not as_map(entry).get(inner):
                yield invalid(at, f"{key} entry needs a non-empty {inner}")
    for at, entry in maps(rule.get("from"), f"{pointer}/from"):
        yield from _source(as_map(entry.get("source")), f"{at}/source")


def _source(source: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    for key in ("serviceAccounts", "notServiceAccounts"):
        if source.get(key):
            clash = [k for k in IDENTITY_FIELDS if source.get(k)]
            if clash:
                text = f"{key} cannot be combined with {', '.join(clash)}"
                yield invalid(join_pointer(pointer, key), text, on_key=True)
            yield from _service_accounts(source.get(key), join_pointer(pointer, key))
    for key in IP_FIELDS:
        for at, value in strings(source.get(key), join_pointer(pointer, key)):
            if not is_ip_or_cidr(value):
                yield invalid(at, f"{key} entry {value!r} is not an IP address or CIDR")


def _service_accounts(value: object, pointer: str) -> Iterator[Issue]:
    for at, account in strings(value, pointer):
        parts = account.split("/")
        if "*" in account or len(parts) > 2 or not all(parts) or len(account) > 320:
            yield invalid(
                at, f"service account {account!r} must be 'name' or 'namespace/name', no '*'"
            )
