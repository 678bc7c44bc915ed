"""The access matrix (schema/access_matrix.yaml) and the migrated catalog describe the same tables and policies."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import yaml

from wedsync_db.config import SCHEMA_DIR

COMMANDS = ("select", "insert", "update", "delete")


@pytest.fixture(scope="module")
def matrix() -> dict[str, Any]:
    return yaml.safe_load((SCHEMA_DIR / "access_matrix.yaml").read_text())["tables"]


def _public_tables(conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition"
    ).fetchall()
    return {name for (name,) in rows}


def _matrix_policies(entry: dict[str, Any]) -> set[str]:
    names = set()
    for command in COMMANDS:
        rules = entry.get(command)
        if isinstance(rules, list):
            names.update(rule["policy"] for rule in rules if "policy" in rule)
    return names


def test_every_catalog_table_is_in_the_matrix_and_every_matrix_table_exists(
    db: psycopg.Connection[Any], matrix: dict[str, Any]
) -> None:
    """A table without a row in the contract, or a contract row without a table, fails (schema/access_matrix.yaml)."""
    catalog_tables = _public_tables(db)
    assert sorted(catalog_tables - set(matrix)) == [], "tables missing from access_matrix.yaml"
    assert sorted(set(matrix) - catalog_tables) == [], "access_matrix.yaml names tables the schema lacks"


def test_matrix_policies_are_exactly_the_catalog_policies(db: psycopg.Connection[Any], matrix: dict[str, Any]) -> None:
    """Every policy the matrix names exists on its table, and no table has a policy the matrix does not name."""
    rows = db.execute("select tablename, policyname from pg_policies where schemaname = 'public'").fetchall()
    catalog: dict[str, set[str]] = {}
    for table, policy in rows:
        catalog.setdefault(table, set()).add(policy)
    for table, entry in matrix.items():
        assert catalog.get(table, set()) == _matrix_policies(entry), f"policies of {table} differ from the matrix"


def test_every_table_has_rls_enabled_and_forced(db: psycopg.Connection[Any]) -> None:
    """Forced RLS on every public table (partitions' parents included): owners get no bypass."""
    rows = db.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') and not (c.relrowsecurity and c.relforcerowsecurity)"
    ).fetchall()
    assert rows == []


def test_every_policy_has_a_comment_saying_who_it_lets_in(db: psycopg.Connection[Any]) -> None:
    """Each policy's stored comment starts with 'Lets in:' (STYLE.md), so reports can quote it."""
    rows = db.execute(
        "select c.relname, p.polname from pg_policy p join pg_class c on c.oid = p.polrelid "
        "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' "
        "and coalesce(obj_description(p.oid, 'pg_policy'), '') not like 'Lets in:%'"
    ).fetchall()
    assert rows == []


def test_authenticated_may_update_exactly_the_matrix_update_columns(
    db: psycopg.Connection[Any], matrix: dict[str, Any]
) -> None:
    """Column grants for UPDATE to authenticated equal each table's update_columns; other columns are immutable."""
    for table, entry in matrix.items():
        rows = db.execute(
            "select a.attname from pg_attribute a where a.attrelid = ('public.' || %s)::regclass and a.attnum > 0 "
            "and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')",
            (table,),
        ).fetchall()
        granted = {name for (name,) in rows}
        assert granted == set(entry.get("update_columns") or []), f"{table}: UPDATE grants differ from update_columns"


def test_api_roles_read_every_column_but_the_matrix_hidden_columns(
    db: psycopg.Connection[Any], matrix: dict[str, Any]
) -> None:
    """Where a role may read a table, it reads every column except the table's hidden_columns for that role."""
    for table, entry in matrix.items():
        hidden = entry.get("hidden_columns") or {}
        for role in ("anon", "authenticated"):
            rows = db.execute(
                "select a.attname, has_column_privilege(%s, a.attrelid, a.attnum, 'SELECT') from pg_attribute a "
                "where a.attrelid = ('public.' || %s)::regclass and a.attnum > 0 and not a.attisdropped",
                (role, table),
            ).fetchall()
            readable = {name for name, ok in rows if ok}
            if not readable:
                assert role not in hidden, f"{table}: {role} reads nothing, so hides nothing"
                continue
            assert {name for name, _ in rows} - readable == set(hidden.get(role, [])), (
                f"{table}: columns {role} cannot read differ from hidden_columns.{role}")


def test_api_roles_never_hold_truncate(db: psycopg.Connection[Any]) -> None:
    """TRUNCATE skips RLS, so no API role holds it on any public table."""
    rows = db.execute(
        "select c.relname, r.rolname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "cross join (values ('anon'), ('authenticated'), ('service_role')) as r (rolname) "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') and has_table_privilege(r.rolname, c.oid, 'TRUNCATE')"
    ).fetchall()
    assert rows == []
