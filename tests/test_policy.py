"""The policy layer: METADATA, loading, the runner's result conversion, isolation, fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from policies._support import load_yaml

from meshlint.findings import Severity
from meshlint.model.base import Kind
from meshlint.policy import (
    POLICY_ERROR_RULE,
    Module,
    PolicyInput,
    RegorusEngine,
    RunOptions,
    WorkerEngine,
    build_data,
    from_documents,
    load_policies,
    policy_rule,
    run_policies,
)
from meshlint.policy.loader import assemble
from meshlint.policy.metadata import MetadataError, blocks, package_of, parse_metadata, rule_names
from meshlint.policy.testing import PolicyTestOptions, run_policy_tests
from meshlint.source import Span

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "policies"
FIXTURES = ROOT / "fixtures" / "rules"
BUILTIN_CODES = [f"MESH60{i}" for i in range(1, 9)]

ANNOTATED = """\
# leading comment, not metadata
# METADATA
# title: Ports are named
# description: >-
#   Long text.
# custom:
#   code: ORG042
#   severity: Warning
#   kinds: [Service]
#   opt_in: true
#   remediation: Name the port.
package org.ports

import rego.v1

# METADATA
# title: rule-level, ignored for the catalogue
deny contains "x" if input.kind == "Service"

warn_extra contains "y" if false
"""


def _service(name: str, namespace: str | None = "shop", **labels: str) -> dict[str, object]:
    metadata: dict[str, object] = {"name": name, "labels": labels}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": {"ports": []}}


def _locate_for(inputs: list[PolicyInput]):
    def locate(index: int, pointer: str) -> Span:
        line = inputs[index].line
        return Span(inputs[index].file, line, 1 + len(pointer), line, 1 + len(pointer))

    return locate


def _run(modules: list[Module], inputs: list[PolicyInput], **options):
    policy_set = assemble([], modules, parse_yaml=yaml.safe_load)
    return run_policies(
        policy_set,
        inputs,
        engine=RegorusEngine(),
        locate=_locate_for(inputs),
        options=RunOptions(**options),
    )


# --- METADATA ------------------------------------------------------------------------------


def test_metadata_block_above_package_is_the_policy_metadata() -> None:
    meta = parse_metadata(ANNOTATED, yaml.safe_load)
    assert (meta.title, meta.description, meta.code) == ("Ports are named", "Long text.", "ORG042")
    assert (meta.severity, meta.kinds, meta.opt_in) == (Severity.WARNING, ("Service",), True)
    assert (meta.remediation, meta.line) == ("Name the port.", 2)


def test_blocks_package_and_rule_names() -> None:
    assert [b.line for b in blocks(ANNOTATED)] == [2, 16]
    assert package_of(ANNOTATED) == ("org.ports", 12)
    assert rule_names(ANNOTATED) == ("deny", "warn_extra")


def test_scope_package_block_away_from_package_counts() -> None:
    source = "package a\n\n# METADATA\n# scope: package\n# custom: {code: ORG1}\nx := 1\n"
    assert parse_metadata(source, yaml.safe_load).code == "ORG1"


def test_no_metadata_gives_empty_meta() -> None:
    meta = parse_metadata("package a\ndeny contains 1 if true\n", yaml.safe_load)
    assert (meta.code, meta.severity, meta.line) == (None, None, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# METADATA\n# title: [unclosed\npackage a\n", "not valid YAML"),
        ("# METADATA\n# custom:\n#   severity: fatal\npackage a\n", "severity 'fatal'"),
        ("# METADATA\n# custom: [1]\npackage a\n", "custom must be a mapping"),
        ("# METADATA\n# - 1\npackage a\n", "must be a YAML mapping"),
        ("# METADATA\n# custom:\n#   kinds: {a: 1}\npackage a\n", "kinds must be a list"),
    ],
)
def test_bad_metadata_is_an_error_with_its_line(text: str, message: str) -> None:
    with pytest.raises(MetadataError, match=message) as caught:
        parse_metadata(text, yaml.safe_load)
    assert caught.value.line == 1


# --- loading -------------------------------------------------------------------------------


def test_builtin_pack_loads_cleanly() -> None:
    policy_set = load_policies(parse_yaml=yaml.safe_load)
    assert policy_set.problems == ()
    assert sorted(p.code for p in policy_set.policies) == BUILTIN_CODES
    assert all(p.builtin and p.path.startswith("meshlint:rules/") for p in policy_set.policies)
    on_by_default = sorted(p.code for p in policy_set.policies if not p.meta.opt_in)
    assert on_by_default == ["MESH604", "MESH607"]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_builtin_policy_has_complete_metadata(code: str) -> None:
    policy = next(p for p in load_policies(parse_yaml=yaml.safe_load).policies if p.code == code)
    meta = policy.meta
    assert meta.title and meta.description and meta.remediation.endswith(".")
    assert meta.kinds and set(meta.kinds) <= {kind.kind_name for kind in Kind}
    # the description says why the rule is (or is not) on by default
    stance = "Opt-in:" if meta.opt_in else "On by default"
    assert stance in meta.description
    rule = policy_rule(policy)
    assert (rule.code, rule.name, rule.severity, rule.check) == (
        code,
        meta.name,
        meta.severity,
        None,
    )
    assert rule.kinds and not rule.summary.endswith(".")


def test_user_policies_are_grouped_by_package_and_checked(tmp_path: Path) -> None:
    (tmp_path / "a.rego").write_text("package main\nimport rego.v1\ndeny contains 1 if false\n")
    (tmp_path / "b.rego").write_text("package main\nimport rego.v1\nwarn contains 2 if false\n")
    (tmp_path / "lib.rego").write_text("package lib\nimport rego.v1\nhelper := 1\n")
    (tmp_path / "a_test.rego").write_text("package main_test\ntest_x if true\n")
    policy_set = load_policies([tmp_path], parse_yaml=yaml.safe_load, builtin=False)
    assert [(p.code, p.rules, p.name) for p in policy_set.policies] == [
        ("main", ("deny", "warn"), "main")
    ]
    assert sorted(m.path for m in policy_set.modules) == sorted(
        str(tmp_path / n) for n in ("a.rego", "b.rego", "lib.rego")
    )
    policy = policy_set.policies[0]
    assert (policy.severity_for("deny"), policy.severity_for("warn")) == (
        Severity.ERROR,
        Severity.WARNING,
    )


def test_load_problems_are_reported_not_raised(tmp_path: Path) -> None:
    policy_set = load_policies(
        [HERE / "broken", tmp_path / "missing"], parse_yaml=yaml.safe_load, builtin=False
    )
    problems = {(Path(p.path).name, p.line): p.message for p in policy_set.problems}
    assert "reserved MESH prefix" in problems[("reserved.rego", 1)]
    assert problems[("missing", 1)] == "the path does not exist"
    assert sorted(p.code for p in policy_set.policies) == ["BRK002", "broken.syntax", "fine"]


def test_builtin_codes_must_be_mesh6xx_and_unique() -> None:
    text = "# METADATA\n# custom: {{code: {code}}}\npackage {package}\ndeny contains 1 if false\n"
    modules = [
        Module("b1.rego", text.format(code="ORG1", package="p1")),
        Module("b2.rego", text.format(code="MESH601", package="p2")),
        Module("b3.rego", text.format(code="MESH601", package="p3")),
    ]
    policy_set = assemble(modules, [], parse_yaml=yaml.safe_load)
    assert [p.code for p in policy_set.policies] == ["MESH601"]
    messages = [p.message for p in policy_set.problems]
    assert "not in the MESH6xx block" in messages[0]
    assert "already used by b2.rego" in messages[1]


def test_policy_error_rule_is_mesh007() -> None:
    assert (POLICY_ERROR_RULE.code, POLICY_ERROR_RULE.name) == ("MESH007", "policy-error")


# --- data document -------------------------------------------------------------------------


def test_data_document_groups_resources_and_indexes_them() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "v"}}
    inputs = [
        PolicyInput(_service("a"), "f.yaml", 1),
        PolicyInput(_service("b", None), "f.yaml", 9),
        PolicyInput(secret, "g.yaml", 3),
    ]
    data = build_data(inputs, {"root_namespace": "mesh-root"})["meshlint"]
    assert (data["version"], data["facts"]) == (1, {"root_namespace": "mesh-root"})
    assert [
        (r["metadata"]["name"], r["file"], r["line"]) for r in data["resources"]["Service"]
    ] == [
        ("a", "f.yaml", 1),
        ("b", "f.yaml", 9),
    ]
    assert data["index"]["Service"] == {"shop": {"a": 0}, "": {"b": 1}}
    assert "data" not in data["resources"]["Secret"][0]


# --- results to findings -------------------------------------------------------------------

CONVERSION = """\
# METADATA
# custom: {code: ORG7, name: org-seven}
package org.seven

import rego.v1

deny contains "plain string" if input.metadata.name == "a"

warn contains {"msg": "at pointer", "pointer": "/spec/ports"} if input.metadata.name == "a"

other := {"kind": "Service", "namespace": "shop", "name": "b"}

violation contains {"msg": "elsewhere", "resource": other} if input.metadata.name == "a"

deny contains {"msg": "code override", "code": "ORG8"} if input.metadata.name == "b"
"""


def test_results_become_findings_at_the_right_place() -> None:
    inputs = [PolicyInput(_service("a"), "f.yaml", 1), PolicyInput(_service("b"), "f.yaml", 20)]
    findings = _run([Module("seven.rego", CONVERSION)], inputs)
    got = [
        (
            f.code,
            f.rule,
            f.severity,
            f.message,
            f.span.line,
            f.span.column,
            f.pointer,
            f.resource.name if f.resource else None,
        )
        for f in findings
    ]
    assert got == [
        ("ORG7", "org-seven", Severity.ERROR, "plain string", 1, 1, "", "a"),
        ("ORG7", "org-seven", Severity.WARNING, "at pointer", 1, 12, "/spec/ports", "a"),
        ("ORG7", "org-seven", Severity.ERROR, "elsewhere", 20, 1, "", "b"),
        ("ORG8", "org-seven", Severity.ERROR, "code override", 20, 1, "", "b"),
    ]
    assert findings[0].resource is not None
    assert (findings[0].resource.kind, findings[0].resource.namespace) == ("Service", "shop")


def test_bad_results_are_policy_errors() -> None:
    source = """\
package org.bad

import rego.v1

deny contains {"msg": "m", "resource": {"kind": "Service", "name": "ghost"}} if true

deny contains {"msg": "m", "code": "MESH101"} if true
"""
    findings = _run([Module("bad.rego", source)], [PolicyInput(_service("a"), "f.yaml", 1)])
    assert [(f.code, f.span.path, f.span.line) for f in findings] == [
        ("MESH007", "bad.rego", 1),
        ("MESH007", "bad.rego", 1),
    ]
    messages = sorted(f.message for f in findings)
    assert messages == [
        "policy org.bad failed: it reported code 'MESH101', which it may not use",
        "policy org.bad failed: it reported on an unknown resource "
        "{'kind': 'Service', 'name': 'ghost'}",
    ]


def test_compile_and_runtime_failures_are_isolated() -> None:
    policy_set = load_policies([HERE / "broken"], parse_yaml=yaml.safe_load, builtin=False)
    inputs = [PolicyInput(_service("a"), "f.yaml", 1)]
    findings = run_policies(policy_set, inputs, engine=RegorusEngine(), locate=_locate_for(inputs))
    got = sorted((f.code, Path(f.span.path).name, f.span.line) for f in findings)
    assert got == [
        ("MESH007", "divide.rego", 10),  # divide by zero, at the line regorus names
        ("MESH007", "reserved.rego", 1),  # reserved prefix
        ("MESH007", "syntax.rego", 6),  # parse error, at the line regorus names
        ("fine", "f.yaml", 1),  # the healthy policy still ran
    ]


def test_opt_in_policies_run_only_when_selected() -> None:
    docs = load_yaml(FIXTURES / "MESH602" / "bad.yaml")
    inputs, locate = from_documents(docs)
    policy_set = load_policies(parse_yaml=yaml.safe_load)
    default = run_policies(policy_set, inputs, engine=RegorusEngine(), locate=locate)
    assert default == ()
    chosen = RunOptions(select=lambda policy: policy.code == "MESH602")
    selected = run_policies(
        policy_set, inputs, engine=RegorusEngine(), locate=locate, options=chosen
    )
    assert [(f.code, f.span.line, f.span.column) for f in selected] == [
        ("MESH602", 11, 7),
        ("MESH602", 15, 7),
    ]


def test_facts_reach_policies() -> None:
    source = "package f\nimport rego.v1\ndeny contains data.meshlint.facts.answer if true\n"
    findings = _run(
        [Module("f.rego", source)],
        [PolicyInput(_service("a"), "f.yaml", 1)],
        facts={"answer": "forty-two"},
    )
    assert [f.message for f in findings] == ["forty-two"]


# --- worker isolation ----------------------------------------------------------------------


def test_worker_survives_a_crash_and_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", f"{HERE}:{ROOT}")
    text = "package {name}\nimport rego.v1\ndeny contains 1 if false\n"
    modules = [Module(f"{n}.rego", text.format(name=n)) for n in ("a", "crash", "hang", "z")]
    policy_set = assemble([], modules, parse_yaml=yaml.safe_load)
    inputs = [PolicyInput(_service("a"), "f.yaml", 1)]
    engine = WorkerEngine("crashy_engine:CrashyEngine")
    try:
        findings = run_policies(
            policy_set,
            inputs,
            engine=engine,
            locate=_locate_for(inputs),
            options=RunOptions(timeout=0.5),
        )
    finally:
        engine.close()
    got = {f.span.path: (f.code, f.message) for f in findings}
    assert got["f.yaml"] == ("z", "ran z") or got["f.yaml"] == ("a", "ran a")
    assert sorted(f.message for f in findings if f.code in ("a", "z")) == ["ran a", "ran z"]
    assert got["crash.rego"][0] == got["hang.rego"][0] == "MESH007"
    assert "crashed (worker exit code -6)" in got["crash.rego"][1]
    assert "timed out after 0.5s" in got["hang.rego"][1]


def test_worker_runs_regorus_and_enforces_the_time_limit() -> None:
    slow = (
        "package slow\nimport rego.v1\ndeny contains 1 if count(numbers.range(1, 200000000)) > 0\n"
    )
    fast = 'package fast\nimport rego.v1\nwarn contains "ok" if input.kind == "Service"\n'
    policy_set = assemble(
        [], [Module("slow.rego", slow), Module("fast.rego", fast)], parse_yaml=yaml.safe_load
    )
    inputs = [PolicyInput(_service("a"), "f.yaml", 1)]
    engine = WorkerEngine()
    try:
        findings = run_policies(
            policy_set,
            inputs,
            engine=engine,
            locate=_locate_for(inputs),
            options=RunOptions(timeout=1.0),
        )
    finally:
        engine.close()
    assert [(f.code, f.span.path) for f in findings] == [
        ("fast", "f.yaml"),
        ("MESH007", "slow.rego"),
    ]
    assert "timed out" in findings[1].message


# --- fixtures (`meshlint policy test`) ------------------------------------------------------


@pytest.fixture(scope="module")
def builtin_report():
    options = PolicyTestOptions(
        load=load_yaml, parse_yaml=yaml.safe_load, engine=RegorusEngine, builtin=True
    )
    return run_policy_tests([], FIXTURES, options)


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_builtin_fixtures(builtin_report, code: str) -> None:
    cases = {c.fixture: c for c in builtin_report.cases if c.case == code}
    bad, good = cases["bad.yaml"], cases["good.yaml"]
    assert bad.actual and bad.actual == bad.expected
    assert good.actual == ()


def test_user_policy_folder_with_fixtures() -> None:
    folder = HERE / "user"
    options = PolicyTestOptions(load=load_yaml, parse_yaml=yaml.safe_load)
    report = run_policy_tests([folder], folder / "fixtures", options)
    assert [(c.case, c.fixture, c.actual) for c in report.cases] == [
        ("ORG001", "bad.yaml", ("bad.yaml:4:3 ORG001 Service shop/reviews",)),
        ("ORG001", "good.yaml", ()),
    ]
    assert report.passed and report.rego is None


def test_input_is_the_document_as_written() -> None:
    source = "package echo\nimport rego.v1\ndeny contains json.marshal(input) if true\n"
    document = _service("a") | {"status": {"x": 1}}
    findings = _run([Module("echo.rego", source)], [PolicyInput(document, "f.yaml", 1)])
    assert [yaml.safe_load(f.message) for f in findings] == [document]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_batched_and_per_resource_evaluation_agree(code: str) -> None:
    inputs, locate = from_documents(load_yaml(FIXTURES / code / "bad.yaml"))
    policy_set = load_policies(parse_yaml=yaml.safe_load)
    options = RunOptions(select=lambda policy: policy.code == code)
    results = [
        run_policies(policy_set, inputs, engine=engine, locate=locate, options=options)
        for engine in (RegorusEngine(), RegorusEngine(batched=False))
    ]
    assert results[0] and results[0] == results[1]


def test_lazy_package_exports_every_name() -> None:
    import meshlint.policy as package

    assert all(getattr(package, name) is not None for name in package.__all__)
    with pytest.raises(AttributeError):
        _ = package.no_such_name
