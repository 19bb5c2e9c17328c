"""The lint run's policy step: load the pack and user folders, pick the selected policies,
build data.meshlint with facts, evaluate on the embedded engine (or OPA) and return findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from meshlint.findings import Finding
from meshlint.graph import MeshGraph
from meshlint.mesh import Mesh
from meshlint.policy.catalogue import PolicyRule, policy_rule
from meshlint.policy.data import from_documents
from meshlint.policy.engine import DEFAULT_TIMEOUT, PolicyEngine
from meshlint.policy.facts import mesh_facts, wanted_sections
from meshlint.policy.loader import Policy, PolicySet, load_policies
from meshlint.policy.metadata import YamlParser
from meshlint.policy.opa_server import OpaSettings
from meshlint.policy.runner import RunOptions, problem_finding, run_policies
from meshlint.policy.scope import read_modules, wanted_kinds
from meshlint.source import RawDocument


def _not_opt_in(rule: PolicyRule) -> bool:
    return not rule.opt_in


@dataclass(frozen=True, slots=True)
class StepOptions:
    """What the configuration says about policies for one run."""

    paths: tuple[Path, ...] = ()
    builtin: bool = True
    opa: OpaSettings | None = None  # None: the embedded engine in a worker process
    timeout: float = DEFAULT_TIMEOUT
    selected: Callable[[PolicyRule], bool] = field(default=_not_opt_in)


@dataclass(frozen=True, slots=True)
class StepResult:
    """The step's findings (MESH007 included) and the codes of the policies that ran."""

    findings: tuple[Finding, ...] = ()
    ran: tuple[str, ...] = ()


def load(options: StepOptions, parse_yaml: YamlParser) -> PolicySet:
    """The policy set a run with ``options`` uses (built-in pack and user folders)."""
    return load_policies(options.paths, parse_yaml=parse_yaml, builtin=options.builtin)


def run_step(
    documents: Sequence[RawDocument],
    mesh: Mesh,
    graph: MeshGraph | None,
    options: StepOptions,
    parse_yaml: YamlParser,
) -> StepResult:
    """Run the selected policies over ``documents``; no engine starts when none is selected."""
    policy_set = load(options, parse_yaml)
    chosen = selected_policies(policy_set, options)
    if not chosen:
        return StepResult(tuple(problem_finding(p) for p in policy_set.problems))
    running = [module.source for module in read_modules(policy_set, chosen)]
    resources = [d for d in documents if _is_resource(d)]
    inputs, locate = from_documents(resources)
    sections = wanted_sections(running)
    codes = frozenset(p.code for p in chosen)
    run = RunOptions(
        timeout=options.timeout,
        select=lambda policy: policy.code in codes,
        facts=mesh_facts(mesh, graph, sections),
        # the data leaves out kinds no running policy can read: less to serialize and parse
        kinds=wanted_kinds(chosen, running, {item.kind for item in inputs}),
    )
    engine = make_engine(options)
    try:
        findings = run_policies(policy_set, inputs, engine=engine, locate=locate, options=run)
    finally:
        engine.close()
    return StepResult(findings, tuple(sorted(codes)))


def make_engine(options: StepOptions) -> PolicyEngine:
    """The OPA server engine when a URL is configured, else the worker-isolated regorus."""
    if options.opa is not None:
        from meshlint.policy.opa_server import OpaServerEngine

        return OpaServerEngine(options.opa)
    from meshlint.policy.worker import WorkerEngine

    return WorkerEngine()


def _is_resource(document: RawDocument) -> bool:
    kind = document.data.get("kind")
    return isinstance(kind, str) and bool(kind)


def selected_policies(policy_set: PolicySet, options: StepOptions) -> tuple[Policy, ...]:
    """The policies of ``policy_set`` that ``options`` selects."""
    return tuple(p for p in policy_set.policies if options.selected(policy_rule(p)))
