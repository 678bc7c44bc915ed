"""Test-wide settings: Hypothesis profiles, a fixed anchor date for seeded worlds, and nightly-only tests."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.internal.conjecture import engine

from wedsync_db.config import Settings

# Database tests are slower than Hypothesis expects, and function-scoped fixtures run once for all
# examples by design here (each example isolates itself with a savepoint), so those checks are noise.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]

settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=_SUPPRESSED, print_blob=True,
)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=_SUPPRESSED, derandomize=True,
    print_blob=True, database=None,
)
settings.register_profile(
    "nightly", max_examples=5000, deadline=None, suppress_health_check=_SUPPRESSED, print_blob=True,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

_default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))

# Every shrink step of a database test is a round trip; unbounded, a weakened policy kept the RLS suite shrinking
# for minutes. Outside the nightly profile, shrinking stops after SHRINK_SECONDS (Hypothesis's own limit, 300 s,
# is an engine constant; the first failing example is announced at once by the ``announce_failure`` fixture).
SHRINK_SECONDS = 20
if os.environ.get("HYPOTHESIS_PROFILE", _default) != "nightly":
    engine.MAX_SHRINKING_SECONDS = SHRINK_SECONDS

# Seeded worlds are anchored on a date; a fixed one makes every run, on any day, load the same data, so
# a failing seed or Hypothesis example replays exactly. Override with WEDSYNC_SEED_AS_OF=YYYY-MM-DD.
FIXED_SEED_AS_OF = "2025-06-14"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("WEDSYNC_SEED_AS_OF", FIXED_SEED_AS_OF)


@pytest.fixture(scope="session")
def wedsync_settings() -> Settings:
    """The harness settings from the environment; a nightly run keeps its server on disk (it loads ~7 GB)."""
    if os.environ.get("WEDSYNC_NIGHTLY") == "1":
        return Settings.from_env(in_memory=False)
    return Settings.from_env()


PERF_DIR = Path(__file__).resolve().parent / "perf"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests/perf exclusive and one xdist group (they time queries on one seeded world); skip tests marked
    nightly unless WEDSYNC_NIGHTLY=1."""
    for item in items:
        if PERF_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.exclusive)
            item.add_marker(pytest.mark.xdist_group("perf"))
    if os.environ.get("WEDSYNC_NIGHTLY") == "1":
        return
    skip = pytest.mark.skip(reason="nightly: set WEDSYNC_NIGHTLY=1 to run it (large profile or long run)")
    for item in items:
        if "nightly" in item.keywords:
            item.add_marker(skip)


# -- pytest-xdist: a test that measures time runs alone ---------------------------------------------------------
# Each worker runs its own server (the session fixtures are per worker). On a 2-core machine a second worker halves
# the throughput and doubles the latency a timing test sees, so a test marked ``exclusive`` waits until the other
# workers finish their current test, and they wait for it. Two flock()ed files make a fair readers-writer lock across
# the workers' processes: every test passes the turnstile, then holds the room shared (exclusive: holds the turnstile
# while it waits for the room, so no new test slips in ahead of it).
_locks: tuple[IO[bytes], IO[bytes]] | None = None


def _xdist_locks() -> tuple[IO[bytes], IO[bytes]] | None:
    global _locks
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None or os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") == "1":
        return None
    if _locks is None:
        base = Path(tempfile.gettempdir()) / f"wedsync-xdist-{run}"
        _locks = (open(f"{base}.turnstile", "ab"), open(f"{base}.room", "ab"))  # held open all session
    return _locks


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    locks = _xdist_locks()
    if locks is None:
        return (yield)
    turnstile, room = locks
    exclusive = item.get_closest_marker("exclusive") is not None
    fcntl.flock(turnstile, fcntl.LOCK_EX)
    fcntl.flock(room, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
    if not exclusive:
        fcntl.flock(turnstile, fcntl.LOCK_UN)
    try:
        return (yield)
    finally:
        fcntl.flock(room, fcntl.LOCK_UN)
        if exclusive:
            fcntl.flock(turnstile, fcntl.LOCK_UN)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _locks is not None:
        for handle in _locks:
            Path(handle.name).unlink(missing_ok=True)
            handle.close()
