"""The text of the files a run read, for the comment suppressions written in them.

Files are read again by their display path (relative to the run's root); stdin cannot be
read twice, so ``capture`` keeps what was read from it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

STDIN = "<stdin>"


class SourceTexts:
    """``texts(display_path)`` is the file's text, or None when it cannot be read."""

    def __init__(self, root: Path, known: dict[str, str] | None = None) -> None:
        self._root = root
        self._known = dict(known or {})

    @classmethod
    def of_text(cls, text: str | bytes, path: str = STDIN) -> SourceTexts:
        return cls(Path.cwd(), {path: _decode(text)})

    def capture(self, stream: IO[bytes] | IO[str], limit: int) -> IO[bytes] | IO[str]:
        """Read stdin once (up to ``limit`` characters), keep it, and return a stream of it."""
        data = stream.read(limit)
        self._known[STDIN] = _decode(data)
        return io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)

    def __call__(self, path: str) -> str | None:
        if path in self._known:
            return self._known[path]
        try:
            return _decode((self._root / path).read_bytes())
        except OSError:
            return None


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    return data.decode("utf-8-sig", errors="replace")
