"""Suppressions written as YAML comments: ``# meshlint: ignore[MESH120,dr-subset-unused] why``.

A comment after content on a line covers the findings on that line; a comment on a line of
its own covers the next line with content (several such comments may be stacked). The codes
(or rule names) are required; the reason after the bracket is optional, because the comment
sits next to what it excuses, unlike a config ``ignores`` entry, which must give one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from meshlint.findings import Finding
from meshlint.source import Span
from meshlint.suppress.codes import CodeBook, split_tokens
from meshlint.suppress.directive import Directive, Layer

MARKER = "meshlint:"
_DIRECTIVE = re.compile(r"#\s*meshlint:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?")


def directives(path: str, text: str, book: CodeBook) -> Iterator[Directive]:
    """The comment suppressions in one file's text."""
    if MARKER not in text:  # the common case: one substring scan per file
        return
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if MARKER not in line:
            continue
        start = comment_start(line)
        match = _DIRECTIVE.match(line, start) if start is not None else None
        if match is not None:
            target = number if line[:start].strip() else _next_content(lines, number)
            yield _directive(path, number, match, target, book)


def comment_start(line: str) -> int | None:
    """The column (0-based) where a YAML comment starts, outside quoted scalars."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1  # skip the escaped character
            elif char == quote:
                quote = ""
        elif char in "'\"" and _token_start(line, index):
            quote = char  # a quote inside a plain scalar (``it's``) starts nothing
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
        index += 1
    return None


def _token_start(line: str, index: int) -> bool:
    return index == 0 or line[index - 1] in " \t[{,:-?"


def _next_content(lines: list[str], number: int) -> int:
    """The 1-based number of the first line after ``number`` that is not blank or a comment."""
    for later in range(number, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return number + 1


def _directive(
    path: str, number: int, match: re.Match[str], target: int, book: CodeBook
) -> Directive:
    tokens = split_tokens(match.group("codes") or "")
    unknown = tuple(token for token in tokens if book.resolve(token) is None)
    span = Span(path, number, match.start() + 1, number, match.end() + 1)
    return Directive(
        layer=Layer.COMMENT,
        span=span,
        codes=frozenset(code for token in tokens if (code := book.resolve(token)) is not None),
        applies=_on_line(path, target),
        unknown=unknown if tokens else ("",),
        hint=book.suggest(unknown[0]) if unknown else "",
    )


def _on_line(path: str, line: int) -> Callable[[Finding], bool]:
    def applies(finding: Finding) -> bool:
        return finding.span.line == line and finding.span.path == path

    return applies
