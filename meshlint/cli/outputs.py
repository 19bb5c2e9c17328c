"""Report destinations: ``--format NAME[=FILE]`` (repeatable) and ``--output``, and writing them.

``--format sarif=meshlint.sarif`` writes one format to a file; a format without ``=FILE``
goes to ``--output`` when given, else to stdout. ``-`` as a file means stdout. At most one
format may go to stdout and no two to the same file; anything else is a usage error.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from meshlint.cli.common import emit
from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from meshlint.config import Config
    from meshlint.findings import LintResult
    from meshlint.rule import Rule

STDOUT = "-"
DEFAULT_FORMAT = "text"
FORMAT_HELP = (
    "Report format: text, json, sarif, github, junit or gitlab; NAME=FILE writes it to FILE. "
    "Repeat for several reports (one of them on stdout)."
)
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


@dataclass(frozen=True, slots=True)
class Destination:
    """One report: its format and the file it goes to (None: stdout)."""

    fmt: str
    path: str | None


def check_format_names(values: list[str] | None) -> list[str] | None:
    """A ``--format`` callback: every ``NAME[=FILE]`` names a known format."""
    from meshlint.reporters import CHECK_FORMATS

    for value in values or ():
        name = value.partition("=")[0]
        if name not in CHECK_FORMATS:
            allowed = ", ".join(CHECK_FORMATS)
            raise typer.BadParameter(f"{name!r} is not one of {allowed}", param_hint="--format")
    return values


def plan(formats: Sequence[str] | None, output: str | None) -> tuple[Destination, ...]:
    """Where each report goes; a ``MeshlintError`` (exit 2) for an impossible combination."""
    specs = [_split(value) for value in formats or (DEFAULT_FORMAT,)]
    bare = [fmt for fmt, path in specs if path is None]
    if output is not None and len(bare) != 1:
        raise MeshlintError(
            "--output takes exactly one --format without =FILE "
            f"(got {len(bare)}); write the others with --format NAME=FILE"
        )
    destinations = tuple(
        Destination(fmt, _target(output if path is None else path)) for fmt, path in specs
    )
    _check_unique(destinations)
    return destinations


def _split(value: str) -> tuple[str, str | None]:
    name, equals, path = value.partition("=")
    if equals and not path:
        raise MeshlintError(f"--format {value}: missing file name after '='")
    return name, path if equals else None


def _target(path: str | None) -> str | None:
    return None if path in (None, STDOUT) else path


def _check_unique(destinations: tuple[Destination, ...]) -> None:
    on_stdout = [d.fmt for d in destinations if d.path is None]
    if len(on_stdout) > 1:
        raise MeshlintError(
            f"only one format can go to stdout, not {' and '.join(on_stdout)}; "
            "write the others to files with --format NAME=FILE"
        )
    repeated = [p for p, n in Counter(d.path for d in destinations if d.path).items() if n > 1]
    if repeated:
        raise MeshlintError(f"several formats would write to {repeated[0]}; give each its own file")


def write_reports(
    result: LintResult,
    destinations: Sequence[Destination],
    *,
    show_docs: bool,
    config: Config | None = None,
) -> None:
    """Render and write every report; the GitHub job summary too when ``github`` is one."""
    from meshlint.reporters import REPORTERS

    rules = report_catalogue(result, config)
    for destination in destinations:
        rendered = REPORTERS[destination.fmt](result, rules, show_docs=show_docs)
        emit(rendered, markup=destination.fmt == "text", output=destination.path)
    if any(d.fmt == "github" for d in destinations):
        write_step_summary(result, rules)


def report_catalogue(result: LintResult, config: Config | None) -> Mapping[str, Rule]:
    """The rules reporters describe: the Python rules, plus the run's policies (their docs,
    SARIF rule entries) when a policy finding is among the results."""
    from meshlint.analyzers import RULES_BY_CODE

    if config is None or all(f.code in RULES_BY_CODE for f in result.findings):
        return RULES_BY_CODE
    from meshlint.docs import catalogue

    return {rule.code: rule for rule in catalogue(config=config)}


def write_step_summary(result: LintResult, rules: Mapping[str, Rule]) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    from meshlint.reporters.github import step_summary

    target = os.environ.get(STEP_SUMMARY)
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(step_summary(result, rules))
    except OSError as exc:
        raise MeshlintError(f"cannot write ${STEP_SUMMARY} ({target}): {exc.strerror}") from None
