"""A suppression as the engine sees it: which codes, which findings, and where it is written."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass

from meshlint.findings import Finding, ResourceRef
from meshlint.source import Span


class Layer(enum.Enum):
    """Where a suppression is written; the value names it in MESH008 messages."""

    ANNOTATION = "meshlint.dev/ignore annotation"
    ISTIO = "galley.istio.io/analyze-suppress annotation"
    COMMENT = "inline comment"
    CONFIG = "config ignores entry"


@dataclass(frozen=True, eq=False, slots=True)
class Directive:
    """One written suppression. ``applies`` tests a finding's place (not its code).

    ``unknown`` holds the tokens that name no known code; ``expired`` the expiry date when it
    has passed (an expired directive suppresses nothing). ``report_unused`` is False for
    Istio's annotation, which istioctl reads too.
    """

    layer: Layer
    span: Span
    codes: frozenset[str]
    applies: Callable[[Finding], bool]
    unknown: tuple[str, ...] = ()
    resource: ResourceRef | None = None
    pointer: str = ""
    expired: datetime.date | None = None
    report_unused: bool = True
    hint: str = ""  # appended to the unknown-code message (a did-you-mean)
