"""Where a full check spends its time: the pipeline's stages, measured in one process.

Usage: ``python benchmarks/pipeline.py FOLDER`` (or imported by ``run.py --stages``).

Runs the same steps as ``meshlint.lint`` one after the other (one process, so each stage's
cost is its own; the CLI overlaps validation with the build and shares the rules between
two processes on large inputs) and reports wall seconds per stage: parse (loader), model
(schema validation + typed build + mesh index), graph, rules (all Python rules but the
solver's), solver (MESH110-112, the z3-backed route reasoning), policies (the Rego step,
engine included), report (JSON rendering).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from meshlint import lint as pipeline  # noqa: E402
from meshlint import schedule  # noqa: E402
from meshlint.analyzers import RULES_BY_CODE  # noqa: E402
from meshlint.build import build  # noqa: E402
from meshlint.config import Config, mesh_settings  # noqa: E402
from meshlint.findings import LintResult  # noqa: E402
from meshlint.graph import MeshGraph  # noqa: E402
from meshlint.loader import load  # noqa: E402
from meshlint.mesh import Mesh  # noqa: E402
from meshlint.reporters import REPORTERS  # noqa: E402
from meshlint.rule import RuleContext  # noqa: E402

SOLVER_RULES = frozenset({"MESH110", "MESH111", "MESH112"})
STAGES = ("parse", "model", "graph", "rules", "solver", "policies", "report")
T = TypeVar("T")


class Clock:
    """Accumulates wall seconds per stage."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)

    def run(self, stage: str, work: Callable[[], T]) -> T:
        start = time.perf_counter()
        value = work()
        self.seconds[stage] += time.perf_counter() - start
        return value


def measure(folder: Path, config: Config | None = None) -> dict[str, float]:
    """Seconds per stage for one serial check of ``folder``."""
    config = config or Config(jobs=1)
    clock = Clock()
    with pipeline.tuned_gc() as freeze:
        loaded = clock.run("parse", lambda: load([str(folder)], root=folder))
        freeze()
        mesh = clock.run("model", lambda: _model(loaded.documents, config))
        graph = clock.run("graph", lambda: MeshGraph.build(mesh))
        findings = []
        for rule in schedule.runnable(config):
            if rule.kinds and not rule.kinds & mesh.kinds_present():
                continue
            stage = "solver" if rule.code in SOLVER_RULES else "rules"
            context = RuleContext(rule=rule, mesh=mesh, graph=graph)
            assert rule.check is not None
            check = rule.check
            findings.extend(clock.run(stage, lambda c=check, x=context: list(c(x))))  # type: ignore[misc]
        policies = clock.run(
            "policies", lambda: pipeline._run_policies(loaded.documents, mesh, config)
        )
        result = LintResult(
            findings=tuple(sorted((*findings, *policies.findings), key=lambda f: f.sort_key)),
            files=pipeline._count(loaded.files),
            resources=mesh.count,
            skipped=pipeline._count(loaded.skipped),
            suppressed=0,
            rules_run=(),
            rules_skipped=(),
        )
        clock.run("report", lambda: REPORTERS["json"](result, RULES_BY_CODE, show_docs=False))
    return clock.seconds


def _model(documents: tuple[object, ...], config: Config) -> Mesh:
    validation = schedule.PendingValidation(documents, forked=False)  # type: ignore[arg-type]
    built = build(documents, reported=validation.reported())  # type: ignore[arg-type]
    settings = mesh_settings(config)
    return Mesh.build(built.resources, settings, invalid=(*built.invalid, *built.foreign))


def render(n: int, seconds: dict[str, float]) -> str:
    total = sum(seconds.values())
    parts = ", ".join(f"{k} {v:.2f}s ({v / total:.0%})" for k, v in seconds.items())
    return f"stages N={n} (one process, {total:.2f}s in all): {parts}"


if __name__ == "__main__":
    target = Path(sys.argv[1])
    sys.stdout.write(render(0, measure(target)) + "\n")
