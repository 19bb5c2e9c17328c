"""The mesh to explain: the input paths as they are now, or as they were at a git ref."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from meshlint.build import build
from meshlint.config import Config, mesh_settings
from meshlint.explain.caller import ExplainError
from meshlint.loader import load
from meshlint.mesh import Mesh


def load_mesh(paths: Sequence[str], config: Config, *, root: Path | None = None) -> Mesh:
    """Load and index ``paths`` (unreadable paths raise ``LoadError``; bad YAML is skipped)."""
    loaded = load(list(paths), exclude=config.exclude, root=root)
    built = build(loaded.documents)
    invalid = (*built.invalid, *built.foreign)
    return Mesh.build(built.resources, mesh_settings(config), invalid=invalid)


def _git(args: Sequence[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExplainError(f"--base: cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise ExplainError(f"--base: git {args[0]} failed: {message[-1] if message else ''}")
    return done.stdout


def load_mesh_at(ref: str, paths: Sequence[str], config: Config, cwd: Path) -> Mesh:
    """The same ``paths`` as committed at git ``ref`` (``git archive`` into a temp dir)."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    here = cwd.resolve().relative_to(top.resolve())
    relative = [str((here / p).as_posix()) if p != "." else str(here) for p in paths]
    archive = _git(["archive", "--format=tar", ref, "--", *relative], top)
    with tempfile.TemporaryDirectory(prefix="meshlint-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        base = Path(tmp) / here
        return load_mesh([str(base / p) for p in paths], config, root=base)
