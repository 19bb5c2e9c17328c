"""The forked-child scheduling: same results as one process, failures surfaced, never lost."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from meshlint import parallel
from meshlint.config import Config
from meshlint.findings import Finding, Severity
from meshlint.lint import InternalError, lint
from meshlint.model.base import Kind
from meshlint.parallel import Counter, Forked, ForkFailedError, workers
from meshlint.rule import Rule, RuleContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "meshes"
needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="fork is used on Linux only")


def test_small_inputs_stay_in_one_process() -> None:
    assert workers(10) == 1
    assert workers(parallel.MIN_RESOURCES - 1) == 1


@needs_fork
def test_jobs_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert workers(10, 2) == 2
    assert workers(10, 8) == 2, "one forked child at most"
    assert workers(10**6, 1) == 1
    assert workers(10**6) == 2


def test_no_fork_outside_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.sys, "platform", "darwin")
    assert workers(10**6) == 1
    assert workers(10**6, 4) == 1


def test_one_core_means_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert workers(10**6) == 1


@needs_fork
def test_forked_returns_the_child_value() -> None:
    assert Forked(lambda: {"pid": os.getpid(), "v": [1, 2]}).result()["v"] == [1, 2]
    assert Forked(os.getpid).result() != os.getpid()


def _boom() -> int:
    raise ValueError("bad value")


@needs_fork
def test_forked_exception_comes_back_as_values() -> None:
    with pytest.raises(ForkFailedError) as caught:
        Forked(_boom).result()
    assert caught.value.error.kind == "ValueError"
    assert caught.value.error.message == "bad value"
    assert "_boom" in caught.value.error.trace


def _die() -> int:
    os._exit(9)


@needs_fork
def test_child_that_dies_is_reported() -> None:
    with pytest.raises(ForkFailedError) as caught:
        Forked(_die).result()
    assert caught.value.error.kind == "ChildExited"
    assert "exit code 9" in caught.value.error.message


def _take_all(counter: Counter, limit: int) -> list[int]:
    taken = []
    while (index := counter.take()) < limit:
        taken.append(index)
    return taken


@needs_fork
def test_counter_hands_out_each_index_once_across_processes() -> None:
    counter = Counter()
    child = Forked(lambda: _take_all(counter, 2000))
    mine = _take_all(counter, 2000)
    theirs = child.result()
    assert sorted(mine + theirs) == list(range(2000))
    assert not set(mine) & set(theirs)


@needs_fork
@pytest.mark.parametrize("mesh", ["broken", "bookinfo"])
def test_two_processes_give_the_serial_result(mesh: str) -> None:
    serial = lint([FIXTURES / mesh], Config(jobs=1))
    forked = lint([FIXTURES / mesh], Config(jobs=2))
    assert forked == serial
    assert serial.findings, "the comparison must cover real findings"


def _crash(ctx: RuleContext) -> Iterator[Finding]:
    raise ZeroDivisionError("division by zero")
    yield  # pragma: no cover - makes this a generator


CRASHING = Rule(
    code="MESH199",
    name="crashing-rule",
    summary="Crashes",
    message="never",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.SERVICE}),
    rationale="Test only.",
    remediation="None.",
    example_bad="",
    example_good="",
    since="0.1.0",
    check=_crash,
)


@needs_fork
def test_a_rule_crashing_in_the_child_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every rule but the crashing one is a graph rule, so the child runs MESH199 or the
    # parent does: either way the code must reach the caller
    monkeypatch.setattr("meshlint.schedule.ALL_RULES", (CRASHING,) * 3)
    with pytest.raises(InternalError) as caught:
        lint([FIXTURES / "bookinfo"], Config(jobs=2))
    assert caught.value.code == "MESH199"
