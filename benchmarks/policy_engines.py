"""Time the Rego engine candidates on the same policies and inputs and print a table.

Usage: ``python benchmarks/policy_engines.py MESH_DIR [--sample K] [--opa PATH]``

MESH_DIR is a mesh written by ``benchmarks/generate.py``. Policies: the built-in pack (all of it,
opt-in ones too) plus 10 conftest-style user rules written here, one of which looks up
``data.meshlint.index`` on every evaluation (building a set from ``data.meshlint.resources``
instead costs O(resources) per evaluation: 1.4 s for 1,000 VirtualServices at N=1000,
quadratic). Candidates:

- regorus in-process, one query per (policy, resource)        (RegorusEngine(batched=False))
- regorus in-process, one batched query per policy            (RegorusEngine(): a wrapper
  module evaluates the policy ``with input as`` each document)
- regorus batched in a worker process (the default; what the runner uses), and the same runner
  in-process, both including result conversion into Findings
- regopy, per resource with a bundle built once               (on a sample: it is slow)
- a real OPA server through opa-python-client                 (when ``opa`` is found)

Times are wall-clock seconds; "ms/res" is evaluation time per resource for the whole policy set,
and "26k s" extrapolates load + evaluation to the N=5000 mesh (about 26,000 resources).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meshlint.policy import (
    Module,
    OpaServerEngine,
    OpaSettings,
    PolicyInput,
    PolicySet,
    Query,
    RegorusEngine,
    RunOptions,
    WorkerEngine,
    build_data,
    load_policies,
    run_policies,
)
from meshlint.policy.loader import assemble
from meshlint.source import Span

TARGET = 26_000
Result = tuple[float, float, int]  # load seconds, evaluation seconds, hits or findings

USER_RULES = {
    "limits": """deny contains msg if {
\tinput.kind == "Deployment"
\tsome c in input.spec.template.spec.containers
\tnot c.resources.limits
\tmsg := sprintf("container %s has no resource limits", [c.name])
}""",
    "port_names": """deny contains {"msg": "unnamed port", "pointer": pointer} if {
\tinput.kind == "Service"
\tsome i, p in input.spec.ports
\tnot p.name
\tpointer := sprintf("/spec/ports/%d", [i])
}""",
    "team_label": """warn contains "no team label" if {
\tinput.kind in {"Deployment", "Service", "Namespace"}
\tnot input.metadata.labels.team
}""",
    "vs_fqdn": """warn contains msg if {
\tinput.kind == "VirtualService"
\tsome h in input.spec.hosts
\tnot contains(h, ".")
\tmsg := sprintf("short host %s", [h])
}""",
    "dr_tls": """deny contains "DestinationRule without ISTIO_MUTUAL" if {
\tinput.kind == "DestinationRule"
\tnot input.spec.trafficPolicy.tls.mode == "ISTIO_MUTUAL"
}""",
    "latest_tag": """deny contains msg if {
\tinput.kind == "Deployment"
\tsome c in input.spec.template.spec.containers
\tendswith(c.image, ":latest")
\tmsg := sprintf("image %s uses latest", [c.image])
}""",
    "ns_name": """deny contains "bad namespace name" if {
\tinput.kind == "Namespace"
\tnot regex.match(`^[a-z0-9-]+$`, input.metadata.name)
}""",
    "trust_domain": """deny contains msg if {
\tinput.kind == "AuthorizationPolicy"
\tsome r in input.spec.rules
\tsome f in r.from
\tsome p in f.source.principals
\tnot startswith(p, "cluster.local/")
\tmsg := sprintf("foreign principal %s", [p])
}""",
    "vs_service_exists": """deny contains msg if {
\tinput.kind == "VirtualService"
\tsome h in input.spec.hosts
\tname := split(h, ".")[0]
\tnot data.meshlint.index.Service[input.metadata.namespace][name]
\tmsg := sprintf("no Service for host %s", [h])
}""",
    "many_matches": """warn contains "route with more than 5 match clauses" if {
\tinput.kind == "VirtualService"
\tsome r in input.spec.http
\tcount(object.get(r, "match", [])) > 5
}""",
}


def user_modules() -> list[Module]:
    modules = []
    for index, (name, body) in enumerate(USER_RULES.items()):
        source = (
            f"# METADATA\n# title: {name}\n# custom:\n#   code: ORG{index:03d}\n"
            f"package user.{name}\n\nimport rego.v1\n\n{body}\n"
        )
        modules.append(Module(f"user/{name}.rego", source))
    return modules


def read_mesh(root: Path) -> list[PolicyInput]:
    inputs = []
    for path in sorted(root.rglob("*.yaml")):
        with path.open(encoding="utf-8") as stream:
            for number, doc in enumerate(yaml.load_all(stream, Loader=yaml.CSafeLoader)):
                if isinstance(doc, dict):
                    inputs.append(PolicyInput(doc, str(path), number + 1))
    return inputs


def policy_set() -> PolicySet:
    base = load_policies(parse_yaml=yaml.safe_load)
    return assemble(list(base.modules), user_modules(), parse_yaml=yaml.safe_load)


def queries(policies: PolicySet) -> list[Query]:
    return [Query(p.package, p.rules, p.meta.kinds) for p in policies.policies]


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bench_engine(
    engine: Any, policies: PolicySet, inputs: Sequence[PolicyInput]
) -> tuple[float, float, int]:
    documents = [item.document for item in inputs]
    load, errors = timed(lambda: engine.load(policies.modules, documents, build_data(inputs)))
    assert not errors, errors
    hits = 0
    start = time.perf_counter()
    for query in queries(policies):
        outcome = engine.evaluate(query, 600.0)
        assert outcome.error is None, (query, outcome.error)
        hits += len(outcome.hits)
    engine.close()
    return load, time.perf_counter() - start, hits


def bench_runner(
    engine: Any, policies: PolicySet, inputs: Sequence[PolicyInput]
) -> tuple[float, float, int]:
    def locate(index: int, pointer: str) -> Span:
        return Span(inputs[index].file, inputs[index].line, 1, inputs[index].line, 1)

    options = RunOptions(timeout=600.0, select=lambda policy: True)
    total, findings = timed(
        lambda: run_policies(policies, inputs, engine=engine, locate=locate, options=options)
    )
    engine.close()
    assert not [f for f in findings if f.code == "MESH007"], findings[:3]
    return 0.0, total, len(findings)


def bench_regopy(policies: PolicySet, inputs: Sequence[PolicyInput]) -> Result:
    import regopy

    def load() -> tuple[Any, Any]:
        interpreter = regopy.Interpreter()
        interpreter.add_data_json(json.dumps(build_data(inputs)))
        for module in policies.modules:
            interpreter.add_module(module.path, module.source)
        refs = ", ".join(
            f'"{q.package}.{r}": data.{q.package}.{r}' for q in queries(policies) for r in q.rules
        )
        return interpreter, interpreter.build(f"x := {{{refs}}}", [])

    load_s, (interpreter, bundle) = timed(load)
    hits = 0
    start = time.perf_counter()
    for item in inputs:
        interpreter.set_input_term(json.dumps(item.document))
        output = json.loads(str(interpreter.query_bundle(bundle)))
        hits += sum(len(v) for v in output["bindings"]["x"].values() if isinstance(v, list))
    return load_s, time.perf_counter() - start, hits


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_opa(
    opa: str, policies: PolicySet, inputs: Sequence[PolicyInput]
) -> tuple[float, float, int]:
    port = free_port()
    server = subprocess.Popen(
        [opa, "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        return bench_engine(
            OpaServerEngine(OpaSettings(f"http://127.0.0.1:{port}")), policies, inputs
        )
    finally:
        server.terminate()
        server.wait(10)


def row(name: str, count: int, result: tuple[float, float, int]) -> str:
    load, evaluate, hits = result
    per = evaluate / count * 1000
    projected = (load + evaluate) * TARGET / count
    cells = f"{load:7.2f} | {evaluate:7.2f} | {per:7.3f} | {projected:7.1f}"
    return f"| {name:<46} | {count:>6} | {cells} | {hits:>6} |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mesh", type=Path)
    parser.add_argument("--sample", type=int, default=500, help="resources for regopy")
    parser.add_argument("--opa", default=shutil.which("opa"), help="path to an opa binary")
    args = parser.parse_args(argv)
    inputs = read_mesh(args.mesh)
    gc.collect()
    gc.freeze()  # as the lint run does after loading: keep the inputs out of every collection
    per_resource, batched = RegorusEngine(batched=False), RegorusEngine()
    policies = policy_set()
    sample = inputs[: args.sample]
    n = len(inputs)
    header = f"{len(policies.policies)} policies, {n} resources"
    lines = [
        f"{header}; 26k s = (load + eval) scaled to {TARGET}",
        "| engine / mode | inputs | load s | eval s | ms/res | 26k s | hits |",
        "|---|---|---|---|---|---|---|",
        row("regorus in-process, per resource", n, bench_engine(per_resource, policies, inputs)),
        row(
            "regorus in-process, batched (with input as)",
            n,
            bench_engine(batched, policies, inputs),
        ),
        row("regorus worker (runner, findings)", n, bench_runner(WorkerEngine(), policies, inputs)),
        row(
            "regorus in-process (runner, findings)",
            n,
            bench_runner(RegorusEngine(), policies, inputs),
        ),
    ]
    if importlib.util.find_spec("regopy") is not None:
        regopy = bench_regopy(policies, sample)
        lines.append(row(f"regopy per resource, bundle ({len(sample)})", len(sample), regopy))
    if args.opa:
        opa = bench_opa(args.opa, policies, inputs)
        lines.append(row("OPA server, batched per policy (with input as)", n, opa))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
