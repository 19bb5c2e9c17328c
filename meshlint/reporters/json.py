"""The JSON reporter: the versioned document of SPEC §2 (``schemas/output.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from meshlint import __version__
from meshlint.findings import Finding, LintResult, Related, ResourceRef
from meshlint.rule import DOCS_BASE, Rule

VERSION = 1


def render(result: LintResult, rules: Mapping[str, Rule], /, *, show_docs: bool = False) -> str:
    """The whole document, ``indent=2``, keys in a fixed order, trailing newline."""
    del show_docs  # JSON always carries the docs URL
    return json.dumps(document(result, rules), indent=2, ensure_ascii=False) + "\n"


def document(result: LintResult, rules: Mapping[str, Rule]) -> dict[str, Any]:
    return {
        "version": VERSION,
        "tool": {"name": "meshlint", "version": __version__},
        "summary": {
            "files": result.files,
            "resources": result.resources,
            "skipped": result.skipped,
            "findings": len(result.findings),
            "by_severity": result.by_severity(),
            "suppressed": result.suppressed,
        },
        "findings": [_finding(f, rules) for f in result.findings],
    }


def _finding(finding: Finding, rules: Mapping[str, Rule]) -> dict[str, Any]:
    rule = rules.get(finding.code)
    span = finding.span
    fields: dict[str, Any] = {
        "code": finding.code,
        "rule": rule.name if rule is not None else finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "resource": _resource(finding.resource),
        "file": span.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "pointer": finding.pointer,
        "related": [_related(r) for r in finding.related],
        "docs": rule.docs_url if rule is not None else DOCS_BASE + finding.code,
    }
    fields.update((key, value) for key, value in finding.extra if key not in fields)
    return fields


def _resource(ref: ResourceRef | None) -> dict[str, str | None] | None:
    return None if ref is None else ref.to_json()


def _related(related: Related) -> dict[str, Any]:
    span = related.span
    return {"file": span.path, "line": span.line, "column": span.column, "message": related.message}
