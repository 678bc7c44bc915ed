"""What an API caller can do, read from the catalog: the actions the escalation search may take.

Nothing here is written by hand per table: tables come with their grants to `authenticated`, columns with
their types, enum labels and foreign keys, functions with their argument types. A new table, column grant or
RPC becomes an action of the search without any change to this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

ROLE = "authenticated"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # udt name: uuid, text, int4, numeric, bool, jsonb, timestamptz, date, _text, an enum, ...
    nullable: bool
    has_default: bool
    generated: bool
    labels: tuple[str, ...] = ()  # enum labels
    references: str | None = None  # the referenced table ("auth.users" or a public table), single-column FKs

    @property
    def is_user_id(self) -> bool:
        return self.references == "auth.users"


@dataclass(frozen=True)
class TableSurface:
    name: str
    columns: tuple[Column, ...]
    insert: bool
    delete: bool
    update_columns: tuple[str, ...]
    select_columns: tuple[str, ...]  # what the role may read (column grants)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Function:
    name: str
    arguments: tuple[tuple[str, str], ...]  # (name, udt)
    returns_set: bool


@dataclass(frozen=True)
class ApiSurface:
    tables: dict[str, TableSurface]
    functions: tuple[Function, ...]
    references: tuple[tuple[str, str, str, str], ...]  # (table, column, referenced table, referenced column)
    anon_columns: dict[str, tuple[str, ...]]  # what anonymous visitors may read, per table

    @classmethod
    def read(cls, conn: psycopg.Connection[Any]) -> ApiSurface:
        refs = _references(conn)
        single = {(t, c): target for t, c, target, _ in refs}
        labels = _enum_labels(conn)
        tables = {}
        for (table,) in conn.execute(_TABLES).fetchall():
            columns = tuple(
                Column(name, udt, nullable, has_default, generated, labels.get(udt, ()), single.get((table, name)))
                for name, udt, nullable, has_default, generated in conn.execute(_COLUMNS, (table,)).fetchall())
            privileges = conn.execute(_PRIVILEGES, (ROLE, table, ROLE, table)).fetchone()
            assert privileges is not None
            tables[table] = TableSurface(
                name=table, columns=columns, insert=privileges[0], delete=privileges[1],
                update_columns=_columns_with(conn, ROLE, table, "UPDATE"),
                select_columns=_columns_with(conn, ROLE, table, "SELECT"),
            )
        functions = tuple(
            Function(name, tuple(zip(names or (), types or (), strict=True)), bool(returns_set))
            for name, names, types, returns_set in conn.execute(_FUNCTIONS, (ROLE,)).fetchall())
        anon = {t: _columns_with(conn, "anon", t, "SELECT") for t in tables}
        return cls(tables, functions, tuple(refs), {t: c for t, c in anon.items() if c})


_TABLES = """
select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1
"""

_COLUMNS = """
select a.attname, t.typname, not a.attnotnull, a.atthasdef, a.attgenerated <> ''
from pg_attribute a join pg_type t on t.oid = a.atttypid
where a.attrelid = ('public.' || quote_ident(%s))::regclass and a.attnum > 0 and not a.attisdropped
order by a.attnum
"""

_PRIVILEGES = """
select has_table_privilege(%s, ('public.' || quote_ident(%s))::regclass, 'INSERT'),
       has_table_privilege(%s, ('public.' || quote_ident(%s))::regclass, 'DELETE')
"""

_COLUMN_PRIVILEGE = """
select a.attname from pg_attribute a
where a.attrelid = ('public.' || quote_ident(%s))::regclass and a.attnum > 0 and not a.attisdropped
  and has_column_privilege(%s, a.attrelid, a.attnum, %s)
order by a.attnum
"""

_FUNCTIONS = """
select p.proname,
       (select array_agg(coalesce(p.proargnames[i], 'arg' || i) order by i)
        from generate_series(1, p.pronargs) as i),
       (select array_agg(t.typname order by k.i) from unnest(p.proargtypes) with ordinality as k (oid, i)
        join pg_type t on t.oid = k.oid),
       p.proretset
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'public' and p.prokind = 'f' and has_function_privilege(%s, p.oid, 'EXECUTE')
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by 1
"""

_REFERENCES = """
select cl.relname, a.attname,
       case when fn.nspname = 'public' then fc.relname else fn.nspname || '.' || fc.relname end, fa.attname
from pg_constraint con
join pg_class cl on cl.oid = con.conrelid join pg_namespace n on n.oid = cl.relnamespace
join pg_class fc on fc.oid = con.confrelid join pg_namespace fn on fn.oid = fc.relnamespace
join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
join pg_attribute fa on fa.attrelid = con.confrelid and fa.attnum = con.confkey[1]
where con.contype = 'f' and n.nspname = 'public' and not cl.relispartition
order by 1, 2
"""

_ENUMS = """
select t.typname, array_agg(e.enumlabel order by e.enumsortorder)
from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
where n.nspname = 'public' group by t.typname
"""


def _columns_with(conn: psycopg.Connection[Any], role: str, table: str, privilege: str) -> tuple[str, ...]:
    return tuple(name for (name,) in conn.execute(_COLUMN_PRIVILEGE, (table, role, privilege)).fetchall())


def _references(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str, str]]:
    """Each foreign key's first column pair (composite keys lead with the referencing id column)."""
    return [(str(t), str(c), str(target), str(tc)) for t, c, target, tc in conn.execute(_REFERENCES).fetchall()]


def _enum_labels(conn: psycopg.Connection[Any]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(labels) for name, labels in conn.execute(_ENUMS).fetchall()}
