"""The pipeline: load, validate, build, index, run the rules, and return a ``LintResult``."""

from __future__ import annotations

import datetime
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from os import PathLike
from pathlib import Path
from typing import IO, Any

from meshlint.analyzers import ALL_RULES, RULES_BY_CODE
from meshlint.analyzers.tool import SUPPRESSION_UNUSED, TOOL_RULES
from meshlint.build import build
from meshlint.cache import Cache
from meshlint.config import Config, mesh_settings, parse_yaml, policy_catalogue
from meshlint.findings import Finding, LintResult, Severity
from meshlint.graph import MeshGraph
from meshlint.loader import (
    DEFAULT_MAX_BYTES,
    LoadResult,
    ReadFile,
    load,
    load_text,
    read_files,
    store_files,
)
from meshlint.mesh import Mesh
from meshlint.parallel import workers
from meshlint.policy.step import StepOptions, StepResult, run_step
from meshlint.schedule import InternalError, PendingValidation, Validation, run_rules
from meshlint.source import RawDocument
from meshlint.suppress import CodeBook, SourceTexts, read_baseline, suppress
from meshlint.suppress import Request as SuppressRequest

__all__ = ["InternalError", "lint", "lint_text", "tuned_gc"]


def lint(  # noqa: PLR0913 - the inputs, the config and four keyword-only knobs
    paths: Sequence[str | PathLike[str]],
    config: Config,
    *,
    stdin: IO[bytes] | IO[str] | None = None,
    root: Path | None = None,
    today: datetime.date | None = None,
    cache: Cache | None = None,
) -> LintResult:
    """Lint the files and folders in ``paths`` (``-`` reads ``stdin``).

    ``today`` is the date config ``ignores`` expiries are judged against (default: today).
    ``cache`` (the CLI passes one; by default there is none) reuses earlier runs: the whole
    result when nothing that shapes it changed (never with stdin), else the parse and
    schema findings of every unchanged file.
    """
    names = [str(path) for path in paths]
    texts = SourceTexts(root or Path.cwd())
    if stdin is not None and "-" in names:
        stdin = texts.capture(stdin, DEFAULT_MAX_BYTES + 1)

    def run(sources: Sequence[str | ReadFile]) -> LintResult:
        with tuned_gc() as freeze:
            loaded = load(sources, stdin=stdin, exclude=config.exclude, root=root, cache=cache)
            freeze()
            return _suppress(_analyze(loaded, config, cache), loaded, config, texts, today)

    if cache is None or "-" in names:
        return run(names)
    files = read_files(names, exclude=config.exclude, root=root)
    return cache.remember(_run_key(cache, files, config, today), partial(run, files))


def _run_key(
    cache: Cache, files: Sequence[ReadFile], config: Config, today: datetime.date | None
) -> str | None:
    """The key of everything a run's result depends on besides meshlint itself: settings,
    inputs, the files the settings name, the date (certificate and ignore expiries) and
    the working directory; None when it depends on an OPA server."""
    if config.opa_url is not None:
        return None
    settings = config.model_dump_json(exclude={"cache", "cache_dir", "jobs"})
    origins = [entry.origin for entry in config.ignores]
    day = (today or datetime.date.today()).isoformat()
    where = f"{settings}|{origins}|{day}|{Path.cwd()}"
    named = [name for name in (config.mesh_config, config.baseline, *config.policies) if name]
    return cache.run_key(where, [(file.display, file.data) for file in files], named)


def lint_text(text: str, config: Config, *, today: datetime.date | None = None) -> LintResult:
    """Lint one YAML text (tests and rule examples)."""
    with tuned_gc() as freeze:
        loaded = load_text(text)
        freeze()
        return _suppress(_analyze(loaded, config), loaded, config, SourceTexts.of_text(text), today)


@contextmanager
def tuned_gc() -> Iterator[Callable[[], None]]:
    """Pause the cyclic collector for the run; yield a ``freeze`` for after loading.

    A run allocates millions of containers that live until it ends and makes next to no
    cyclic garbage: every collection rescans live objects and frees nothing. Measured at
    N=5000 (one process): 13.5 s with the collector on (even at a gen-0 threshold of
    100,000), 11.4 s with it off, and the same 930 MB peak RSS (DESIGN.md "Loading fast").
    The collector's previous state is restored, and objects frozen here are unfrozen, on
    exit; when the caller had frozen objects already, freezing is left alone.
    """
    was_enabled = gc.isenabled()
    owns_freeze = gc.get_freeze_count() == 0
    gc.disable()
    try:
        yield gc.freeze if owns_freeze else _noop
    finally:
        if owns_freeze:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _noop() -> None:
    return None


def _suppress(
    result: LintResult,
    loaded: LoadResult,
    config: Config,
    texts: SourceTexts,
    today: datetime.date | None,
) -> LintResult:
    """Drop suppressed findings, count them, and add MESH008 for idle suppressions."""
    request = SuppressRequest(
        documents=loaded.documents,
        texts=texts,
        book=CodeBook(ALL_RULES, result.rules_run, more=lambda: policy_catalogue(config)),
        active=frozenset(result.rules_run) | config.selected_codes(TOOL_RULES),
        ignores=config.ignores,
        baseline=read_baseline(Path(config.baseline)) if config.baseline else None,
        today=today or datetime.date.today(),
        namespace=config.namespace,
        report=_unused_severity(config),
    )
    outcome = suppress(result.findings, request)
    return replace(result, findings=outcome.findings, suppressed=outcome.suppressed)


def _unused_severity(config: Config) -> Severity | None:
    if not config.is_selected(SUPPRESSION_UNUSED):
        return None
    return config.severity_for(SUPPRESSION_UNUSED.code) or SUPPRESSION_UNUSED.severity


def _analyze(loaded: LoadResult, config: Config, cache: Cache | None = None) -> LintResult:
    jobs = workers(len(loaded.documents), config.jobs)
    fresh = len(loaded.schema) < len(loaded.documents)  # documents the cache did not hold
    store = partial(_store, cache, loaded) if cache is not None and loaded.pending else None
    validation = PendingValidation(
        loaded.documents, forked=jobs > 1 and fresh, cached=loaded.schema, after=store
    )
    built = build(loaded.documents, reported=validation.reported())
    schema_findings = validation.result().findings
    mesh = Mesh.build(
        built.resources, mesh_settings(config), invalid=(*built.invalid, *built.foreign)
    )
    side = partial(_run_policies, loaded.documents, mesh, config)
    rules = run_rules(mesh, config, jobs=jobs, side=side)
    ran, skipped, rule_findings, policies = rules.ran, rules.skipped, rules.findings, rules.side
    ran = (*ran, *policies.ran)
    found = (*loaded.findings, *schema_findings, *built.findings, *rule_findings)
    found = (*found, *policies.findings)
    return LintResult(
        findings=_finish(found, config),
        files=_count(loaded.files),
        resources=len(built.resources),
        skipped=_count(loaded.skipped) + _count(built.skipped),
        suppressed=0,
        rules_run=ran,
        rules_skipped=skipped,
    )


def _store(cache: Cache, loaded: LoadResult, validation: Validation) -> None:
    """Remember each file parsed afresh, with its documents' schema findings (run where the
    validation ran: in the forked child when there is one)."""
    store_files(cache, loaded, validation.by_document)


def _run_policies(
    documents: Sequence[RawDocument], mesh: Mesh, config: Config, graph: MeshGraph | None = None
) -> StepResult:
    """The Rego policy step (SPEC §5); starts no engine when no policy is selected.

    ``graph``, when the caller has one, is reused for the route-table facts instead of a
    second build (only built at all when a policy reads ``facts.routes``).
    """
    options = StepOptions(
        paths=tuple(Path(path) for path in config.policies),
        builtin=config.builtin_policies,
        opa=config.opa_settings(),
        timeout=config.policy_timeout,
        selected=config.is_selected,
    )
    return run_step(documents, mesh, graph, options, parse_yaml)


def _count(value: int | Sequence[Any]) -> int:
    return value if isinstance(value, int) else len(value)


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
