"""Which resource kinds a run's policies can read: the data document carries only those.

Serializing ``data.meshlint`` and parsing it in the engine cost about as much as evaluating
the policies on a large mesh, so resources of kinds no selected policy takes as ``input`` and
no module names are left out. The analysis is textual and conservative: a module that reads
``resources`` or ``index`` with a computed kind, or ``data.meshlint`` / ``data`` as a whole,
gets every kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from meshlint.policy.engine import Module
from meshlint.policy.loader import Policy, PolicySet

_NAMED = re.compile(r"\b(?:resources|index)\s*(?:\.\s*(\w+)|\[\s*\"([^\"]+)\"\s*\])")
_ANY = re.compile(r"\b(?:resources|index)\b(?!\s*(?:\.\s*\w|\[\s*\"))")
_WHOLE = re.compile(r"\bdata\b(?!\s*\.\s*\w)|\bdata\s*\.\s*meshlint\b(?!\s*\.\s*\w)")


def code_of(source: str) -> str:
    """Rego without comments (a METADATA description may mention anything)."""
    return "\n".join(line.split("#", 1)[0] for line in source.splitlines())


def read_modules(policy_set: PolicySet, chosen: Sequence[Policy]) -> list[Module]:
    """The modules whose code can run: the chosen policies' files and every library module
    (a file of no policy), never the files of policies that are not chosen."""
    policy_files = {path for policy in policy_set.policies for path in policy.files}
    running = {path for policy in chosen for path in policy.files}
    return [m for m in policy_set.modules if m.path in running or m.path not in policy_files]


def wanted_kinds(
    policies: Sequence[Policy], sources: Iterable[str], known: Iterable[str]
) -> frozenset[str] | None:
    """The kinds the data must hold, or None for every kind.

    ``policies`` are the selected ones (their METADATA ``kinds`` are their inputs; a policy
    without ``kinds`` takes every kind), ``sources`` the modules that can run, ``known`` the
    kind names of the input (a quoted name counts only when it is one of them).
    """
    wanted: set[str] = set()
    for policy in policies:
        if not policy.meta.kinds:
            return None
        wanted.update(policy.meta.kinds)
    names = frozenset(known)
    for source in sources:
        text = code_of(source)
        if _ANY.search(text) or _WHOLE.search(text):
            return None
        wanted.update(a or b for a, b in _NAMED.findall(text))
        wanted.update(name for name in names if f'"{name}"' in text)
    return frozenset(wanted)
