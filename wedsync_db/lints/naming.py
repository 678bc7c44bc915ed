"""Naming lints: names at the 63-byte limit, and the index, constraint and policy naming schemes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import psycopg

from wedsync_db.lints.registry import (
    _COMMANDS,
    _IN_SCOPE,
    _POLICIES,
    ERROR,
    MAX_NAME_BYTES,
    NAMING,
    WARN,
    Problem,
    Scope,
    _lint,
    _q,
    _rows,
)


# -- naming ------------------------------------------------------------------------------------------------
@_lint("name_too_long", NAMING, ERROR, "Name at PostgreSQL's 63-byte limit (maybe truncated)")
def name_too_long(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A relation, column, constraint, policy, trigger, function or type whose name is 63 bytes long. PostgreSQL
    truncates longer identifiers to 63 bytes with only a NOTICE, so two long names can collide and the catalog no
    longer matches the migration's text (our rule: names at most 63 characters). The catalog cannot tell a name of
    exactly 63 bytes from a cut one, so: ERROR when the name ends in a fragment that is no word of the scanned
    schemas' tables, columns, types and enum labels (cut mid-word: ``..._and_versi``); WARN when it ends in a whole
    word (probably written that way, but check the migration for a truncation NOTICE)."""
    rows = _rows(conn, f"""
        select kind, object, name from (
          select case c.relkind when 'i' then 'index' when 'I' then 'index' when 'S' then 'sequence'
                                when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as kind,
                 n.nspname || '.' || c.relname as object, c.relname::text as name
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {_IN_SCOPE}
          union all
          select 'column', n.nspname || '.' || c.relname || '.' || a.attname, a.attname::text
          from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and {_IN_SCOPE}
          union all
          select 'constraint', n.nspname || '.' || c.relname || '.' || con.conname, con.conname::text
          from pg_catalog.pg_constraint con join pg_catalog.pg_class c on c.oid = con.conrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {_IN_SCOPE}
          union all
          select 'policy', n.nspname || '.' || c.relname || '.' || p.polname, p.polname::text
          from pg_catalog.pg_policy p join pg_catalog.pg_class c on c.oid = p.polrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {_IN_SCOPE}
          union all
          select 'trigger', n.nspname || '.' || c.relname || '.' || t.tgname, t.tgname::text
          from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where not t.tgisinternal and {_IN_SCOPE}
          union all
          select 'function', n.nspname || '.' || p.proname, p.proname::text
          from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
          where n.nspname = any(%(schemas)s)
          union all
          select 'type', n.nspname || '.' || t.typname, t.typname::text
          from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
          where n.nspname = any(%(schemas)s) and t.typtype in ('e', 'd', 'c', 'r', 'm')
        ) as names
        where pg_catalog.octet_length(name) >= {MAX_NAME_BYTES}
        order by 2""", scope)
    if not rows:
        return
    words = _vocabulary(conn, scope)
    for row in rows:
        cut = row["name"].rsplit("_", 1)[-1] not in words
        yield Problem(row["object"],
                      f"The {row['kind']} name {row['name']!r} is {len(row['name'].encode())} bytes, PostgreSQL's "
                      + ("limit, and ends mid-word: it was truncated." if cut else
                         "limit: check that the migration did not write a longer name."),
                      "Choose a name of at most 62 bytes (abbreviate the column list).", row["kind"],
                      level=ERROR if cut else WARN)


def _vocabulary(conn: psycopg.Connection[Any], scope: Scope) -> set[str]:
    """Return the words (split on '_') of the table, column and type names and enum labels of the scanned schemas."""
    rows = _rows(conn, f"""
        select c.relname::text as name from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'f') and {_IN_SCOPE}
        union select a.attname::text from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and {_IN_SCOPE}
        union select t.typname::text from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
        where n.nspname = any(%(schemas)s)
        union select e.enumlabel::text from pg_catalog.pg_enum e join pg_catalog.pg_type t on t.oid = e.enumtypid
        join pg_catalog.pg_namespace n on n.oid = t.typnamespace where n.nspname = any(%(schemas)s)""", scope)
    rows = [row for row in rows if len(row["name"].encode()) < MAX_NAME_BYTES]  # a cut name vouches for nothing
    words = {"and", "on", "where", "not", "is", "null", "in", "by"}  # the glue words of index_<table>_on_..._where_...
    for row in rows:
        words.update(row["name"].lower().split("_"))
    return words


@_lint("index_name_not_conventional", NAMING, WARN, "Index name not index_<table>_on_<columns>")
def index_name_not_conventional(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """An index (not one backing a primary key, unique or exclusion constraint, not on a partition) whose name does
    not start with ``index_<table>_on_`` (a standalone unique index may also be ``unique_<table>_...``). WARN."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, ic.relname as index, i.indisunique as is_unique
        from pg_catalog.pg_index i
        join pg_catalog.pg_class ic on ic.oid = i.indexrelid
        join pg_catalog.pg_class c on c.oid = i.indrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where not c.relispartition and c.relkind in ('r', 'p', 'm') and {_IN_SCOPE}
          and not exists (select 1 from pg_catalog.pg_constraint con
                          where con.conindid = i.indexrelid and con.conrelid = c.oid and con.contype in ('p', 'u', 'x'))
        order by 1, 3""", scope)
    for row in rows:
        table, index = row["table"], row["index"]
        ok = index.startswith(f"index_{table}_on_") and len(index) > len(f"index_{table}_on_")
        ok = ok or (row["is_unique"] and index.startswith(f"unique_{table}_"))
        if not ok:
            yield Problem(_q(row["schema"], index),
                          f"Index {index} on {row['schema']}.{table} does not follow index_{table}_on_<columns>.",
                          f"alter index {row['schema']}.{index} rename to "
                          f"index_{table}_on_<columns>[_where_<condition>];",
                          "index")


def _constraint_name_pattern(contype: str, table: str, columns: list[str], foreign: str | None) -> str | None:
    """Return the regular expression a constraint's name must match, or None for kinds we do not name."""
    t, first = re.escape(table), re.escape(columns[0]) if columns else r"\w+"
    # A composite foreign or unique key may name only its leading column(s): fk_form_versions_form_id_forms
    # for (form_id, supplier_id) references forms, as the schema does.
    return {
        "p": rf"pk_{t}",
        "f": rf"fk_{t}_{first}(_\w+)?_{re.escape(foreign or '')}",
        "u": rf"unique_{t}_{first}(_\w+)?",
        "c": rf"check_{t}_\w+",
        "x": rf"exclude_{t}_\w+",
    }.get(contype)


_CONSTRAINT_SHAPE = {"p": "pk_{t}", "f": "fk_{t}_{c}_{f}", "u": "unique_{t}_{c}", "c": "check_{t}_<column>_<what>",
                     "x": "exclude_{t}_<what>"}


@_lint("constraint_name_not_conventional", NAMING, WARN, "Constraint name not pk_/fk_/unique_/check_<table>_...")
def constraint_name_not_conventional(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A constraint on a table (partitions skipped) not named by the scheme: ``pk_<table>``,
    ``fk_<table>_<column>_<foreign table>``, ``unique_<table>_<columns>`` (a composite key may name just its leading
    column, so the check is: starts with the table and first column; an FK ends with the referenced table),
    ``check_<table>_<what>`` or ``exclude_<table>_<what>``. WARN: names are how errors point at the rule."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, con.conname as constraint, con.contype::text as contype,
               array(select a.attname::text from pg_catalog.unnest(con.conkey) with ordinality k(attnum, ord)
                     join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
                     order by k.ord) as columns,
               fc.relname as foreign_table
        from pg_catalog.pg_constraint con
        join pg_catalog.pg_class c on c.oid = con.conrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        left join pg_catalog.pg_class fc on fc.oid = con.confrelid
        where not c.relispartition and c.relkind in ('r', 'p') and con.conislocal and {_IN_SCOPE}
        order by 1, 2, 3""", scope)
    for row in rows:
        pattern = _constraint_name_pattern(row["contype"], row["table"], row["columns"], row["foreign_table"])
        name = row["constraint"]
        if pattern is not None and not re.fullmatch(pattern, name):
            shown = _CONSTRAINT_SHAPE[row["contype"]].format(t=row["table"], c="_".join(row["columns"]),
                                                             f=row["foreign_table"])
            yield Problem(
                          _q(row["schema"], row["table"], name),
                          f"Constraint {name} on {row['schema']}.{row['table']} does not follow {shown}.",
                          f"alter table {row['schema']}.{row['table']} rename constraint {name} to {shown};",
                          "constraint")


@_lint("policy_name_not_conventional", NAMING, WARN, "Policy name not <table>_<command>_<who>")
def policy_name_not_conventional(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A policy not named ``<table>_<command>_<who>`` with the policy's own command (select, insert, update, delete
    or all) and a non-empty who. WARN."""
    for row in _rows(conn, _POLICIES, scope):
        prefix = f"{row['table']}_{_COMMANDS[row['cmd']]}_"
        if not (row["policy"].startswith(prefix) and len(row["policy"]) > len(prefix)):
            yield Problem(
                          _q(row["schema"], row["table"], row["policy"]),
                          f"Policy {row['policy']} on {row['schema']}.{row['table']} should be named {prefix}<who>.",
                          f"alter policy {row['policy']} on {row['schema']}.{row['table']} rename to {prefix}<who>;",
                          "policy")
