"""``meshlint check``: lint mesh configuration and report findings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from meshlint.cli.cache import CACHE_DIR_HELP, open_cache
from meshlint.cli.common import (
    EXIT_CODES,
    load_config,
    shared_option,
    split_codes,
)
from meshlint.cli.outputs import FORMAT_HELP, check_format_names, plan, write_reports
from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from meshlint.config import Config
    from meshlint.findings import LintResult


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
    formats_option = typer.Option(
        None, "--format", "-f", help=FORMAT_HELP, callback=check_format_names
    )

    policy_options = _policy_options()
    repair = _suppress_and_fix_options()

    @app.command(epilog=EXIT_CODES)
    def check(  # noqa: PLR0913 - one parameter per command-line option
        *,
        paths: list[str] | None = paths_argument,
        formats: list[str] | None = formats_option,
        output: str | None = typer.Option(
            None, "--output", "-o", help="Write the --format without =FILE here (- is stdout)."
        ),
        fail_on: str | None = shared_option("--fail-on"),
        mesh_config: str | None = shared_option("--mesh-config"),
        namespace: str | None = shared_option("--namespace"),
        assume_complete: bool = typer.Option(
            False, "--assume-complete", help="Treat the input as the whole cluster."
        ),
        config: str | None = shared_option("--config"),
        no_config: bool = shared_option("--no-config"),
        select: list[str] | None = select_option,
        ignore: list[str] | None = ignore_option,
        policy: list[str] | None = policy_options["policy"],
        no_builtin_policies: bool = policy_options["no_builtin_policies"],
        opa_url: str | None = policy_options["opa_url"],
        opa_token_env: str | None = policy_options["opa_token_env"],
        opa_ca: str | None = policy_options["opa_ca"],
        opa_insecure: bool = policy_options["opa_insecure"],
        policy_timeout: float | None = policy_options["policy_timeout"],
        baseline: str | None = repair["baseline"],
        write_baseline: str | None = repair["write_baseline"],
        fix: bool = repair["fix"],
        diff: bool = repair["diff"],
        show_docs: bool = shared_option("--show-docs"),
        jobs: int | None = typer.Option(
            None,
            "--jobs",
            "-j",
            min=1,
            help="Processes to use, 1 or 2 (default: 2 for large inputs on a multi-core Linux).",
        ),
        no_cache: bool = typer.Option(
            False, "--no-cache", help="Neither read nor write the cache of earlier results."
        ),
        cache_dir: str | None = typer.Option(
            None, "--cache-dir", envvar="MESHLINT_CACHE_DIR", help=CACHE_DIR_HELP
        ),
        debug: bool = shared_option("--debug"),
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
            jobs=jobs,
            policies=tuple(policy) if policy else None,
            builtin_policies=False if no_builtin_policies else None,
            opa_url=opa_url,
            opa_token_env=opa_token_env,
            opa_ca_file=opa_ca,
            opa_insecure=opa_insecure or None,
            policy_timeout=policy_timeout,
            baseline=baseline,
            cache=False if no_cache else None,
            cache_dir=cache_dir,
        )
        changes = Changes(write_baseline=write_baseline, fix=fix, diff=diff)
        return run_check(
            paths or [],
            settings,
            formats=formats,
            output=output,
            show_docs=show_docs,
            changes=changes,
        )


@dataclass(frozen=True, kw_only=True)
class Changes:
    """What ``check`` may change besides reporting: the baseline file and fixed inputs."""

    write_baseline: str | None = None
    fix: bool = False
    diff: bool = False


def _suppress_and_fix_options() -> dict[str, Any]:
    """The baseline and autofix options of ``check`` (SPEC §6), by parameter name."""
    return {
        "baseline": typer.Option(
            None, "--baseline", help="Suppress the findings recorded in this baseline file."
        ),
        "write_baseline": typer.Option(
            None, "--write-baseline", help="Record every current finding in this baseline file."
        ),
        "fix": typer.Option(False, "--fix", help="Apply the safe fixes to the input files."),
        "diff": typer.Option(
            False,
            "--diff",
            help="Print the safe fixes as a unified diff and change nothing (exit 1 if any).",
        ),
    }


def _policy_options() -> dict[str, Any]:
    """The Rego policy options of ``check`` (SPEC §5), by parameter name."""
    return {
        "policy": typer.Option(
            None, "--policy", help="Rego policy folder or file (repeatable; replaces the config's)."
        ),
        "no_builtin_policies": typer.Option(
            False, "--no-builtin-policies", help="Do not load the built-in MESH6xx policies."
        ),
        "opa_url": typer.Option(
            None, "--opa-url", help="Evaluate policies on this OPA server (http or https URL)."
        ),
        "opa_token_env": typer.Option(
            None, "--opa-token-env", help="Name of the environment variable holding the token."
        ),
        "opa_ca": typer.Option(None, "--opa-ca", help="CA file for the OPA server."),
        "opa_insecure": typer.Option(
            False, "--opa-insecure", help="Do not verify the OPA server's certificate."
        ),
        "policy_timeout": typer.Option(
            None, "--policy-timeout", help="Seconds each policy may run (default 10)."
        ),
    }


def run_check(  # noqa: PLR0913 - the inputs, the config, and three keyword-only knobs
    paths: list[str],
    config: Config,
    *,
    formats: list[str] | None,
    output: str | None,
    show_docs: bool,
    changes: Changes = Changes(),
) -> int:
    """Lint ``paths``, write the reports and return the exit code."""
    from meshlint.lint import lint

    destinations = plan(formats, output)
    if not paths:
        raise MeshlintError("no input: pass the files or folders to lint, or - for stdin")
    stdin = getattr(sys.stdin, "buffer", sys.stdin) if "-" in paths else None
    if (changes.fix or changes.diff) and "-" in paths:
        raise MeshlintError("stdin cannot be fixed: pass the files to --fix or --diff")
    if changes.write_baseline is not None:
        config = config.model_copy(update={"baseline": None})
    result = lint(paths, config, stdin=stdin, root=Path.cwd(), cache=open_cache(config))
    if changes.diff:
        return _show_diff(result)
    if changes.fix:
        result = _apply_fixes(result, lambda: lint(paths, config, root=Path.cwd()))
    if changes.write_baseline is not None:
        result = _write_baseline(result, changes.write_baseline)
    write_reports(result, destinations, show_docs=show_docs, config=config)
    return exit_code(result, config)


def _show_diff(result: LintResult) -> int:
    """``--diff``: the fixes as a unified diff on stdout; 1 when there is something to fix."""
    from meshlint.fix import plan as plan_fixes
    from meshlint.fix import unified_diff

    changes = plan_fixes(result.findings, Path.cwd())
    sys.stdout.write(unified_diff(changes))
    return 1 if changes else 0


def _apply_fixes(result: LintResult, relint: Callable[[], LintResult]) -> LintResult:
    """``--fix``: write the fixes, then lint again so the report shows what remains."""
    from meshlint.fix import plan as plan_fixes
    from meshlint.fix import write

    changes = plan_fixes(result.findings, Path.cwd())
    if not changes:
        return result
    try:
        write(changes, Path.cwd())
    except OSError as exc:
        raise MeshlintError(f"cannot write the fixes: {exc}") from None
    fixed = sum(len(change.applied) for change in changes)
    sys.stderr.write(f"meshlint: fixed {fixed} finding(s) in {len(changes)} file(s)\n")
    return relint()


def _write_baseline(result: LintResult, path: str) -> LintResult:
    """``--write-baseline``: record every finding; the report shows them as suppressed."""
    from meshlint.fix import write_atomic
    from meshlint.suppress import render_baseline

    try:
        write_atomic(Path(path), render_baseline(result.findings))
    except OSError as exc:
        raise MeshlintError(f"cannot write {path}: {exc.strerror or exc}") from None
    sys.stderr.write(f"meshlint: wrote {len(result.findings)} finding(s) to {path}\n")
    return replace(result, findings=(), suppressed=result.suppressed + len(result.findings))


def exit_code(result: LintResult, config: Config) -> int:
    """1 when a finding reaches the configured ``--fail-on`` threshold, else 0."""
    threshold = config.fail_threshold
    return 1 if threshold is not None and result.fails(threshold) else 0
