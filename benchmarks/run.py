"""The SPEC §8 benchmark: ``meshlint check`` against a plain PyYAML C-loader load, in one run.

Usage: ``python benchmarks/run.py [--sizes 100,1000,5000] [--stages] [--repeats 3]``

Generates (or reuses, cached under the temp dir) a mesh per size with ``generate.py``, then in
one run times, for each size: (a) the baseline, a plain ``yaml.load_all(..., CSafeLoader)`` of
every file (results kept, as a tool would keep them); (b) ``meshlint.loader.load`` of the same
files; (c) ``meshlint check --format json --no-cache`` as a subprocess (every rule, the solver
and the default Rego pack), with its peak memory (its own peak RSS, or the sampled PSS of its
process tree with the forked worker and the policy engine, whichever is larger); (d) a re-run
on the unchanged mesh with a warm cache. Prints a Markdown table with the ratios, the growth
from 1000 to 5000, and the cold start (``--version`` and a one-file check against
``python -c pass``). ``--stages`` adds the time split per pipeline stage (``pipeline.py``) and
the loader's own breakdown. Times are medians of ``--repeats`` runs (one run for N >= 5000).
Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from generate import generate  # noqa: E402

from meshlint.loader import load  # noqa: E402


@dataclass
class Row:
    n: int
    files: int
    documents: int
    megabytes: float
    baseline: float
    loader: float
    check: float | None
    check_rss_mb: float | None
    check_status: str
    warm: float | None = None


def mesh_dir(n: int, seed: int) -> Path:
    """The generated mesh for ``n`` services, generated once and cached."""
    folder = Path(tempfile.gettempdir()) / "meshlint-bench" / f"mesh-{n}-seed{seed}"
    done = folder / ".complete"
    if not done.exists():
        generate(n, folder, seed=seed)
        done.write_text("ok\n")
    return folder


def yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if not p.name.startswith("."))


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` (a collection between runs, outside the timing)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        del result
    return statistics.median(times)


def baseline(files: list[Path]) -> list[list[object]]:
    kept = []
    for path in files:
        with path.open("rb") as handle:
            kept.append(list(yaml.load_all(handle, Loader=yaml.CSafeLoader)))
    return kept


def _tree_pss_mb(root: int) -> float:
    """Proportional set size of ``root`` and its descendants (MB): pages shared between the
    forked workers count once, split between them, so the sum is the memory really used."""
    total = 0.0
    for pid in _descendants(root) | {root}:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        line = next((x for x in rollup.splitlines() if x.startswith("Pss:")), "Pss: 0 kB")
        total += int(line.split()[1]) / 1024
    return total


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _wait(
    proc: subprocess.Popen[bytes], timeout: float, *, sample: bool
) -> tuple[int, float] | None:
    """Exit code and peak memory (MB) of a child: its peak RSS, or with ``sample`` the larger
    of that and the sampled peak PSS of its whole process tree (forked worker and policy
    engine included). Sampling reads /proc and slows the child, so timed runs do not sample.
    None if it ran out of time (then it is killed)."""
    deadline = time.monotonic() + timeout
    peak_tree = 0.0
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, max(usage.ru_maxrss / 1024, peak_tree)
        if sample and Path("/proc/self/smaps_rollup").exists():
            peak_tree = max(peak_tree, _tree_pss_mb(proc.pid))
        time.sleep(0.1 if sample else 0.02)
    proc.kill()
    proc.wait()
    return None


def run_check(
    folder: Path, timeout: float, cache: Path | None = None, *, sample: bool = False
) -> tuple[float | None, float | None, str]:
    """Wall time, peak memory (MB) and exit status of ``meshlint check --format json``."""
    # --no-cache: every repeat is a cold run; with ``cache``, that folder is the cache
    caching = ["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]
    cmd = [sys.executable, "-m", "meshlint", "check", "--format", "json", *caching, str(folder)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    with (
        open(os.devnull, "wb") as sink,
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(cmd, stdout=sink, stderr=errors, env=env, cwd=REPO) as proc,
    ):
        outcome = _wait(proc, timeout, sample=sample)
        elapsed = time.perf_counter() - start
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if outcome is None:
        return None, None, f"timeout after {timeout:.0f}s"
    code, rss = outcome
    if code not in (0, 1):
        last = stderr.strip().splitlines()[-1:] or ["?"]
        return None, None, f"exit {code}: {last[0][:80]}"
    return elapsed, rss, f"exit {code}"


def measure(n: int, seed: int, repeats: int, check_timeout: float) -> Row:
    folder = mesh_dir(n, seed)
    files = yaml_files(folder)
    size = sum(p.stat().st_size for p in files) / 1e6
    runs = 1 if n >= 5000 else repeats
    result = load([str(folder)], root=folder)
    base = timed(lambda: baseline(files), runs)
    loader = timed(lambda: load([str(folder)], root=folder), runs)
    check_times = [run_check(folder, check_timeout) for _ in range(runs)]
    ok = [c for c in check_times if c[0] is not None]
    check = statistics.median(c[0] for c in ok if c[0] is not None) if ok else None
    status = check_times[-1][2]
    rss = run_check(folder, check_timeout, sample=True)[1]  # a separate run: sampling slows it
    row = Row(n, len(files), len(result.documents), size, base, loader, check, rss, status)
    row.warm = warm_check(folder, check_timeout)
    return row


def warm_check(folder: Path, timeout: float) -> float | None:
    """A re-run on the unchanged mesh: one run fills a fresh cache, the next is timed."""
    with tempfile.TemporaryDirectory() as cache:
        run_check(folder, timeout, Path(cache))
        return run_check(folder, timeout, Path(cache))[0]


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    lines = [
        "| N | files | resources | MB | PyYAML C (s) | loader (s) | check (s) "
        "| loader/PyYAML | check/PyYAML | check peak memory (MB) | re-run, cached (s) "
        "| re-run/check |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio_check = None if r.check is None else r.check / r.baseline
        lines.append(
            f"| {r.n} | {r.files} | {r.documents} | {r.megabytes:.1f} | {r.baseline:.2f} "
            f"| {r.loader:.2f} | {_fmt(r.check)} | {r.loader / r.baseline:.3f} "
            f"| {_fmt(ratio_check, '.3f')} | {_fmt(r.check_rss_mb, '.0f')} | {_fmt(r.warm)} "
            f"| {_fmt(_ratio(r.warm, r.check), '.3f')} |"
        )
    return "\n".join(lines)


def _ratio(part: float | None, whole: float | None) -> float | None:
    return None if part is None or not whole else part / whole


def growth(rows: list[Row]) -> str:
    by_n = {r.n: r for r in rows}
    if 1000 not in by_n or 5000 not in by_n:
        return ""
    small, big = by_n[1000], by_n[5000]
    parts = [
        f"loader {big.loader / small.loader:.2f}",
        f"PyYAML {big.baseline / small.baseline:.2f}",
    ]
    if big.check is not None and small.check is not None:
        parts.append(f"check {big.check / small.check:.2f}")
    return "time(5000)/time(1000): " + ", ".join(parts)


def stages(n: int, seed: int) -> str:
    """Where the loader's time goes for one mesh, and what resolving every span would cost."""
    from meshlint.loader import _fast, _split
    from meshlint.loader._text import decode

    folder = mesh_dir(n, seed)
    files = yaml_files(folder)
    start = time.perf_counter()
    texts = [decode(p.read_bytes(), p.name) for p in files]
    t_read = time.perf_counter() - start
    plain = [t for t in texts if isinstance(t, str)]
    start = time.perf_counter()
    split = [(t, _split.split(t)) for t in plain]
    screens = [_split.screen(t, chunks, 128) for t, chunks in split]
    t_screen = time.perf_counter() - start
    risky = sum(len(s.risky) for s in screens)
    start = time.perf_counter()
    gc.disable()
    kept = [_fast.parse(t[c.start : c.end]) for t, chunks in split for c in chunks]
    gc.enable()
    t_parse = time.perf_counter() - start
    result = load([str(folder)], root=folder)
    start = time.perf_counter()
    for doc in result.documents:
        doc.source.span("")
    t_spans = time.perf_counter() - start
    return (
        f"stages N={n}: read+decode {t_read:.2f}s, split+screens {t_screen:.2f}s "
        f"({risky} of {len(kept)} documents sent to PyYAML), yaml-rs parse {t_parse:.2f}s; "
        f"resolving the spans of all {len(result.documents)} documents: {t_spans:.2f}s"
    )


def cold_start(repeats: int = 7) -> str:
    """``meshlint --version`` and a one-file check against ``python -c pass`` (SPEC §8)."""
    small = REPO / "fixtures" / "rules" / "MESH120" / "good.yaml"
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def spawn(*args: str) -> Callable[[], object]:
        command = [sys.executable, *args]
        return lambda: subprocess.run(command, env=env, cwd=REPO, capture_output=True, check=False)

    python = timed(spawn("-c", "pass"), repeats)
    version = timed(spawn("-m", "meshlint", "--version"), repeats)
    check = ("-m", "meshlint", "check", "--no-config", "--no-cache", str(small))
    one_file = timed(spawn(*check), repeats)
    return (
        f"cold start: python -c pass {python * 1000:.0f} ms; meshlint --version "
        f"{version * 1000:.0f} ms ({version / python:.2f}x); meshlint check of one small "
        f"file {one_file * 1000:.0f} ms"
    )


def pipeline_stages(sizes: list[int], seed: int) -> list[str]:
    """The time split per stage (one process; see pipeline.py)."""
    import pipeline

    return [pipeline.render(n, pipeline.measure(mesh_dir(n, seed))) for n in sizes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--stages", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--check-timeout", type=float, default=900, help="seconds per check")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = []
    for n in sizes:
        rows.append(measure(n, args.seed, args.repeats, args.check_timeout))
        sys.stderr.write(f"N={n} done ({rows[-1].check_status})\n")
    out = [table(rows), "", growth(rows)]
    out.extend(f"N={r.n}: check {r.check_status}" for r in rows)
    out.append(cold_start())
    if args.stages:
        out.extend(pipeline_stages(sizes, args.seed))
        out.extend(stages(n, args.seed) for n in sizes)
    sys.stdout.write("\n".join(out).rstrip() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
