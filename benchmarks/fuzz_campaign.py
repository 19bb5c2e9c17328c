"""Long fuzz campaign: the tests/test_fuzz_*.py suite under the ``campaign`` hypothesis profile.

Usage: ``python benchmarks/fuzz_campaign.py [--target 100000] [--minutes 55] [--round 0.1]
[--jobs 2] [--only NAME ...]``

Runs rounds until ``--target`` examples have run or the next round would pass ``--minutes``.
A round runs every property-based fuzz test with ``HYPOTHESIS_PROFILE=campaign``, each with
its campaign example count times ``--round`` (about 10,000 examples per round at 0.1) and a
fresh ``--hypothesis-seed``, split over ``--jobs`` pytest processes balanced by measured cost.
Each process prints Hypothesis' statistics; the examples actually run (passing plus failing,
not invalid draws) are summed from them per strategy. A failing test's minimal input (saved by
``tests/fuzz/checks.py`` after shrinking) is copied to ``fixtures/fuzz/<strategy>-<sha8>.yaml``
for a regression test to replay. Crashes matching a known open bug are counted as Hypothesis
events, not failures, so the campaign keeps going. Prints a Markdown table and writes it, with
the raw counts and worker logs, under ``benchmarks/out/``. Exit 1 when some strategy failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "fuzz"
OUT = REPO / "benchmarks" / "out"

# (node id, the name its failures are saved under, CPU seconds per 1,000 examples measured on
# this machine; the cost only balances the processes)
STRATEGIES = (
    ("tests/test_fuzz_text.py::test_random_text", "random_text", 15),
    ("tests/test_fuzz_text.py::test_hostile_bytes", "hostile_bytes", 13),
    ("tests/test_fuzz_mutations.py::test_mutated_seeds", "mutated_seeds", 40),
    ("tests/test_fuzz_mutations.py::test_flipped_bytes", "flipped_bytes", 23),
    ("tests/test_fuzz_schema.py::test_schema_guided_wrong_values", "schema_guided", 50),
    ("tests/test_fuzz_schema.py::test_meshes_through_every_rule", "meshes", 130),
    ("tests/test_fuzz_schema.py::test_meshes_with_the_builtin_rego_pack", "meshes_rego", 770),
    ("tests/test_fuzz_cli.py::test_cli_in_process", "cli_in_process", 80),
    ("tests/test_fuzz_cli.py::test_cli_subprocess_under_a_memory_cap", "cli_subprocess", 3400),
)
EXAMPLES = {
    "random_text": 33_000,
    "hostile_bytes": 27_000,
    "mutated_seeds": 15_000,
    "flipped_bytes": 10_000,
    "schema_guided": 10_000,
    "meshes": 5_000,
    "meshes_rego": 400,
    "cli_in_process": 1_500,
    "cli_subprocess": 40,
}
_SECTION = re.compile(r"^(tests/\S+::\w+):\s*$")
_COUNTS = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid test cases")
_PHASE = re.compile(r"- during (\w+) phase \(([\d.]+) seconds\)")
_FAILED = re.compile(r"^FAILED (\S+)")


@dataclass
class Tally:
    """What one strategy did in the campaign."""

    name: str
    examples: int = 0  # generated and run (passing + failing), over every phase
    failing: int = 0
    invalid: int = 0
    seconds: float = 0.0
    failed: bool = False
    saved: str = ""


def _plan(names: list[str], jobs: int) -> list[list[str]]:
    """Greedy longest-first split of the node ids over ``jobs`` processes by estimated cost."""
    chosen = [s for s in STRATEGIES if s[1] in names]
    chosen.sort(key=lambda s: -s[2] * EXAMPLES[s[1]])
    loads = [0.0] * jobs
    groups: list[list[str]] = [[] for _ in range(jobs)]
    for node, name, cost in chosen:
        target = loads.index(min(loads))
        groups[target].append(node)
        loads[target] += cost * EXAMPLES[name]
    return [group for group in groups if group]


def _launch(group: list[str], env: dict[str, str], log: Path, seed: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts="]
    command += ["--hypothesis-show-statistics", f"--hypothesis-seed={seed}", *group]
    with log.open("wb") as sink:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)


def _parse(text: str, tallies: dict[str, Tally]) -> None:
    """Sum Hypothesis' per-phase statistics into the tallies; mark FAILED node ids."""
    by_node = {node: name for node, name, _ in STRATEGIES}
    current: Tally | None = None
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section and section.group(1) in by_node:
            current = tallies[by_node[section.group(1)]]
        phase = _PHASE.search(line)
        if current is not None and phase:
            current.seconds += float(phase.group(2))
        counts = _COUNTS.search(line)
        if current is not None and counts:
            passing, failing, invalid = (int(group) for group in counts.groups())
            current.examples += passing + failing
            current.failing += failing
            current.invalid += invalid
        failed = _FAILED.match(line)
        if failed and failed.group(1) in by_node:
            tallies[by_node[failed.group(1)]].failed = True


def _save_failures(folder: Path, tallies: dict[str, Tally]) -> None:
    """Copy each minimal failing input into fixtures/fuzz/, named by strategy and content."""
    for source in sorted(folder.glob("*.yaml")):
        data = source.read_bytes()
        name = f"{source.stem}-{hashlib.sha256(data).hexdigest()[:8]}.yaml"
        FIXTURES.mkdir(parents=True, exist_ok=True)
        (FIXTURES / name).write_bytes(data)
        if source.stem in tallies:
            tallies[source.stem].saved = f"fixtures/fuzz/{name}"


def _table(tallies: list[Tally], wall: float) -> str:
    lines = [
        "| strategy | examples | invalid draws | failing runs | test seconds | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for t in tallies:
        result = f"FAILED -> {t.saved or 'see log'}" if t.failed else "ok"
        row = f"| {t.name} | {t.examples:,} | {t.invalid:,} | {t.failing:,} | {t.seconds:,.0f} |"
        lines.append(f"{row} {result} |")
    total = sum(t.examples for t in tallies)
    lines.append(f"| **total** | **{total:,}** | | | wall {wall:,.0f} s | |")
    return "\n".join(lines)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=int, default=100_000, help="examples in total")
    parser.add_argument("--minutes", type=float, default=55.0, help="wall-clock budget")
    parser.add_argument("--round", type=float, default=0.1, help="scale of one round")
    parser.add_argument("--jobs", type=int, default=2, help="pytest processes (default 2)")
    parser.add_argument("--only", nargs="*", help="strategy names (default: all)")
    return parser.parse_args()


def _round(args: argparse.Namespace, names: list[str], seed: int, scratch: Path) -> list[str]:
    """Run one round; return the worker logs' text."""
    folder = scratch / f"failures-{seed}"
    env = dict(os.environ, HYPOTHESIS_PROFILE="campaign", MESHLINT_FUZZ_SCALE=str(args.round))
    env.update(MESHLINT_FUZZ_FAILURES=str(folder))
    groups = _plan(names, args.jobs)
    logs = [scratch / f"round-{seed}-worker-{i}.log" for i in range(len(groups))]
    running = [_launch(group, env, log, seed) for group, log in zip(groups, logs, strict=True)]
    for process in running:
        process.wait()
    return [log.read_text(encoding="utf-8", errors="replace") for log in logs]


def main() -> int:
    args = _arguments()
    names = args.only or [name for _, name, _ in STRATEGIES]
    tallies = {name: Tally(name) for name in names}
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    budget, longest, seed = args.minutes * 60, 0.0, 0
    with tempfile.TemporaryDirectory(prefix="meshlint-fuzz-") as folder:
        scratch = Path(folder)
        while sum(t.examples for t in tallies.values()) < args.target:
            began = time.monotonic()
            if began - start + longest > budget:
                break
            seed += 1
            for number, text in enumerate(_round(args, names, seed, scratch)):
                (OUT / f"fuzz_round-{seed}-worker-{number}.log").write_text(text, encoding="utf-8")
                _parse(text, tallies)
            _save_failures(scratch / f"failures-{seed}", tallies)
            longest = max(longest, time.monotonic() - began)
            done = sum(t.examples for t in tallies.values())
            print(f"round {seed}: {done:,} examples, {time.monotonic() - start:,.0f} s", flush=True)
    wall = time.monotonic() - start
    table = _table(list(tallies.values()), wall)
    print(table)
    summary = {"rounds": seed, "round_scale": args.round, "wall_seconds": wall, "table": table}
    summary["strategies"] = [asdict(t) for t in tallies.values()]
    (OUT / "fuzz_campaign.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if any(t.failed for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
