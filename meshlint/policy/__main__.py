"""The policy worker process: ``python -m meshlint.policy ENGINE`` serves one WorkerEngine."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

from meshlint.policy.engine import PolicyEngine
from meshlint.policy.worker import serve


def _factory(spec: str) -> Callable[[], PolicyEngine]:
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    factory: Callable[[], PolicyEngine] = getattr(module, attribute)
    return factory


def main(argv: Sequence[str]) -> int:
    """Worker entry point: requests on stdin, replies on the original stdout."""
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # anything the engine prints goes to stderr, never into the reply stream
    gc.disable()  # a short-lived process whose garbage is acyclic: collections only cost time
    serve(receive, send, _factory(argv[0])())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
