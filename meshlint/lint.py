"""The pipeline: load, validate, build, index, run the rules, and return a ``LintResult``."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import IO, Any

from meshlint.analyzers import ALL_RULES, RULES_BY_CODE
from meshlint.build import Reported, build
from meshlint.config import Config, parse_yaml, read_yaml_mapping
from meshlint.findings import Finding, LintResult
from meshlint.graph import MeshGraph
from meshlint.loader import LoadResult, load, load_text
from meshlint.mesh import Mesh
from meshlint.meshconfig import MeshSettings, parse_mesh_config
from meshlint.rule import Rule, RuleContext
from meshlint.schema import Validator
from meshlint.source import RawDocument

# Loading allocates millions of small containers that live until the run ends; with the
# default gen-0 threshold (700) the collector rescans them over and over (measured: the
# full run more than doubles, DESIGN.md "Loading fast").
_GC_THRESHOLD = (100_000, 50, 100)


class InternalError(Exception):
    """A bug inside meshlint (a rule's check raised); the CLI maps it to exit code 3."""

    def __init__(self, code: str, cause: BaseException) -> None:
        super().__init__(f"rule {code} raised {type(cause).__name__}: {cause}")
        self.code = code


def lint(
    paths: Sequence[str | PathLike[str]],
    config: Config,
    *,
    stdin: IO[bytes] | IO[str] | None = None,
    root: Path | None = None,
) -> LintResult:
    """Lint the files and folders in ``paths`` (``-`` reads ``stdin``)."""
    names = [str(path) for path in paths]
    with tuned_gc() as freeze:
        loaded = load(names, stdin=stdin, exclude=config.exclude, root=root)
        freeze()
        return _analyze(loaded, config)


def lint_text(text: str, config: Config) -> LintResult:
    """Lint one YAML text (tests and rule examples)."""
    with tuned_gc() as freeze:
        loaded = load_text(text)
        freeze()
        return _analyze(loaded, config)


@contextmanager
def tuned_gc() -> Iterator[Callable[[], None]]:
    """Raise the gen-0 threshold for the run; yield a ``freeze`` for after loading.

    The previous threshold is restored, and objects frozen here are unfrozen, on exit; when
    the caller had frozen objects already, freezing is left alone.
    """
    previous = gc.get_threshold()
    owns_freeze = gc.get_freeze_count() == 0
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield gc.freeze if owns_freeze else _noop
    finally:
        if owns_freeze:
            gc.unfreeze()
        gc.set_threshold(*previous)


def _noop() -> None:
    return None


def _analyze(loaded: LoadResult, config: Config) -> LintResult:
    schema_findings, reported = _validate(loaded.documents)
    built = build(loaded.documents, reported=reported)
    mesh = Mesh.build(built.resources, _settings(config), invalid=(*built.invalid, *built.foreign))
    ran, skipped, rule_findings = _run_rules(mesh, config)
    found = (*loaded.findings, *schema_findings, *built.findings, *rule_findings)
    return LintResult(
        findings=_finish(found, config),
        files=_count(loaded.files),
        resources=len(built.resources),
        skipped=_count(loaded.skipped) + _count(built.skipped),
        suppressed=0,
        rules_run=ran,
        rules_skipped=skipped,
    )


def _count(value: int | Sequence[Any]) -> int:
    return value if isinstance(value, int) else len(value)


def _settings(config: Config) -> MeshSettings:
    base = MeshSettings()
    if config.mesh_config is not None:
        path = Path(config.mesh_config)
        data = read_yaml_mapping(path)
        base = parse_mesh_config(data, path=str(path), parse_yaml=parse_yaml)
    return base.with_options(
        default_namespace=config.namespace, assume_complete=config.assume_complete
    )


def _validate(documents: Sequence[RawDocument]) -> tuple[tuple[Finding, ...], Reported]:
    """Schema findings, and a test the build uses to skip problems already reported."""
    validator = Validator()
    pointers: dict[int, tuple[str, ...]] = {}
    found: list[Finding] = []
    for doc in documents:
        findings = validator.validate(doc)
        if findings:
            pointers[id(doc)] = tuple(f.pointer for f in findings)
            found.extend(findings)

    def reported(doc: RawDocument, pointer: str) -> bool:
        return any(_overlaps(pointer, seen) for seen in pointers.get(id(doc), ()))

    return tuple(found), reported


def _overlaps(first: str, second: str) -> bool:
    """Whether one JSON pointer is the other or lies inside it."""
    short, long = sorted((first, second), key=len)
    return long == short or long.startswith(short + "/")


def _run_rules(
    mesh: Mesh, config: Config
) -> tuple[tuple[str, ...], tuple[str, ...], list[Finding]]:
    present = mesh.kinds_present()
    graph = MeshGraph(mesh)  # lazy: built by the first rule that queries it, once per run
    ran: list[str] = []
    skipped: list[str] = []
    findings: list[Finding] = []
    for rule in _runnable(config):
        if rule.kinds and not rule.kinds & present:
            skipped.append(rule.code)
            continue
        ran.append(rule.code)
        findings.extend(_check(rule, mesh, graph, config))
    return tuple(ran), tuple(skipped), findings


def _runnable(config: Config) -> Iterator[Rule]:
    return (rule for rule in ALL_RULES if rule.check is not None and config.is_selected(rule))


def _check(rule: Rule, mesh: Mesh, graph: MeshGraph, config: Config) -> list[Finding]:
    assert rule.check is not None
    context = RuleContext(
        rule=rule,
        mesh=mesh,
        graph=graph,
        options=config.options_for(rule),
        severity=config.severity_for(rule.code),
    )
    try:
        return list(rule.check(context))
    except Exception as exc:  # a crashing rule is a bug: surface it, never hide it
        raise InternalError(rule.code, exc) from exc


def _finish(findings: Iterable[Finding], config: Config) -> tuple[Finding, ...]:
    """Apply severity overrides, drop unselected codes, sort and deduplicate."""
    dropped = frozenset(RULES_BY_CODE) - config.selected_codes()
    kept = (_override(f, config) for f in findings if f.code not in dropped)
    unique: dict[tuple[object, ...], Finding] = {}
    for finding in sorted(kept, key=lambda f: f.sort_key):
        unique.setdefault(_identity(finding), finding)
    return tuple(unique.values())


def _override(finding: Finding, config: Config) -> Finding:
    severity = config.severity_for(finding.code)
    return finding if severity is None else replace(finding, severity=severity)


def _identity(finding: Finding) -> tuple[object, ...]:
    return (finding.code, finding.span, finding.message, finding.resource, finding.pointer)
