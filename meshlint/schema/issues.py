"""Issues found in one raw document, and how they become Findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from meshlint.findings import Finding, Fix, FixOp, ResourceRef, Severity
from meshlint.source import RawDocument

UNKNOWN_FIELD = "MESH003"
INVALID_VALUE = "MESH004"
REGEX_INVALID = "MESH005"
DEPRECATED = "MESH006"

RULES: dict[str, tuple[str, Severity]] = {
    UNKNOWN_FIELD: ("schema-unknown-field", Severity.ERROR),
    INVALID_VALUE: ("schema-invalid-value", Severity.ERROR),
    REGEX_INVALID: ("regex-invalid", Severity.ERROR),
    DEPRECATED: ("deprecated", Severity.WARNING),
}


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem at a JSON pointer, before its span is resolved."""

    code: str
    pointer: str
    message: str
    on_key: bool = False  # report at the mapping key rather than at the value
    extra: tuple[tuple[str, Any], ...] = ()
    fix: Fix | None = None  # a safe edit for ``--fix``


def invalid(pointer: str, message: str, *, on_key: bool = False) -> Issue:
    return Issue(INVALID_VALUE, pointer, message, on_key)


def deprecated(pointer: str, message: str, fix: Fix | None = None) -> Issue:
    return Issue(DEPRECATED, pointer, message, on_key=True, fix=fix)


def bad_regex(pointer: str, message: str) -> Issue:
    return Issue(REGEX_INVALID, pointer, message)


def unknown_field(pointer: str, message: str, suggestion: str | None) -> Issue:
    extra = (("suggestion", suggestion),) if suggestion else ()
    key = pointer.rpartition("/")[2].replace("~1", "/").replace("~0", "~")
    fix = (
        Fix(FixOp.RENAME, pointer, key=suggestion, summary=f'rename "{key}" to "{suggestion}"')
        if suggestion
        else None
    )
    return Issue(UNKNOWN_FIELD, pointer, message, on_key=True, extra=extra, fix=fix)


def unique(issues: Iterable[Issue]) -> list[Issue]:
    """Keep the first issue per (code, pointer): one finding per problem."""
    seen: dict[tuple[str, str], Issue] = {}
    for issue in issues:
        seen.setdefault((issue.code, issue.pointer), issue)
    return list(seen.values())


def to_finding(issue: Issue, doc: RawDocument, resource: ResourceRef) -> Finding:
    rule, severity = RULES[issue.code]
    source = doc.source
    span = source.key_span(issue.pointer) if issue.on_key else source.span(issue.pointer)
    return Finding(
        code=issue.code,
        rule=rule,
        severity=severity,
        message=issue.message,
        span=span,
        resource=resource,
        pointer=issue.pointer,
        extra=issue.extra,
        fix=issue.fix,
    )
