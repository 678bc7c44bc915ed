"""The clone pool: fresh clones ready before a test asks, used clones dropped off the test's clock."""

from __future__ import annotations

import time

import psycopg
import pytest

from wedsync_db.clone_pool import ClonePool
from wedsync_db.janitor import Janitor


def _exists(janitor: Janitor, name: str) -> bool:
    with psycopg.connect(janitor.server.url(), autocommit=True) as conn:
        return conn.execute("select exists (select 1 from pg_database where datname = %s)",
                            (name,)).fetchone() == (True,)


@pytest.mark.exclusive  # measures time: alone under pytest-xdist (tests/conftest.py)
def test_a_ready_clone_is_handed_out_without_waiting_for_create_database(janitor: Janitor, template_db: str) -> None:
    """Once the worker has made a clone, acquire() returns it in well under CREATE DATABASE's cost."""
    pool = ClonePool(janitor, template_db)
    try:
        first = pool.acquire()
        pool.wait_until_ready()  # let the worker refill
        started = time.perf_counter()
        second = pool.acquire()
        waited = time.perf_counter() - started
        assert waited < 0.030, f"acquire waited {waited * 1000:.1f} ms with a clone ready"
        with psycopg.connect(janitor.server.url(second)) as conn:
            assert conn.execute("select count(*) from wedsync_meta.schema_migrations").fetchone()[0] > 0
        pool.release(first)
        pool.release(second)
    finally:
        pool.close()
    assert not _exists(janitor, first) and not _exists(janitor, second), "used clones are dropped"


def test_closing_the_pool_drops_the_clones_nobody_used(janitor: Janitor, template_db: str) -> None:
    """A clone made ahead of time but never used does not outlive the pool."""
    pool = ClonePool(janitor, template_db, purpose="unused")
    made = pool.wait_until_ready()
    assert made and all(_exists(janitor, name) for name in made)
    pool.close()
    assert not any(_exists(janitor, name) for name in made)
