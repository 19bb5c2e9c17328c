"""The robustness oracle: run meshlint on one input and check it failed only in allowed ways.

Allowed: findings (each with a file and a 1-based line and column), and for the CLI the exit
codes 0, 1 and 2 (2 with a one-line message). Not allowed: an exception, exit code 3, a
traceback, a hang (SIGALRM guard here, a subprocess timeout for the CLI), runaway memory
(RLIMIT_AS in the subprocess), or different findings for the same input twice.

When ``MESHLINT_FUZZ_FAILURES`` names a folder, the input of every failing example is written
there (one file per test, overwritten, so after shrinking it holds the minimal example);
``benchmarks/fuzz_campaign.py`` collects them into ``fixtures/fuzz/``.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from hypothesis import HealthCheck, event, settings

from meshlint.cli import main
from meshlint.config import Config
from meshlint.findings import Finding, LintResult
from meshlint.lint import lint, lint_text

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FAILURES_ENV = "MESHLINT_FUZZ_FAILURES"
SCALE_ENV = "MESHLINT_FUZZ_SCALE"
HARD_SECONDS = 60  # wall-clock guard per call; the per-example deadline is far below it
CLI_SECONDS = 120
CLI_MEMORY = 1536 * 1024 * 1024  # bytes of address space for the subprocess variant
CODE = re.compile(r"^MESH\d{3}$")
# Errors PyYAML's composer raises for text that is not YAML: meshlint must report MESH001.
_SYNTAX_ERRORS = (
    yaml.reader.ReaderError,
    yaml.scanner.ScannerError,
    yaml.parser.ParserError,
    yaml.composer.ComposerError,
)

NO_POLICIES = Config(builtin_policies=False, jobs=1)
WITH_POLICIES = Config(jobs=1)


@dataclass(frozen=True)
class KnownBug:
    """An open bug found by fuzzing: the error type and the function that raises it."""

    name: str
    error: type[BaseException]
    file: str  # path suffix of the raising module
    function: str
    fixture: str  # fixtures/fuzz/ file that reproduces it

    def matches(self, frame: traceback.FrameSummary) -> bool:
        return frame.filename.endswith(self.file) and frame.name == self.function


# Open bugs, outside the fuzz suite's scope to fix (none at the moment; the first one found,
# a TypeError in meshlint/policy/runner.py _Converter.__init__, is fixed:
# fixtures/fuzz/policy-namespace-mapping.yaml)
KNOWN_BUGS: tuple[KnownBug, ...] = ()


class HangError(Exception):
    """The guarded call ran longer than the hard wall-clock limit."""


def fuzz_settings(ci: int, campaign: int, deadline_ms: int | None = 10_000) -> settings:
    """Per-test example counts: small under the ``ci`` profile, large under ``campaign``.

    The campaign count is multiplied by ``MESHLINT_FUZZ_SCALE`` (default 1). ``deadline_ms``
    is the per-example deadline under ``ci`` (the campaign has none; HARD_SECONDS always holds).
    """
    slow = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    if PROFILE == "campaign":
        scale = float(os.environ.get(SCALE_ENV, "1"))
        return settings(max_examples=max(1, int(campaign * scale)), suppress_health_check=slow)
    return settings(max_examples=ci, deadline=deadline_ms, suppress_health_check=slow)


@contextmanager
def hard_limit(seconds: int = HARD_SECONDS) -> Iterator[None]:
    """Raise HangError when the block runs longer than ``seconds`` (main thread only)."""

    def expired(signum: int, frame: object) -> None:
        raise HangError(f"no result after {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def recorded(name: str, payload: bytes, check: Callable[[], T]) -> T | None:
    """Run ``check``; if it fails, save ``payload`` as the failing input of test ``name``.

    A crash matching a known, reported bug (``KNOWN_BUGS``, each replayed by an xfail test
    in tests/test_fuzz_regressions.py) is counted as a Hypothesis event instead, so one open
    bug does not stop a campaign from looking for the next.
    """
    try:
        return check()
    except Exception as exc:
        bug = known_bug(exc)
        if bug is None:
            _save(name, payload)
            raise
        event(f"known bug: {bug}")
        return None
    except BaseException:
        _save(name, payload)
        raise


def known_bug(exc: BaseException) -> str | None:
    """The name of the known bug ``exc`` is an instance of, if any."""
    frames = traceback.extract_tb(exc.__traceback__)
    for bug in KNOWN_BUGS:
        if isinstance(exc, bug.error) and any(bug.matches(frame) for frame in frames):
            return bug.name
    return None


def _save(name: str, payload: bytes) -> None:
    folder = os.environ.get(FAILURES_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.yaml").write_bytes(payload)


def assert_well_formed(finding: Finding) -> None:
    """A finding points at a real place: a file, 1-based line and column, a code, a message."""
    span = finding.span
    assert span.path, finding
    assert span.line >= 1 and span.column >= 1, finding
    assert (span.end_line, span.end_column) >= (span.line, span.column), finding
    assert CODE.match(finding.code), finding
    assert finding.message.strip(), finding
    for related in finding.related:
        assert related.span.line >= 1 and related.span.column >= 1, finding


def _signature(result: LintResult) -> tuple[object, ...]:
    return (result.findings, result.files, result.resources, result.skipped, result.rules_run)


def deterministic(run: Callable[[], LintResult]) -> LintResult:
    """Run twice under the hard limit; both runs must agree exactly."""
    with hard_limit():
        first = run()
        second = run()
    assert _signature(first) == _signature(second), "same input, different result"
    for finding in first.findings:
        assert_well_formed(finding)
    return first


def _composer_rejects(text: str) -> bool:
    try:
        for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
            pass
    except _SYNTAX_ERRORS:
        return True
    except (RecursionError, yaml.YAMLError):
        return False
    return False


def check_text(text: str, config: Config = NO_POLICIES) -> LintResult:
    """``lint_text`` is robust on ``text``; text PyYAML cannot compose yields MESH001."""
    result = deterministic(lambda: lint_text(text, config))
    if _composer_rejects(text):
        codes = {finding.code for finding in result.findings}
        assert "MESH001" in codes, f"PyYAML rejects it, meshlint reported {codes or 'nothing'}"
    return result


def check_bytes(data: bytes, config: Config = NO_POLICIES) -> LintResult:
    """``lint`` on stdin bytes is robust (decoding, BOMs, NULs all end as findings)."""
    return deterministic(lambda: lint(["-"], config, stdin=io.BytesIO(data)))


def run_main(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI in process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), hard_limit():
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def assert_cli_outcome(code: int, stdout: str, stderr: str) -> None:
    """Exit 0/1 with one JSON document, or 2 with a one-line message; never 3 or a traceback."""
    assert "Traceback" not in stderr, stderr
    assert code in (0, 1, 2), f"exit {code}: {stderr}"
    if code == 2:
        assert len(stderr.strip().splitlines()) == 1, stderr
        return
    report = json.loads(stdout)
    assert report["version"] == 1
    for item in report["findings"]:
        assert item["line"] >= 1 and item["column"] >= 1, item


def limit_memory() -> None:
    """preexec_fn: cap the child's address space so a memory blow-up fails fast."""
    resource.setrlimit(resource.RLIMIT_AS, (CLI_MEMORY, CLI_MEMORY))


def run_subprocess(args: list[str]) -> tuple[int, str, str]:
    """Run ``python -m meshlint`` with a timeout and a memory cap."""
    done = subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        capture_output=True,
        text=True,
        timeout=CLI_SECONDS,
        preexec_fn=limit_memory,
        check=False,
        cwd=ROOT,
    )
    return done.returncode, done.stdout, done.stderr
