"""Run loaded policies over the inputs and turn their results into Findings (MESH007 on failure)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from meshlint.findings import Finding, ResourceRef, Severity
from meshlint.policy.data import Locator, PolicyInput, build_data
from meshlint.policy.engine import DEFAULT_TIMEOUT, EngineError, Hit, PolicyEngine, Query
from meshlint.policy.loader import Policy, PolicySet, Problem
from meshlint.source import Span

POLICY_ERROR_CODE = "MESH007"
POLICY_ERROR_NAME = "policy-error"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a run evaluates: the per-policy time limit and which policies take part."""

    timeout: float = DEFAULT_TIMEOUT
    select: Callable[[Policy], bool] | None = None  # default: every policy not opt-in
    facts: Mapping[str, Any] | None = None  # computed mesh facts, JSON-safe (data.meshlint.facts)
    kinds: frozenset[str] | None = None  # the kinds data.meshlint.resources holds (None: all)


def problem_finding(problem: Problem) -> Finding:
    """The MESH007 finding for a policy that failed to load, crashed or timed out."""
    span = Span(problem.path, problem.line, 1, problem.line, 1)
    return Finding(POLICY_ERROR_CODE, POLICY_ERROR_NAME, Severity.ERROR, problem.text, span)


def run_policies(
    policy_set: PolicySet,
    inputs: Sequence[PolicyInput],
    *,
    engine: PolicyEngine,
    locate: Locator,
    options: RunOptions | None = None,
) -> tuple[Finding, ...]:
    """Every finding of the selected policies plus MESH007 for every policy problem, sorted."""
    options = options or RunOptions()
    selected = [p for p in policy_set.policies if _selected(p, options)]
    problems = list(policy_set.problems)
    findings: list[Finding] = []
    if not selected:
        return tuple(sorted(problem_finding(p) for p in problems))
    data = build_data(inputs, options.facts, options.kinds)
    failed = engine.load(policy_set.modules, [item.document for item in inputs], data)
    problems.extend(_problem(path, error) for path, error in failed.items())
    convert = _Converter(inputs, locate)
    for policy in selected:
        if failed.keys() & set(policy.files):
            continue  # already reported as a compile failure
        outcome = engine.evaluate(_query(policy), options.timeout)
        if outcome.error is not None:
            problems.append(_policy_problem(policy, outcome.error))
            continue
        findings.extend(convert.findings(policy, outcome.hits, problems))
    findings.extend(problem_finding(p) for p in problems)
    return tuple(sorted(findings))


def _selected(policy: Policy, options: RunOptions) -> bool:
    if options.select is not None:
        return options.select(policy)
    return not policy.meta.opt_in


def _query(policy: Policy) -> Query:
    return Query(policy.package, policy.rules, policy.meta.kinds)


def _problem(path: str, error: EngineError) -> Problem:
    return Problem(error.path or path, f"does not compile: {error.message}", error.line or 1)


def _policy_problem(policy: Policy, error: EngineError) -> Problem:
    where = error.path or policy.path
    line = error.line or policy.line
    return Problem(where, error.message, line, policy.code)


class _Converter:
    """Turns rule values into Findings; knows the inputs, their refs and the span lookup."""

    def __init__(self, inputs: Sequence[PolicyInput], locate: Locator) -> None:
        self._inputs = inputs
        self._locate = locate
        self._refs = [_ref(item.document) for item in inputs]
        self._by_ref: dict[tuple[str, str | None, str], int] = {}
        for index, ref in enumerate(self._refs):
            self._by_ref.setdefault((ref.kind, ref.namespace, ref.name), index)

    def findings(
        self, policy: Policy, hits: Sequence[Hit], problems: list[Problem]
    ) -> Iterator[Finding]:
        for hit in hits:
            result = self._finding(policy, hit)
            if isinstance(result, str):
                problems.append(Problem(policy.path, result, policy.line, policy.code))
            else:
                yield result

    def _finding(self, policy: Policy, hit: Hit) -> Finding | str:
        value = hit.value if isinstance(hit.value, dict) else {"msg": hit.value}
        index = self._target(value.get("resource"), hit.index)
        if index is None:
            return f"it reported on an unknown resource {value.get('resource')!r}"
        code = value.get("code") or policy.code
        if not isinstance(code, str) or _foreign_code(policy, code):
            return f"it reported code {code!r}, which it may not use"
        pointer = value.get("pointer")
        pointer = pointer if isinstance(pointer, str) else ""
        return Finding(
            code=code,
            rule=policy.name,
            severity=policy.severity_for(hit.rule),
            message=_message(value.get("msg", value.get("message")), policy),
            span=self._locate(index, pointer),
            resource=self._refs[index],
            pointer=pointer,
        )

    def _target(self, resource: object, default: int) -> int | None:
        if not isinstance(resource, dict):
            return default
        namespace = resource.get("namespace")
        key = (str(resource.get("kind", "")), namespace or None, str(resource.get("name", "")))
        return self._by_ref.get(key)


def _foreign_code(policy: Policy, code: str) -> bool:
    return not policy.builtin and code.upper().startswith("MESH")


def _message(value: object, policy: Policy) -> str:
    """The result's message; a missing or empty one falls back to the policy's title."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text.strip() or policy.meta.title or f"policy {policy.code} reported a violation"


def _ref(document: Mapping[str, Any]) -> ResourceRef:
    metadata = document.get("metadata")
    meta = metadata if isinstance(metadata, dict) else {}
    namespace = meta.get("namespace")
    return ResourceRef(
        kind=str(document.get("kind", "")),
        name=str(meta.get("name", "")),
        namespace=str(namespace) if namespace else None,  # YAML may hold any type here
        api_version=str(document.get("apiVersion", "")),
    )
