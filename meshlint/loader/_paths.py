"""Input discovery: expand paths and directories, apply exclude globs, read files safely."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from meshlint.errors import LoadError

EXTENSIONS = (".yaml", ".yml", ".json")
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Input:
    """One input to read: a file, or stdin when ``path`` is None."""

    display: str
    path: Path | None


@dataclass(frozen=True, slots=True)
class ReadFile:
    """An input file already read: its display path and bytes (its size when too big)."""

    display: str
    data: bytes | int


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it is below it, else as given (posix separators)."""
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def excluded(display: str, patterns: Sequence[str]) -> bool:
    """Whether a display path, or any of its leading components, matches a pattern."""
    if not patterns:
        return False
    parts = display.split("/")
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    for pattern in patterns:
        variants = (pattern, pattern[3:]) if pattern.startswith("**/") else (pattern,)
        if any(fnmatchcase(p, v) for p in prefixes for v in variants):
            return True
    return False


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as scan:
            return sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        raise LoadError(f"{directory}: cannot read directory ({exc.strerror})") from exc


def _is_dir(entry: os.DirEntry[str], display: str) -> bool:
    try:
        return entry.is_dir()
    except OSError as exc:  # a symlink loop, for one
        raise LoadError(f"{display}: cannot read ({exc.strerror})") from exc


def _walk(top: Path, root: Path, exclude: Sequence[str]) -> list[Input]:
    """YAML/JSON files below ``top``, sorted; hidden entries skipped, symlink loops cut."""
    found: list[Input] = []
    seen: set[tuple[int, int]] = set()
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            info = directory.stat()
        except OSError as exc:
            raise LoadError(f"{directory}: cannot read directory ({exc.strerror})") from exc
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        for entry in _entries(directory):
            path = directory / entry.name
            display = display_path(path, root)
            if entry.name.startswith(".") or excluded(display, exclude):
                continue
            if _is_dir(entry, display):
                stack.append(path)
            elif entry.name.lower().endswith(EXTENSIONS):
                found.append(Input(display, path))
    return sorted(found, key=lambda found_input: found_input.display)


def expand(paths: Sequence[str], root: Path, exclude: Sequence[str]) -> list[Input]:
    """The inputs named by ``paths``, in order; raises LoadError for a missing path."""
    inputs: list[Input] = []
    for name in paths:
        if name == STDIN:
            inputs.append(Input("<stdin>", None))
            continue
        path = Path(name)
        if not path.exists() and not path.is_symlink():
            raise LoadError(f"{name}: no such file or directory")
        if path.is_dir():
            inputs.extend(_walk(path, root, exclude))
        elif not excluded(display_path(path, root), exclude):
            inputs.append(Input(display_path(path, root), path))
    return inputs


def inputs_of(
    paths: Sequence[str | ReadFile], root: Path, exclude: Sequence[str]
) -> Iterator[Input | ReadFile]:
    """What ``paths`` names, in order: each path expanded, each ``ReadFile`` as it is."""
    for path in paths:
        if isinstance(path, ReadFile):
            yield path
        else:
            yield from expand([path], root, exclude)


def read(source: Input, max_bytes: int) -> bytes | int:
    """The bytes of a file, or its size when it is over ``max_bytes``; LoadError if unreadable."""
    assert source.path is not None
    try:
        info = os.stat(source.path)
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(f"{source.display}: not a regular file")
        if info.st_size > max_bytes:
            return info.st_size
        with open(source.path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"{source.display}: cannot read ({exc.strerror})") from exc
    return len(data) if len(data) > max_bytes else data
