"""``meshlint rules``: the rule catalogue as text, JSON or markdown (docs/rules.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from meshlint.cli.common import EXIT_CODES, choice

RULES_FORMATS = ("text", "json", "markdown")


def register(app: typer.Typer) -> None:
    """Add the ``rules`` command."""

    @app.command(epilog=EXIT_CODES)
    def rules(
        *,
        fmt: str = typer.Option(
            "text",
            "--format",
            "-f",
            help="text, json or markdown.",
            callback=choice("--format", RULES_FORMATS),
        ),
        check: str | None = typer.Option(
            None, "--check", help="Exit 1 if this file differs from the markdown catalogue."
        ),
    ) -> int:
        """List every rule; --format markdown renders docs/rules.md."""
        return run_rules(fmt, check)


def run_rules(fmt: str, check: str | None) -> int:
    """Print the catalogue, or compare ``check`` with the markdown rendering."""
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
    target = Path(path)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if current == expected:
        return 0
    sys.stderr.write(
        f"{path} is out of date; regenerate it with:\n  meshlint rules --format markdown > {path}\n"
    )
    return 1
