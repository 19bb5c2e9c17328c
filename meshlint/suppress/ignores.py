"""Suppressions from the config file's ``ignores`` entries (validated by ``meshlint.config``).

An entry covers a finding when its code is listed, its file path matches ``path`` (an
``fnmatch`` glob on the reported path, where ``*`` also crosses ``/``) and its resource
matches every glob of ``resource``; a finding about no resource matches only entries without
``resource``. The namespace glob is matched against the namespace as written, or the run's
default namespace when the YAML names none. From the day after ``expires`` the entry
suppresses nothing and is reported (MESH008).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Protocol

from meshlint.findings import Finding
from meshlint.source import Span
from meshlint.suppress.codes import CodeBook
from meshlint.suppress.directive import Directive, Layer

TOML_HEADER = "[[tool.meshlint.ignores]]"
NO_FILE = "<config>"


class SelectorLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def name(self) -> str: ...


class IgnoreLike(Protocol):
    """What the engine reads from a config ``ignores`` entry (``meshlint.config.IgnoreEntry``)."""

    @property
    def codes(self) -> tuple[str, ...]: ...
    @property
    def path(self) -> str | None: ...
    @property
    def resource(self) -> SelectorLike | None: ...
    @property
    def expires(self) -> datetime.date | None: ...
    @property
    def origin(self) -> tuple[str, int] | None: ...


def directive(entry: IgnoreLike, today: datetime.date, namespace: str, book: CodeBook) -> Directive:
    expired = entry.expires if entry.expires is not None and entry.expires < today else None
    resolved = {code: book.resolve(code) for code in entry.codes}
    unknown = tuple(code for code, known in resolved.items() if known is None)
    return Directive(
        layer=Layer.CONFIG,
        span=_span(entry.origin),
        codes=frozenset(known for known in resolved.values() if known is not None),
        applies=_matcher(entry, namespace),
        unknown=unknown,
        expired=expired,
        hint=book.suggest(unknown[0]) if unknown else "",
    )


def _matcher(entry: IgnoreLike, namespace: str) -> Callable[[Finding], bool]:
    path, selector = entry.path, entry.resource

    def applies(finding: Finding) -> bool:
        if path is not None and not fnmatchcase(finding.span.path, path):
            return False
        if selector is None:
            return True
        res = finding.resource
        return res is not None and (
            fnmatchcase(res.kind, selector.kind)
            and fnmatchcase(res.namespace or namespace, selector.namespace)
            and fnmatchcase(res.name, selector.name)
        )

    return applies


def _span(origin: tuple[str, int] | None) -> Span:
    """Where the entry is written: its list item in the config file (line 1 if not found)."""
    if origin is None:
        return Span(NO_FILE, 1, 1, 1, 1)
    path, index = origin
    line, column = _locate(Path(path), index) or (1, 1)
    return Span(path, line, column, line, column + 1)


def _locate(path: Path, index: int) -> tuple[int, int] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if path.suffix == ".toml":
        headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == TOML_HEADER]
        return (headers[index], 1) if index < len(headers) else None
    from meshlint.loader.roundtrip import item_position

    return item_position(text, "ignores", index)
