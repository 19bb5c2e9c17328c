"""Finding values: severity, the resource a finding is about, and the lint result."""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from meshlint.source import Span


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, order=True, slots=True)
class ResourceRef:
    """The resource a finding is about. ``namespace`` is as written in the YAML (None if absent)."""

    kind: str
    name: str
    namespace: str | None = None
    api_version: str = ""

    def to_json(self) -> dict[str, str | None]:
        """The reference as the JSON output contract writes it (SPEC §2 ``resource``)."""
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }

    def __str__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


@dataclass(frozen=True, order=True, slots=True)
class Related:
    """Another place that explains a finding ("conflicts with X at file:line")."""

    span: Span
    message: str


class FixOp(enum.Enum):
    RENAME = "rename"  # rename the mapping key at ``pointer`` to ``key`` (value kept or replaced)
    SET = "set"  # replace the scalar value at ``pointer`` with ``value``
    DELETE = "delete"  # remove the mapping entry at ``pointer``


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe, unambiguous edit at a JSON pointer of the finding's resource (``--fix``).

    ``value`` is JSON-safe: for SET the new scalar, for RENAME the new value (None keeps it).
    """

    op: FixOp
    pointer: str
    key: str | None = None
    value: Any = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. Sorted by (path, line, column, code)."""

    code: str
    rule: str
    severity: Severity
    message: str
    span: Span
    resource: ResourceRef | None = None
    pointer: str = ""
    related: tuple[Related, ...] = ()
    # extra JSON fields a rule adds to its output (e.g. "witness"); values must be JSON-safe
    extra: tuple[tuple[str, Any], ...] = ()
    # a safe edit that resolves the finding (``meshlint check --fix``); not part of identity
    fix: Fix | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.column, self.code, self.message)

    @property
    def fingerprint(self) -> str:
        """Stable identity across line moves: sha256 hex of code + resource + pointer.

        The hashed text is ``code|apiVersion/kind|namespace|name|pointer``; a finding about
        no resource (a YAML syntax error) uses its file path in place of the resource.
        """
        res = self.resource
        where = (
            f"{res.api_version}/{res.kind}|{res.namespace or ''}|{res.name}"
            if res
            else f"{self.span.path}||"
        )
        text = f"{self.code}|{where}|{self.pointer}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def __lt__(self, other: Finding) -> bool:
        return self.sort_key < other.sort_key


@dataclass(frozen=True, slots=True)
class LintResult:
    """Everything a run produced; reporters render it, the CLI derives the exit code."""

    findings: tuple[Finding, ...]
    files: int = 0
    resources: int = 0
    skipped: int = 0
    suppressed: int = 0
    rules_run: tuple[str, ...] = ()
    rules_skipped: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {
            s.value: counts.get(s, 0) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        }

    def fails(self, threshold: Severity) -> bool:
        return any(f.severity.at_least(threshold) for f in self.findings)
