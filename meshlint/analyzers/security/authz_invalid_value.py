"""MESH318: invalid `when` keys and values, path templates, method case and port strings."""

from __future__ import annotations

import re
from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy, Condition, Operation
from meshlint.rule import Rule, RuleContext

MAX_PORT = 65535
# 5.1 ValidateAttribute: keys taken as they are
PLAIN_KEYS = frozenset(
    {
        "source.ip",
        "remote.ip",
        "source.namespace",
        "source.serviceAccount",
        "source.principal",
        "source.trustDomain",
        "request.auth.principal",
        "request.auth.audiences",
        "request.auth.presenter",
        "destination.ip",
        "destination.port",
        "connection.sni",
    }
)
REPLACED = {
    "destination.namespace": "is replaced by the policy's metadata.namespace",
    "destination.labels": "is replaced by the workload selector",
    "destination.name": "is not supported",
    "destination.user": "is not supported",
}
MAP_KEY = re.compile(r"^[^\[\]]+(\[[^\[\]]+\])+$")
ONE_MAP_KEY = re.compile(r"^[^\[\]]+\[[^\[\]]+\]$")
IP_KEYS = frozenset({"source.ip", "remote.ip", "destination.ip"})
# RFC 3986 pchar, the literal segments Envoy's URI templates accept (CheckValidPathTemplate)
LITERAL = re.compile(r"^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$")
MATCH_ONE, MATCH_ANY = "{*}", "{**}"


def check(ctx: RuleContext) -> Iterator[Finding]:
    for policy in ctx.mesh.all(AuthorizationPolicy):
        for r, rule in enumerate(policy.spec.rules or ()):
            for t, entry in enumerate(rule.to or ()):
                if entry.operation is not None:
                    at = f"/spec/rules/{r}/to/{t}/operation"
                    for pointer, problem in _operation(entry.operation, at):
                        yield ctx.finding(policy, pointer, problem=problem)
            for w, condition in enumerate(rule.when):
                for pointer, problem in _condition(condition, f"/spec/rules/{r}/when/{w}"):
                    yield ctx.finding(policy, pointer, problem=problem)


def _operation(operation: Operation, at: str) -> Iterator[tuple[str, str]]:
    for field, values in (("ports", operation.ports), ("notPorts", operation.not_ports)):
        for i, value in enumerate(values):
            if not _is_port(value):
                yield f"{at}/{field}/{i}", f"{field} entry {value!r} is not a port number 0..65535"
    for field, values in (("methods", operation.methods), ("notMethods", operation.not_methods)):
        for i, value in enumerate(values):
            if value != value.upper():
                yield (
                    f"{at}/{field}/{i}",
                    f"HTTP method {value!r} is matched case-sensitively and never matches "
                    f"(use {value.upper()!r})",
                )
    for field, values in (("paths", operation.paths), ("notPaths", operation.not_paths)):
        for i, value in enumerate(values):
            problem = path_problem(value)
            if problem is not None:
                yield f"{at}/{field}/{i}", f"path {value!r} {problem}"


def _is_port(value: str) -> bool:
    return value.isdigit() and int(value) <= MAX_PORT


def path_problem(path: str) -> str | None:
    """``CheckValidPathTemplate``: ``{*}`` one segment, ``{**}`` last operator, other braces
    rejected, literal segments of a template must be pchar (5.3)."""
    template = MATCH_ONE in path or MATCH_ANY in path
    seen_any = False
    for segment in path.strip("/").split("/"):
        if segment == MATCH_ONE and not seen_any:
            continue
        if segment == MATCH_ANY and not seen_any:
            seen_any = True
            continue
        if "{" in segment or "}" in segment:
            return "has '{' or '}' outside a supported {*} / {**} template ({**} must be last)"
        if template and not LITERAL.match(segment):
            return f"has template segment {segment!r} that is not a valid literal"
    return None


def _condition(condition: Condition, at: str) -> Iterator[tuple[str, str]]:
    problem = key_problem(condition.key)
    if problem is not None:
        yield f"{at}/key", f"when key {condition.key!r} {problem}"
        return
    for field, values in (("values", condition.values), ("notValues", condition.not_values)):
        for i, value in enumerate(values):
            value_problem = _value_problem(condition.key, value)
            if value_problem is not None:
                yield f"{at}/{field}/{i}", value_problem


def key_problem(key: str) -> str | None:
    """``ValidateAttribute`` (5.1); None when the key is valid."""
    if key in PLAIN_KEYS:
        return None
    if key.startswith("request.headers["):
        return None if ONE_MAP_KEY.match(key) else "must be request.headers[<name>]"
    if key.startswith("request.auth.claims["):
        return None if MAP_KEY.match(key) else "must be request.auth.claims[<name>]"
    if key.startswith("experimental.envoy.filters.") and ONE_MAP_KEY.match(key):
        return None
    base = key.partition("[")[0]
    if base in REPLACED:
        return REPLACED[base]
    return "is not a known attribute"


def _value_problem(key: str, value: str) -> str | None:
    if key == "destination.port" and not _is_port(value):
        return f"destination.port value {value!r} is not a port number 0..65535"
    if key in IP_KEYS and not _is_ip_or_cidr(value):
        return f"{key} value {value!r} is not an IP address or CIDR"
    return None


def _is_ip_or_cidr(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


RULE = Rule(
    code="MESH318",
    name="authz-invalid-value",
    summary="An AuthorizationPolicy has an invalid when key, path, method or port",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.AUTHORIZATION_POLICY}),
    rationale=(
        "Istio's webhook rejects unknown when keys, malformed bracket keys, braces outside "
        "the {*} / {**} path templates, and port strings that are not numbers, so the policy "
        "is never applied. Methods are matched case-sensitively against the request's "
        ":method, so a lower-case method is accepted but never matches."
    ),
    remediation=(
        "Use a when key from the AuthorizationPolicy reference, upper-case HTTP methods, "
        "numeric ports and valid path templates."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  rules:
  - to: [{operation: {methods: [get], paths: ["/api/v{*}"], ports: [http]}}]
    when: [{key: destination.namespace, values: [shop]}]
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  rules:
  - to: [{operation: {methods: [GET], paths: ["/api/{*}"], ports: ["8080"]}}]
    when: [{key: "request.headers[x-tenant]", values: [shop]}]
""",
    since="0.1.0",
    check=check,
)
