"""Key and index lints: unindexed foreign keys, duplicate indexes, tables without a primary key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from wedsync_db.lints.registry import _IN_SCOPE, PERFORMANCE, WARN, Problem, Scope, _lint, _q, _rows


# -- performance -------------------------------------------------------------------------------------------
@_lint("unindexed_foreign_key", PERFORMANCE, WARN, "Foreign key without a covering index")
def unindexed_foreign_key(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A foreign key (declared on a table or partitioned parent) with no valid, non-partial btree index whose
    leading key columns are exactly its columns, in any order (splinter 0001 is order-sensitive; for equality
    lookups the order does not matter). Deletes and key updates on the referenced table then scan the whole
    referencing table under lock. WARN (our rule: every foreign key gets an index)."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, con.conname as constraint,
               array(select a.attname::text from pg_catalog.unnest(con.conkey) with ordinality k(attnum, ord)
                     join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
                     order by k.ord) as columns
        from pg_catalog.pg_constraint con
        join pg_catalog.pg_class c on c.oid = con.conrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where con.contype = 'f' and con.conparentid = 0 and not c.relispartition and {_IN_SCOPE}
          and not exists (
              select 1 from pg_catalog.pg_index i
              join pg_catalog.pg_class ic on ic.oid = i.indexrelid
              join pg_catalog.pg_am am on am.oid = ic.relam
              where i.indrelid = con.conrelid and i.indisvalid and i.indpred is null and am.amname = 'btree'
                and pg_catalog.cardinality(con.conkey) <= i.indnkeyatts
                and (select array_agg(k.attnum order by k.attnum)
                     from pg_catalog.unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
                     where k.ord <= pg_catalog.cardinality(con.conkey))
                    = (select array_agg(k order by k) from pg_catalog.unnest(con.conkey) k))
        order by 1, 2, 3""", scope)
    for row in rows:
        table, columns = _q(row["schema"], row["table"]), ", ".join(row["columns"])
        yield Problem(_q(row["schema"], row["table"], row["constraint"]),
                      f"Foreign key {row['constraint']} on {table} ({columns}) has no index starting with its columns.",
                      f"create index index_{row['table']}_on_{'_and_'.join(row['columns'])} on {table} ({columns});",
                      "constraint")


@_lint("duplicate_index", PERFORMANCE, WARN, "Identical indexes on one table")
def duplicate_index(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """Two or more indexes on one table (partitions skipped: their parent is checked) with the same definition
    once the name is removed: same method, keys, expressions, predicate, uniqueness and INCLUDE list (splinter
    0009). Every write maintains both for nothing. WARN."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table,
               array_agg(ic.relname::text order by ic.relname) as indexes
        from pg_catalog.pg_index i
        join pg_catalog.pg_class ic on ic.oid = i.indexrelid
        join pg_catalog.pg_class c on c.oid = i.indrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where not c.relispartition and {_IN_SCOPE}
        group by 1, 2, replace(pg_catalog.pg_get_indexdef(i.indexrelid),
                               ' INDEX ' || quote_ident(ic.relname) || ' ON ', ' INDEX ON ')
        having count(*) > 1
        order by 1, 2, 3""", scope)
    for row in rows:
        table = _q(row["schema"], row["table"])
        yield Problem(_q(row["schema"], row["indexes"][-1]),
                      f"Indexes {', '.join(row['indexes'])} on {table} are identical.",
                      "Drop all but one (drop the extra index, or the constraint that made it).", "index")


@_lint("no_primary_key", PERFORMANCE, WARN, "Table without a primary key")
def no_primary_key(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A table or partitioned parent (leaf partitions skipped) without a primary key (splinter 0004, which is INFO).
    WARN: our rule is a uuid primary key on every table; logical replication, Realtime and the audit log's row_id
    need one."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and not c.relispartition and {_IN_SCOPE}
          and not exists (select 1 from pg_catalog.pg_constraint con where con.conrelid = c.oid and con.contype = 'p')
        order by 1, 2""", scope)
    for row in rows:
        name = _q(row["schema"], row["table"])
        yield Problem(name, f"Table {name} has no primary key.",
                      f"alter table {name} add constraint pk_{row['table']} primary key (id);", "table")
