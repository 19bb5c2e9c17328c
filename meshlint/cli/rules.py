"""``meshlint rules``: the rule catalogue as text, JSON or markdown (docs/rules.md).

The catalogue holds the Python rules, the built-in Rego pack (MESH6xx) and the user policies
of ``--policy`` folders; docs/rules.md is the rendering without user policies.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from meshlint.cli.common import EXIT_CODES, choice

RULES_FORMATS = ("text", "json", "markdown")


def register(app: typer.Typer) -> None:
    """Add the ``rules`` command."""
    policy_option = typer.Option(
        None, "--policy", help="Also list the Rego policies of this folder (repeatable)."
    )
    no_builtin_option = typer.Option(
        False, "--no-builtin-policies", help="Leave out the built-in MESH6xx policies."
    )

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
        policy: list[str] | None = policy_option,
        no_builtin_policies: bool = no_builtin_option,
    ) -> int:
        """List every rule and policy; --format markdown renders docs/rules.md."""
        return run_rules(fmt, check, policy or [], builtin=not no_builtin_policies)


def run_rules(fmt: str, check: str | None, policies: list[str], *, builtin: bool = True) -> int:
    """Print the catalogue, or compare ``check`` with the markdown rendering."""
    from meshlint import docs
    from meshlint.config import Config

    config = Config.parse({"policies": policies, "builtin-policies": builtin}, source="--policy")
    catalogue = docs.catalogue(config=config)
    if check is not None:
        return _check_docs(check, docs.render_markdown(catalogue))
    renderers = {
        "text": docs.render_text,
        "json": docs.render_json,
        "markdown": docs.render_markdown,
    }
    sys.stdout.write(renderers[fmt](catalogue))
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
