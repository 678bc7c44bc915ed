"""RLS fixtures (shared by tests/rls and tests/quality): a database seeded with the sample world, and its oracle.

Each test gets one connection inside a transaction; examples isolate themselves with savepoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.pytest_plugin import rolled_back_connection
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.sample_world import load_sample_world
from wedsync_db.rls.world import World, snapshot


@pytest.fixture(scope="session")
def rls_template(janitor: Janitor, template_db: str) -> str:
    """A template database: the migrated schema plus the sample world, built once per session."""
    name = janitor.create(unique_name("rlstpl"), template=template_db)
    with psycopg.connect(janitor.server.url(name), autocommit=True) as conn:
        load_sample_world(conn)
    janitor.mark_template(name)
    return name


@pytest.fixture(scope="session")
def rls_db_url(janitor: Janitor, rls_template: str) -> str:
    """One clone of the seeded template shared by the session's RLS property tests (they never commit)."""
    return janitor.server.url(janitor.create(unique_name("rls"), template=rls_template))


@pytest.fixture(scope="session")
def rls_world(rls_db_url: str) -> World:
    """The world as stored (every row, trigger-made ones included), read as the superuser."""
    with psycopg.connect(rls_db_url) as conn:
        return World.from_tables(snapshot(conn))


@pytest.fixture(scope="session")
def oracle(rls_world: World) -> Oracle:
    return Oracle(rls_world)


@pytest.fixture
def rls_conn(rls_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the seeded database inside a transaction that is rolled back after the test."""
    with rolled_back_connection(rls_db_url) as conn:
        yield conn


@pytest.fixture
def fresh_rls_db_url(janitor: Janitor, rls_template: str) -> Iterator[str]:
    """A private clone of the seeded template for tests that commit (observer checks)."""
    name = janitor.create(unique_name("rlsw"), template=rls_template)
    try:
        yield janitor.server.url(name)
    finally:
        janitor.drop(name)


@pytest.fixture
def announce_failure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Write a test's first failing example to the terminal at once, before Hypothesis shrinks it.

    pytest shows captured output only when the test ends; shrinking through database round trips takes a while.
    """
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    said: list[str] = []

    def announce(text: str) -> None:
        if said:
            return
        said.append(text)
        if reporter is not None:
            reporter.write_line(f"\n{request.node.nodeid}: first failing example (shrinking follows):\n{text}")

    return announce


RLS_ATTEMPTS = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def rls_counter(request: pytest.FixtureRequest) -> Iterator[list[int]]:
    """Attempts judged by the property tests in this session; the total is printed when the session ends."""
    counter = [0]
    yield counter
    request.config.stash[RLS_ATTEMPTS] = counter[0]  # printed by tests/rls/conftest.py's terminal summary


# The seeded tiny world (wedsync_db.worlds.world, seed 42, as_of fixed by tests/conftest.py): what the property tests
# and the sweep run on. The oracle reads it back from the database as stored (trigger-made rows included); the
# hand-built sample world above stays the oracle's unit-test world (tests/rls/test_oracle.py, reproducers, pgTAP).
@pytest.fixture(scope="session")
def tiny_oracle(tiny_db_url: str) -> Oracle:
    """The oracle over the tiny world as stored in ``tiny_db_url``, read as the superuser."""
    with psycopg.connect(tiny_db_url) as conn:
        return Oracle(World.from_tables(snapshot(conn)))


@pytest.fixture
def tiny_conn(tiny_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the shared tiny clone inside a transaction that is rolled back after the test."""
    with rolled_back_connection(tiny_db_url) as conn:
        yield conn


@pytest.fixture(scope="session")
def tiny_fingerprints(tiny_db_url: str, tiny_oracle: Oracle) -> dict[tuple[str, str], str]:
    """md5 of every row of the tiny clone: a refused write must leave its target's fingerprint unchanged."""
    from wedsync_db.rls.attempts import fingerprints_of

    with psycopg.connect(tiny_db_url) as conn:
        return fingerprints_of(conn, tiny_oracle.matrix.tables)
