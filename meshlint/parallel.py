"""Run a piece of the pipeline in a forked child while the parent does the rest.

A fork shares the loaded documents and the built mesh with the child for free (copy on
write), so nothing large is serialised: only the child's result (findings) comes back
through a pipe. Used where the measurements say it pays: large inputs on Linux with more
than one core (DESIGN.md "Loading fast"; README benchmark). Everywhere else the work runs
in-process, with identical results.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Below this many resources a fork (tens of milliseconds on a large heap) costs more than
# the second core saves.
MIN_RESOURCES = 2_000
MAX_WORKERS = 2  # the parent and one forked child


@dataclass(frozen=True, slots=True)
class ChildError:
    """An exception raised in the child, carried back as plain values."""

    kind: str
    message: str
    code: str | None  # the rule code, for a crashing rule
    trace: str


class ForkFailedError(Exception):
    """The child died without a result (killed, out of memory) or raised."""

    def __init__(self, error: ChildError) -> None:
        super().__init__(f"{error.kind}: {error.message}")
        self.error = error


def workers(resources: int, requested: int | None = None) -> int:
    """How many processes to use (the pipeline forks at most one child, so 1 or 2):
    ``requested`` (``--jobs``) when given, else 2 for a large input on a Linux machine with
    several cores, else 1."""
    if requested is not None:
        return min(max(1, requested), MAX_WORKERS) if can_fork() else 1
    if resources < MIN_RESOURCES or not can_fork():
        return 1
    return MAX_WORKERS if (os.cpu_count() or 1) > 1 else 1


def can_fork() -> bool:
    """Fork only where it is safe and cheap: Linux (macOS forbids fork after some libraries
    start threads, Windows has no fork)."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


class Forked(Generic[T]):
    """``work()`` running in a forked child; ``result()`` waits for its value."""

    def __init__(self, work: Callable[[], T]) -> None:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        self._receiver = receiver
        self._process = context.Process(target=_run_child, args=(work, sender), daemon=True)
        self._process.start()
        sender.close()

    def result(self) -> T:
        """The child's return value; ``ForkFailedError`` when it raised or died."""
        try:
            status, payload = self._receiver.recv()
        except EOFError:
            self._process.join()
            code = self._process.exitcode
            raise ForkFailedError(
                ChildError("ChildExited", f"exit code {code} without a result", None, "")
            ) from None
        finally:
            self._receiver.close()
        self._process.join()
        if status == "ok":
            return payload  # type: ignore[no-any-return]
        raise ForkFailedError(payload)

    def cancel(self) -> None:
        """Stop the child (the parent failed and will not read its result)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiver.close()


def _run_child(work: Callable[[], Any], sender: Connection) -> None:
    try:
        sender.send(("ok", work()))
    except BaseException as exc:  # every failure goes back to the parent
        code = getattr(exc, "code", None)
        error = ChildError(
            type(exc).__name__,
            str(exc),
            code if isinstance(code, str) else None,
            "".join(traceback.format_exception(exc)),
        )
        sender.send(("error", error))
    finally:
        sender.close()


class Counter:
    """A counter shared with forked children: each ``take()`` returns the next index once,
    across every process (how parent and child share out a list of tasks)."""

    def __init__(self) -> None:
        self._value = multiprocessing.get_context("fork").Value("l", 0)

    def take(self) -> int:
        with self._value.get_lock():
            index = int(self._value.value)
            self._value.value = index + 1
        return index
