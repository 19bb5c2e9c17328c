"""Route destinations and weights (VirtualService http/tcp/tls routes, mirrors)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from meshlint.schema.access import as_int, as_list, as_map, as_str
from meshlint.schema.common import port
from meshlint.schema.issues import Issue, invalid
from meshlint.schema.names import is_label, wildcard_domain_problem


def destination(dest: Mapping[str, Any], pointer: str) -> Iterator[Issue]:
    """validateDestination: host syntax (not '*'), subset a DNS label, port 1-65535."""
    host = as_str(dest.get("host"))
    host_at = f"{pointer}/host"
    if "host" not in dest:
        yield invalid(host_at, 'required field "host" is missing in Destination')
    elif host == "*":
        yield invalid(host_at, "destination host '*' is not allowed")
    elif host is not None and (problem := wildcard_domain_problem(host)):
        yield invalid(host_at, f"destination host {host!r} is not valid: {problem}")
    subset = as_str(dest.get("subset"))
    if subset is not None and not is_label(subset):
        at = f"{pointer}/subset"
        yield invalid(at, f"subset {subset!r} is not a DNS-1123 label (letters, digits, '-')")
    number = as_map(dest.get("port")).get("number")
    yield from port(number, f"{pointer}/port/number", zero_unset=True)


def route_destinations(value: object, pointer: str) -> Iterator[Issue]:
    """Each entry non-null with a destination; weights not negative.

    A zero total weight over several destinations is rule MESH101's finding, not this one.
    """
    for index, entry in enumerate(as_list(value)):
        at = f"{pointer}/{index}"
        if entry is None:
            yield invalid(at, "route destination must not be null")
        if not isinstance(entry, dict):
            continue
        weight = as_int(entry.get("weight"))
        if weight is not None and weight < 0:
            yield invalid(f"{at}/weight", f"weight {weight} must not be negative")
        dest_at = f"{at}/destination"
        dest = entry.get("destination")
        if dest is None:
            yield invalid(dest_at, 'required field "destination" is missing')
        elif isinstance(dest, dict):
            yield from destination(dest, dest_at)
