"""Result values: a witness request, the rules covering another, and a solver verdict."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from meshlint.solver.concrete import Request
from meshlint.solver.conditions import Context, HttpRule


@dataclass(frozen=True, slots=True)
class Witness:
    """A concrete request (and the proxy it passes through) that proves a claim.

    ``shown`` names the request fields some rule constrains (method, scheme, authority, port);
    only those are rendered, so the text stays short.
    """

    request: Request
    proxy: Context = field(default_factory=Context)
    shown: frozenset[str] = frozenset()

    def render(self) -> str:
        req = self.request
        query = "&".join(f"{k}={v}" if v else k for k, v in sorted(req.query_params.items()))
        text = f"{req.method} {req.path}" + (f"?{query}" if query else "")
        extras = [f"header {k}: {json.dumps(v)}" for k, v in sorted(req.headers.items())]
        extras += [
            f"{name} {getattr(req, name)!s}"
            for name in ("scheme", "authority", "port")
            if name in self.shown
        ]
        extras += _proxy_words(self.proxy)
        return text + (" with " + ", ".join(extras) if extras else "")

    def to_dict(self) -> dict[str, Any]:
        req = self.request
        data: dict[str, Any] = {
            "method": req.method,
            "path": req.path,
            "headers": dict(sorted(req.headers.items())),
            "query_params": dict(sorted(req.query_params.items())),
        }
        data.update(
            {
                name: getattr(req, name)
                for name in ("scheme", "authority", "port")
                if name in self.shown
            }
        )
        proxy = _proxy_dict(self.proxy)
        if proxy:
            data["proxy"] = proxy
        return data


def shown_fields(rules: Sequence[HttpRule]) -> frozenset[str]:
    """Request fields worth showing in a witness: those some match constrains."""
    shown: set[str] = set()
    for match in (m for rule in rules for m in rule.matches):
        keys = {k for k, _ in match.headers}
        shown.update(n for n in ("scheme", "authority") if getattr(match, n) or f":{n}" in keys)
        if match.port is not None:
            shown.add("port")
    return frozenset(shown)


def _proxy_words(proxy: Context) -> list[str]:
    words = [f"source label {k}={v}" for k, v in sorted((proxy.labels or {}).items())]
    if proxy.namespace:
        words.append(f"source namespace {proxy.namespace}")
    if proxy.gateways:
        words.append("gateway " + "|".join(sorted(proxy.gateways)))
    return words


def _proxy_dict(proxy: Context) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if proxy.labels:
        data["labels"] = dict(sorted(proxy.labels.items()))
    if proxy.namespace:
        data["namespace"] = proxy.namespace
    if proxy.gateways:
        data["gateways"] = sorted(proxy.gateways)
    return data


class Outcome(enum.Enum):
    COVERED = "covered"  # every request it matches is taken by the covering rules
    EMPTY = "empty"  # it matches no request at all (on this proxy)
    REACHABLE = "reachable"
    UNKNOWN = "unknown"  # unsupported syntax, timeout or unproven: never report


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to "can rule i (or its match j) be reached?"."""

    outcome: Outcome
    covering: tuple[int, ...] = ()
    witness: Witness | None = None
    reason: str = ""

    @property
    def proven_dead(self) -> bool:
        return self.outcome in (Outcome.COVERED, Outcome.EMPTY)

    def render(self, names: Mapping[int, str] | None = None, section: str = "http") -> str:
        """``covered by http[0] (name), http[2]``; ``names`` maps rule indices to names."""
        if self.outcome is Outcome.EMPTY:
            return "it matches no request"
        if self.outcome is not Outcome.COVERED:
            return str(self.outcome.value)
        labels = [_rule_label(section, i, names or {}) for i in self.covering]
        return "covered by " + ", ".join(labels)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"outcome": self.outcome.value, "covering": list(self.covering)}
        if self.witness is not None:
            data["witness"] = self.witness.to_dict()
        return data


def _rule_label(section: str, index: int, names: Mapping[int, str]) -> str:
    name = names.get(index)
    return f"{section}[{index}]" + (f" ({name})" if name else "")
