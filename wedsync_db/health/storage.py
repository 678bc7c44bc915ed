"""Table sizes with growth between snapshots (kept in wedsync_meta.table_size_snapshots), and index usage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from wedsync_db.health.latency import TAG
from wedsync_db.health.model import IndexUsage, SeqScanTable, TableSize, Thresholds

SNAPSHOT_DDL = f"""{TAG}
create schema if not exists wedsync_meta;
revoke all on schema wedsync_meta from public;
create table if not exists wedsync_meta.table_size_snapshots (
    taken_at timestamptz not null,
    schema_name text not null,
    table_name text not null,
    total_bytes bigint not null,
    primary key (taken_at, schema_name, table_name)
);
comment on table wedsync_meta.table_size_snapshots is
    'Sizes recorded by wedsync-db health; growth is the difference to the previous snapshot.';
"""

_USER_SCHEMAS = "n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%%'"

_SIZES_SQL = f"""{TAG}
select n.nspname, c.relname, pg_catalog.pg_total_relation_size(c.oid)
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'm') and {_USER_SCHEMAS}
order by 3 desc, 1, 2
"""


def _previous_snapshot(conn: psycopg.Connection[Any]) -> tuple[datetime | None, dict[tuple[str, str], int]]:
    exists = conn.execute(f"{TAG} select to_regclass('wedsync_meta.table_size_snapshots') is not null").fetchone()
    if not exists or not exists[0]:
        return None, {}
    row = conn.execute(f"{TAG} select max(taken_at) from wedsync_meta.table_size_snapshots").fetchone()
    if row is None or row[0] is None:
        return None, {}
    rows = conn.execute(
        f"{TAG} select schema_name, table_name, total_bytes from wedsync_meta.table_size_snapshots where taken_at = %s",
        (row[0],),
    ).fetchall()
    return row[0], {(schema, table): int(size) for schema, table, size in rows}


def read_table_sizes(
    conn: psycopg.Connection[Any], *, taken_at: datetime, record: bool = True
) -> tuple[tuple[TableSize, ...], datetime | None, bool, str]:
    """Return (tables largest first, previous snapshot time, whether a snapshot was recorded, a note)."""
    previous_at, previous = _previous_snapshot(conn)
    current = [(str(s), str(t), int(b)) for s, t, b in conn.execute(_SIZES_SQL).fetchall()]
    tables = tuple(
        TableSize(s, t, b, previous.get((s, t)), None if (s, t) not in previous else b - previous[(s, t)])
        for s, t, b in current
    )
    recorded, note = False, ""
    if record:
        try:
            with conn.transaction():
                conn.execute(SNAPSHOT_DDL)
                with conn.cursor() as cur:
                    cur.executemany(
                        f"{TAG} insert into wedsync_meta.table_size_snapshots "
                        "(taken_at, schema_name, table_name, total_bytes) values (%s, %s, %s, %s)",
                        [(taken_at, s, t, b) for s, t, b in current],
                    )
            recorded = True
        except psycopg.Error as error:
            note = f"size snapshot not recorded ({error.diag.sqlstate}: {error.diag.message_primary}); growth needs one"
    return tables, previous_at, recorded, note


def read_index_usage(
    conn: psycopg.Connection[Any], thresholds: Thresholds
) -> tuple[tuple[IndexUsage, ...], tuple[IndexUsage, ...], tuple[SeqScanTable, ...]]:
    """Return (unused indexes, rarely used indexes, sequential-scan-heavy tables), biggest first."""
    rows = conn.execute(
        f"""{TAG}
        select s.schemaname, s.relname, s.indexrelname, s.idx_scan,
               pg_catalog.pg_relation_size(s.indexrelid), i.indisunique or i.indisprimary or i.indisexclusion
        from pg_catalog.pg_stat_user_indexes s join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
        where s.idx_scan < %s
        order by 5 desc, 1, 2, 3""",
        (thresholds.rare_index_scans,),
    ).fetchall()
    indexes = [IndexUsage(str(a), str(b), str(c), int(d), int(e), bool(f)) for a, b, c, d, e, f in rows]
    unused = tuple(i for i in indexes if i.scans == 0)
    rare = tuple(i for i in indexes if i.scans > 0)
    seq_rows = conn.execute(
        f"""{TAG}
        select schemaname, relname, seq_scan, coalesce(idx_scan, 0), n_live_tup, seq_tup_read
        from pg_catalog.pg_stat_user_tables
        where n_live_tup >= %s and seq_scan > coalesce(idx_scan, 0)
        order by seq_tup_read desc, 1, 2""",
        (thresholds.seq_scan_min_rows,),
    ).fetchall()
    heavy = tuple(SeqScanTable(str(a), str(b), int(c), int(d), int(e), int(f)) for a, b, c, d, e, f in seq_rows)
    return unused, rare, heavy
