"""The second seed connection (wedsync_db/worlds/partition_loader.py): same rows and catalog as one, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

import wedsync_db.worlds.partition_loader as partition_loader
from tests.fixtures_tests.worlds import streamed_tiny
from wedsync_db.worlds.checksum import table_checksums
from wedsync_db.worlds.copy_loader import PYTHON, SECOND_CONNECTION, SEED_CONNECTION
from wedsync_db.worlds.foreign_keys import verify_foreign_keys
from wedsync_db.worlds.load import SeedError, seed_database
from wedsync_db.worlds.partition_loader import STAGE_PREFIX, PartitionLoader

# As of today, the world's months include the ones the migrations already made partitions for (last month and
# this one): the second connection's months must replace those.
TODAY = datetime.now(UTC).date()

# What a partition is, in the catalog, leaving out oids and the oid-derived names of foreign-key triggers.
PARTITIONS_CATALOG = """
select 'class', c.relname, concat_ws(' ', c.relkind, c.relowner::regrole, c.relacl, c.relrowsecurity,
    c.relforcerowsecurity, c.relpersistence, c.relispartition, pg_get_expr(c.relpartbound, c.oid), c.reloptions)
from pg_class c where c.relnamespace = 'partitions'::regnamespace
union all
select 'column', c.relname, concat_ws(' ', a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
    pg_get_expr(d.adbin, d.adrelid), a.attislocal, a.attinhcount)
from pg_attribute a join pg_class c on c.oid = a.attrelid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where c.relnamespace = 'partitions'::regnamespace and a.attnum > 0 and not a.attisdropped
union all
select 'constraint', k.conrelid::regclass::text, concat_ws(' ', k.conname, pg_get_constraintdef(k.oid),
    k.conparentid <> 0, k.convalidated, k.conislocal, k.coninhcount)
from pg_constraint k where k.connamespace = 'partitions'::regnamespace
union all
select 'index', indexname, indexdef from pg_indexes where schemaname = 'partitions'
union all
select 'trigger', t.tgrelid::regclass::text, concat_ws(' ', regexp_replace(t.tgname, '[0-9]+$', ''), t.tgenabled,
    t.tgparentid <> 0, t.tgfoid::regproc)
from pg_trigger t join pg_class c on c.oid = t.tgrelid where c.relnamespace = 'partitions'::regnamespace
order by 1, 2, 3
"""


def stage_schemas(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute("select nspname from pg_namespace where starts_with(nspname, %s)",
                                       (STAGE_PREFIX,))]


def snapshot(url: str) -> tuple[dict, list, list]:
    """(table checksums, partitions catalog, stage schemas) of a database."""
    with psycopg.connect(url) as conn:
        return table_checksums(conn), conn.execute(PARTITIONS_CATALOG).fetchall(), stage_schemas(conn)


def test_parallel_seed_gives_the_same_rows_and_partitions_as_one_connection(fresh_db):
    """Rows, partitions (owner, RLS, grants, constraints, indexes, triggers) equal; no stage schema left over."""
    one, two = fresh_db(), fresh_db()
    seed_database(one, streamed_tiny(as_of=TODAY), progress=False, parallel=False)
    summary = seed_database(two, streamed_tiny(as_of=TODAY), progress=False, parallel=True)
    assert any(s.runs_on == SECOND_CONNECTION for s in summary.steps)  # the parallel path did run
    rows_one, catalog_one, stages_one = snapshot(one)
    rows_two, catalog_two, stages_two = snapshot(two)
    assert rows_two == rows_one
    assert catalog_two == catalog_one
    assert stages_one == stages_two == []
    with psycopg.connect(two) as conn:
        assert verify_foreign_keys(conn) == {}
        assert conn.execute("select count(*) from public.activities").fetchone()[0] > 0
        assert conn.execute("select count(*) from partitions.activities_default").fetchone()[0] == 0


def test_a_parallel_seed_says_who_did_each_step_and_the_seed_connections_steps_never_overlap(fresh_db):
    """The summary's "on" column: a mislabelled step would show as the seed connection doing two things at once."""
    summary = seed_database(fresh_db(), streamed_tiny(as_of=TODAY), progress=False, parallel=True)
    on = {s.table: s.runs_on for s in summary.steps}
    assert {t for t, who in on.items() if who == SECOND_CONNECTION} == {
        "(partitions: 2nd connection prepared)", "(partitions: parent keys, 2nd connection)",
        "activities (2nd connection)", "analytics_events (2nd connection)", "(partitions: indexes, 2nd connection)"}
    spooled = {t for t, who in on.items() if who == PYTHON}
    assert spooled and all(t.endswith("(python spooling)") for t in spooled)
    assert on["(partitions: attach 2nd connection's months)"] == SEED_CONNECTION
    # One connection does one thing at a time: its busy time is the plain sum of its steps, within the seed.
    seed_steps = sum(s.seconds for s in summary.steps if s.runs_on == SEED_CONNECTION)
    assert summary.busy_seconds() == pytest.approx(seed_steps, abs=1e-6)
    assert 0 < summary.busy_seconds() <= summary.seconds
    caption = str(summary.render().caption)
    assert caption.startswith("busy: ") and "seed connection" in caption and "2nd connection" in caption


def test_a_seed_failing_after_the_attach_leaves_the_database_as_it_was(db_url, monkeypatch):
    """The attached months roll back with the seed; the stage schema they went back to is dropped."""
    url = db_url
    before = snapshot(url)
    attach = PartitionLoader.attach

    def attach_then_fail(self: PartitionLoader, conn: psycopg.Connection) -> None:
        attach(self, conn)
        conn.execute("select 1 / 0")

    monkeypatch.setattr(PartitionLoader, "attach", attach_then_fail)
    with pytest.raises(SeedError, match="division by zero"):
        seed_database(url, streamed_tiny(as_of=TODAY), progress=False)
    assert snapshot(url) == before


def test_a_failing_second_connection_fails_the_seed_and_leaves_nothing(db_url, monkeypatch):
    """An error on the second connection reaches the caller; neither connection leaves anything behind."""
    url = db_url
    before = snapshot(url)

    def broken_generate(conn: psycopg.Connection, *args: object, **kwargs: object) -> int:
        conn.execute("insert into public.no_such_table values (1)")
        return 0

    monkeypatch.setattr(partition_loader, "generate", broken_generate)
    with pytest.raises(SeedError, match="no_such_table"):
        seed_database(url, streamed_tiny(as_of=TODAY), progress=False)
    assert snapshot(url) == before


def test_an_abandoned_stage_schema_is_dropped_by_the_next_seed(db_url, monkeypatch):
    """A seed killed between the two commits leaves its stage schema; the next seed removes it.

    Its months reference public tables, so dropping them needs locks the seed's own transaction would hold:
    the drop must come before that transaction (a lock timeout turns the self-deadlock into a failure here).
    """
    url = db_url
    abandoned = f"{STAGE_PREFIX}999999999"  # no backend has this pid
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"create schema {abandoned}")
        conn.execute(f"create table {abandoned}.activities_y2025m01 (id uuid, supplier_id uuid "
                     "references public.suppliers (id))")
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=5s")
    seed_database(url, streamed_tiny(as_of=TODAY), progress=False)
    with psycopg.connect(url) as conn:
        assert stage_schemas(conn) == []


def test_a_refused_second_connection_falls_back_to_one(db_url, monkeypatch):
    """A server that refuses the second connection (its connection limit) still gets the whole seed, on one."""
    url = db_url

    def refuse(self: PartitionLoader) -> None:
        raise psycopg.OperationalError("sorry, too many clients already")

    monkeypatch.setattr(PartitionLoader, "connect", refuse)
    summary = seed_database(url, streamed_tiny(as_of=TODAY), progress=False)
    assert not any(s.runs_on == SECOND_CONNECTION for s in summary.steps)
    with psycopg.connect(url) as conn:
        assert conn.execute("select count(*) from public.activities").fetchone()[0] > 0
        assert stage_schemas(conn) == []
