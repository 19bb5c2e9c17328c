"""The command line: the only package that prints, colours or exits.

Each command lives in its own module with a ``register(app)`` function; heavy libraries
(typer, pydantic, the YAML parsers, networkx) are imported only when the app is built, so
``meshlint --version`` starts as fast as Python itself.
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

ISSUES_URL = "https://github.com/meshlint/meshlint/issues"
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

    command = typer.main.get_command(build_app())
    _name_metavars(command)
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


# what each option's value is, for --help (typer would print the Python type: "<str>")
METAVARS = {
    "--format": "FORMAT",
    "--output": "FILE",
    "--fail-on": "LEVEL",
    "--mesh-config": "FILE",
    "--namespace": "NS",
    "--config": "FILE",
    "--select": "CODES",
    "--ignore": "CODES",
    "--policy": "DIR",
    "--opa-url": "URL",
    "--opa-token-env": "VAR",
    "--opa-ca": "FILE",
    "--policy-timeout": "SECONDS",
    "--baseline": "FILE",
    "--write-baseline": "FILE",
    "--cache-dir": "DIR",
    "--jobs": "N",
    "--from": "SRC",
    "--to": "HOST[:PORT]",
    "--path": "PATH",
    "--method": "METHOD",
    "--header": "K=V",
    "--expect": "VERDICT",
    "--base": "REF",
    "--focus": "NS",
    "--mesh": "DIR",
    "--fixtures": "DIR",
    "--opa": "PATH",
    "--check": "FILE",
}


def _name_metavars(command: Any) -> None:
    """Give every valued option a readable metavar, in every (sub)command."""
    for param in getattr(command, "params", ()):
        names = [n for n in getattr(param, "opts", ()) if n in METAVARS]
        if names and not getattr(param, "is_flag", False):
            param.metavar = METAVARS[names[0]]
        elif getattr(param, "param_type_name", "") == "argument":
            param.metavar = str(param.name).upper()
    for sub in getattr(command, "commands", {}).values():
        _name_metavars(sub)


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


def build_app() -> typer.Typer:
    """The typer app with every command registered (one module per command)."""
    import typer

    from meshlint.cli import cache, check, config_schema, explain, graph, hook, policy, rules
    from meshlint.cli.common import EXIT_CODES

    app = typer.Typer(
        name="meshlint",
        help="Lint, validate and explain Istio service-mesh configuration offline.",
        epilog=EXIT_CODES,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # help texts are plain: "[tool.meshlint]" is not a markup tag
    )
    app.callback()(_root())
    check.register(app)
    explain.register(app)
    graph.register(app)
    rules.register(app)
    hook.register(app)
    policy.register(app)
    config_schema.register(app)
    cache.register(app)
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
