"""The SARIF reporter: one SARIF 2.1.0 run for code-scanning tools (GitHub, IDE viewers)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from meshlint import __version__
from meshlint.findings import Finding, LintResult, Related, ResourceRef, Severity
from meshlint.rule import DOCS_BASE, Rule
from meshlint.source import Span

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://meshlint.dev/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "meshlint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(result: LintResult, rules: Mapping[str, Rule], /, *, show_docs: bool = False) -> str:
    """The SARIF log, ``indent=2``, trailing newline."""
    del show_docs  # every rule descriptor carries its docs link
    return json.dumps(document(result, rules), indent=2, ensure_ascii=False) + "\n"


def document(result: LintResult, rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The log as plain values.

    ``tool.driver.rules`` lists the rules that have results, sorted by code, not every rule
    that ran: a result needs only its own descriptor, and a log of a clean run stays small.
    """
    codes = sorted({f.code for f in result.findings})
    index = {code: position for position, code in enumerate(codes)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver([_descriptor(c, result, rules) for c in codes])},
                "originalUriBaseIds": {
                    SRCROOT: {
                        "description": {"text": "The directory meshlint ran in; paths are relative"}
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.code]) for f in result.findings],
            }
        ],
    }


def _driver(descriptors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "meshlint",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": descriptors,
    }


def _descriptor(code: str, result: LintResult, rules: Mapping[str, Rule]) -> dict[str, Any]:
    rule = rules.get(code)
    if rule is None:  # a code without metadata (for instance a user policy's)
        first = next(f for f in result.findings if f.code == code)
        return _bare_descriptor(first)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": _help(rule.remediation, rule.docs_url, rule.code, rule.name),
        "helpUri": rule.docs_url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["istio", *rule.istio, *rule.kiali]},
    }


def _bare_descriptor(finding: Finding) -> dict[str, Any]:
    url = DOCS_BASE + finding.code
    return {
        "id": finding.code,
        "name": finding.rule,
        "shortDescription": {"text": finding.rule},
        "helpUri": url,
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def _help(remediation: str, url: str, code: str, name: str) -> dict[str, str]:
    # GitHub code scanning shows ``help`` but not ``helpUri``, so the link goes in both.
    return {
        "text": f"{remediation}\n\nDocumentation: {url}",
        "markdown": f"{remediation}\n\n[{code} {name}]({url})",
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical_location(finding.span)}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": _properties(finding),
    }
    if finding.related:
        fields["relatedLocations"] = [_related(n, r) for n, r in enumerate(finding.related)]
    return fields


def _related(number: int, related: Related) -> dict[str, Any]:
    return {
        "id": number,
        "physicalLocation": physical_location(related.span),
        "message": {"text": related.message},
    }


def physical_location(span: Span) -> dict[str, Any]:
    """The artifact (relative to ``%SRCROOT%`` unless absolute) and the exact region."""
    return {
        "artifactLocation": artifact_location(span.path),
        "region": {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        },
    }


def artifact_location(path: str) -> dict[str, str]:
    """A percent-encoded URI: ``file://`` for absolute paths, else relative to ``%SRCROOT%``."""
    if path.startswith("/"):
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _properties(finding: Finding) -> dict[str, Any]:
    fields: dict[str, Any] = {"resource": _resource(finding.resource), "pointer": finding.pointer}
    fields.update((key, value) for key, value in finding.extra if key not in fields)
    return fields


def _resource(ref: ResourceRef | None) -> dict[str, str | None] | None:
    return None if ref is None else ref.to_json()
