"""Create, template, clone and drop databases; drop only what this process created."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from wedsync_db.migrations import MigrationRunner
from wedsync_db.platform import apply_platform
from wedsync_db.server.base import Server


def unique_name(purpose: str) -> str:
    """Return a database name safe under pytest-xdist: purpose, worker, process and a random tail."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"wedsync_{purpose}_{worker}_{os.getpid()}_{uuid.uuid4().hex[:6]}"[:63]


# Sensitive core field values are encrypted with the key in the wedsync.pii_key setting. Test and dev
# databases get this fixed, public key; production sets its own secret (see schema/README.md).
TEST_PII_KEY = "wedsync-test-key-not-for-production"


def set_test_pii_key(admin_url: str, database: str) -> None:
    """Give a test or dev database the public test encryption key (database-level setting)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("alter database {} set wedsync.pii_key = {}").format(
                sql.Identifier(database), sql.Literal(TEST_PII_KEY))
        )


@dataclass
class Janitor:
    """Keeps track of the databases it made on a server, so it drops those and nothing else."""

    server: Server
    created: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # a clone pool works in a thread

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.server.url(), autocommit=True)

    def create(self, name: str, *, template: str | None = None) -> str:
        """Create an empty database, or a file-copy clone of ``template`` (fast for small templates)."""
        query = sql.SQL("create database {}").format(sql.Identifier(name))
        if template is not None:
            query = sql.SQL("create database {} template {} strategy file_copy").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        with self._admin() as conn:
            conn.execute(query)
            if template is not None:
                self._copy_database_settings(conn, template, name)
        with self._lock:
            self.created.append(name)
        return name

    @staticmethod
    def _copy_database_settings(conn: psycopg.Connection[Any], source: str, target: str) -> None:
        """Copy ALTER DATABASE ... SET settings, which a template clone does not carry (they live in a shared
        catalog)."""
        rows = conn.execute(
            "select unnest(s.setconfig) from pg_catalog.pg_db_role_setting s "
            "join pg_catalog.pg_database d on d.oid = s.setdatabase where d.datname = %s and s.setrole = 0",
            (source,),
        ).fetchall()
        for (setting,) in rows:
            key, _, value = str(setting).partition("=")
            conn.execute(
                sql.SQL("alter database {} set {} = {}").format(
                    sql.Identifier(target), sql.Identifier(key),
                    sql.SQL(value) if key == "search_path" else sql.Literal(value),
                )
            )

    def mark_template(self, name: str) -> None:
        """Flag a database as a template and close its connections, so it can be cloned."""
        with self._admin() as conn:
            conn.execute(sql.SQL("alter database {} is_template true").format(sql.Identifier(name)))
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))

    def drop(self, name: str) -> None:
        """Drop a database this janitor created; refuse any other."""
        with self._lock:
            if name not in self.created:
                raise ValueError(f"refusing to drop database {name!r}: this process did not create it")
        with self._admin() as conn:
            conn.execute(sql.SQL("alter database {} is_template false").format(sql.Identifier(name)))
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        with self._lock:
            self.created.remove(name)

    def drop_all(self) -> None:
        """Drop every database this janitor created, newest first."""
        with self._lock:
            names = list(reversed(self.created))
        for name in names:
            try:
                self.drop(name)
            except psycopg.OperationalError:
                pass  # the server is already gone

    def build_migrated(
        self,
        purpose: str = "tpl",
        *,
        auto_grants: bool = True,
        to: int | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> str:
        """Create a database with the platform emulation (unless Supabase) and migrations applied."""
        name = self.create(unique_name(purpose))
        url = self.server.url(name)
        if not self.server.is_supabase:
            with psycopg.connect(url, autocommit=True) as conn:
                apply_platform(conn, auto_grants=auto_grants)
        set_test_pii_key(self.server.url(), name)
        MigrationRunner(url, on_progress=on_progress).up(to=to)
        return name
