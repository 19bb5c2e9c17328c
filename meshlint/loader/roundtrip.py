"""Comment-preserving edits of YAML text for ``--fix``, located with ruamel.yaml round-trip.

ruamel's round-trip parser finds where each key and value is written; the edit itself
replaces or removes just those characters of the original text, so comments, key order,
quoting, indentation, document markers and Helm ``# Source:`` headers stay byte for byte.
(Re-dumping the round-trip tree would normalise indentation and flow spacing, touching lines
that have nothing to fix.) Every edit is checked by parsing the result again: the data must
equal the original data with just that change, otherwise the edit is not made.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from meshlint.findings import Fix, FixOp, ResourceRef
from meshlint.source import Span

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Target:
    """A fix and where it applies: the resource and a span inside the resource's document."""

    fix: Fix
    resource: ResourceRef
    span: Span


class _Skip(Exception):
    """The edit is not unambiguous here; leave the text alone."""


def item_position(text: str, key: str, index: int) -> tuple[int, int] | None:
    """The 1-based (line, column) of item ``index`` of the top-level sequence ``key``."""
    try:
        data = _load(text)[0]
        line, column = data[key].lc.item(index)
    except Exception:  # any parse or shape problem: the caller falls back to line 1
        return None
    return int(line) + 1, int(column) + 1


def apply(text: str, targets: Sequence[Target]) -> tuple[str, tuple[Target, ...]]:
    """``text`` with every target that applies cleanly, and the targets that were applied."""
    done: list[Target] = []
    for target in targets:
        try:
            text = _apply_one(text, target)
        except _Skip:
            continue
        done.append(target)
    return text, tuple(done)


def _load(text: str) -> list[Any]:
    from ruamel.yaml import YAML

    return list(YAML(typ="rt").load_all(text))


def _apply_one(text: str, target: Target) -> str:
    try:
        documents = _load(text)
    except Exception as exc:  # the file no longer parses: nothing is safe
        raise _Skip from exc
    index = _resource_index(_candidates(documents), target)
    parent, token = _walk(_candidates(documents)[index], target.fix.pointer)
    edited = _edit(text.split("\n"), parent, token, target.fix)
    expected = _plain(documents)
    _change(_candidates(expected)[index], target.fix)
    try:
        again = _plain(_load(edited))
    except Exception as exc:
        raise _Skip from exc
    if again != expected:
        raise _Skip
    return edited


def _candidates(documents: list[Any]) -> list[Any]:
    found: list[Any] = []
    for doc in documents:
        if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List"):
            found.extend(item for item in doc.get("items") or () if isinstance(item, dict))
        elif isinstance(doc, dict):
            found.append(doc)
    return found


def _identity(doc: dict[str, Any]) -> tuple[object, object, object]:
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    return doc.get("kind"), meta.get("namespace"), meta.get("name")


def _resource_index(candidates: list[Any], target: Target) -> int:
    """Which document (or List item) holds the finding's resource: the last one above it."""
    ref = target.resource
    identity = (ref.kind, ref.namespace, ref.name)
    matches = [i for i, doc in enumerate(candidates) if _identity(doc) == identity]
    if len(matches) > 1:
        above = [i for i in matches if candidates[i].lc.line + 1 <= target.span.line]
        matches = above[-1:]
    if len(matches) != 1:
        raise _Skip
    return matches[0]


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _walk(node: Any, pointer: str) -> tuple[Any, str | int]:
    tokens = _tokens(pointer)
    if not tokens:
        raise _Skip
    for token in tokens[:-1]:
        node = _child(node, token)
    last: str | int = tokens[-1]
    if isinstance(node, list):
        last = int(last) if str(last).isdigit() else -1
    if isinstance(node, dict) and last in node:
        return node, last
    raise _Skip


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict) and token in node:
        return node[token]
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    raise _Skip


def _plain(value: Any) -> Any:
    """Round-trip nodes as plain dicts, lists and scalars, for comparison."""
    return json.loads(json.dumps(value, default=str))


def _change(resource: Any, fix: Fix) -> None:
    """Apply ``fix`` to plain data: what the edited text must parse to."""
    parent, token = _walk(resource, fix.pointer)
    if fix.op is FixOp.DELETE:
        del parent[token]
    elif fix.op is FixOp.SET:
        parent[token] = copy.deepcopy(fix.value)
    else:
        if fix.key is None or fix.key in parent:
            raise _Skip
        value = parent[token] if fix.value is None else copy.deepcopy(fix.value)
        del parent[token]
        parent[fix.key] = value


def _edit(lines: list[str], parent: Any, key: str | int, fix: Fix) -> str:
    if not isinstance(key, str) or not hasattr(parent, "lc"):
        raise _Skip
    key_line, key_col = parent.lc.key(key)
    value_line, value_col = parent.lc.value(key)
    flow = bool(parent.fa.flow_style())
    if fix.op is FixOp.DELETE:
        return _delete(lines, (key_line, key_col), (value_line, value_col), flow, parent[key])
    if fix.op is FixOp.SET or fix.value is not None:
        if isinstance(parent[key], (dict, list)):
            raise _Skip
        _replace_scalar(lines, (value_line, value_col), flow, _render(fix.value))
    if fix.op is FixOp.SET:
        return "\n".join(lines)
    _replace_key(lines, key_line, key_col, key, fix.key or key)
    return "\n".join(lines)


def _render(value: Any) -> str:
    """A value as YAML flow text: plain when unambiguous, JSON otherwise."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_render(k)}: {_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value)


_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


def _scalar_end(line: str, start: int, flow: bool) -> int:
    """Where the scalar written at ``start`` ends (exclusive), on its one line."""
    if start >= len(line):
        raise _Skip
    quote = line[start]
    if quote in "'\"":
        end = line.find(quote, start + 1)
        if end < 0 or (quote == '"' and "\\" in line[start:end]):
            raise _Skip
        return end + 1
    stops = [m.start() for m in re.finditer(r"\s#", line[start:])]
    if flow:
        stops += [m.start() for m in re.finditer(r"[,\]}]", line[start:])]
    end = start + min(stops, default=len(line) - start)
    return len(line[:end].rstrip())


def _replace_scalar(lines: list[str], at: tuple[int, int], flow: bool, text: str) -> None:
    row, col = at
    line = lines[row]
    end = _scalar_end(line, col, flow)
    lines[row] = line[:col] + text + line[end:]


def _replace_key(lines: list[str], row: int, col: int, old: str, new: str) -> None:
    line = lines[row]
    written = next((w for w in (old, f'"{old}"', f"'{old}'") if line.startswith(w, col)), None)
    if written is None or line[col + len(written) :].lstrip()[:1] != ":":
        raise _Skip
    lines[row] = line[:col] + _render(new) + line[col + len(written) :]


def _delete(
    lines: list[str], key_at: tuple[int, int], value_at: tuple[int, int], flow: bool, old: Any
) -> str:
    (row, col), (value_row, value_col) = key_at, value_at
    if isinstance(old, (dict, list)) or value_row != row:
        raise _Skip
    line = lines[row]
    end = _scalar_end(line, value_col, flow)
    if flow:
        lines[row] = _cut_flow_entry(line, col, end)
        return "\n".join(lines)
    if line[:col].strip():  # ``- key: value``: the line also opens a list item
        raise _Skip
    del lines[row]
    return "\n".join(lines)


def _cut_flow_entry(line: str, start: int, end: int) -> str:
    before = line[:start].rstrip()
    after = line[end:].lstrip()
    if before.endswith(","):
        return before[:-1] + line[end:]
    if after.startswith(","):
        return line[:start] + after[1:].lstrip()
    raise _Skip  # the only entry of a flow mapping: leave it to a person
