"""Apply the Supabase platform emulation (schema/platform.sql) to a database that is not Supabase."""

from __future__ import annotations

from typing import Any

import psycopg

from wedsync_db.config import PLATFORM_FILE

_PLATFORM_LOCK = 0x706C_6174  # "plat": roles are cluster-wide, so parallel applies must not race


def apply_platform(conn: psycopg.Connection[Any], *, auto_grants: bool = True) -> None:
    """Run platform.sql in one transaction; safe to repeat (it re-asserts role attributes every time)."""
    sql = PLATFORM_FILE.read_text()
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_PLATFORM_LOCK,))
        conn.execute("select set_config('wedsync.auto_expose_new_tables', %s, true)", ("on" if auto_grants else "off",))
        conn.execute("set local client_min_messages = warning")
        conn.execute(sql)


def has_platform(conn: psycopg.Connection[Any]) -> bool:
    """Return True when auth.uid() and the API roles exist (emulated or real Supabase)."""
    row = conn.execute(
        "select to_regprocedure('auth.uid()') is not null"
        " and exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated')"
    ).fetchone()
    return bool(row and row[0])
