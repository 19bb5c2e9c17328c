"""Findings and lint results as plain values (tuples, strings, numbers) that ``marshal``
stores, and back."""

from __future__ import annotations

from typing import Any, TypeVar

from meshlint.findings import Finding, Fix, FixOp, LintResult, Related, ResourceRef, Severity
from meshlint.source import Span

T = TypeVar("T")
Plain = tuple[Any, ...]


def _span_plain(span: Span, path: str) -> Plain:
    where = None if span.path == path else span.path
    return (where, span.line, span.column, span.end_line, span.end_column)


def _span_value(value: Plain, path: str) -> Span:
    where, line, column, end_line, end_column = value
    return Span(path if where is None else where, line, column, end_line, end_column)


def finding_plain(finding: Finding, path: str = "") -> Plain:
    """A finding as plain values; spans in ``path`` are stored without it (content-keyed
    entries are reused whatever the file is called now)."""
    res, fix = finding.resource, finding.fix
    return (
        finding.code,
        finding.rule,
        finding.severity.value,
        finding.message,
        _span_plain(finding.span, path),
        None if res is None else (res.kind, res.name, res.namespace, res.api_version),
        finding.pointer,
        tuple((_span_plain(r.span, path), r.message) for r in finding.related),
        finding.extra,
        None if fix is None else (fix.op.value, fix.pointer, fix.key, fix.value, fix.summary),
    )


def finding_value(value: Plain, path: str = "") -> Finding:
    """The finding ``finding_plain`` stored (raises TypeError/ValueError on a bad shape)."""
    code, rule, severity, message, span, res, pointer, related, extra, fix = value
    return Finding(
        code,
        rule,
        Severity(severity),
        message,
        _span_value(span, path),
        None if res is None else ResourceRef(*res),
        pointer,
        tuple(Related(_span_value(where, path), text) for where, text in related),
        tuple(extra),
        None if fix is None else Fix(FixOp(fix[0]), *fix[1:]),
    )


def result_plain(result: LintResult) -> Plain:
    """A whole run's result as plain values."""
    return (
        tuple(finding_plain(f) for f in result.findings),
        result.files,
        result.resources,
        result.skipped,
        result.suppressed,
        result.rules_run,
        result.rules_skipped,
        result.meta,
    )


def result_value(value: Plain) -> LintResult:
    """The result ``result_plain`` stored (raises TypeError/ValueError on a bad shape)."""
    findings, files, resources, skipped, suppressed, ran, not_run, meta = value
    return LintResult(
        tuple(finding_value(f) for f in findings),
        files,
        resources,
        skipped,
        suppressed,
        tuple(ran),
        tuple(not_run),
        dict(meta),
    )
