"""Shared pytest options and fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# Hypothesis profiles: ``ci`` (default; each fuzz test sets its own small example count) and
# ``campaign`` (HYPOTHESIS_PROFILE=campaign; benchmarks/fuzz_campaign.py): no deadline, long runs.
settings.register_profile("ci", print_blob=True)
settings.register_profile(
    "campaign",
    max_examples=10_000,
    deadline=None,
    database=None,  # each round of the campaign starts from its own seed
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite expected.txt files and reporter goldens from the current output.",
    )


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """``meshlint check`` caches by default: each test gets its own empty cache folder, and
    nothing is written to the user's (subprocesses inherit the variable)."""
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(tmp_path_factory.mktemp("meshlint-cache")))


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when goldens should be rewritten (a deliberate act; review the diff)."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def repo_root() -> Path:
    return ROOT
