"""Run the embedded engine in a child process, so crashes and runaway policies are contained.

One long-lived worker per run: the modules, inputs and data are sent once; each query is one
request answered within its time limit, or the worker is killed and a fresh one takes over.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any

from meshlint.policy.data import dumps
from meshlint.policy.engine import EngineError, Module, Outcome, PolicyEngine, Query

_GRACE = 2.0  # seconds on top of a request's own limit before the worker is presumed stuck
_LOAD_TIMEOUT = 300.0


class WorkerEngine:
    """A PolicyEngine that forwards to an in-process engine living in a child process."""

    def __init__(self, factory: str = "meshlint.policy.regorus_engine:RegorusEngine") -> None:
        self.name = f"worker({factory.rpartition(':')[2]})"
        self._factory = factory
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self._payload: tuple[Any, ...] | None = None

    def load(
        self,
        modules: Sequence[Module],
        inputs: Sequence[Mapping[str, Any]],
        data: Mapping[str, Any],
    ) -> Mapping[str, EngineError]:
        # serialized here, so the worker receives a string instead of an object graph; the
        # inputs are the resources inside the data, so only their kinds (their order) travel
        kinds = [str(document.get("kind", "")) for document in inputs]
        self._payload = (
            "load",
            list(modules),
            kinds,
            dumps(data),
        )
        reply = self._start()
        if isinstance(reply, EngineError):
            return {module.path: reply for module in modules}
        errors: Mapping[str, EngineError] = reply
        return errors

    def evaluate(self, query: Query, timeout: float) -> Outcome:
        if self._process is None:
            restarted = self._start()
            if isinstance(restarted, EngineError):
                return Outcome(error=restarted)
        reply = self._request(("eval", query, timeout), timeout + _GRACE)
        if isinstance(reply, EngineError):
            return Outcome(error=reply)
        outcome: Outcome = reply
        return outcome

    def close(self) -> None:
        if self._process is not None and self._send is not None:
            with contextlib.suppress(OSError):
                self._send.send(("close",))
        self._stop()

    def _start(self) -> Any:
        self._stop()
        env = dict(os.environ, RUST_BACKTRACE="0")
        command = [sys.executable, "-m", "meshlint.policy", self._factory]
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._send = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._recv = Connection(os.dup(self._process.stdout.fileno()), writable=False)
        self._process.stdin.close()
        self._process.stdout.close()
        return self._request(self._payload, _LOAD_TIMEOUT)

    def _request(self, message: Any, timeout: float) -> Any:
        assert self._send is not None and self._recv is not None
        try:
            self._send.send(message)
            if self._recv.poll(timeout):
                return self._recv.recv()
        except (EOFError, OSError):
            return self._died()
        self._stop()
        return EngineError(f"timed out after {timeout - _GRACE:g}s")

    def _died(self) -> EngineError:
        code = self._process.wait(timeout=5) if self._process is not None else None
        self._stop()
        return EngineError(f"the policy engine crashed (worker exit code {code})")

    def _stop(self) -> None:
        for connection in (self._send, self._recv):
            if connection is not None:
                connection.close()
        self._send = self._recv = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            self._process = None


def serve(receive: Connection, send: Connection, engine: PolicyEngine) -> None:
    """Answer load/eval requests until told to close or the parent goes away."""
    while True:
        try:
            message = receive.recv()
        except EOFError:
            return
        if message[0] == "load":
            send.send(_load(engine, message[1], message[2], message[3]))
        elif message[0] == "eval":
            send.send(engine.evaluate(message[1], message[2]))
        else:
            return


def _load(
    engine: PolicyEngine, modules: list[Module], kinds: list[str], data_json: str
) -> dict[str, EngineError]:
    load_json = getattr(engine, "load_json", None)
    if load_json is not None:
        errors: dict[str, EngineError] = load_json(modules, kinds, data_json)
        return errors
    inputs = [{"kind": kind} for kind in kinds]  # engines without load_json get the kinds only
    return dict(engine.load(modules, inputs, json.loads(data_json)))
