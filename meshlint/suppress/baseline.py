"""The baseline file: findings accepted as they are, keyed by fingerprint (code + resource +
pointer), so they stay suppressed when lines move.

The file is JSON, ``{"version": 1, "findings": [{"fingerprint", "count", ...}]}``; ``count``
is how many findings with that fingerprint it silences. The other fields of an entry
(``code``, ``resource``, ``pointer``, ``file``, ``message``) are there for reviewers; only
``fingerprint``, ``count`` and ``code`` are read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meshlint.errors import ConfigError
from meshlint.findings import Finding

VERSION = 1


@dataclass(frozen=True, slots=True)
class Baseline:
    """The accepted findings: how many of each fingerprint, and the code of each."""

    path: str
    counts: Mapping[str, int]
    codes: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Applied:
    """Findings left after the baseline, how many it silenced, and its unused entries."""

    findings: tuple[Finding, ...]
    suppressed: int
    unused: int


def render(findings: Iterable[Finding]) -> str:
    """The baseline file text for ``findings`` (sorted, without line numbers)."""
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    for finding in findings:
        counts[finding.fingerprint] += 1
        first.setdefault(finding.fingerprint, finding)
    entries = sorted((_entry(first[fp], count) for fp, count in counts.items()), key=_order)
    return json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"


def _entry(finding: Finding, count: int) -> dict[str, Any]:
    return {
        "fingerprint": finding.fingerprint,
        "count": count,
        "code": finding.code,
        "resource": str(finding.resource) if finding.resource else None,
        "pointer": finding.pointer,
        "file": finding.span.path,
        "message": finding.message,
    }


def _order(entry: dict[str, Any]) -> tuple[str, ...]:
    keys = ("file", "code", "resource", "pointer", "fingerprint")
    return tuple(str(entry[key] or "") for key in keys)


def read(path: Path) -> Baseline:
    """Read a baseline file; any problem is a ``ConfigError`` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the baseline ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: the baseline is not valid JSON ({exc})") from None
    return _parse(data, str(path))


def _parse(data: object, path: str) -> Baseline:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ConfigError(f"{path}: not a meshlint baseline (version {VERSION} expected)")
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise ConfigError(f'{path}: "findings" must be a list')
    counts: Counter[str] = Counter()
    codes: dict[str, str] = {}
    for index, entry in enumerate(entries):
        fingerprint, count, code = _fields(entry, f"{path}: findings[{index}]")
        counts[fingerprint] += count
        codes[fingerprint] = code
    return Baseline(path, dict(counts), codes)


def _fields(entry: object, where: str) -> tuple[str, int, str]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be an object")
    fingerprint, count, code = entry.get("fingerprint"), entry.get("count", 1), entry.get("code")
    if not isinstance(fingerprint, str) or not fingerprint:
        raise ConfigError(f'{where}: "fingerprint" must be a non-empty string')
    if type(count) is not int or count < 1:
        raise ConfigError(f'{where}: "count" must be a positive integer')
    return fingerprint, count, code if isinstance(code, str) else ""


def apply(findings: Sequence[Finding], baseline: Baseline, active: frozenset[str]) -> Applied:
    """Silence up to ``count`` findings per fingerprint, in report order.

    ``unused`` counts the leftover entries of codes that ran (``active``); entries of rules
    that did not run this time are not "unused".
    """
    remaining = Counter(baseline.counts)
    kept: list[Finding] = []
    for finding in findings:
        fingerprint = finding.fingerprint
        if remaining[fingerprint] > 0:
            remaining[fingerprint] -= 1
        else:
            kept.append(finding)
    unused = sum(
        left
        for fingerprint, left in remaining.items()
        if left > 0 and baseline.codes.get(fingerprint, "") in active
    )
    return Applied(tuple(kept), len(findings) - len(kept), unused)
