"""Apply every suppression layer to a run's findings and report the ones that did nothing.

Order: annotations, inline comments and config ``ignores`` (a finding any of them covers is
suppressed, and every directive that covers it counts as used), then the baseline. MESH008
reports unknown codes, expired config entries, and directives or baseline entries that
covered no finding of a rule that ran.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from meshlint.analyzers.tool import SUPPRESSION_UNUSED
from meshlint.findings import Finding, Severity
from meshlint.source import RawDocument, Span
from meshlint.suppress import annotated, comments, ignores
from meshlint.suppress.baseline import Baseline, apply
from meshlint.suppress.codes import CodeBook
from meshlint.suppress.directive import Directive


@dataclass(frozen=True, kw_only=True)
class Request:
    """What the suppression step needs from a run (the lint pipeline builds it)."""

    documents: Sequence[RawDocument]
    texts: Callable[[str], str | None]
    book: CodeBook
    active: frozenset[str]  # codes whose rules ran (unused suppressions of others are moot)
    ignores: Sequence[ignores.IgnoreLike] = ()
    baseline: Baseline | None = None
    today: datetime.date
    namespace: str = "default"
    report: Severity | None = SUPPRESSION_UNUSED.severity  # MESH008 severity; None: off


@dataclass(frozen=True, slots=True)
class Outcome:
    findings: tuple[Finding, ...]  # kept findings plus MESH008, sorted
    suppressed: int


def suppress(findings: Sequence[Finding], request: Request) -> Outcome:
    """The findings no suppression covers, the count of those it did, and MESH008."""
    written = list(_directives(findings, request))
    kept, used = _match(findings, written)
    suppressed = len(findings) - len(kept)
    report = request.report is not None
    if report:
        kept.extend(_problems(written, used, request))
    kept.sort(key=lambda f: f.sort_key)
    if request.baseline is not None:  # the baseline also holds the MESH008 it was written with
        applied = apply(kept, request.baseline, request.active)
        kept, suppressed = list(applied.findings), suppressed + applied.suppressed
        if report:
            kept.extend(_baseline_problem(request.baseline, applied.unused, request))
    return Outcome(tuple(sorted(kept, key=lambda f: f.sort_key)), suppressed)


def _directives(findings: Sequence[Finding], request: Request) -> Iterator[Directive]:
    for doc in request.documents:
        yield from annotated.directives(doc, request.book)
    for path in _paths(findings, request.documents):
        text = request.texts(path)
        if text is not None:
            yield from comments.directives(path, text, request.book)
    for entry in request.ignores:
        yield ignores.directive(entry, request.today, request.namespace, request.book)


def _paths(findings: Iterable[Finding], documents: Iterable[RawDocument]) -> list[str]:
    """Every file with a document or a finding, in a stable order."""
    found = dict.fromkeys(doc.path for doc in documents)
    found.update(dict.fromkeys(f.span.path for f in findings))
    return list(found)


def _match(
    findings: Sequence[Finding], written: Sequence[Directive]
) -> tuple[list[Finding], dict[int, set[str]]]:
    by_code: dict[str, list[Directive]] = {}
    for directive in written:
        if directive.expired is None:
            for code in directive.codes:
                by_code.setdefault(code, []).append(directive)
    used: dict[int, set[str]] = {}
    kept: list[Finding] = []
    for finding in findings:
        covering = [d for d in by_code.get(finding.code, ()) if d.applies(finding)]
        for directive in covering:
            used.setdefault(id(directive), set()).add(finding.code)
        if not covering:
            kept.append(finding)
    return kept, used


def _problems(
    written: Iterable[Directive], used: dict[int, set[str]], request: Request
) -> Iterator[Finding]:
    for directive in written:
        if directive.unknown:
            yield _unknown(directive, request)
        if directive.expired is not None:
            problem = f"({directive.layer.value}) expired on {directive.expired.isoformat()}"
            yield _finding(directive.span, _codes(directive.codes), problem, request, directive)
            continue
        idle = directive.codes & request.active - used.get(id(directive), set())
        if idle and directive.report_unused:
            problem = f"({directive.layer.value}) matched no finding"
            yield _finding(directive.span, _codes(idle), problem, request, directive)


def _unknown(directive: Directive, request: Request) -> Finding:
    names = ", ".join(token for token in directive.unknown if token)
    if not names:
        problem = f"({directive.layer.value}) names no code; write ignore[CODE]"
        return _finding(directive.span, "nothing", problem, request, directive)
    plural = "s" if len(directive.unknown) > 1 else ""
    problem = f"({directive.layer.value}) names an unknown code{plural}{directive.hint}"
    return _finding(directive.span, names, problem, request, directive)


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(sorted(codes))


def _baseline_problem(baseline: Baseline, unused: int, request: Request) -> Iterator[Finding]:
    if unused:
        entries = f"{unused} baseline entr{'y' if unused == 1 else 'ies'}"
        problem = "matched no finding; refresh the file with --write-baseline"
        yield _finding(Span(baseline.path, 1, 1, 1, 1), entries, problem, request, None)


def _finding(
    span: Span, codes: str, problem: str, request: Request, directive: Directive | None
) -> Finding:
    return Finding(
        code=SUPPRESSION_UNUSED.code,
        rule=SUPPRESSION_UNUSED.name,
        severity=request.report or SUPPRESSION_UNUSED.severity,
        message=SUPPRESSION_UNUSED.message.format(codes=codes, problem=problem),
        span=span,
        resource=directive.resource if directive else None,
        pointer=directive.pointer if directive else "",
    )
