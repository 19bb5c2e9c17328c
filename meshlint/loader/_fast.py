"""yaml-rs adapter: the fast parser (no positions), used only on text that passed the screens.

yaml-rs implements YAML 1.2; the screens in ``_split`` send every document where 1.1 and 1.2
could disagree (``yes``/``on``, ``017``, ``1e3``, ``<<`` merges, tags, non-string keys) to the
PyYAML path instead. Any failure here (syntax, duplicate key, alias limit, recursion limit)
also falls back to the PyYAML path, which reports it with a position.
"""

from __future__ import annotations

import yaml_rs

_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=100_000)
_DUPLICATES = yaml_rs.DuplicateKeyPolicy.Error


class FastParseError(Exception):
    """The fast parser could not (or should not) produce this document."""


def _one_line(key: str, text: str) -> bool:
    """Whether ``key`` can have been written on one line (folding turns a break into a space)."""
    return (" " not in key and "\n" not in key) or key in text


def _string_keys(value: object, text: str) -> bool:
    """Whether every mapping key in ``value`` is a string (JSON's rule) on one line of ``text``."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if not all(type(key) is str and _one_line(key, text) for key in node):
                return False
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return True


def parse(text: str) -> object:
    """The value of a text that holds at most one YAML document (None when empty)."""
    try:
        value = yaml_rs.loads(
            text, parse_datetime=False, alias_limits=_LIMITS, duplicate_key_policy=_DUPLICATES
        )
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # pyo3 panics derive from BaseException
        raise FastParseError(str(exc)) from exc
    # a flow mapping entry without a colon (`{a, 0}`) can hide a non-string key from the
    # screens; block keys always come with a colon, which the screens see. A flow mapping key
    # may also span lines (`{a: 1, b\n c: 2}`), which yaml-rs folds and libyaml rejects.
    if "{" in text and not _string_keys(value, text):
        raise FastParseError("a mapping key is not a string, or spans lines")
    return value
