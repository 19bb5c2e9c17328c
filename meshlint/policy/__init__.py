"""Rego policies as rules: loading, METADATA, engines (embedded, worker-isolated, OPA server).

Names are imported on first use (PEP 562), so the worker process (``python -m meshlint.policy``)
and ``import meshlint.policy`` stay cheap: regorus is imported when a RegorusEngine loads, the
OPA client when an OpaServerEngine connects, the rule model only for the catalogue.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meshlint.policy.catalogue import POLICY_ERROR_RULE, PolicyRule, policy_rule, policy_rules
    from meshlint.policy.data import Locator, PolicyInput, build_data, from_documents
    from meshlint.policy.engine import (
        DATA_VERSION,
        DEFAULT_TIMEOUT,
        EngineError,
        Hit,
        Module,
        Outcome,
        PolicyEngine,
        Query,
    )
    from meshlint.policy.facts import mesh_facts, wanted_sections
    from meshlint.policy.loader import Policy, PolicySet, Problem, load_policies
    from meshlint.policy.metadata import PolicyMeta, parse_metadata
    from meshlint.policy.opa_server import OpaServerEngine, OpaSettings, OpaUnavailable
    from meshlint.policy.regorus_engine import RegorusEngine
    from meshlint.policy.runner import RunOptions, problem_finding, run_policies
    from meshlint.policy.scope import wanted_kinds
    from meshlint.policy.step import StepOptions, StepResult, run_step
    from meshlint.policy.testing import PolicyTestOptions, PolicyTestReport, run_policy_tests
    from meshlint.policy.worker import WorkerEngine

_HOMES = {
    "catalogue": ("POLICY_ERROR_RULE", "PolicyRule", "policy_rule", "policy_rules"),
    "data": ("Locator", "PolicyInput", "build_data", "from_documents"),
    "engine": (
        "DATA_VERSION",
        "DEFAULT_TIMEOUT",
        "EngineError",
        "Hit",
        "Module",
        "Outcome",
        "PolicyEngine",
        "Query",
    ),
    "facts": ("mesh_facts", "wanted_sections"),
    "loader": ("Policy", "PolicySet", "Problem", "load_policies"),
    "metadata": ("PolicyMeta", "parse_metadata"),
    "opa_server": ("OpaServerEngine", "OpaSettings", "OpaUnavailable"),
    "regorus_engine": ("RegorusEngine",),
    "runner": ("RunOptions", "problem_finding", "run_policies"),
    "scope": ("wanted_kinds",),
    "step": ("StepOptions", "StepResult", "run_step"),
    "testing": ("PolicyTestOptions", "PolicyTestReport", "run_policy_tests"),
    "worker": ("WorkerEngine",),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "DATA_VERSION",
    "DEFAULT_TIMEOUT",
    "POLICY_ERROR_RULE",
    "EngineError",
    "Hit",
    "Locator",
    "Module",
    "OpaServerEngine",
    "OpaSettings",
    "OpaUnavailable",
    "Outcome",
    "Policy",
    "PolicyEngine",
    "PolicyInput",
    "PolicyMeta",
    "PolicyRule",
    "PolicySet",
    "PolicyTestOptions",
    "PolicyTestReport",
    "Problem",
    "Query",
    "RegorusEngine",
    "RunOptions",
    "StepOptions",
    "StepResult",
    "WorkerEngine",
    "build_data",
    "from_documents",
    "load_policies",
    "mesh_facts",
    "parse_metadata",
    "policy_rule",
    "policy_rules",
    "problem_finding",
    "run_policies",
    "run_policy_tests",
    "run_step",
    "wanted_kinds",
    "wanted_sections",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"meshlint.policy.{module}"), name)
