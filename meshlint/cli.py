"""The command line: the only module that prints, colours or exits.

Heavy libraries (typer, pydantic, the YAML parsers, networkx) are imported inside the
functions that need them, so ``meshlint --version`` starts as fast as Python itself.
"""

from __future__ import annotations

import sys

from meshlint import __version__

# Not ``typing.TYPE_CHECKING``: importing typing (and re) costs more than the whole
# ``--version`` path; mypy treats any ``TYPE_CHECKING`` name as the real one.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    import typer
    from rich.console import Console

    from meshlint.config import Config
    from meshlint.findings import LintResult

ISSUES_URL = "https://github.com/meshlint/meshlint/issues"
EXIT_CODES = (
    "Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; "
    "2 usage, configuration or input error; 3 internal error (please report it)."
)
CHECK_FORMATS = ("text", "json")
RULES_FORMATS = ("text", "json", "markdown")
FAIL_ON = ("error", "warning", "info", "never")
USAGE_ERROR = 2
INTERNAL_ERROR = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run meshlint with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"]):
        sys.stdout.write(f"meshlint {__version__}\n")
        return 0
    try:
        return _invoke(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # anything not a MeshlintError or a usage error is our bug
        return _internal_error(exc, debug="--debug" in args)


def _invoke(args: list[str]) -> int:
    import typer

    from meshlint.errors import MeshlintError

    command = typer.main.get_command(_build_app())
    try:
        code = command.main(args=args, prog_name="meshlint", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: bad flag, bad value, no command
        _error(exc.format_message())
        return USAGE_ERROR
    except typer.Abort:
        return 130
    except MeshlintError as exc:
        _error(str(exc))
        return USAGE_ERROR
    return code if isinstance(code, int) else 0


def _error(message: str) -> None:
    sys.stderr.write(f"meshlint: error: {message}\n")


def _internal_error(exc: BaseException, *, debug: bool) -> int:
    sys.stderr.write(
        "meshlint hit an internal error; please report it at "
        f"{ISSUES_URL} with the input that caused it\n"
        f"  {type(exc).__name__}: {exc}\n"
    )
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    else:
        sys.stderr.write("  (run with --debug to see the traceback)\n")
    return INTERNAL_ERROR


def _build_app() -> typer.Typer:
    import typer

    app = typer.Typer(
        name="meshlint",
        help="Lint, validate and explain Istio service-mesh configuration offline.",
        epilog=EXIT_CODES,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root())
    _add_check(app)
    _add_rules(app)
    return app


def _root() -> Callable[..., None]:
    import typer

    def root(
        version: bool = typer.Option(
            False, "--version", "-V", help="Show the version and exit.", is_eager=True
        ),
    ) -> None:
        if version:
            sys.stdout.write(f"meshlint {__version__}\n")
            raise typer.Exit(0)

    return root


def _choice(option: str, choices: tuple[str, ...]) -> Callable[[str | None], str | None]:
    """A parameter callback that accepts only ``choices`` (a usage error otherwise)."""
    import typer

    def validate(value: str | None) -> str | None:  # typer reads this signature
        if value is not None and value not in choices:
            allowed = ", ".join(choices)
            raise typer.BadParameter(f"{value!r} is not one of {allowed}", param_hint=option)
        return value

    return validate


def _add_check(app: typer.Typer) -> None:
    """The ``check`` command; its parameters are the CLI surface, hence the long signature."""
    import typer

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
            callback=_choice("--format", CHECK_FORMATS),
        ),
        output: str | None = typer.Option(None, "--output", "-o", help="Write the report here."),
        fail_on: str | None = typer.Option(
            None,
            "--fail-on",
            help="error (default), warning, info or never.",
            callback=_choice("--fail-on", FAIL_ON),
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
        settings = _check_config(
            config,
            no_config,
            select=_codes(select),
            ignore=_codes(ignore),
            fail_on=fail_on,
            mesh_config=mesh_config,
            namespace=namespace,
            assume_complete=assume_complete or None,
        )
        return _run_check(paths or [], settings, fmt=fmt, output=output, show_docs=show_docs)


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def _check_config(path: str | None, no_config: bool, **overrides: Any) -> Config:
    from pathlib import Path

    from meshlint.config import Config, discover

    if no_config:
        base = Config()
    elif path is not None:
        base = Config.from_file(Path(path))
    else:
        found = discover(Path.cwd())
        base = Config() if found is None else Config.from_file(found)
    return base.merged(**overrides)


def _run_check(
    paths: list[str], config: Config, *, fmt: str, output: str | None, show_docs: bool
) -> int:
    from pathlib import Path

    from meshlint.analyzers import RULES_BY_CODE
    from meshlint.errors import MeshlintError
    from meshlint.lint import lint
    from meshlint.reporters import REPORTERS

    if not paths:
        raise MeshlintError("no input: pass the files or folders to lint, or - for stdin")
    stdin = getattr(sys.stdin, "buffer", sys.stdin) if "-" in paths else None
    result = lint(paths, config, stdin=stdin, root=Path.cwd())
    rendered = REPORTERS[fmt](result, RULES_BY_CODE, show_docs=show_docs)
    _emit(rendered, markup=fmt == "text", output=output)
    return _exit_code(result, config)


def _exit_code(result: LintResult, config: Config) -> int:
    threshold = config.fail_threshold
    return 1 if threshold is not None and result.fails(threshold) else 0


def _console(file: Any = None, *, plain: bool = False) -> Console:
    """The Console for reports: styled only on a terminal, never wrapped.

    ``NO_COLOR`` (no-color.org) turns off every style, not only colours, so the text is
    exactly what a pipe would get.
    """
    import os

    from rich.console import Console

    plain = plain or bool(os.environ.get("NO_COLOR"))
    return Console(
        file=file,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        color_system=None if plain else "auto",
    )


def _emit(rendered: str, *, markup: bool, output: str | None) -> None:
    if output is None:
        _write_to(sys.stdout, rendered, markup=markup)
        return
    from meshlint.errors import MeshlintError

    try:
        with open(output, "w", encoding="utf-8") as handle:
            _write_to(handle, rendered, markup=markup, plain=True)
    except OSError as exc:
        raise MeshlintError(f"cannot write {output}: {exc.strerror}") from None


def _write_to(stream: Any, rendered: str, *, markup: bool, plain: bool = False) -> None:
    if markup:
        _console(stream, plain=plain).print(rendered, end="")
    else:
        stream.write(rendered)


def _add_rules(app: typer.Typer) -> None:
    import typer

    @app.command(epilog=EXIT_CODES)
    def rules(
        *,
        fmt: str = typer.Option(
            "text",
            "--format",
            "-f",
            help="text, json or markdown.",
            callback=_choice("--format", RULES_FORMATS),
        ),
        check: str | None = typer.Option(
            None, "--check", help="Exit 1 if this file differs from the markdown catalogue."
        ),
    ) -> int:
        """List every rule; --format markdown renders docs/rules.md."""
        return _run_rules(fmt, check)


def _run_rules(fmt: str, check: str | None) -> int:
    from meshlint import docs
    from meshlint.analyzers import ALL_RULES

    if check is not None:
        return _check_docs(check, docs.render_markdown(ALL_RULES))
    renderers = {
        "text": docs.render_text,
        "json": docs.render_json,
        "markdown": docs.render_markdown,
    }
    sys.stdout.write(renderers[fmt](ALL_RULES))
    return 0


def _check_docs(path: str, expected: str) -> int:
    from pathlib import Path

    target = Path(path)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if current == expected:
        return 0
    sys.stderr.write(
        f"{path} is out of date; regenerate it with:\n  meshlint rules --format markdown > {path}\n"
    )
    return 1
