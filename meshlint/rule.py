"""The rule API: metadata, the context a check receives, and how findings are made."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from meshlint.findings import Finding, Related, ResourceRef, Severity
from meshlint.model.base import Kind, Resource
from meshlint.source import Span

if TYPE_CHECKING:
    from meshlint.graph import MeshGraph
    from meshlint.mesh import Mesh

DOCS_BASE = "https://meshlint.dev/rules/"


class Status(enum.Enum):
    PREVIEW = "preview"
    STABLE = "stable"
    DEPRECATED = "deprecated"


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A rule: stable code, readable name, docs metadata and (for analyzers) a check."""

    code: str  # "MESH120": stable forever, never reused
    name: str  # "vs-subset-undefined": kebab-case, unique
    summary: str  # one line, no trailing period
    message: str  # str.format template with named placeholders
    severity: Severity
    kinds: frozenset[Kind]  # every kind check() reads
    rationale: str  # why is this bad?
    remediation: str  # how to fix it (ends with a period)
    example_bad: str  # YAML that must trigger the rule
    example_good: str  # YAML that must not
    since: str
    # None for MESH0xx codes produced by the pipeline itself (loader, schema, policies)
    check: Callable[[RuleContext], Iterator[Finding]] | None = None
    status: Status = Status.STABLE
    options: type[BaseModel] | None = None
    references: tuple[str, ...] = ()
    istio: tuple[str, ...] = ()  # istioctl analyze codes this rule covers
    kiali: tuple[str, ...] = ()  # Kiali validation codes this rule covers
    uses_graph: bool = False  # check() queries ctx.graph (the scheduler keeps these together)

    @property
    def docs_url(self) -> str:
        return DOCS_BASE + self.code


@dataclass(frozen=True)
class RuleContext:
    """What a check sees: the mesh (read-only), its typed options, and a finding factory."""

    rule: Rule
    mesh: Mesh
    options: BaseModel | None = None
    # the routing/authorization graph; one per run, built on its first query (lint.py)
    graph: MeshGraph | None = None
    severity: Severity | None = None  # override from config
    extra: dict[str, Any] = field(default_factory=dict)

    def finding(  # noqa: PLR0913 - keyword-only knobs of the one finding factory
        self,
        resource: Resource,
        pointer: str = "",
        *,
        severity: Severity | None = None,
        related: Iterable[tuple[Resource, str, str]] = (),
        key: bool = False,
        extra: Iterable[tuple[str, Any]] = (),
        **args: Any,
    ) -> Finding:
        """A finding on ``resource`` at ``pointer``; the message is the rule template + ``args``.

        ``related`` entries are (resource, pointer, message). ``key`` points at the mapping key
        rather than its value (useful for "unknown field" style findings).
        """
        args.setdefault("resource", _describe(resource.ref))
        return Finding(
            code=self.rule.code,
            rule=self.rule.name,
            severity=severity or self.severity or self.rule.severity,
            message=self.rule.message.format(**args),
            span=span_of(resource, pointer, key=key),
            resource=resource.ref,
            pointer=pointer,
            related=tuple(Related(span_of(r, p), m) for r, p, m in related),
            extra=tuple(extra),
        )


def span_of(resource: Resource, pointer: str, *, key: bool = False) -> Span:
    """The span of ``pointer`` inside ``resource`` (its document start when unknown)."""
    origin = resource.origin
    if origin is None:
        return Span("<unknown>", 1, 1, 1, 1)
    return origin.source.key_span(pointer) if key else origin.source.span(pointer)


def _describe(ref: ResourceRef) -> str:
    return str(ref)
