"""Where the request goes: ``--to HOST[:PORT]`` as the caller's resolver and proxy see it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from meshlint.explain.caller import Caller, ExplainError
from meshlint.matching import Protocol, host_matches, is_wildcard, parse_protocol
from meshlint.mesh import Mesh, ServiceInfo
from meshlint.model.networking import Server, VirtualService

DEFAULT_PORT = 80


@dataclass(frozen=True, slots=True)
class Target:
    """``host`` is lower-cased (an FQDN for cluster services); ``note`` explains a defaulted
    port; ``protocol`` is what the listener for ``port`` speaks."""

    host: str
    port: int
    services: tuple[ServiceInfo, ...]
    protocol: Protocol
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def parse_to(text: str) -> tuple[str, int | None]:
    """``HOST[:PORT]``; a bad port is a usage error."""
    host, colon, port = text.rpartition(":")
    if not colon:
        return text, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ExplainError(f"--to {text!r}: the port must be a number from 1 to 65535")
    return host, int(port)


def expand_host(mesh: Mesh, host: str, namespace: str) -> str:
    """A short name resolves in the caller's namespace; ``name.ns`` and ``name.ns.svc`` (the
    resolver's search path) complete to the cluster FQDN; anything else is used verbatim."""
    host = host.lower().rstrip(".")
    if "." not in host:
        return mesh.fqdn(host, namespace).lower()
    service_ns = mesh.host_namespace(host, partial=True)
    if service_ns is not None:
        return f"{host.split('.')[0]}.{service_ns}.svc.{mesh.settings.domain_suffix}"
    return host


def resolve_target(mesh: Mesh, caller: Caller, text: str, port: int | None) -> Target:
    """The host and port (``text`` may carry ``:PORT``); an unknown host lists the closest
    known ones (exit 2)."""
    if port is None:
        text, port = parse_to(text)
    host = expand_host(mesh, text, caller.namespace)
    services = mesh.services_for_host(host)
    servers = _gateway_servers(mesh, caller, host)
    if not services and not servers and not _vs_hosts(mesh, host):
        raise ExplainError(f"--to {text!r}: host {host} is not in the input{_close(mesh, text)}")
    if port is not None:
        return Target(host, port, services, _protocol(services, servers, port))
    listeners = servers or (caller.gateway.spec.servers if caller.gateway is not None else ())
    chosen, note = _default_port(services, tuple(listeners))
    return Target(host, chosen, services, _protocol(services, servers, chosen), note)


def _gateway_servers(mesh: Mesh, caller: Caller, host: str) -> tuple[Server, ...]:
    if caller.gateway is None:
        return ()
    return tuple(
        s
        for s in caller.gateway.spec.servers
        if any(host_matches(host, h.rpartition("/")[2]) for h in s.hosts)
    )


def _vs_hosts(mesh: Mesh, host: str) -> list[str]:
    return [
        h
        for vs in mesh.all(VirtualService)
        for h in mesh.bound(vs).hosts
        if h == host or (is_wildcard(h) and host_matches(host, h))
    ]


def _default_port(
    services: tuple[ServiceInfo, ...], servers: tuple[Server, ...]
) -> tuple[int, str]:
    if servers:
        numbers = sorted({s.port.number for s in servers if s.port and s.port.number})
        if len(numbers) == 1:
            return numbers[0], f"no port given: the Gateway server's port {numbers[0]}"
    elif services:
        numbers = sorted({p.number for p in services[0].ports})
        if len(numbers) == 1:
            return numbers[0], f"no port given: the Service's single port {numbers[0]}"
        listed = ", ".join(str(n) for n in numbers)
        if DEFAULT_PORT not in numbers and numbers:
            raise ExplainError(f"--to: {services[0].fqdn} has ports {listed}; pass HOST:PORT")
        if numbers:
            return DEFAULT_PORT, f"no port given: {DEFAULT_PORT} of the Service's ports {listed}"
    return DEFAULT_PORT, f"no port given: assuming {DEFAULT_PORT}"


def _protocol(
    services: tuple[ServiceInfo, ...], servers: tuple[Server, ...], port: int
) -> Protocol:
    for server in servers:
        if server.port is not None and server.port.number == port:
            return parse_protocol(server.port.protocol)
    for service in services:
        found = service.port(port)
        if found is not None:
            return found.protocol
    return Protocol.UNSUPPORTED


def _close(mesh: Mesh, text: str) -> str:
    names = {s.fqdn for s in mesh.services()}
    suffix = mesh.settings.domain_suffix
    names.update(s.fqdn.split(".")[0] for s in mesh.services() if s.fqdn.endswith(suffix))
    names.update(h for vs in mesh.all(VirtualService) for h in mesh.bound(vs).hosts)
    found = difflib.get_close_matches(text.lower(), sorted(names), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(found)}?" if found else ""
