"""Walk a VirtualService's routes: route lists, destinations and mirrors, with their pointers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.model.networking import Destination, HTTPRoute, VirtualService

SECTIONS = ("http", "tcp", "tls")


@dataclass(frozen=True, slots=True)
class WeightedDestination:
    """One entry of a route list: its pointer, destination and weight as written."""

    pointer: str  # "/spec/http/0/route/1"
    destination: Destination | None
    weight: int | None


@dataclass(frozen=True, slots=True)
class RouteList:
    """The ``route`` list of one http/tcp/tls rule."""

    pointer: str  # "/spec/http/0/route"
    entries: tuple[WeightedDestination, ...]

    @property
    def valid_weights(self) -> bool:
        """False when a weight is negative (rejected by Istio; MESH004 reports it)."""
        return all((entry.weight or 0) >= 0 for entry in self.entries)


@dataclass(frozen=True, slots=True)
class DestinationRef:
    """A destination a VirtualService sends (or mirrors) traffic to, with its pointer."""

    pointer: str  # the Destination object: "/spec/http/0/route/1/destination", ".../mirror"
    destination: Destination
    section: str  # "http", "tcp" or "tls"
    rule_index: int
    mirror: bool = False


def route_lists(vs: VirtualService) -> Iterator[RouteList]:
    """Every non-empty ``route`` list of the http, tcp and tls rules, in order."""
    for section in SECTIONS:
        for index, rule in enumerate(getattr(vs.spec, section)):
            base = f"/spec/{section}/{index}/route"
            entries = tuple(
                WeightedDestination(f"{base}/{i}", entry.destination, entry.weight)
                for i, entry in enumerate(rule.route)
            )
            if entries:
                yield RouteList(base, entries)


def destinations(vs: VirtualService) -> Iterator[DestinationRef]:
    """Every route destination, then (for http rules) ``mirror`` and ``mirrors[]``."""
    for section in SECTIONS:
        for index, rule in enumerate(getattr(vs.spec, section)):
            base = f"/spec/{section}/{index}"
            for i, entry in enumerate(rule.route):
                if entry.destination is not None:
                    pointer = f"{base}/route/{i}/destination"
                    yield DestinationRef(pointer, entry.destination, section, index)
            if isinstance(rule, HTTPRoute):
                yield from _mirrors(base, rule, index)


def _mirrors(base: str, rule: HTTPRoute, index: int) -> Iterator[DestinationRef]:
    if rule.mirror is not None:
        yield DestinationRef(f"{base}/mirror", rule.mirror, "http", index, mirror=True)
    for i, policy in enumerate(rule.mirrors):
        if policy.destination is not None:
            pointer = f"{base}/mirrors/{i}/destination"
            yield DestinationRef(pointer, policy.destination, "http", index, mirror=True)


def describe(destination: Destination) -> str:
    """``reviews v1`` / ``reviews v1:9080``: a destination as a reader would name it."""
    text = destination.host
    if destination.subset:
        text += f" {destination.subset}"
    if destination.port is not None and destination.port.number is not None:
        text += f":{destination.port.number}"
    return text
