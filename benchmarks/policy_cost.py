"""What the Rego policy step adds to ``meshlint check`` (SPEC §8: at most 1x the lint time).

Usage: ``python benchmarks/policy_cost.py [--size 5000] [--repeats 1] [--stages]``

Runs ``meshlint check --format json`` as a subprocess on the generated mesh (cached by
``run.py``'s ``mesh_dir``) with five policy configurations and prints a Markdown table of wall
times, findings, peak RSS and the ratio of the added time to the run without policies:

- ``none``: ``--no-builtin-policies`` (the lint time without policies, the denominator);
- ``default``: the built-in pack as shipped (its on-by-default policies, MESH604 and MESH607);
- ``pack``: every built-in policy, opt-in ones too (``--select ALL``);
- ``pack+10``: the pack plus the 10 user rules of ``benchmarks/policies/``
  (``--select ALL --policy benchmarks/policies``), one of which (BENCH010) reads the
  computed facts (workloads, route tables) through their indexes;
- ``pack+9``: the same without BENCH010, so no facts section is computed.

``--stages`` adds an in-process breakdown of the ``pack+10`` step: loading the policies,
computing the facts, building and serializing ``data.meshlint``, the worker's load, each
policy's evaluation and the conversion of its results into findings (span lookups).
Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import _wait, mesh_dir  # noqa: E402

USER_RULES = HERE / "policies"
CONFIGS: dict[str, list[str]] = {
    "none": ["--no-builtin-policies"],
    "default": [],
    "pack": ["--select", "ALL"],
    "pack+10": ["--select", "ALL", "--policy", str(USER_RULES)],
    "pack+9": ["--select", "ALL", "--ignore", "BENCH010", "--policy", str(USER_RULES)],
}


@dataclass
class Run:
    name: str
    seconds: float
    cpu: float  # user + system seconds of the check and every process it waited for
    rss_mb: float
    findings: int
    policy_findings: int


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check(
    folder: Path, extra: list[str], timeout: float
) -> tuple[float, float, float, dict[str, object]]:
    """Wall time, CPU time, peak RSS and the JSON report of one ``meshlint check``."""
    cmd = [sys.executable, "-m", "meshlint", "check", "--no-config", "--no-cache", "-f", "json"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cpu = _children_cpu()
    start = time.perf_counter()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        subprocess.Popen([*cmd, *extra, str(folder)], stdout=out, stderr=err, env=env) as proc,
    ):
        outcome = _wait(proc, timeout, sample=False)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if outcome is None or outcome[0] not in (0, 1):
            raise SystemExit(f"check {extra} failed: {err.read().decode(errors='replace')[-400:]}")
        return elapsed, _children_cpu() - cpu, outcome[1], json.loads(out.read())


def _is_policy(code: str) -> bool:
    return code.startswith(("MESH6", "BENCH")) or code == "MESH007"


def measure(folder: Path, name: str, repeats: int, timeout: float) -> Run:
    runs = [check(folder, CONFIGS[name], timeout) for _ in range(repeats)]
    report = runs[-1][3]
    findings = report["findings"]
    assert isinstance(findings, list)
    codes = [str(item["code"]) for item in findings]
    return Run(
        name,
        statistics.median(run[0] for run in runs),
        statistics.median(run[1] for run in runs),
        max(run[2] for run in runs),
        len(codes),
        sum(_is_policy(code) for code in codes),
    )


def table(runs: list[Run]) -> str:
    """Wall and CPU time with the policy step's share of each, relative to ``none``."""
    base, base_cpu = runs[0].seconds, runs[0].cpu
    lines = [
        "| config | wall (s) | added / lint (wall) | CPU (s) | added / lint (CPU) | findings"
        " | policy findings | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        wall = (run.seconds - base) / base
        cpu = (run.cpu - base_cpu) / base_cpu
        lines.append(
            f"| {run.name} | {run.seconds:.2f} | {wall:+.2f} | {run.cpu:.2f} | {cpu:+.2f} | "
            f"{run.findings} | {run.policy_findings} | {run.rss_mb:.0f} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------ in-process stages


@contextmanager
def _stage(rows: list[tuple[str, float]], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    rows.append((name, time.perf_counter() - start))


def stages(folder: Path) -> str:
    """Where the ``pack+10`` policy step spends its time (in this process)."""
    from meshlint.build import build
    from meshlint.config import Config, parse_yaml
    from meshlint.lint import tuned_gc
    from meshlint.loader import load
    from meshlint.mesh import Mesh
    from meshlint.meshconfig import MeshSettings
    from meshlint.policy.data import build_data, from_documents
    from meshlint.policy.facts import mesh_facts, wanted_sections
    from meshlint.policy.runner import _Converter, _query
    from meshlint.policy.step import StepOptions, selected_policies
    from meshlint.policy.step import load as load_set
    from meshlint.policy.worker import WorkerEngine

    rows: list[tuple[str, float]] = []
    with tuned_gc() as freeze:
        loaded = load([str(folder)])
        freeze()
        mesh = Mesh.build(build(loaded.documents).resources, MeshSettings())
        config = Config(select=("ALL",), policies=(str(USER_RULES),))
        options = StepOptions(paths=(USER_RULES,), selected=config.is_selected)
        with _stage(rows, "load policies"):
            policy_set = load_set(options, parse_yaml)
            chosen = selected_policies(policy_set, options)
        sections = wanted_sections(module.source for module in policy_set.modules)
        with _stage(rows, f"facts ({', '.join(sorted(sections))})"):
            facts = mesh_facts(mesh, None, sections)
        with _stage(rows, "inputs + data.meshlint"):
            inputs, locate = from_documents([d for d in loaded.documents if d.data.get("kind")])
            data = build_data(inputs, facts)
        engine = WorkerEngine()
        with _stage(rows, "serialize + worker load (regorus parses the data)"):
            engine.load(policy_set.modules, [item.document for item in inputs], data)
        convert = _Converter(inputs, locate)
        _evaluate(rows, engine, chosen, convert, _query)
        engine.close()
    return "\n".join(["| stage | seconds |", "|---|---|", *(f"| {n} | {s:.2f} |" for n, s in rows)])


def _evaluate(
    rows: list[tuple[str, float]],
    engine: object,
    chosen: tuple[object, ...],
    convert: object,
    query: Callable[[object], object],
) -> None:
    for policy in chosen:
        code = getattr(policy, "code", "?")
        with _stage(rows, f"{code} evaluate"):
            outcome = engine.evaluate(query(policy), 60.0)  # type: ignore[attr-defined]
        with _stage(rows, f"{code} findings ({len(outcome.hits)} hits)"):
            list(convert.findings(policy, outcome.hits, []))  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args(argv)
    folder = mesh_dir(args.size, args.seed)
    runs = [measure(folder, name, args.repeats, args.timeout) for name in CONFIGS]
    print(f"N={args.size} ({folder})\n")
    print(table(runs))
    if args.stages:
        print("\n" + stages(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
