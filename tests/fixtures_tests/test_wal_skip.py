"""Seeding at wal_level = minimal (wedsync_db/worlds/wal_skip.py): same rows, the catalog's trail kept, less WAL."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from rich.console import Console

from tests.fixtures_tests.bulk import BulkServer, MeasuredSeed, seed_measuring_wal
from tests.fixtures_tests.test_partition_loader import PARTITIONS_CATALOG
from tests.fixtures_tests.worlds import AS_OF, streamed_tiny
from wedsync_db.worlds import wal_skip
from wedsync_db.worlds.checksum import table_checksums
from wedsync_db.worlds.load import seed_database
from wedsync_db.worlds.world import build_world

pytestmark = pytest.mark.slow

CATALOG_TRAIL = """
select id, transaction_id, created_at, action, row_id
from public.audit_log where table_name in ('core_field_groups', 'core_fields') order by id
"""
GROUP_IDS = "select id from public.core_field_groups"


@dataclass
class CiSeed:
    """The ci World seeded on the bulk-load server, with what was measured around it."""

    url: str
    measured: MeasuredSeed
    trail_before: list[tuple[Any, ...]]


@pytest.fixture(scope="module")
def ci_seed(bulk_server: BulkServer, seeded_worlds) -> CiSeed:
    url = bulk_server.fresh_db()
    with psycopg.connect(url, autocommit=True) as conn:
        # The migrations leave audit_log empty; an edit of the catalog leaves it a trail the seed must keep.
        conn.execute("update public.core_field_groups set id = id")
        trail_before = conn.execute(CATALOG_TRAIL).fetchall()
    return CiSeed(url, seed_measuring_wal(url, seeded_worlds("ci")), trail_before)


def test_a_ci_seed_at_wal_level_minimal_writes_less_wal_than_a_third_of_what_it_loads(ci_seed):
    """Without the truncation the ci seed writes more WAL than the data it adds (~180 MB for ~130 MB)."""
    measured = ci_seed.measured
    assert measured.wal_bytes < measured.growth_bytes / 3, (measured.wal_bytes, measured.growth_bytes)


def test_a_seed_into_new_storage_loads_the_same_rows_as_a_wal_logged_one(ci_seed, seeded_db_url):
    logged = seeded_db_url("ci")  # the same World, seeded on the session's server (wal_level = logical)
    with psycopg.connect(ci_seed.url) as skipped_conn, psycopg.connect(logged) as logged_conn:
        assert table_checksums(skipped_conn) == table_checksums(logged_conn)


def test_the_catalogs_audit_trail_survives_the_truncation_unchanged(ci_seed):
    """Same audit row ids, transactions and times; their row ids follow the catalog's deterministic ids."""
    with psycopg.connect(ci_seed.url) as conn:
        after = conn.execute(CATALOG_TRAIL).fetchall()
        group_ids = {r[0] for r in conn.execute(GROUP_IDS)}
    assert ci_seed.trail_before and [r[:4] for r in after] == [r[:4] for r in ci_seed.trail_before]
    assert {r[4] for r in after} == group_ids  # the trail is of the groups (the edit above)


def test_a_small_world_keeps_its_storage_and_its_wal(bulk_server):
    """tiny is under wal_skip.MIN_ROWS: truncating would cost more WAL than it saves."""
    url = bulk_server.fresh_db()
    before = _storage(url)
    seed_database(url, build_world("tiny", as_of=AS_OF), progress=False)
    assert _storage(url) == before


def test_the_second_connections_months_are_filled_into_new_storage(bulk_server, fresh_db, monkeypatch):
    """A streamed world with the size rule lowered: rows and partitions as on a logged server, months truncated."""
    monkeypatch.setattr(wal_skip, "MIN_ROWS", 0)
    skipped, logged = bulk_server.fresh_db(), fresh_db()
    seed_database(skipped, streamed_tiny(), progress=False, parallel=True)
    seed_database(logged, streamed_tiny(), progress=False, parallel=True)
    with psycopg.connect(skipped) as skipped_conn, psycopg.connect(logged) as logged_conn:
        assert table_checksums(skipped_conn) == table_checksums(logged_conn)
        assert skipped_conn.execute(PARTITIONS_CATALOG).fetchall() == logged_conn.execute(PARTITIONS_CATALOG).fetchall()
        # A table made by CREATE keeps relfilenode = oid; TRUNCATE gives it a new one (new storage).
        months = skipped_conn.execute("""
            select c.relname, c.relfilenode <> c.oid from pg_class c
            where c.relnamespace = 'partitions'::regnamespace and c.relkind = 'r'
                and exists (select 1 from public.activities a where a.tableoid = c.oid)""").fetchall()
        big = skipped_conn.execute("select relname, relfilenode <> oid from pg_class "
                                   "where oid in ('public.audit_log'::regclass, 'public.core_field_values'::regclass)"
                                   ).fetchall()
    assert months and all(new for _, new in months), months
    assert big and all(new for _, new in big), big


def _storage(url: str) -> list[tuple[str, int]]:
    """(table, relfilenode) of every table in public: changes when a table gets new storage."""
    with psycopg.connect(url) as conn:
        return conn.execute("select relname, relfilenode::int from pg_class "
                            "where relnamespace = 'public'::regnamespace and relkind = 'r' order by 1").fetchall()


def test_a_streamed_seed_on_a_logged_server_says_what_wal_level_minimal_would_save(fresh_db, bulk_server):
    """large and xl print a note naming the server's wal_level; not at minimal, where there is nothing to save."""
    logged = fresh_db()
    with psycopg.connect(logged) as conn:
        level = wal_skip.wal_level(conn)
    if level == "minimal":
        pytest.skip("the session's server runs wal_level = minimal: no logged server to compare with")
    for url, expected in ((logged, f"note: wal_level is {level}"), (bulk_server.fresh_db(), None)):
        out = io.StringIO()
        seed_database(url, streamed_tiny(), progress=False, console=Console(file=out, width=200))
        assert (expected in out.getvalue()) if expected else ("wal_level" not in out.getvalue()), out.getvalue()
