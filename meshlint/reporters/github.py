"""The GitHub Actions reporter: workflow-command annotations and the job summary in Markdown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rich.text import Text

from meshlint.findings import Finding, LintResult, Severity
from meshlint.reporters import text
from meshlint.rule import DOCS_BASE, Rule

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and 50 per
# job; the rest are dropped silently ("Limitations" in
# https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md). So each level
# gets PER_LEVEL - 1 annotations plus, when there are more, one that counts the rest; every
# finding is still printed as a plain log line.
PER_LEVEL = 10
SUMMARY_ROWS = 200  # the step summary holds at most 1 MiB; long tables are cut here


def escape_data(value: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF), as actions/toolkit does."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command property: the data escapes plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, rules: Mapping[str, Rule], /, *, show_docs: bool = False) -> str:
    """Capped annotations, a log group with every finding, and the summary line."""
    annotated, rest = _split(result.findings)
    lines = [annotation(f, rules, show_docs=show_docs) for f in annotated]
    lines.extend(_overflow_notes(rest))
    if result.findings:
        lines.append("::group::meshlint findings")
        lines.extend(_log_line(f, rules) for f in result.findings)
        lines.append("::endgroup::")
    lines.append(_summary_line(result))
    return "\n".join(lines) + "\n"


def _summary_line(result: LintResult) -> str:
    return Text.from_markup(text.summary(result)).plain


def _split(findings: tuple[Finding, ...]) -> tuple[list[Finding], list[Finding]]:
    """The findings to annotate (in order) and those past their level's cap."""
    counts = Counter(f.severity for f in findings)
    shown: Counter[Severity] = Counter()
    annotated: list[Finding] = []
    rest: list[Finding] = []
    for finding in findings:
        room = PER_LEVEL if counts[finding.severity] <= PER_LEVEL else PER_LEVEL - 1
        if shown[finding.severity] < room:
            shown[finding.severity] += 1
            annotated.append(finding)
        else:
            rest.append(finding)
    return annotated, rest


def annotation(finding: Finding, rules: Mapping[str, Rule], *, show_docs: bool = False) -> str:
    """``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE name::message``."""
    span = finding.span
    properties = {
        "file": span.path,
        "line": str(span.line),
        "col": str(span.column),
        "endLine": str(span.end_line),
        "endColumn": str(span.end_column),
        "title": f"{finding.code} {_name(finding, rules)}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = escape_data(_message(finding, rules, show_docs))
    return f"::{COMMANDS[finding.severity]} {props}::{message}"


def _message(finding: Finding, rules: Mapping[str, Rule], show_docs: bool) -> str:
    lines = [finding.message]
    lines.extend(f"{related.span}: note: {related.message}" for related in finding.related)
    if show_docs:
        lines.append(f"docs: {_docs(finding, rules)}")
    return "\n".join(lines)


def _overflow_notes(rest: list[Finding]) -> list[str]:
    counts = Counter(f.severity for f in rest)
    notes = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        if counts[severity]:
            word = "finding" if counts[severity] == 1 else "findings"
            message = (
                f"{counts[severity]} more {severity.value} {word} not annotated "
                "(GitHub shows 10 per step); see the meshlint findings in the log"
            )
            notes.append(f"::{COMMANDS[severity]} title=meshlint::{escape_data(message)}")
    return notes


def _log_line(finding: Finding, rules: Mapping[str, Rule]) -> str:
    # one physical line that starts with the path, so no part of a message can start a
    # line of its own and be read as a workflow command
    line = f"{finding.span}: {finding.severity.value} {finding.code} {finding.message}"
    return f"{line} [{_name(finding, rules)}]".replace("\r", " ").replace("\n", " ")


def _name(finding: Finding, rules: Mapping[str, Rule]) -> str:
    rule = rules.get(finding.code)
    return rule.name if rule is not None else finding.rule


def _docs(finding: Finding, rules: Mapping[str, Rule]) -> str:
    rule = rules.get(finding.code)
    return rule.docs_url if rule is not None else DOCS_BASE + finding.code


def step_summary(result: LintResult, rules: Mapping[str, Rule]) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: the counts and a table of the findings."""
    lines = ["### meshlint", "", _summary_line(result)]
    if result.findings:
        lines += ["", "| severity | code | location | message |", "| --- | --- | --- | --- |"]
        lines.extend(_row(f, rules) for f in result.findings[:SUMMARY_ROWS])
    if len(result.findings) > SUMMARY_ROWS:
        lines += ["", f"{len(result.findings) - SUMMARY_ROWS} more findings are in the job log."]
    return "\n".join(lines) + "\n"


def _row(finding: Finding, rules: Mapping[str, Rule]) -> str:
    code = f"[{finding.code}]({_docs(finding, rules)}) {_name(finding, rules)}"
    cells = (finding.severity.value, code, str(finding.span), finding.message)
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(value: str) -> str:
    """A Markdown table cell: HTML and pipes escaped, line breaks as ``<br>``."""
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        value = value.replace(raw, safe)
    return value.replace("\r", "").replace("\n", "<br>")
