"""Validate raw documents: unknown fields, invalid values, regexes, deprecations (MESH003-006)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from meshlint.findings import Finding, ResourceRef
from meshlint.model.base import Kind
from meshlint.schema.access import as_map, as_str
from meshlint.schema.destinationrule import check_destination_rule
from meshlint.schema.gateway import check_gateway
from meshlint.schema.issues import Issue, invalid, to_finding, unique
from meshlint.schema.security import (
    check_authorization_policy,
    check_peer_authentication,
    check_request_authentication,
)
from meshlint.schema.serviceentry import check_service_entry
from meshlint.schema.sidecar import check_sidecar
from meshlint.schema.store import SchemaValidator
from meshlint.schema.versions import parse_version, too_new
from meshlint.schema.virtualservice import check_virtual_service
from meshlint.source import RawDocument

IstioCheck = Callable[[Mapping[str, Any]], Iterator[Issue]]

# The value checks a JSON Schema cannot express, per kind (ISTIO-SEMANTICS sections 1-7).
ISTIO_CHECKS: Mapping[Kind, IstioCheck] = {
    Kind.VIRTUAL_SERVICE: check_virtual_service,
    Kind.DESTINATION_RULE: check_destination_rule,
    Kind.GATEWAY: check_gateway,
    Kind.SERVICE_ENTRY: check_service_entry,
    Kind.SIDECAR: check_sidecar,
    Kind.AUTHORIZATION_POLICY: check_authorization_policy,
    Kind.PEER_AUTHENTICATION: check_peer_authentication,
    Kind.REQUEST_AUTHENTICATION: check_request_authentication,
}


def identify(api_version: str, kind: str) -> tuple[Kind | None, Issue | None]:
    """The modelled kind of a document, or an issue when its apiVersion is not served."""
    found = Kind.from_api(api_version, kind)
    if found is not None:
        return found, None
    group = api_version.rpartition("/")[0]
    for member in Kind:
        if member.kind_name == kind and member.group == group:
            served = ", ".join(f"{group}/{v}" if group else v for v in member.served_versions)
            text = f"apiVersion {api_version!r} is not served for {kind}; use one of {served}"
            return member, invalid("/apiVersion", text)
    return None, None


def resource_ref(data: Mapping[str, Any]) -> ResourceRef:
    metadata = as_map(data.get("metadata"))
    return ResourceRef(
        kind=as_str(data.get("kind")) or "",
        name=as_str(metadata.get("name")) or "",
        namespace=as_str(metadata.get("namespace")),
        api_version=as_str(data.get("apiVersion")) or "",
    )


class Validator:
    """Validates documents; holds the compiled schemas for one run."""

    def __init__(
        self, *, istio_version: str | None = None, schemas: SchemaValidator | None = None
    ) -> None:
        self.istio_version = istio_version
        self._target = parse_version(istio_version)
        self._schemas = schemas or SchemaValidator()
        self._kinds: dict[tuple[str, str], tuple[Kind | None, Issue | None]] = {}

    def validate(self, doc: RawDocument) -> list[Finding]:
        """Every MESH003-006 finding for one document, sorted by position."""
        data = doc.data if isinstance(doc.data, dict) else {}
        issues = self.issues(data)
        if not issues:
            return []
        resource = resource_ref(data)
        return sorted(to_finding(issue, doc, resource) for issue in issues)

    def issues(self, data: Mapping[str, Any]) -> list[Issue]:
        key = (as_str(data.get("apiVersion")) or "", as_str(data.get("kind")) or "")
        if key not in self._kinds:
            self._kinds[key] = identify(*key)
        kind, problem = self._kinds[key]
        if kind is None:
            return []
        if problem is not None:
            return [problem]
        try:
            found = [
                *ISTIO_CHECKS.get(kind, _nothing)(data),
                *self._schemas.issues(kind.schema_name, data),
                *too_new(data, self._target),
            ]
        except RecursionError:
            return [invalid("", "document is nested too deeply to validate")]
        return unique(found)


def _nothing(_: Mapping[str, Any]) -> Iterator[Issue]:
    return iter(())


def validate_documents(docs: Sequence[RawDocument]) -> tuple[Finding, ...]:
    validator = Validator()
    return tuple(finding for doc in docs for finding in validator.validate(doc))
