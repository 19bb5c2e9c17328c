"""The values a trace is made of: the request, one step per question, the verdict."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from meshlint.source import Span

STEP_NAMES = (
    "source",
    "visibility",
    "virtualservice",
    "route",
    "destinations",
    "workloads",
    "mtls",
    "authorization",
    "verdict",
)


@dataclass(frozen=True, slots=True)
class Request:
    """One request to explain: ``source`` as written on the command line (``NS/WORKLOAD``,
    ``gateway:NS/NAME`` or ``external``); ``host`` as typed (short or FQDN); ``port`` None
    means "the Service's single port, else 80"."""

    source: str
    host: str
    port: int | None = None
    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    scheme: str = "http"


class Tone(enum.StrEnum):
    """How a line of the trace reads: taken path, a path not taken, a note, a failure."""

    OK = "ok"
    SKIPPED = "skipped"
    NOTE = "note"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Item:
    """One line under a step: text and where it is written (None: built-in behaviour)."""

    text: str
    span: Span | None = None
    tone: Tone = Tone.OK
    depth: int = 0  # 1: a detail of the item above it


def sub(text: str, span: Span | None = None, tone: Tone = Tone.OK) -> Item:
    """An item nested under the previous one."""
    return Item(text, span, tone, 1)


@dataclass(frozen=True, slots=True)
class Step:
    """One of the nine questions (``STEP_NAMES``): a one-line answer, the config that gave it,
    JSON-ready ``detail`` and the lines under it."""

    step: str
    summary: str
    span: Span | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    items: tuple[Item, ...] = ()
    tone: Tone = Tone.OK


@dataclass(frozen=True, slots=True)
class Ref:
    """A resource named in the verdict; ``rule`` is a route or policy rule index."""

    kind: str
    namespace: str
    name: str
    rule: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happens to the share of traffic that goes to one destination."""

    host: str
    subset: str | None
    port: int | None
    percent: float
    tls: str
    workloads: tuple[str, ...]
    allowed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    reason: str
    decided_by: Ref | None = None
    route: Ref | None = None
    destinations: tuple[Outcome, ...] = ()


@dataclass(frozen=True, slots=True)
class Trace:
    """``target`` is ``fqdn:port``; ``source`` is the request's source as resolved."""

    request: Request
    target: str
    steps: tuple[Step, ...]
    verdict: Verdict
    protocol: str = ""  # of the target port (Istio's name: HTTP, TCP, UnsupportedProtocol...)

    @property
    def is_tcp(self) -> bool:
        return self.protocol in ("TCP", "Mongo", "Redis", "MySQL", "TLS", "HTTPS")
