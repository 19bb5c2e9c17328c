"""HTTPRoute policies: retries, fault injection and CORS (ISTIO-SEMANTICS 1.10-1.12)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

from meshlint.schema.access import as_int, as_str, maps, present, strings
from meshlint.schema.common import duration, percentage
from meshlint.schema.durations import parse_duration
from meshlint.schema.http_match import string_match
from meshlint.schema.issues import Issue, invalid
from meshlint.source import join_pointer

RETRY_ON = frozenset(
    {
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure",
        "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
        "envoy-ratelimited", "http3-post-connect-failure", "cancelled", "deadline-exceeded",
        "internal", "resource-exhausted", "unavailable",
    }
)  # fmt: skip
GRPC_STATUS = frozenset(
    {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    }
)  # fmt: skip
CORS_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"}
)
_HTTP_CODES = frozenset(int(status) for status in HTTPStatus)
_SECOND = 1_000_000_000


def retries(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """ValidateHTTPRetry: attempts >= 0, nothing else with 0 attempts, retryOn tokens."""
    attempts = as_int(spec.get("attempts"))
    if attempts is not None and attempts < 0:
        yield invalid(f"{pointer}/attempts", f"attempts {attempts} must not be negative")
    if not attempts:
        for key in ("perTryTimeout", "retryOn", "retryRemoteLocalities"):
            if spec.get(key) is not None and spec.get(key) != "":
                text = f"retries.{key} is set but attempts is 0 or unset (Istio rejects this)"
                yield invalid(join_pointer(pointer, key), text, on_key=True)
    yield from duration(spec, pointer, "perTryTimeout")
    yield from duration(spec, pointer, "backoff")
    yield from _retry_on(as_str(spec.get("retryOn")), f"{pointer}/retryOn")


def _retry_on(text: str | None, pointer: str) -> Iterator[Issue]:
    for token in (text or "").split(",") if text else ():
        known = token in RETRY_ON or (token.isdigit() and int(token) in _HTTP_CODES)
        if not known:
            yield invalid(pointer, f"retryOn condition {token!r} is not known")


def fault(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """validateHTTPFaultInjection: abort and/or delay, each well-formed."""
    if spec.get("abort") is None and spec.get("delay") is None:
        yield invalid(pointer, "fault must set abort or delay")
    if isinstance(spec.get("abort"), dict):
        yield from _abort(spec["abort"], f"{pointer}/abort")
    if isinstance(spec.get("delay"), dict):
        delay_at = f"{pointer}/delay"
        yield from percentage(spec["delay"], delay_at)
        yield from duration(spec["delay"], delay_at, "fixedDelay")
        if spec["delay"].get("exponentialDelay") is not None:
            at = f"{delay_at}/exponentialDelay"
            yield invalid(at, "exponentialDelay is not supported by Istio", on_key=True)


def _abort(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    yield from percentage(spec, pointer)
    if spec.get("http2Error") is not None:
        at = f"{pointer}/http2Error"
        yield invalid(at, "http2Error aborts are not supported by Istio", on_key=True)
    status = as_int(spec.get("httpStatus"))
    if status is not None and not 200 <= status <= 600:
        yield invalid(f"{pointer}/httpStatus", f"httpStatus {status} is outside 200-599")
    grpc = as_str(spec.get("grpcStatus"))
    if grpc is not None and grpc not in GRPC_STATUS:
        at = f"{pointer}/grpcStatus"
        yield invalid(at, f"grpcStatus {grpc!r} is not a gRPC status name such as UNAVAILABLE")


def cors_policy(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """validateCORSPolicy: origins, methods, header names, maxAge in whole seconds."""
    for at, origin in maps(spec.get("allowOrigins"), f"{pointer}/allowOrigins"):
        if not any(present(origin, key) for key in ("exact", "prefix", "regex")):
            yield invalid(at, "allowOrigins entry must set a non-empty exact, prefix or regex")
        yield from string_match(origin, at, "allowOrigins")
    for at, method in strings(spec.get("allowMethods"), f"{pointer}/allowMethods"):
        if method not in CORS_METHODS:
            yield invalid(at, f"allowMethods {method!r} is not an HTTP method (upper case)")
    for key in ("allowHeaders", "exposeHeaders"):
        for at, name in strings(spec.get(key), join_pointer(pointer, key)):
            if not name:
                yield invalid(at, f"{key} entries must not be empty")
    yield from duration(spec, pointer, "maxAge")
    nanos = parse_duration(as_str(spec.get("maxAge")) or "")
    if nanos is not None and nanos % _SECOND:
        yield invalid(f"{pointer}/maxAge", "maxAge must be a whole number of seconds")
