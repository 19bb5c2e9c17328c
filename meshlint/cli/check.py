"""``meshlint check``: lint mesh configuration and report findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from meshlint.cli.common import EXIT_CODES, choice, emit, load_config, split_codes
from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from meshlint.config import Config
    from meshlint.findings import LintResult

CHECK_FORMATS = ("text", "json")
FAIL_ON = ("error", "warning", "info", "never")


def register(app: typer.Typer) -> None:
    """Add the ``check`` command; its parameters are the CLI surface, hence the long signature."""
    paths_argument = typer.Argument(
        None, help="Files or folders to lint (recursively); - reads stdin.", show_default=False
    )
    select_option = typer.Option(
        None, "--select", help="Only these codes, names or prefixes (comma-separated)."
    )
    ignore_option = typer.Option(
        None, "--ignore", help="Skip these codes, names or prefixes (comma-separated)."
    )

    @app.command(epilog=EXIT_CODES)
    def check(  # noqa: PLR0913 - one parameter per command-line option
        *,
        paths: list[str] | None = paths_argument,
        fmt: str = typer.Option(
            "text",
            "--format",
            "-f",
            help="text or json.",
            callback=choice("--format", CHECK_FORMATS),
        ),
        output: str | None = typer.Option(None, "--output", "-o", help="Write the report here."),
        fail_on: str | None = typer.Option(
            None,
            "--fail-on",
            help="error (default), warning, info or never.",
            callback=choice("--fail-on", FAIL_ON),
        ),
        mesh_config: str | None = typer.Option(
            None, "--mesh-config", help="Istio MeshConfig file (or the istio ConfigMap)."
        ),
        namespace: str | None = typer.Option(
            None, "--namespace", help="Namespace of resources that name none (default: default)."
        ),
        assume_complete: bool = typer.Option(
            False, "--assume-complete", help="Treat the input as the whole cluster."
        ),
        config: str | None = typer.Option(None, "--config", help="Read this config file."),
        no_config: bool = typer.Option(False, "--no-config", help="Ignore config files."),
        select: list[str] | None = select_option,
        ignore: list[str] | None = ignore_option,
        show_docs: bool = typer.Option(
            False, "--show-docs", help="Print each finding's docs link."
        ),
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    ) -> int:
        """Lint mesh configuration and report findings with file:line:column."""
        del debug  # read by main() before the app runs
        settings = load_config(
            config,
            no_config,
            select=split_codes(select),
            ignore=split_codes(ignore),
            fail_on=fail_on,
            mesh_config=mesh_config,
            namespace=namespace,
            assume_complete=assume_complete or None,
        )
        return run_check(paths or [], settings, fmt=fmt, output=output, show_docs=show_docs)


def run_check(
    paths: list[str], config: Config, *, fmt: str, output: str | None, show_docs: bool
) -> int:
    """Lint ``paths``, write the report and return the exit code."""
    from meshlint.analyzers import RULES_BY_CODE
    from meshlint.lint import lint
    from meshlint.reporters import REPORTERS

    if not paths:
        raise MeshlintError("no input: pass the files or folders to lint, or - for stdin")
    stdin = getattr(sys.stdin, "buffer", sys.stdin) if "-" in paths else None
    result = lint(paths, config, stdin=stdin, root=Path.cwd())
    rendered = REPORTERS[fmt](result, RULES_BY_CODE, show_docs=show_docs)
    emit(rendered, markup=fmt == "text", output=output)
    return exit_code(result, config)


def exit_code(result: LintResult, config: Config) -> int:
    """1 when a finding reaches the configured ``--fail-on`` threshold, else 0."""
    threshold = config.fail_threshold
    return 1 if threshold is not None and result.fails(threshold) else 0
