"""Parse OPA `# METADATA` annotation blocks, package names and conftest rule names of a policy."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from meshlint.findings import Severity

YamlParser = Callable[[str], object]

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
# conftest's conventions: deny, violation, warn, optionally with a `_suffix`
_RULE_HEAD = re.compile(r"^((?:deny|violation|warn)(?:_\w+)?)\b", re.MULTILINE)
_SCOPE = re.compile(r"^scope:\s*(\w+)", re.MULTILINE)
_PACKAGE_SCOPES = frozenset({"package", "subpackages", "document"})


class MetadataError(ValueError):
    """A METADATA block that is not valid YAML or has fields of the wrong type."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class PolicyMeta:
    """What a policy's package-scope METADATA says (every field optional)."""

    title: str = ""
    description: str = ""
    code: str | None = None
    name: str | None = None
    severity: Severity | None = None
    kinds: tuple[str, ...] = ()
    remediation: str = ""
    opt_in: bool = False
    line: int = 0  # 1-based line of the `# METADATA` marker (0 when there is none)
    related: tuple[str, ...] = ()  # related_resources refs (OPA annotation)
    custom: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Block:
    """One `# METADATA` comment block: its marker line and its YAML text."""

    line: int
    text: str
    end_line: int  # the first line after the block


def package_of(source: str) -> tuple[str, int] | None:
    """The package name and its 1-based line, or None when the file declares none."""
    match = _PACKAGE.search(source)
    if match is None:
        return None
    return match.group(1), source.count("\n", 0, match.start()) + 1


def rule_names(source: str) -> tuple[str, ...]:
    """The conftest rule names (deny, warn, violation, deny_x, ...) a module defines."""
    return tuple(sorted(set(_RULE_HEAD.findall(source))))


def blocks(source: str) -> list[Block]:
    """Every `# METADATA` block: contiguous comment lines after the marker."""
    lines = source.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() != "# METADATA":
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index].lstrip().startswith("#"):
            body.append(_uncomment(lines[index]))
            index += 1
        found.append(Block(start + 1, "\n".join(body) + "\n", index + 1))
    return found


def _uncomment(line: str) -> str:
    text = line.lstrip()[1:]
    return text[1:] if text.startswith(" ") else text


def package_block(source: str) -> Block | None:
    """The block that annotates the package: one directly above `package` or package-scoped."""
    package = package_of(source)
    for block in blocks(source):
        if package is not None and block.end_line == package[1]:
            return block
        scope = _SCOPE.search(block.text)
        if scope is not None and scope.group(1) in _PACKAGE_SCOPES:
            return block
    return None


def parse_metadata(source: str, parse_yaml: YamlParser) -> PolicyMeta:
    """The package-scope METADATA of ``source`` (an empty PolicyMeta when there is none)."""
    block = package_block(source)
    if block is None:
        return PolicyMeta()
    try:
        parsed = parse_yaml(block.text)
    except Exception as error:  # the caller's YAML library: any parse error
        raise MetadataError(
            f"METADATA is not valid YAML: {_first_line(error)}", block.line
        ) from error
    if parsed is None:
        return PolicyMeta(line=block.line)
    if not isinstance(parsed, dict):
        raise MetadataError("METADATA must be a YAML mapping", block.line)
    return _meta_from(parsed, block.line)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _meta_from(parsed: Mapping[str, Any], line: int) -> PolicyMeta:
    custom = parsed.get("custom") or {}
    if not isinstance(custom, dict):
        raise MetadataError("METADATA custom must be a mapping", line)
    return PolicyMeta(
        title=_text(parsed, "title", line),
        description=_text(parsed, "description", line),
        code=_text(custom, "code", line) or None,
        name=_text(custom, "name", line) or None,
        severity=_severity(custom.get("severity"), line),
        kinds=_kinds(custom.get("kinds"), line),
        remediation=_text(custom, "remediation", line),
        opt_in=bool(custom.get("opt_in", False)),
        line=line,
        related=_related(parsed.get("related_resources")),
        custom=custom,
    )


def _related(value: object) -> tuple[str, ...]:
    """``related_resources`` refs: strings, or mappings with a ``ref`` (OPA's two forms)."""
    if not isinstance(value, list):
        return ()
    refs = [item.get("ref") if isinstance(item, dict) else item for item in value]
    return tuple(ref for ref in refs if isinstance(ref, str))


def _text(mapping: Mapping[str, Any], key: str, line: int) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise MetadataError(f"METADATA {key} must be a string", line)
    return str(value).strip()


def _severity(value: object, line: int) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity(str(value).lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Severity)
        raise MetadataError(f"METADATA severity {value!r} is not one of {allowed}", line) from None


def _kinds(value: object, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(kind, str) for kind in value):
        return tuple(value)
    raise MetadataError("METADATA kinds must be a list of kind names", line)
