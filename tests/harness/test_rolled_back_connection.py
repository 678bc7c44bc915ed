"""rolled_back_connection: fixtures over a shared seeded database hand out connections that leave nothing behind."""

from __future__ import annotations

import psycopg

from wedsync_db.pytest_plugin import rolled_back_connection


def test_writes_through_a_rolled_back_connection_are_gone_afterwards(db_url: str) -> None:
    """A table created and filled inside the helper does not exist for the next connection."""
    with rolled_back_connection(db_url) as conn:
        conn.execute("create table public.scratch_rows (n integer)")
        conn.execute("insert into public.scratch_rows values (1)")
        assert conn.execute("select count(*) from public.scratch_rows").fetchone() == (1,)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select to_regclass('public.scratch_rows')").fetchone() == (None,)
