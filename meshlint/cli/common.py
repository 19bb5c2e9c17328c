"""Helpers every command shares: option validation, config loading, writing reports."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from rich.console import Console

    from meshlint.config import Config

EXIT_CODES = (
    "Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; "
    "2 usage, configuration or input error; 3 internal error (please report it)."
)


def choice(option: str, choices: tuple[str, ...]) -> Callable[[str | None], str | None]:
    """A parameter callback that accepts only ``choices`` (a usage error otherwise)."""

    def validate(value: str | None) -> str | None:  # typer reads this signature
        if value is not None and value not in choices:
            allowed = ", ".join(choices)
            raise typer.BadParameter(f"{value!r} is not one of {allowed}", param_hint=option)
        return value

    return validate


FAIL_ON = ("error", "warning", "info", "never")


def shared_option(flag: str) -> Any:
    """A fresh typer option for a flag several commands take, with one default and help."""
    if flag == "--fail-on":
        help_text = "error (default), warning, info or never."
        return typer.Option(None, flag, help=help_text, callback=choice(flag, FAIL_ON))
    default, help_text = _SHARED[flag]
    return typer.Option(default, flag, help=help_text)


_SHARED: dict[str, tuple[object, str]] = {
    "--mesh-config": (None, "Istio MeshConfig file (or the istio ConfigMap)."),
    "--namespace": (None, "Namespace of resources that name none (default: default)."),
    "--config": (None, "Read this config file."),
    "--no-config": (False, "Ignore config files."),
    "--show-docs": (False, "Print each finding's docs link."),
    "--debug": (False, "Show tracebacks of internal errors."),
}


def split_codes(values: list[str] | None) -> tuple[str, ...] | None:
    """``--select A,B --select C`` as ``("A", "B", "C")``; None when not given."""
    if not values:
        return None
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def load_config(path: str | None, no_config: bool, **overrides: Any) -> Config:
    """The config file (given, discovered by walking up, or none) with CLI overrides."""
    from meshlint.config import Config, discover

    if no_config:
        base = Config()
    elif path is not None:
        base = Config.from_file(Path(path))
    else:
        found = discover(Path.cwd())
        base = Config() if found is None else Config.from_file(found)
    return base.merged(**overrides)


def console(file: Any = None, *, plain: bool = False) -> Console:
    """The Console for reports: styled only on a terminal, never wrapped.

    ``NO_COLOR`` (no-color.org) turns off every style, not only colours, so the text is
    exactly what a pipe would get.
    """
    from rich.console import Console

    plain = plain or bool(os.environ.get("NO_COLOR"))
    return Console(
        file=file,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        color_system=None if plain else "auto",
    )


def emit(rendered: str, *, markup: bool, output: str | None) -> None:
    """Write a report to stdout or to ``output`` (a usage error when it cannot be written)."""
    if output is None:
        write_to(sys.stdout, rendered, markup=markup)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            write_to(handle, rendered, markup=markup, plain=True)
    except OSError as exc:
        raise MeshlintError(f"cannot write {output}: {exc.strerror}") from None


def write_to(stream: Any, rendered: str, *, markup: bool, plain: bool = False) -> None:
    """Write ``rendered``; rich markup is rendered (or stripped) when ``markup``."""
    if markup:
        console(stream, plain=plain).print(rendered, end="")
    else:
        stream.write(rendered)
