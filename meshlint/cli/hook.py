"""``meshlint hook``: lint the whole configured mesh, report only on the files given.

pre-commit passes the staged files. A VirtualService and the DestinationRule it names often
live in different files, so linting only the staged ones would report a reference to an
unstaged file as "not found". The hook therefore loads the mesh roots (``--mesh``, else the
config file's ``paths``, else the working directory, which pre-commit sets to the repository
root), adds any given file outside them, and keeps the findings located in the given files.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from meshlint.cli.check import exit_code
from meshlint.cli.common import EXIT_CODES, load_config, shared_option
from meshlint.cli.outputs import FORMAT_HELP, check_format_names, plan, write_reports

if TYPE_CHECKING:
    from meshlint.config import Config
    from meshlint.findings import LintResult

DEFAULT_ROOT = "."


def register(app: typer.Typer) -> None:
    """Add the ``hook`` command (the entry of the pre-commit hook)."""
    files_argument = typer.Argument(
        None, help="Report on these files (default: every file of the mesh).", show_default=False
    )
    formats_option = typer.Option(
        None, "--format", "-f", help=FORMAT_HELP, callback=check_format_names
    )
    mesh_option = typer.Option(
        None, "--mesh", help="A mesh root to lint, repeatable (default: the config's paths, or .)."
    )

    @app.command(epilog=EXIT_CODES)
    def hook(  # noqa: PLR0913 - one parameter per command-line option
        *,
        files: list[str] | None = files_argument,
        mesh: list[str] | None = mesh_option,
        formats: list[str] | None = formats_option,
        output: str | None = typer.Option(
            None, "--output", "-o", help="Write the --format without =FILE here (- is stdout)."
        ),
        fail_on: str | None = shared_option("--fail-on"),
        config: str | None = shared_option("--config"),
        no_config: bool = shared_option("--no-config"),
        show_docs: bool = shared_option("--show-docs"),
        debug: bool = shared_option("--debug"),
    ) -> int:
        """Lint the whole mesh (--mesh, the config's paths, or .); report on FILES only."""
        del debug  # read by main() before the app runs
        settings = load_config(config, no_config, fail_on=fail_on, paths=mesh or None)
        destinations = plan(formats, output)
        result = only_files(lint_mesh(settings, files or []), files or [])
        write_reports(result, destinations, show_docs=show_docs, config=settings)
        return exit_code(result, settings)


def lint_mesh(config: Config, files: list[str]) -> LintResult:
    """Lint the configured mesh roots plus those of ``files`` that lie outside them."""
    from meshlint.cli.cache import open_cache
    from meshlint.lint import lint

    roots = list(config.paths) or [DEFAULT_ROOT]
    outside = [name for name in files if not any(_below(name, root) for root in roots)]
    return lint([*roots, *outside], config, root=Path.cwd(), cache=open_cache(config))


def only_files(result: LintResult, files: list[str]) -> LintResult:
    """``result`` with only the findings located in ``files`` (all of them when empty)."""
    if not files:
        return result
    wanted = {_display(name) for name in files}
    return replace(result, findings=tuple(f for f in result.findings if f.span.path in wanted))


def _display(name: str) -> str:
    """A path as the loader displays it: relative to the working directory when below it."""
    absolute = Path(os.path.abspath(name))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return Path(name).as_posix()


def _below(name: str, root: str) -> bool:
    return Path(os.path.abspath(name)).is_relative_to(os.path.abspath(root))
