"""The GitLab reporter: a Code Quality report (the Code Climate subset GitLab reads).

Severity: error → ``major``, warning → ``minor``, info → ``info``. ``critical`` and
``blocker`` are left for tools that rank impact more finely than meshlint's three levels.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from meshlint.findings import Finding, LintResult, Severity
from meshlint.rule import Rule

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(result: LintResult, rules: Mapping[str, Rule], /, *, show_docs: bool = False) -> str:
    """A JSON array of issues, ``indent=2``, trailing newline."""
    del show_docs  # a Code Quality issue has no field for a link that GitLab shows
    fingerprints = unique_fingerprints(result.findings)
    issues = [_issue(f, fp, rules) for f, fp in zip(result.findings, fingerprints, strict=True)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def unique_fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """``Finding.fingerprint``, made unique: GitLab shows only the first issue per fingerprint.

    The n-th repeat of a fingerprint (the same code, resource and pointer twice, e.g. two
    syntax errors in one file) hashes the fingerprint with ``n``, which keeps it stable.
    """
    seen: Counter[str] = Counter()
    unique: list[str] = []
    for finding in findings:
        base = finding.fingerprint
        repeat = seen[base]
        seen[base] += 1
        unique.append(base if repeat == 0 else _sha256(f"{base}#{repeat}"))
    return unique


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _issue(finding: Finding, fingerprint: str, rules: Mapping[str, Rule]) -> dict[str, Any]:
    rule = rules.get(finding.code)
    name = rule.name if rule is not None else finding.rule
    span = finding.span
    return {
        "type": "issue",
        "description": f"{finding.code} {finding.message} [{name}]",
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": span.path, "lines": {"begin": span.line, "end": span.end_line}},
    }
