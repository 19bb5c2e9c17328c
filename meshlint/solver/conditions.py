"""Solver-side match conditions: small frozen values decoupled from the pydantic model."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class CondKind(enum.Enum):
    """How a StringMatch compares a value (present/absent test only presence)."""

    EXACT = "exact"
    PREFIX = "prefix"
    REGEX = "regex"
    PRESENT = "present"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class StrCond:
    """One string condition.

    ``inverted`` is the ``withoutHeaders`` form: the negation of the match, where a missing
    header counts as the empty string. ``ignore_case`` is ``ignoreUriCase`` (exact/prefix only).
    """

    kind: CondKind
    value: str = ""
    ignore_case: bool = False
    inverted: bool = False

    def describe(self) -> str:
        if self.kind in (CondKind.PRESENT, CondKind.ABSENT):
            return str(self.kind.value)
        text = f"{self.kind.value!s} {self.value!r}"
        if self.ignore_case and self.kind is not CondKind.REGEX:
            text += " (ignore case)"
        return f"not {text}" if self.inverted else text


def exact(value: str, *, ignore_case: bool = False) -> StrCond:
    return StrCond(CondKind.EXACT, value, ignore_case)


def prefix(value: str, *, ignore_case: bool = False) -> StrCond:
    return StrCond(CondKind.PREFIX, value, ignore_case)


def regex(value: str) -> StrCond:
    return StrCond(CondKind.REGEX, value)


def present() -> StrCond:
    return StrCond(CondKind.PRESENT)


def absent() -> StrCond:
    return StrCond(CondKind.ABSENT)


def without(cond: StrCond) -> StrCond:
    """The ``withoutHeaders`` form of ``cond``: presence tests and ``regex: "*"`` mean absent."""
    if cond.kind in (CondKind.PRESENT, CondKind.ABSENT) or cond == regex("*"):
        return absent()
    return StrCond(cond.kind, cond.value, cond.ignore_case, inverted=True)


Pairs = tuple[tuple[str, StrCond], ...]


@dataclass(frozen=True, slots=True)
class Selector:
    """Config-time selectors of one match: gateways, else source labels and namespace."""

    gateways: tuple[str, ...] = ()
    source_labels: tuple[tuple[str, str], ...] = ()
    source_namespace: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.gateways or self.source_labels or self.source_namespace)


@dataclass(frozen=True, slots=True)
class HttpMatch:
    """One HTTPMatchRequest: every condition must hold (AND)."""

    uri: StrCond | None = None
    scheme: StrCond | None = None
    method: StrCond | None = None
    authority: StrCond | None = None
    headers: Pairs = ()
    query_params: Pairs = ()
    port: int | None = None
    selector: Selector = field(default_factory=Selector)


@dataclass(frozen=True, slots=True)
class HttpRule:
    """One ``http[]`` entry: its matches are OR'ed; no match at all matches everything."""

    matches: tuple[HttpMatch, ...] = ()
    name: str = ""


def http_match(  # noqa: PLR0913 - one keyword per HTTPMatchRequest field
    *,
    uri: StrCond | None = None,
    scheme: StrCond | None = None,
    method: StrCond | None = None,
    authority: StrCond | None = None,
    headers: Mapping[str, StrCond] | None = None,
    without_headers: Mapping[str, StrCond] | None = None,
    query_params: Mapping[str, StrCond] | None = None,
    port: int | None = None,
    selector: Selector | None = None,
) -> HttpMatch:
    """Build an HttpMatch from keyword arguments (header names are lower-cased)."""
    header_pairs = _pairs(headers or {}, lower=True)
    header_pairs += tuple((k, without(c)) for k, c in _pairs(without_headers or {}, lower=True))
    return HttpMatch(
        uri=uri,
        scheme=scheme,
        method=method,
        authority=authority,
        headers=header_pairs,
        query_params=_pairs(query_params or {}, lower=False),
        port=port or None,
        selector=selector or Selector(),
    )


def _pairs(items: Mapping[str, StrCond], *, lower: bool) -> Pairs:
    return tuple((k.lower() if lower else k, c) for k, c in items.items())


def http_rule(*matches: HttpMatch, name: str = "") -> HttpRule:
    return HttpRule(tuple(matches), name)


@dataclass(frozen=True, slots=True)
class Context:
    """The proxy a route table is evaluated for; a None field is unknown (any value)."""

    labels: Mapping[str, str] | None = None
    namespace: str | None = None
    gateways: frozenset[str] | None = None
    port: int | None = None

    @classmethod
    def sidecar(
        cls, namespace: str | None = None, labels: Mapping[str, str] | None = None
    ) -> Context:
        return cls(labels=labels, namespace=namespace, gateways=frozenset({"mesh"}))


def selector_applies(selector: Selector, context: Context) -> bool | None:
    """Whether a match's selectors keep it for this proxy; None when the context cannot tell."""
    if selector.gateways:
        if context.gateways is None:
            return None
        return bool(context.gateways.intersection(selector.gateways))
    verdicts = [_labels_apply(selector.source_labels, context.labels)]
    if selector.source_namespace:
        ns = context.namespace
        verdicts.append(None if ns is None else ns == selector.source_namespace)
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _labels_apply(
    wanted: Iterable[tuple[str, str]], labels: Mapping[str, str] | None
) -> bool | None:
    wanted = tuple(wanted)
    if not wanted:
        return True
    if labels is None:
        return None
    return all(labels.get(k) == v for k, v in wanted)
