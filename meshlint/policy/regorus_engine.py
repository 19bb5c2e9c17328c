"""The embedded engine: regorus (Rust) in this process; the only importer of ``regorus``.

It runs in whatever process creates it. The runner normally puts it behind ``WorkerEngine``
(worker.py), so a crash or a runaway policy costs a worker, never the lint run.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from meshlint.policy.data import dumps, positions
from meshlint.policy.engine import EngineError, Hit, Module, Outcome, Query

_RESOURCES = "data.meshlint.resources"
# regorus errors read "--> path:line:col" followed by a caret diagram and "error: message"
_LOCATION = re.compile(r"-->\s*(?P<path>.+?):(?P<line>\d+):\d+")
_MESSAGE = re.compile(r"^error:\s*(?P<message>.+)$", re.MULTILINE)


def engine_error(text: str, default_path: str | None = None) -> EngineError:
    """An EngineError from a regorus exception text (backtraces dropped)."""
    text = text.split("Stack backtrace:", 1)[0].strip()
    location = _LOCATION.search(text)
    message = _MESSAGE.search(text)
    summary = message.group("message").strip() if message else (text.splitlines() or ["error"])[-1]
    if location is None:
        return EngineError(summary, default_path)
    return EngineError(summary, location.group("path"), int(location.group("line")))


def members(value: Any) -> Iterator[Any]:
    """The results a conftest rule produced: the items of a set (a JSON list), else the value."""
    if isinstance(value, list):
        yield from value
    elif value is not None and value is not False:
        yield value


def wrapper(package: str, query: Query) -> str:
    """Rego that evaluates ``query`` once per resource of ``data.meshlint``, as ``input``.

    Each input is a resource entry without the ``file`` and ``line`` meshlint added. ``with
    input as`` replaces the whole input for the evaluation of the rule, so the results are those
    of separate per-resource queries; only the compile and the call overhead are shared.
    """
    if query.kinds:
        source = (
            f"some kind in {json.dumps(sorted(query.kinds))}\n\tsome j, entry in {_RESOURCES}[kind]"
        )
    else:
        source = f"some kind, entries in {_RESOURCES}\n\tsome j, entry in entries"
    rules = "".join(
        f'results contains [kind, j, "{rule}", value] if {{\n'
        f"\t{source}\n"
        f'\tdoc := object.remove(entry, {{"file", "line"}})\n'
        f"\tvalue := data.{query.package}.{rule} with input as doc\n"
        "}\n\n"
        for rule in query.rules
    )
    return f"package {package}\n\nimport rego.v1\n\n{rules}"


def hits_from_rows(rows: Sequence[Any], table: Mapping[str, Sequence[int]]) -> tuple[Hit, ...]:
    """Hits from wrapper rows ``[kind, position, rule, value]``, in input order."""
    hits = [
        Hit(table[kind][position], rule, item)
        for kind, position, rule, value in rows
        for item in members(value)
    ]
    return tuple(sorted(hits, key=lambda hit: (hit.index, hit.rule)))


class RegorusEngine:
    """Compile once, then evaluate each query over the inputs of the kinds it reads.

    ``batched`` (the default) answers a query with one evaluation of a generated wrapper over
    every input; otherwise each (query, input) pair is its own evaluation, which is slower but
    checks the time limit between inputs.
    """

    name = "regorus"

    def __init__(self, *, batched: bool = True) -> None:
        self._batched = batched
        self._engine: Any = None
        self._inputs: list[str] = []
        self._kinds: list[str] = []
        self._queries = 0
        self._positions: dict[str, list[int]] = {}

    def load(
        self,
        modules: Sequence[Module],
        inputs: Sequence[Mapping[str, Any]],
        data: Mapping[str, Any],
    ) -> dict[str, EngineError]:
        kinds = [str(document.get("kind", "")) for document in inputs]
        return self.load_json(modules, kinds, dumps(data))

    def load_json(
        self, modules: Sequence[Module], kinds: Sequence[str], data_json: str
    ) -> dict[str, EngineError]:
        """``load`` with the data already serialized; ``kinds`` is the kind of each input."""
        import regorus  # type: ignore[import-untyped]

        engine = regorus.Engine()
        engine.set_gather_prints(True)  # Rego print() must not write to the terminal
        engine.add_data_json(data_json)
        errors: dict[str, EngineError] = {}
        for module in modules:
            try:
                engine.add_policy(module.path, module.source)
            except (RuntimeError, ValueError) as error:
                errors[module.path] = engine_error(str(error), module.path)
        self._engine = engine
        self._positions = positions(kinds)
        if not self._batched:
            self._kinds = list(kinds)
            self._inputs = _input_texts(json.loads(data_json), self._positions, len(kinds))
        return errors

    def evaluate(self, query: Query, timeout: float) -> Outcome:
        if self._batched:
            return self._evaluate_batch(query)
        deadline = time.monotonic() + timeout
        hits: list[Hit] = []
        wanted = frozenset(query.kinds)
        for index, kind in enumerate(self._kinds):
            if wanted and kind not in wanted:
                continue
            error = self._evaluate_one(query, index, hits)
            if error is not None:
                return Outcome(error=error)
            if time.monotonic() > deadline:
                return Outcome(error=EngineError(f"timed out after {timeout:g}s"))
        return Outcome(tuple(hits))

    def _evaluate_batch(self, query: Query) -> Outcome:
        self._queries += 1
        package = f"meshlint_query.q{self._queries}"
        try:
            self._engine.add_policy(f"<{package}>", wrapper(package, query))
            raw = self._engine.eval_rule_as_json(f"data.{package}.results")
        except (RuntimeError, ValueError) as error:
            return Outcome(error=engine_error(str(error)))
        return Outcome(hits_from_rows(json.loads(raw), self._positions))

    def _evaluate_one(self, query: Query, index: int, hits: list[Hit]) -> EngineError | None:
        self._engine.set_input_json(self._inputs[index])
        for rule in query.rules:
            try:
                raw = self._engine.eval_rule_as_json(f"data.{query.package}.{rule}")
            except (RuntimeError, ValueError) as error:
                return engine_error(str(error))
            hits.extend(Hit(index, rule, value) for value in members(json.loads(raw)))
        return None

    def close(self) -> None:
        self._engine = None


def _input_texts(
    data: Mapping[str, Any], table: Mapping[str, Sequence[int]], count: int
) -> list[str]:
    """The JSON text of each input (a resource entry without file and line), in input order."""
    texts = [""] * count
    for kind, entries in data["meshlint"]["resources"].items():
        for position, entry in enumerate(entries):
            document = {k: v for k, v in entry.items() if k not in ("file", "line")}
            texts[table[kind][position]] = json.dumps(document)
    return texts
