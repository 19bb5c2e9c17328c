"""Plan the fixes of a run per file, render them as a unified diff, and write them."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from meshlint.findings import Finding
from meshlint.loader.roundtrip import Target, apply

STDIN = "<stdin>"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file's text before and after its fixes, and the fixes that were applied."""

    path: str  # display path, as in the findings
    before: str
    after: str
    applied: tuple[Target, ...]


def plan(findings: Iterable[Finding], root: Path) -> list[FileChange]:
    """The changes the fixable findings make, one per file that changes (stdin excluded)."""
    by_path: dict[str, dict[tuple[object, ...], Target]] = {}
    for finding in findings:
        if finding.fix is None or finding.resource is None or finding.span.path == STDIN:
            continue
        target = Target(finding.fix, finding.resource, finding.span)
        key = (finding.resource, finding.fix.op, finding.fix.pointer, finding.fix.key)
        by_path.setdefault(finding.span.path, {}).setdefault(key, target)
    changes = (_change(root, path, list(targets.values())) for path, targets in by_path.items())
    return [change for change in changes if change is not None]


def _change(root: Path, path: str, targets: Sequence[Target]) -> FileChange | None:
    try:
        with (root / path).open(encoding="utf-8", newline="") as handle:
            before = handle.read()
    except (OSError, UnicodeDecodeError):
        return None
    after, applied = apply(before, targets)
    return FileChange(path, before, after, applied) if applied and after != before else None


def unified_diff(changes: Iterable[FileChange]) -> str:
    """A ``git apply``-able unified diff of ``changes``."""
    return "".join(
        "".join(
            difflib.unified_diff(
                change.before.splitlines(keepends=True),
                change.after.splitlines(keepends=True),
                fromfile=f"a/{change.path}",
                tofile=f"b/{change.path}",
            )
        )
        for change in changes
    )


def write(changes: Iterable[FileChange], root: Path) -> None:
    for change in changes:
        write_atomic(root / change.path, change.after)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` (a symlink's target) with ``text`` at once, keeping its permissions."""
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(name, mode)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
