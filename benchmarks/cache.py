"""Cache benchmark: ``meshlint check`` cold, warm, and with one changed file.

Usage: ``python benchmarks/cache.py [--sizes 1000,5000] [--repeats 2]``

For each size, on a private copy of the generated mesh (``run.py`` generates and caches the
meshes), with a fresh cache folder per repeat and a snapshot of meshlint's code, times
``meshlint check --format json`` as a subprocess (interpreter start included):
- ``no cache``: ``--no-cache``, the baseline;
- ``cold``: an empty cache (parses everything and writes the entries);
- ``warm``: the same again (the whole-run layer answers);
- ``one changed``: after appending a comment to one file, so the whole-run layer misses and
  every other file comes from the per-file layer.
Each run's JSON output must equal the no-cache run's (apart from the changed file's run,
which must equal a no-cache run of the changed mesh). Prints a Markdown table; asserts no
timings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from run import mesh_dir, yaml_files  # noqa: E402


@dataclass
class Timing:
    n: int
    repeat: int
    no_cache: float
    cold: float
    warm: float
    changed: float
    cache_mb: float
    warm_hit: bool


def snapshot(work: Path) -> Path:
    """A copy of meshlint's code and data to run: the cache keys cover meshlint's own files,
    so edits made to the working tree during the benchmark would turn warm runs into misses."""
    code = work / "code"
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("meshlint", "schemas", "rules"):
        shutil.copytree(REPO / name, code / name, ignore=ignore)
    return code


def check(folder: Path, cache: Path | None, code: Path) -> tuple[float, bytes]:
    """Wall time and stdout of one ``meshlint check --format json`` of ``folder``."""
    flags = ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    command = [sys.executable, "-m", "meshlint", "check", "--format", "json", *flags, "mesh"]
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder.parent, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"meshlint check failed ({done.returncode}): {done.stderr[-300:]!r}")
    return elapsed, done.stdout


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure(n: int, seed: int, repeat: int, work: Path, code: Path) -> Timing:
    copy = work / f"n{n}-r{repeat}" / "mesh"
    shutil.copytree(mesh_dir(n, seed), copy)
    cache = copy.parent / "cache"
    no_cache, expected = check(copy, None, code)
    cold, out_cold = check(copy, cache, code)
    warm, out_warm = check(copy, cache, code)
    # a second entry means the warm run missed: meshlint's own files changed in between
    hit = len(list((cache / "v1" / "runs").rglob("*"))) == 2  # one folder, one entry
    assert out_cold == expected and out_warm == expected, "cached output differs"
    target = yaml_files(copy)[len(yaml_files(copy)) // 2]
    target.write_text(target.read_text() + "# changed\n")
    changed, out_changed = check(copy, cache, code)
    assert out_changed == check(copy, None, code)[1], "per-file cached output differs"
    timing = Timing(n, repeat, no_cache, cold, warm, changed, size_mb(cache), hit)
    shutil.rmtree(copy.parent)
    return timing


def table(rows: list[Timing]) -> str:
    lines = [
        "| N | run | no cache (s) | cold (s) | warm (s) | warm/cold | one changed (s) "
        "| changed/cold | cache MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {r.n} | {r.repeat} | {r.no_cache:.2f} | {r.cold:.2f} "
        f"| {r.warm:.2f}{'' if r.warm_hit else ' (miss)'} "
        f"| {r.warm / r.cold:.3f} | {r.changed:.2f} | {r.changed / r.cold:.3f} "
        f"| {r.cache_mb:.1f} |"
        for r in rows
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="meshlint-cache-bench-") as work:
        code = snapshot(Path(work))
        for n in (int(s) for s in args.sizes.split(",") if s):
            for repeat in range(1, args.repeats + 1):
                rows.append(measure(n, args.seed, repeat, Path(work), code))
                sys.stderr.write(f"N={n} run {repeat} done\n")
    sys.stdout.write(table(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
