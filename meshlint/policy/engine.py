"""The PolicyEngine protocol and the plain values engines exchange with the runner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# The data document's shape version (data.meshlint.version); bump on incompatible changes.
DATA_VERSION = 1
DEFAULT_TIMEOUT = 10.0  # seconds per policy per run


@dataclass(frozen=True, slots=True)
class Module:
    """One Rego file: the path shown in messages and its text."""

    path: str
    source: str


@dataclass(frozen=True, slots=True)
class Query:
    """Evaluate the rules ``rules`` of ``package`` once per input of the listed kinds."""

    package: str
    rules: tuple[str, ...]
    kinds: tuple[str, ...] = ()  # empty: every input


@dataclass(frozen=True, slots=True)
class Hit:
    """One value of one rule for one input (``index`` into the run's inputs)."""

    index: int
    rule: str
    value: Any


@dataclass(frozen=True, slots=True)
class EngineError:
    """A compile or evaluation failure, with the file and line when the engine names them."""

    message: str
    path: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one Query: its hits, or the error that stopped it."""

    hits: tuple[Hit, ...] = ()
    error: EngineError | None = None


class PolicyEngine(Protocol):
    """Something that compiles Rego modules once and evaluates queries over many inputs.

    ``load`` receives every module of the run, the inputs (documents as written) and the data
    document built from them by ``build_data`` (whose ``resources`` hold the same documents, so
    an engine may take each input from there and use ``inputs`` only for the order); it returns
    the modules it could not compile, keyed by path (those are left out). ``evaluate`` runs one
    query; it never raises for a policy's fault, it returns an error. Hit indexes are positions
    in ``inputs``.
    """

    name: str

    def load(
        self,
        modules: Sequence[Module],
        inputs: Sequence[Mapping[str, Any]],
        data: Mapping[str, Any],
    ) -> Mapping[str, EngineError]: ...

    def evaluate(self, query: Query, timeout: float) -> Outcome: ...

    def close(self) -> None: ...
