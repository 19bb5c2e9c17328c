"""Fields newer than the target Istio release: an older webhook rejects them as unknown."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_map, maps
from meshlint.schema.issues import Issue, unknown_field

Version = tuple[int, int]

# AuthorizationPolicy source fields and the release that added them (the serviceAccounts
# fields shipped in Istio 1.25.0, per the advisory for CVE-2026-39350).
SOURCE_FIELDS: dict[str, Version] = {"serviceAccounts": (1, 25), "notServiceAccounts": (1, 25)}


def parse_version(text: str | None) -> Version | None:
    """``1.24``, ``1.24.3`` or ``v1.24`` as (major, minor); None when absent or unreadable."""
    match = re.match(r"v?(\d+)\.(\d+)", text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def too_new(data: Mapping[str, Any], target: Version | None) -> Iterator[Issue]:
    """MESH003 for AuthorizationPolicy source fields the target release does not know."""
    if target is None or data.get("kind") != "AuthorizationPolicy":
        return
    spec = as_map(data.get("spec"))
    for rule_at, rule in maps(spec.get("rules"), "/spec/rules"):
        for from_at, entry in maps(rule.get("from"), f"{rule_at}/from"):
            source = as_map(entry.get("source"))
            for name, since in SOURCE_FIELDS.items():
                if name in source and target < since:
                    yield unknown_field(
                        f"{from_at}/source/{name}", _text(name, target, since), None
                    )


def _text(name: str, target: Version, since: Version) -> str:
    release, added = f"{target[0]}.{target[1]}", f"{since[0]}.{since[1]}"
    return f'unknown field "{name}" in Source for Istio {release} (added in Istio {added})'
