"""The content-hash cache: versioned entries on disk, keyed by content, written atomically.

Entries are plain values serialised with ``marshal`` (fast, and loading runs no code, unlike
pickle) behind a header and a BLAKE2b digest of the body, so a truncated, corrupt or foreign
entry reads as a miss. Every key is salted with meshlint's version, the cache format, the
Python version and a stamp of meshlint's own files (so an edited rule or schema never serves
an old answer). Writes go to a temporary file beside the entry and ``os.replace`` it: runs
sharing a cache never lock, and two runs writing the same entry both succeed.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from meshlint import __version__
from meshlint.cache.values import (
    finding_plain,
    finding_value,
    result_plain,
    result_value,
)
from meshlint.findings import LintResult
from meshlint.resources import data_dir

__all__ = [
    "ENV",
    "FORMAT",
    "Cache",
    "clean",
    "default_dir",
    "finding_plain",
    "finding_value",
]

FORMAT = 1
ENV = "MESHLINT_CACHE_DIR"
DEFAULT_CAP = 200 * 1024 * 1024  # bytes of entries kept; the oldest beyond it are pruned
RUNS = "runs"
_HEADER = b"meshlint-cache\x00" + FORMAT.to_bytes(2, "big")
_DIGEST = 32
_PRUNE_EVERY = 24 * 3600.0  # seconds between two size checks
_TAG = "CACHEDIR.TAG"  # https://bford.info/cachedir/: backup tools skip the folder
_TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by meshlint.\n"
)
# a run that hit a policy crash or timeout (MESH007) may not fail the same way next time
_TRANSIENT = frozenset({"MESH007"})


def default_dir() -> Path | None:
    """``$MESHLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/meshlint``, else ``~/.cache/meshlint``."""
    chosen = os.environ.get(ENV)
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "meshlint"
    try:
        return Path.home() / ".cache" / "meshlint"
    except RuntimeError:  # no home directory to speak of: run without a cache
        return None


class Cache:
    """Entries under ``directory/v<FORMAT>/<kind>/``, keyed by a salted content hash."""

    def __init__(self, directory: Path, salt: bytes, *, cap: int = DEFAULT_CAP) -> None:
        self.directory = directory
        self._root = directory / f"v{FORMAT}"
        self._salt = salt
        self._cap = cap

    @classmethod
    def open(cls, directory: Path, *, cap: int = DEFAULT_CAP) -> Cache | None:
        """The cache in ``directory`` (created with mode 0700), or None when it cannot be."""
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return None
        _write_tag(directory)
        cache = cls(directory, salt(), cap=cap)
        cache.prune_if_due()
        return cache

    def key(self, *parts: bytes) -> str:
        """A hex key for ``parts`` (length-prefixed, so no two part lists collide)."""
        digest = hashlib.blake2b(self._salt, digest_size=20)
        for part in parts:
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def get(self, kind: str, key: str) -> Any:
        """The value stored under ``key``; None for a missing, corrupt or foreign entry."""
        try:
            blob = self._path(kind, key).read_bytes()
        except OSError:
            return None
        return _unpack(blob)

    def put(self, kind: str, key: str, value: Any) -> bool:
        """Store ``value`` (plain values only); False when it cannot be (never raises)."""
        try:
            body = marshal.dumps(value)
        except ValueError:  # a type marshal cannot store, or nesting beyond its limit
            return False
        digest = hashlib.blake2b(body, digest_size=_DIGEST).digest()
        try:
            _write_atomic(self._path(kind, key), _HEADER + digest + body)
        except OSError:  # a read-only or full disk: the run goes on without
            return False
        return True

    def remember(self, key: str | None, compute: Callable[[], LintResult]) -> LintResult:
        """The stored result of a whole run, or ``compute()``'s, stored for next time."""
        if key is None:
            return compute()
        stored = self.get(RUNS, key)
        if stored is not None:
            try:
                return result_value(stored)
            except (TypeError, ValueError, IndexError, KeyError):
                pass
        result = compute()
        if not any(f.code in _TRANSIENT for f in result.findings):
            self.put(RUNS, key, result_plain(result))
        return result

    def run_key(
        self, config: str, inputs: Iterable[tuple[str, bytes | int]], files: Iterable[str]
    ) -> str:
        """The key of a whole run: its settings, its inputs (display path and content, or
        size when over the limit, in order), and the content of the other files it reads
        (``files``: files or folders)."""
        parts = [b"run", config.encode()]
        for display, data in inputs:
            content = str(data).encode() if isinstance(data, int) else data
            parts += [display.encode(), hashlib.blake2b(content).digest()]
        for name in files:
            parts += [name.encode(), *_contents(Path(name))]
        return self.key(*parts)

    def prune_if_due(self) -> None:
        """Prune at most once a day (one ``stat`` otherwise)."""
        marker = self._root / "pruned"
        try:
            if time.time() - marker.stat().st_mtime < _PRUNE_EVERY:
                return
        except OSError:
            pass
        self.prune()
        try:
            _make_dirs(marker.parent)
            marker.touch(mode=0o600)
        except OSError:
            pass

    def prune(self) -> int:
        """Delete the oldest entries until the rest fit the size cap; how many went."""
        entries = sorted(_entries(self._root))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= self._cap:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed += 1
        return removed

    def _path(self, kind: str, key: str) -> Path:
        return self._root / kind / key[:2] / key


def clean(directory: Path) -> tuple[int, int]:
    """Remove every entry meshlint wrote under ``directory``: (entries, bytes) removed.

    Only the versioned ``v<N>`` folders and the tag go, so a mistaken ``--cache-dir`` never
    costs anything else.
    """
    entries = bytes_ = 0
    if not directory.is_dir():
        return 0, 0
    for folder in directory.iterdir():
        if folder.is_dir() and folder.name[:1] == "v" and folder.name[1:].isdigit():
            found = list(_entries(folder))
            entries += len(found)
            bytes_ += sum(size for _, size, _ in found)
            shutil.rmtree(folder, ignore_errors=True)
    (directory / _TAG).unlink(missing_ok=True)
    return entries, bytes_


def salt() -> bytes:
    """What every key depends on besides content: versions and meshlint's own files."""
    parts = (__version__, str(FORMAT), sys.version, _code_stamp())
    return "\x00".join(parts).encode()


def _code_stamp() -> str:
    """A digest of the path, size and mtime of every file of meshlint and its data."""
    package = Path(__file__).parent
    folders = [package, *(Path(str(data_dir(name))) for name in ("schemas", "rules"))]
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path, info in _files(folder):
            digest.update(f"{path}\x00{info.st_size}\x00{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _files(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    try:
        scan = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in scan:
        if entry.is_dir() and entry.name != "__pycache__":
            yield from _files(Path(entry.path))
        elif entry.is_file():
            yield entry.path, entry.stat()


def _entries(root: Path) -> Iterator[tuple[float, int, Path]]:
    """(mtime, size, path) of every entry below ``root``."""
    for path, info in _files(root):
        if not Path(path).name.startswith((".", "pruned")):
            yield info.st_mtime, info.st_size, Path(path)


def _contents(path: Path) -> list[bytes]:
    """The bytes a run reads from ``path``: a file, or the ``.rego`` files of a folder."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.rego") if p.is_file())
        return [part for p in found for part in (str(p).encode(), *_contents(p))]
    try:
        return [hashlib.blake2b(path.read_bytes()).digest()]
    except OSError:
        return [b"\x00unreadable"]


def _write_tag(directory: Path) -> None:
    tag = directory / _TAG
    if tag.exists():
        return
    with contextlib.suppress(OSError):
        _write_atomic(tag, _TAG_TEXT.encode())


def _make_dirs(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each with mode 0700 (``os.makedirs`` gives
    the parents the default mode)."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(mode=0o700, exist_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    _make_dirs(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _unpack(blob: bytes) -> Any:
    start = len(_HEADER) + _DIGEST
    if not blob.startswith(_HEADER) or len(blob) < start:
        return None
    body = memoryview(blob)[start:]
    if hashlib.blake2b(body, digest_size=_DIGEST).digest() != blob[len(_HEADER) : start]:
        return None
    try:
        return marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
