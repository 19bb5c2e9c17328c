"""DestinationRule loadBalancer checks (validateLoadBalancer, ValidateLocalityLbSetting)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_int, as_map, as_number, maps
from meshlint.schema.common import duration
from meshlint.schema.issues import Issue, invalid
from meshlint.source import join_pointer

MAGLEV_MAX = 5_000_011


def load_balancer(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    chosen = [
        k for k in ("simple", "consistentHash", "backendUtilization") if spec.get(k) is not None
    ]
    if len(chosen) > 1:
        text = f"loadBalancer can set only one of {', '.join(chosen)}"
        yield invalid(join_pointer(pointer, chosen[1]), text, on_key=True)
    hashing = as_map(spec.get("consistentHash"))
    yield from _consistent_hash(hashing, f"{pointer}/consistentHash")
    if spec.get("localityLbSetting") is not None and spec.get("zoneAwareLbSetting") is not None:
        text = "localityLbSetting and zoneAwareLbSetting cannot both be set"
        yield invalid(f"{pointer}/zoneAwareLbSetting", text, on_key=True)
    locality = as_map(spec.get("localityLbSetting"))
    yield from _locality(locality, f"{pointer}/localityLbSetting")
    yield from duration(as_map(spec.get("warmup")), f"{pointer}/warmup", "duration")


def _consistent_hash(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    cookie = spec.get("httpCookie")
    if isinstance(cookie, dict) and not cookie.get("name"):
        yield invalid(f"{pointer}/httpCookie/name", "httpCookie needs a name")
    if spec.get("minimumRingSize") is not None and (spec.get("ringHash") or spec.get("maglev")):
        text = "minimumRingSize cannot be combined with ringHash or maglev"
        yield invalid(f"{pointer}/minimumRingSize", text, on_key=True)
    size = as_int(as_map(spec.get("maglev")).get("tableSize"))
    if size is not None and (size >= MAGLEV_MAX or not _prime(size)):
        at = f"{pointer}/maglev/tableSize"
        yield invalid(at, f"maglev tableSize {size} must be a prime below {MAGLEV_MAX}")


def _prime(number: int) -> bool:
    if number < 2:
        return False
    return all(number % d for d in range(2, int(number**0.5) + 1))


def _locality(spec: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    if spec.get("distribute") and spec.get("failover"):
        text = "localityLbSetting cannot set both distribute and failover"
        yield invalid(f"{pointer}/failover", text, on_key=True)
    for at, rule in maps(spec.get("distribute"), f"{pointer}/distribute"):
        weights = [as_number(w) for w in as_map(rule.get("to")).values()]
        if any(w is not None and not 1 <= w <= 100 for w in weights):
            yield invalid(f"{at}/to", "distribute weights must be within 1-100")
        elif weights and sum(w or 0 for w in weights) != 100:
            yield invalid(f"{at}/to", "distribute weights must sum to 100")
    for at, rule in maps(spec.get("failover"), f"{pointer}/failover"):
        if rule.get("from") is not None and rule.get("from") == rule.get("to"):
            yield invalid(f"{at}/to", "failover from and to must differ")
