"""The deprecated fields and values with an exact replacement, as ``--fix`` edits (MESH006).

Only rewrites that keep the runtime meaning are listed (ISTIO-SEMANTICS 1.8, 1.11 and the
DestinationRule load balancer): a whole-number percent becomes ``{value: N}``, the ring size
moves under ``ringHash``, and ``LEAST_CONN`` is ``LEAST_REQUEST`` under another name.
``consecutiveErrors`` is left alone: Istio ignores it at runtime, so replacing it would
start ejecting hosts; ``allowOrigin``, ``warmupDurationSecs`` and ``egressProxy`` need a
person to choose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from meshlint.findings import Fix, FixOp

# deprecated key -> (replacement key, the key the old value moves under, keys that must be absent)
FIELDS: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "mirrorPercent": ("mirrorPercentage", "value", ()),
    "percent": ("percentage", "value", ()),
    "minimumRingSize": ("ringHash", "minimumRingSize", ("maglev",)),
}
VALUES: Mapping[str, str] = {"LEAST_CONN": "LEAST_REQUEST"}
PERCENTS = frozenset({"mirrorPercent", "percent"})  # an out-of-range value is left alone
MAX_PERCENT = 100


def field_fix(key: str, parent: Any, pointer: str) -> Fix | None:
    """The rewrite of deprecated ``key`` in mapping ``parent``, when it is exact here."""
    rewrite = FIELDS.get(key)
    if rewrite is None or not isinstance(parent, dict):
        return None
    new_key, inner, conflicts = rewrite
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    if key in PERCENTS and value > MAX_PERCENT:
        return None
    if new_key in parent or any(name in parent for name in conflicts):
        return None
    summary = f'replace "{key}: {value}" with "{new_key}: {{{inner}: {value}}}"'
    return Fix(FixOp.RENAME, pointer, key=new_key, value={inner: value}, summary=summary)


def value_fix(value: str, pointer: str) -> Fix | None:
    """The rewrite of a deprecated enum value, when it has an exact replacement."""
    new = VALUES.get(value)
    if new is None:
        return None
    return Fix(FixOp.SET, pointer, value=new, summary=f'replace "{value}" with "{new}"')
