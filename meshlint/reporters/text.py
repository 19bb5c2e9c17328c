"""The text reporter: one ``path:line:col: severity CODE message [name]`` line per finding."""

from __future__ import annotations

from collections.abc import Mapping

from rich.markup import escape

from meshlint.findings import Finding, LintResult, Related, Severity
from meshlint.rule import DOCS_BASE, Rule

STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render(result: LintResult, rules: Mapping[str, Rule], /, *, show_docs: bool = False) -> str:
    """Rich markup: findings, their related notes (and docs links), then a summary line."""
    lines: list[str] = []
    for finding in result.findings:
        lines.append(_finding_line(finding, rules))
        lines.extend(_related_line(related) for related in finding.related)
        if show_docs:
            lines.append(f"  [dim]docs: {escape(_docs(finding, rules))}[/dim]")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def _finding_line(finding: Finding, rules: Mapping[str, Rule]) -> str:
    style = STYLES[finding.severity]
    rule = rules.get(finding.code)
    name = rule.name if rule is not None else finding.rule
    return (
        f"[bold]{escape(str(finding.span))}[/bold]: "
        f"[{style}]{finding.severity.value}[/{style}] "
        f"[bold]{escape(finding.code)}[/bold] {escape(finding.message)} "
        f"[dim]{escape(f'[{name}]')}[/dim]"
    )


def _related_line(related: Related) -> str:
    return f"  {escape(str(related.span))}: note: {escape(related.message)}"


def _docs(finding: Finding, rules: Mapping[str, Rule]) -> str:
    rule = rules.get(finding.code)
    return rule.docs_url if rule is not None else DOCS_BASE + finding.code


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 or word == "info" else f"{count} {word}s"


def summary(result: LintResult) -> str:
    """``N findings (E errors, W warnings, I info) in F files, R resources, S skipped``."""
    where = (
        f"in {_plural(result.files, 'file')}, {_plural(result.resources, 'resource')}, "
        f"{result.skipped} skipped"
    )
    if result.suppressed:
        where += f", {result.suppressed} suppressed"
    if not result.findings:
        return f"[bold green]No findings[/bold green] {where}"
    counts = result.by_severity()
    detail = ", ".join(
        _plural(counts[s.value], s.value) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    )
    return f"[bold]{_plural(len(result.findings), 'finding')}[/bold] ({detail}) {where}"
