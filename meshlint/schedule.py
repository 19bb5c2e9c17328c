"""Where the pipeline's work runs: schema validation beside the build, rules on two cores.

Large inputs on a multi-core Linux machine use a forked child (``meshlint.parallel``):
schema validation runs in the child while the parent builds the typed model, and the rules
are shared out through a common counter, the child taking the rules that query the graph
first (so the graph is built in one process only). Results are identical to the serial
run; ``_finish`` in lint.py sorts and deduplicates whatever order they arrive in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from meshlint.analyzers import ALL_RULES
from meshlint.build import Reported
from meshlint.config import Config
from meshlint.findings import Finding
from meshlint.graph import MeshGraph
from meshlint.mesh import Mesh
from meshlint.parallel import Counter, Forked, ForkFailedError
from meshlint.rule import Rule, RuleContext
from meshlint.schema import Validator
from meshlint.source import RawDocument, pointer_within

S = TypeVar("S")


class InternalError(Exception):
    """A bug inside meshlint (a rule's check raised); the CLI maps it to exit code 3."""

    def __init__(self, code: str, cause: BaseException) -> None:
        super().__init__(f"rule {code} raised {type(cause).__name__}: {cause}")
        self.code = code


# ---------------------------------------------------------------------------- validation


@dataclass(frozen=True, slots=True)
class Validation:
    """Schema findings of each document with any, by input index (in index order)."""

    by_document: dict[int, tuple[Finding, ...]]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for found in self.by_document.values() for f in found)


def validate(
    documents: Sequence[RawDocument], cached: Mapping[int, tuple[Finding, ...]] | None = None
) -> Validation:
    """Schema-validate every document in this process, reusing the ``cached`` findings of
    documents an earlier run validated (by index)."""
    known = cached or {}
    validator: Validator | None = None
    by_document: dict[int, tuple[Finding, ...]] = {}
    for index, doc in enumerate(documents):
        findings: Sequence[Finding] | None = known.get(index)
        if findings is None:
            validator = validator or Validator()
            findings = validator.validate(doc)
        if findings:
            by_document[index] = tuple(findings)
    return Validation(by_document)


class PendingValidation:
    """Validation running in a forked child (or already done, with one process).

    ``after`` runs on the result where the validation ran (the cache writes its entries
    there, off the parent's path).
    """

    def __init__(
        self,
        documents: Sequence[RawDocument],
        *,
        forked: bool,
        cached: Mapping[int, tuple[Finding, ...]] | None = None,
        after: Callable[[Validation], None] | None = None,
    ) -> None:
        self._index = {id(doc): i for i, doc in enumerate(documents)}
        work = partial(_validate_then, documents, cached, after)
        self._forked = Forked(work) if forked else None
        self._done = None if forked else work()

    def result(self) -> Validation:
        if self._done is None:
            assert self._forked is not None
            try:
                self._done = self._forked.result()
            except ForkFailedError as exc:
                raise InternalError("MESH003", exc) from exc
        return self._done

    def reported(self) -> Reported:
        """A test the build uses to skip problems the schema already reported; it waits
        for the child only when the build asks (an invalid document, after the build)."""

        def reported(doc: RawDocument, pointer: str) -> bool:
            index = self._index.get(id(doc))
            seen = self.result().by_document.get(index, ()) if index is not None else ()
            return any(_overlaps(pointer, finding.pointer) for finding in seen)

        return reported


def _validate_then(
    documents: Sequence[RawDocument],
    cached: Mapping[int, tuple[Finding, ...]] | None,
    after: Callable[[Validation], None] | None,
) -> Validation:
    validation = validate(documents, cached)
    if after is not None:
        after(validation)
    return validation


def _overlaps(first: str, second: str) -> bool:
    """Whether one JSON pointer is the other or lies inside it."""
    short, long = sorted((first, second), key=len)
    return pointer_within(long, short)


# ---------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class RuleRun(Generic[S]):
    """Which rules ran or were skipped (no input of their kinds), their findings, and the
    result of the side task."""

    ran: tuple[str, ...]
    skipped: tuple[str, ...]
    findings: list[Finding]
    side: S


def run_rules(
    mesh: Mesh, config: Config, *, jobs: int, side: Callable[[MeshGraph], S]
) -> RuleRun[S]:
    """Run every selected rule whose kinds are present, on ``jobs`` processes (1 or 2), and
    ``side(graph)`` (the policy step, whose facts query the same graph): with two processes
    the child runs it first, since it mostly waits for the policy engine's own process, then
    takes rules like the parent."""
    present = mesh.kinds_present()
    ran: list[Rule] = []
    skipped: list[str] = []
    for rule in runnable(config):
        if rule.kinds and not rule.kinds & present:
            skipped.append(rule.code)
        else:
            ran.append(rule)
    graph = MeshGraph(mesh)  # lazy: built by the first rule that queries it, once per process
    check = partial(_check, mesh=mesh, graph=graph, config=config)
    if jobs > 1:
        findings, result = _shared(ran, check, partial(side, graph))
    else:
        findings = _serial(ran, check)
        result = side(graph)
    return RuleRun(tuple(r.code for r in ran), tuple(skipped), findings, result)


def runnable(config: Config) -> Iterator[Rule]:
    """The selected rules that have a check (policies run elsewhere)."""
    return (rule for rule in ALL_RULES if rule.check is not None and config.is_selected(rule))


Check = Callable[[Rule], list[Finding]]


def _serial(rules: Sequence[Rule], check: Check) -> list[Finding]:
    return [finding for rule in rules for finding in check(rule)]


def _shared(rules: Sequence[Rule], check: Check, side: Callable[[], S]) -> tuple[list[Finding], S]:
    """Parent and child take rules from one counter; the child starts with the side task and
    the graph rules (so only the child builds the graph)."""
    graph_rules = [r for r in rules if r.uses_graph]
    queue = [r for r in rules if not r.uses_graph]
    counter = Counter()
    child = Forked(partial(_child, side, graph_rules, queue, counter, check))
    try:
        mine = _drain([], queue, counter, check)
    except BaseException:
        child.cancel()
        raise
    try:
        result, theirs = child.result()
    except ForkFailedError as exc:
        raise InternalError(exc.error.code or "rules", exc) from exc
    return [*mine, *theirs], result


def _child(
    side: Callable[[], S],
    first: Sequence[Rule],
    queue: Sequence[Rule],
    counter: Counter,
    check: Check,
) -> tuple[S, list[Finding]]:
    result = side()
    return result, _drain(first, queue, counter, check)


def _drain(
    first: Sequence[Rule], queue: Sequence[Rule], counter: Counter, check: Check
) -> list[Finding]:
    found = [finding for rule in first for finding in check(rule)]
    while (index := counter.take()) < len(queue):
        found.extend(check(queue[index]))
    return found


def _check(rule: Rule, *, mesh: Mesh, graph: MeshGraph, config: Config) -> list[Finding]:
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
