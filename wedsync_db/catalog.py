"""Read the catalog: a comparable snapshot of everything a migration can change, and typed readers for lints."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import psycopg

# Schemas that belong to the project (the platform's auth/extensions schemas are compared too, so a
# migration that touches them shows up).
DEFAULT_SCHEMAS = ("public", "private", "auth", "extensions", "wedsync_meta", "analytics")


def _acl(column: str) -> str:
    """An ACL as sorted text: the order of its items follows the order of the GRANTs, and means nothing."""
    return f"coalesce((select string_agg(item::text, ',' order by item::text) from unnest({column}) as item), '')"


# Each query returns rows of text; together they describe the objects of the given schemas.
# Names, not OIDs, so snapshots of two databases compare equal when their schemas are equal. Column positions
# are ranks among the live columns (a dropped and re-added column leaves a hole in attnum, not in the table).
_SNAPSHOT_QUERIES: dict[str, str] = {
    "schemas": """
        select n.nspname, pg_get_userbyid(n.nspowner), coalesce(array_to_string(n.nspacl, ','), '')
        from pg_namespace n where n.nspname = any(%(schemas)s) order by 1""",
    "relations": """
        select n.nspname || '.' || c.relname, c.relkind::text, c.relrowsecurity::text, c.relforcerowsecurity::text,
               c.relreplident::text, coalesce(array_to_string(c.reloptions, ','), ''),
               coalesce(pg_get_expr(c.relpartbound, c.oid), ''), coalesce(obj_description(c.oid, 'pg_class'), '')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        order by 1""",
    "partition_keys": """
        select n.nspname || '.' || c.relname, pg_get_partkeydef(c.oid)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) and c.relkind = 'p' order by 1""",
    "columns": """
        select n.nspname || '.' || c.relname, (row_number() over (partition by a.attrelid order by a.attnum))::text,
               a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull::text, coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attgenerated::text,
               a.attidentity::text, coalesce(col_description(c.oid, a.attnum), '')
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0
          and not a.attisdropped
        order by 1, a.attnum""",
    "constraints": """
        select n.nspname || '.' || c.relname, con.conname, con.contype::text, pg_get_constraintdef(con.oid)
        from pg_constraint con
        join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) order by 1, 2""",
    "indexes": """
        select schemaname || '.' || tablename, indexname, indexdef
        from pg_indexes where schemaname = any(%(schemas)s) order by 1, 2""",
    "policies": """
        select schemaname || '.' || tablename, policyname, permissive, array_to_string(roles, ','), cmd,
               coalesce(qual, ''), coalesce(with_check, ''),
               coalesce(obj_description(p.oid, 'pg_policy'), '')
        from pg_policies
        join pg_policy p on p.polname = policyname
          and p.polrelid = (quote_ident(schemaname) || '.' || quote_ident(tablename))::regclass
        where schemaname = any(%(schemas)s) order by 1, 2""",
    "table_grants": f"""
        select n.nspname || '.' || c.relname, {_acl('c.relacl')}
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') order by 1""",
    "column_grants": f"""
        select n.nspname || '.' || c.relname, a.attname, {_acl('a.attacl')}
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) and cardinality(a.attacl) > 0 and a.attnum > 0 order by 1, 2""",
    "functions": f"""
        select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               pg_get_function_result(p.oid), p.prokind::text, p.provolatile::text, p.prosecdef::text,
               coalesce(array_to_string(p.proconfig, ','), ''), {_acl('p.proacl')},
               md5(p.prosrc), pg_get_userbyid(p.proowner)
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        left join pg_depend d on d.objid = p.oid and d.deptype = 'e'
        where n.nspname = any(%(schemas)s) and d.objid is null order by 1""",
    "triggers": """
        select n.nspname || '.' || c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled::text
        from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) and not t.tgisinternal order by 1, 2""",
    "types": """
        select n.nspname || '.' || t.typname, t.typtype::text,
               coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder)
                         from pg_enum e where e.enumtypid = t.oid), '')
        from pg_type t join pg_namespace n on n.oid = t.typnamespace
        left join pg_class c on c.oid = t.typrelid
        where n.nspname = any(%(schemas)s) and t.typtype in ('e', 'd', 'c')
          and (c.oid is null or c.relkind = 'c') order by 1""",
    "publications": """
        select p.pubname, coalesce(pt.schemaname || '.' || pt.tablename, ''),
               p.pubinsert::text || p.pubupdate::text || p.pubdelete::text || p.pubtruncate::text
        from pg_publication p left join pg_publication_tables pt on pt.pubname = p.pubname order by 1, 2""",
    "default_privileges": """
        select pg_get_userbyid(d.defaclrole), coalesce(n.nspname, ''), d.defaclobjtype::text,
               array_to_string(d.defaclacl, ',')
        from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace order by 1, 2, 3""",
    "extensions": """
        select e.extname, n.nspname, e.extversion
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace order by 1""",
}

Snapshot = dict[str, list[tuple[str, ...]]]

# full_snapshot() and stable_snapshot() also cover the leaf partitions (schema `partitions`).
FULL_SCHEMAS = (*DEFAULT_SCHEMAS, "partitions")


def snapshot(conn: psycopg.Connection[Any], schemas: tuple[str, ...] = DEFAULT_SCHEMAS) -> Snapshot:
    """Return every catalog fact a migration can change, as sorted tuples of text, per kind of object."""
    result: Snapshot = {}
    for kind, query in _SNAPSHOT_QUERIES.items():
        rows = conn.execute(query, {"schemas": list(schemas)}).fetchall()
        result[kind] = [tuple("" if value is None else str(value) for value in row) for row in rows]
    return result


def diff(before: Snapshot, after: Snapshot) -> list[str]:
    """Return readable lines for what differs between two snapshots ('-' only before, '+' only after)."""
    lines: list[str] = []
    for kind in sorted(set(before) | set(after)):
        old, new = set(before.get(kind, [])), set(after.get(kind, []))
        for row in sorted(old - new):
            lines.append(f"- {kind}: {' | '.join(row)}")
        for row in sorted(new - old):
            lines.append(f"+ {kind}: {' | '.join(row)}")
    return lines


def render(snap: Snapshot) -> str:
    """Render a snapshot as stable, reviewable text (one object per line, grouped by kind)."""
    out: list[str] = []
    for kind in sorted(snap):
        out.append(f"## {kind}")
        out.extend(" | ".join(row) for row in snap[kind])
        out.append("")
    return "\n".join(out)


def table_counts(conn: psycopg.Connection[Any], schema: str = "public") -> dict[str, int]:
    """Return the number of tables, policies and indexes in a schema (for status tables)."""
    row = conn.execute(
        """
        select
          (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = %(s)s and c.relkind in ('r', 'p') and not c.relispartition),
          (select count(*) from pg_policies where schemaname = %(s)s),
          (select count(*) from pg_indexes where schemaname = %(s)s),
          (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = %(s)s and c.relkind in ('r', 'p') and not c.relispartition
              and c.relrowsecurity and c.relforcerowsecurity)
        """,
        {"s": schema},
    ).fetchone()
    assert row is not None
    return {"tables": row[0], "policies": row[1], "indexes": row[2], "tables_with_forced_rls": row[3]}


# -- the full snapshot (migration round trips) and the committed, stable rendering ---------------------

# Facts snapshot() leaves out that a down migration can still get wrong: view definitions, function
# comments, sequences' ownership, publication membership of schemas. Kept apart so snapshot() is unchanged.
_EXTRA_QUERIES: dict[str, str] = {
    "view_definitions": """
        select n.nspname || '.' || c.relname, c.relkind::text, pg_get_viewdef(c.oid)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(schemas)s) and c.relkind in ('v', 'm') order by 1""",
    "function_comments": """
        select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               coalesce(obj_description(p.oid, 'pg_proc'), '')
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        left join pg_depend d on d.objid = p.oid and d.deptype = 'e'
        where n.nspname = any(%(schemas)s) and d.objid is null order by 1""",
    "sequences_owned_by": """
        select n.nspname || '.' || c.relname, coalesce(tn.nspname || '.' || t.relname || '.' || a.attname, '')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        left join pg_depend d on d.objid = c.oid and d.classid = 'pg_class'::regclass and d.deptype in ('a', 'i')
        left join pg_class t on t.oid = d.refobjid
        left join pg_namespace tn on tn.oid = t.relnamespace
        left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
        where n.nspname = any(%(schemas)s) and c.relkind = 'S' order by 1""",
    "event_triggers": """
        select e.evtname, e.evtevent, e.evtfoid::regproc::text, e.evtenabled::text
        from pg_event_trigger e order by 1""",
}

# Function sources, for the committed file only (the round trip compares their md5 through snapshot()).
_SOURCE_QUERY = """
    select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', p.prosrc
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    left join pg_depend d on d.objid = p.oid and d.deptype = 'e'
    where n.nspname = any(%(schemas)s) and d.objid is null and p.prolang <> 13 order by 1"""  # 13: internal/C


def full_snapshot(conn: psycopg.Connection[Any], schemas: tuple[str, ...] = FULL_SCHEMAS) -> Snapshot:
    """Return snapshot() plus view definitions, function comments and sequence ownership (for round trips)."""
    result = snapshot(conn, schemas)
    for kind, query in _EXTRA_QUERIES.items():
        rows = conn.execute(query, {"schemas": list(schemas)}).fetchall()
        result[kind] = [tuple("" if value is None else str(value) for value in row) for row in rows]
    return result


def normalize_source(source: str) -> str:
    """Return a function body without trailing spaces, common indentation or leading/trailing blank lines."""
    lines = [line.rstrip() for line in source.expandtabs(4).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return textwrap.dedent("\n".join(lines))


_MONTH_NAME = re.compile(r"_y(\d{4})m(\d{2})(?!\d)")
_MONTH_START = re.compile(r"'(\d{4})-(\d{2})-01 00:00:00\+00'")


def _relative_months(text: str, year: int, month: int) -> str:
    """Replace partition month names and bounds by their offset from (year, month): stable from month to month."""

    def offset(y: str, m: str) -> str:
        delta = (int(y) - year) * 12 + int(m) - month
        return f"{delta:+d}"

    text = _MONTH_NAME.sub(lambda m: f"_month{offset(m[1], m[2])}", text)
    return _MONTH_START.sub(lambda m: f"'<month{offset(m[1], m[2])}>'", text)


def stable_snapshot(conn: psycopg.Connection[Any], schemas: tuple[str, ...] = FULL_SCHEMAS) -> Snapshot:
    """Return full_snapshot() made independent of where and when it was taken, plus normalized function sources.

    The migrating role's name becomes ``<migrator>``; monthly partitions (created relative to today by
    migration 0021) are named by their offset from the current UTC month (``activities_month+1``); the
    session time zone is set to UTC so partition bounds print the same everywhere. No OIDs, no database
    names; every kind sorted.
    """
    conn.execute("select set_config('TimeZone', 'UTC', false)")
    year, month, migrator = conn.execute(
        "select extract(year from now() at time zone 'UTC')::int, extract(month from now() at time zone 'UTC')::int,"
        " current_user"
    ).fetchone()  # type: ignore[misc]
    raw = full_snapshot(conn, schemas)
    raw["function_sources"] = [
        (str(name), normalize_source(str(source)))
        for name, source in conn.execute(_SOURCE_QUERY, {"schemas": list(schemas)}).fetchall()
    ]
    role = re.compile(rf'(?<![\w"]){re.escape(str(migrator))}(?![\w"])')
    result: Snapshot = {}
    for kind, rows in raw.items():
        result[kind] = sorted(
            (tuple(_relative_months(role.sub("<migrator>", value), year, month) for value in row) for row in rows),
            key=lambda row: tuple(value.zfill(8) if value.isdigit() else value for value in row),
        )
    return result


def render_stable(snap: Snapshot) -> str:
    """Render a stable snapshot for review: one object per line; function sources as indented blocks."""
    out = [
        "# Catalog of the fully migrated schema (wedsync_db.catalog.stable_snapshot).",
        "# Regenerate: WEDSYNC_UPDATE_SNAPSHOTS=1 bin/test tests/integrity/test_catalog_snapshot.py",
        "",
    ]
    for kind in sorted(snap):
        out.append(f"## {kind}")
        for row in snap[kind]:
            if kind == "function_sources":
                out.append(f"{row[0]}:")
                out.extend(f"    {line}".rstrip() for line in row[1].splitlines())
            else:
                out.append(" | ".join(value.replace("\n", "\n    ") for value in row))
        out.append("")
    return "\n".join(out)
