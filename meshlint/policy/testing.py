"""`meshlint policy test`: fixture cases (bad/good/expected) and, with a real OPA, Rego tests."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from meshlint.findings import Finding
from meshlint.policy.data import from_documents
from meshlint.policy.engine import DEFAULT_TIMEOUT, PolicyEngine
from meshlint.policy.loader import PolicySet, load_policies
from meshlint.policy.metadata import YamlParser
from meshlint.policy.runner import RunOptions, run_policies
from meshlint.policy.worker import WorkerEngine
from meshlint.source import RawDocument

DocumentLoader = Callable[[Path], Sequence[RawDocument]]
_FIXTURES = ("bad.yaml", "good.yaml")


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One fixture file of one case folder: the finding lines expected and produced."""

    case: str
    fixture: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.expected == self.actual


@dataclass(frozen=True, slots=True)
class RegoTestResult:
    """What ``opa test`` said about the ``test_`` rules (None fields when OPA is absent)."""

    returncode: int
    output: str


@dataclass(frozen=True, slots=True)
class PolicyTestReport:
    cases: tuple[CaseResult, ...]
    rego: RegoTestResult | None = None
    problems: tuple[str, ...] = ()  # policies that failed to load (``path:line: message``)

    @property
    def passed(self) -> bool:
        rego_ok = self.rego is None or self.rego.returncode == 0
        return rego_ok and not self.problems and all(case.passed for case in self.cases)


def render(finding: Finding) -> str:
    """The expected.txt form of a finding: ``file:line:col CODE Kind ns/name``."""
    span = finding.span
    where = f"{Path(span.path).name}:{span.line}:{span.column}"
    return f"{where} {finding.code} {finding.resource or '-'}"


def case_folders(root: Path) -> list[Path]:
    """Folders under ``root`` holding a bad.yaml or good.yaml, sorted."""
    found = {p.parent for name in _FIXTURES for p in root.rglob(name)}
    return sorted(found)


@dataclass(frozen=True, slots=True)
class PolicyTestOptions:
    """How to read fixtures and run policies for ``run_policy_tests``."""

    load: DocumentLoader
    parse_yaml: YamlParser
    engine: Callable[[], PolicyEngine] = WorkerEngine
    builtin: bool = False  # also load the built-in pack (to test it, or user policies beside it)
    opa: str | None = None  # an ``opa`` binary: run the Rego ``test_`` rules with ``opa test``


def run_policy_tests(
    policies: Sequence[Path], fixtures: Path, options: PolicyTestOptions
) -> PolicyTestReport:
    """Run each case folder named by a policy's code against that policy alone; ``opa test``.

    Folders named by other codes (Python rules share ``fixtures/rules/``) are not run.
    A case folder holds ``bad.yaml`` with ``expected.txt`` (one rendered finding per line) and
    ``good.yaml``, which must produce nothing. Policy problems (MESH007) count as findings.
    """
    policy_set = load_policies(policies, parse_yaml=options.parse_yaml, builtin=options.builtin)
    codes = {policy.code for policy in policy_set.policies}
    results = [
        _run_case(folder, fixture, policy_set, options)
        for folder in case_folders(fixtures)
        if folder.name in codes
        for fixture in _FIXTURES
        if (folder / fixture).is_file()
    ]
    rego = _opa_test(options.opa, policies) if options.opa and policies else None
    problems = tuple(f"{p.path}:{p.line}: {p.text}" for p in policy_set.problems)
    return PolicyTestReport(tuple(results), rego, problems)


def has_rego_tests(policies: Sequence[Path]) -> bool:
    """Whether any ``*_test.rego`` file lies under ``policies``."""
    return any(
        path.name.endswith("_test.rego") if path.is_file() else any(path.rglob("*_test.rego"))
        for path in policies
    )


def _run_case(
    folder: Path,
    fixture: str,
    policy_set: PolicySet,
    options: PolicyTestOptions,
) -> CaseResult:
    code = folder.name
    inputs, locate = from_documents(options.load(folder / fixture))
    run = RunOptions(timeout=DEFAULT_TIMEOUT, select=lambda policy: policy.code == code)
    engine = options.engine()
    try:
        findings = run_policies(policy_set, inputs, engine=engine, locate=locate, options=run)
    finally:
        engine.close()
    expected_file = folder / "expected.txt"
    expected: tuple[str, ...] = ()
    if fixture == "bad.yaml" and expected_file.is_file():
        expected = tuple(expected_file.read_text(encoding="utf-8").splitlines())
    return CaseResult(code, fixture, expected, tuple(render(f) for f in findings))


def _opa_test(opa: str, policies: Sequence[Path]) -> RegoTestResult:
    # only .rego files: given a folder, `opa test` would also load YAML fixtures as data
    files = [p for path in policies for p in ([path] if path.is_file() else path.rglob("*.rego"))]
    command = [opa, "test", *(str(path) for path in sorted(files))]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    return RegoTestResult(done.returncode, done.stdout + done.stderr)
