"""Find and read Rego policies: the built-in pack (package data) and user folders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from meshlint.findings import Severity
from meshlint.policy.engine import Module
from meshlint.policy.metadata import (
    MetadataError,
    PolicyMeta,
    YamlParser,
    package_of,
    parse_metadata,
)
from meshlint.policy.metadata import rule_names as find_rule_names
from meshlint.resources import data_dir

BUILTIN_PREFIX = "meshlint:rules/"  # display path of built-in policy files
_BUILTIN_CODE = re.compile(r"^MESH6\d\d$")
_RESERVED_PREFIX = "MESH"


@dataclass(frozen=True, slots=True)
class Problem:
    """A policy that cannot be used: reported as MESH007 at ``path``:``line``.

    ``message`` says what went wrong; ``policy`` names the policy (its code) when it is known,
    else the file name stands for it. ``text`` is the finding's message, in MESH007's form
    ``policy {policy} failed: {problem}``.
    """

    path: str
    message: str
    line: int = 1
    policy: str = ""

    @property
    def text(self) -> str:
        name = self.policy or Path(self.path).name
        return f"policy {name} failed: {self.message}"


@dataclass(frozen=True, slots=True)
class Policy:
    """A Rego package defining conftest rules (deny, violation, warn), from one or more files."""

    package: str
    rules: tuple[str, ...]
    meta: PolicyMeta
    builtin: bool
    path: str  # the file that declares the package (the one with METADATA when several do)
    line: int  # the `package` line in that file
    files: tuple[str, ...] = ()  # every file that declares the package

    @property
    def code(self) -> str:
        return self.meta.code or self.package

    @property
    def name(self) -> str:
        return self.meta.name or self.package.replace(".", "-").replace("_", "-")

    def severity_for(self, rule: str) -> Severity:
        """METADATA's severity, else error for deny/violation and warning for warn."""
        if self.meta.severity is not None:
            return self.meta.severity
        return Severity.WARNING if rule.startswith("warn") else Severity.ERROR


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Everything loaded for a run: the policies, every module to compile, and the problems."""

    policies: tuple[Policy, ...] = ()
    modules: tuple[Module, ...] = ()
    problems: tuple[Problem, ...] = field(default=())


def builtin_modules() -> list[Module]:
    """The built-in pack, read through ``meshlint.resources.data_dir("rules")``."""
    return [Module(BUILTIN_PREFIX + name, text) for name, text in _walk(data_dir("rules"), "")]


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, str]]:
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.is_dir():
            yield from _walk(entry, f"{prefix}{entry.name}/")
        elif _is_policy_file(entry.name):
            yield prefix + entry.name, entry.read_text(encoding="utf-8")


def _is_policy_file(name: str) -> bool:
    return name.endswith(".rego") and not name.endswith("_test.rego")


def user_modules(paths: Iterable[Path]) -> tuple[list[Module], list[Problem]]:
    """Every non-test ``.rego`` file under ``paths`` (files or folders, recursive, sorted)."""
    modules: list[Module] = []
    problems: list[Problem] = []
    for file in _rego_files(paths, problems):
        try:
            modules.append(Module(str(file), file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(file), f"cannot read the file: {error}"))
    return modules, problems


def _rego_files(paths: Iterable[Path], problems: list[Problem]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.rego") if _is_policy_file(p.name))
        elif path.is_file():
            yield path
        else:
            problems.append(Problem(str(path), "the path does not exist"))


def load_policies(
    paths: Sequence[Path] = (), *, parse_yaml: YamlParser, builtin: bool = True
) -> PolicySet:
    """The built-in pack (unless ``builtin`` is False) plus the user policies under ``paths``."""
    base = builtin_modules() if builtin else []
    user, problems = user_modules(paths)
    return assemble(base, user, parse_yaml=parse_yaml, problems=problems)


def assemble(
    builtin: Sequence[Module],
    user: Sequence[Module],
    *,
    parse_yaml: YamlParser,
    problems: Sequence[Problem] = (),
) -> PolicySet:
    """Group modules by package into policies and check their codes."""
    found = list(problems)
    modules: list[Module] = []
    by_package: dict[str, list[tuple[Module, PolicyMeta, int, bool]]] = {}
    for module, is_builtin in [(m, True) for m in builtin] + [(m, False) for m in user]:
        parsed = _parse_module(module, parse_yaml, found)
        if parsed is not None:
            modules.append(module)
            by_package.setdefault(parsed[0], []).append((module, parsed[1], parsed[2], is_builtin))
    policies = [_policy(package, files) for package, files in by_package.items()]
    checked = _check_codes([p for p in policies if p is not None], found)
    return PolicySet(tuple(checked), tuple(modules), tuple(found))


def _parse_module(
    module: Module, parse_yaml: YamlParser, problems: list[Problem]
) -> tuple[str, PolicyMeta, int] | None:
    package = package_of(module.source)
    if package is None:
        problems.append(Problem(module.path, "no package declaration"))
        return None
    try:
        meta = parse_metadata(module.source, parse_yaml)
    except MetadataError as error:
        problems.append(Problem(module.path, str(error), error.line))
        return None
    return package[0], meta, package[1]


def _policy(package: str, files: list[tuple[Module, PolicyMeta, int, bool]]) -> Policy | None:
    rules = tuple(sorted({r for module, *_ in files for r in find_rule_names(module.source)}))
    if not rules:
        return None  # a library package: compiled, never queried
    module, meta, line, is_builtin = next((f for f in files if f[1].line), files[0])
    paths = tuple(m.path for m, *_ in files)
    return Policy(package, rules, meta, is_builtin, module.path, line, paths)


def _check_codes(policies: Sequence[Policy], problems: list[Problem]) -> list[Policy]:
    kept: list[Policy] = []
    seen: dict[str, Policy] = {}
    for policy in policies:
        message = _code_problem(policy, seen)
        if message is not None:
            line = policy.meta.line or policy.line
            problems.append(Problem(policy.path, message, line, policy.package))
            continue
        seen[policy.code] = policy
        kept.append(policy)
    return kept


def _code_problem(policy: Policy, seen: dict[str, Policy]) -> str | None:
    code = policy.code
    if policy.builtin and not _BUILTIN_CODE.match(code):
        return f"built-in policy code {code!r} is not in the MESH6xx block"
    if not policy.builtin and code.upper().startswith(_RESERVED_PREFIX):
        return f"its code {code!r} uses the reserved MESH prefix; choose another prefix"
    if code in seen:
        return f"its code {code} is already used by {seen[code].path}"
    return None
