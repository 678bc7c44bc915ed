"""Discover, apply, roll back and verify the numbered migrations in schema/migrations, with a ledger.

Each file runs in its own transaction under a lock_timeout, while the runner holds an advisory lock so
two runners cannot interleave. A failing file rolls back whole; the error names the file, the line
and the SQLSTATE, and the failure is recorded (for the health alerts) after the rollback.

Drift is a change to what a file runs: the checksum covers an up file from its first statement on, so its
leading comment block (what and why, lock impact, how the down was checked) can be corrected after the file
was applied; a comment below the first statement is part of the checksum like any other text.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlparse

from wedsync_db._header_edits import BODY_FIXES, HEADER_EDITS
from wedsync_db.config import MIGRATIONS_DIR
from wedsync_db.errors import MigrationError, describe_database_error

FILE_PATTERN = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.(?P<direction>up|down)\.sql$")
LOCK_KEY = 0x7765_6473  # "weds": one advisory lock key for every runner of this project
DEFAULT_LOCK_TIMEOUT = "5s"
NAME_TOO_LONG = "42622"  # the NOTICE PostgreSQL raises when it truncates an identifier

LEDGER_DDL = """
create schema if not exists wedsync_meta;
revoke all on schema wedsync_meta from public;
create table if not exists wedsync_meta.schema_migrations (
    version integer primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now(),
    duration_ms integer not null
);
create table if not exists wedsync_meta.migration_failures (
    id bigint generated always as identity primary key,
    version integer not null,
    name text not null,
    direction text not null,
    sqlstate text,
    error text not null,
    failed_at timestamptz not null default now()
);
"""


@dataclass(frozen=True)
class Migration:
    """One numbered migration: its up file, its down file (maybe missing) and the up file's checksum."""

    version: int
    name: str
    up_path: Path
    down_path: Path | None

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"

    @property
    def checksum(self) -> str:
        """sha256 of the up file after its leading comment block: what the ledger records."""
        return hashlib.sha256(body(self.up_path.read_bytes())).hexdigest()

    def matches(self, recorded: str) -> bool:
        """Whether a ledger checksum is this file's: its body's, or (ledger rows written before the header rule)
        the whole file's, or the whole file's before a header-only edit that left this body as it is, or a body
        fixed after release to the same effect (_header_edits.BODY_FIXES)."""
        if recorded == self.checksum or recorded == hashlib.sha256(self.up_path.read_bytes()).hexdigest():
            return True
        edit = HEADER_EDITS.get(self.version)
        if edit is not None and recorded == edit.whole_file_before and self.checksum == edit.body:
            return True
        fix = BODY_FIXES.get(self.version)
        return fix is not None and recorded == fix.body_before and self.checksum == fix.body


def body(text: bytes) -> bytes:
    """Return a migration file without its leading comment block (blank lines and ``--`` lines before the SQL)."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith(b"--")):
        start += 1
    return b"".join(lines[start:])


@dataclass(frozen=True)
class AppliedMigration:
    version: int
    name: str
    checksum: str
    applied_at: datetime
    duration_ms: int


@dataclass(frozen=True)
class MigrationStatus:
    """A row of `migrate status`: a known file, an applied ledger row, or both."""

    version: int
    name: str
    applied_at: datetime | None
    duration_ms: int | None
    state: str  # applied, pending, drifted (checksum differs), missing (applied but no file)


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Return the migrations in version order; raise on stray names or duplicate versions."""
    ups: dict[int, Path] = {}
    downs: dict[int, Path] = {}
    names: dict[int, str] = {}
    for path in sorted(directory.glob("*.sql")):
        match = FILE_PATTERN.match(path.name)
        if match is None:
            raise MigrationError(
                f"{path.name}: not a migration name; expected NNNN_<verb>_<object>.up.sql or .down.sql"
            )
        version = int(match["version"])
        if names.setdefault(version, match["name"]) != match["name"]:
            raise MigrationError(f"two migrations share version {version:04d}: {names[version]} and {match['name']}")
        (ups if match["direction"] == "up" else downs)[version] = path
    missing_up = sorted(set(downs) - set(ups))
    if missing_up:
        raise MigrationError(f"down file without up file for version(s) {missing_up}")
    return [Migration(v, names[v], ups[v], downs.get(v)) for v in sorted(ups)]


def split_statements(sql: str) -> list[tuple[int, str]]:
    """Split a file into statements, each with the 1-based line it starts on (dollar quotes respected)."""
    statements: list[tuple[int, str]] = []
    offset = 0
    for statement in sqlparse.parse(sql):
        raw = str(statement)
        text = raw.strip()
        if text and sqlparse.format(text, strip_comments=True).strip():
            lead = len(raw) - len(raw.lstrip())
            statements.append((sql.count("\n", 0, offset + lead) + 1, text))
        offset += len(raw)
    return statements


class MigrationRunner:
    """Applies and rolls back migrations on one database, holding the runner's advisory lock while it works."""

    def __init__(
        self,
        conninfo: str,
        *,
        directory: Path = MIGRATIONS_DIR,
        lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
        lock_wait_seconds: float = 60.0,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        self.conninfo = conninfo
        self.directory = directory
        self.lock_timeout = lock_timeout
        self.lock_wait_seconds = lock_wait_seconds
        self.on_progress = on_progress or (lambda message: None)

    # -- reading ------------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.conninfo, autocommit=True)

    @staticmethod
    def _ensure_ledger(conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            conn.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY + 1,))
            conn.execute(LEDGER_DDL)

    def applied(self, conn: psycopg.Connection[Any] | None = None) -> list[AppliedMigration]:
        """Return the ledger rows in version order (empty when the ledger does not exist yet)."""
        if conn is None:
            with self._connect() as own:
                return self.applied(own)
        exists = conn.execute("select to_regclass('wedsync_meta.schema_migrations') is not null").fetchone()
        if not exists or not exists[0]:
            return []
        rows = conn.execute(
            "select version, name, checksum, applied_at, duration_ms from wedsync_meta.schema_migrations order by 1"
        ).fetchall()
        return [AppliedMigration(*row) for row in rows]

    def status(self) -> list[MigrationStatus]:
        """Return every known or applied migration with its state."""
        files = {m.version: m for m in discover(self.directory)}
        applied = {a.version: a for a in self.applied()}
        rows = []
        for version in sorted(set(files) | set(applied)):
            file, done = files.get(version), applied.get(version)
            if done is None:
                state = "pending"
            elif file is None:
                state = "missing"
            elif not file.matches(done.checksum):
                state = "drifted"
            else:
                state = "applied"
            name = file.name if file else done.name if done else ""  # one of the two exists: the keys' union
            rows.append(MigrationStatus(version, name, done.applied_at if done else None,
                                        done.duration_ms if done else None, state))
        return rows

    def verify(self) -> list[str]:
        """Return one problem per drifted or missing applied migration (empty when all is well)."""
        problems = []
        for row in self.status():
            if row.state == "drifted":
                problems.append(f"{row.version:04d}_{row.name}: the file changed after it was applied (checksum drift)")
            elif row.state == "missing":
                problems.append(f"{row.version:04d}_{row.name}: applied, but its file is gone")
        return problems

    # -- locking ------------------------------------------------------------------------------
    def _acquire_runner_lock(self, conn: psycopg.Connection[Any]) -> None:
        deadline = time.monotonic() + self.lock_wait_seconds
        announced = False
        while True:
            row = conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
            if row and row[0]:
                return
            if not announced:
                self.on_progress("another migration runner holds the lock; waiting")
                announced = True
            if time.monotonic() > deadline:
                holder = conn.execute(
                    "select pid from pg_catalog.pg_locks where locktype = 'advisory' and objid = %s and granted",
                    (LOCK_KEY,),
                ).fetchone()
                raise MigrationError(
                    f"another migration runner (backend pid {holder[0] if holder else '?'}) held the lock for "
                    f"{self.lock_wait_seconds:.0f} s; wait for it to finish, or stop it"
                )
            time.sleep(0.1)

    # -- applying -----------------------------------------------------------------------------
    def up(self, to: int | None = None) -> list[Migration]:
        """Apply pending migrations in order, up to and including version ``to``; return what was applied."""
        migrations = discover(self.directory)
        with self._connect() as conn:
            self._ensure_ledger(conn)
            self._acquire_runner_lock(conn)
            try:
                problems = self.verify()
                if problems:
                    raise MigrationError(
                        f"refusing to migrate while applied files drifted: {'; '.join(problems)}: restore them "
                        "(git checkout schema/migrations; 'wedsync-db migrate status' lists them)")
                done = {a.version for a in self.applied(conn)}
                todo = [m for m in migrations if m.version not in done and (to is None or m.version <= to)]
                for migration in todo:
                    self._run(conn, migration, "up")
                return todo
            finally:
                conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))

    def down(self, to: int | None = None, steps: int | None = None) -> list[Migration]:
        """Roll back applied migrations newest first: down to version ``to`` (kept), or ``steps`` of them (1)."""
        files = {m.version: m for m in discover(self.directory)}
        with self._connect() as conn:
            self._ensure_ledger(conn)
            self._acquire_runner_lock(conn)
            try:
                applied = sorted((a.version for a in self.applied(conn)), reverse=True)
                if to is not None:
                    targets = [v for v in applied if v > to]
                else:
                    targets = applied[: steps if steps is not None else 1]
                missing = [v for v in targets if v not in files or files[v].down_path is None]
                if missing:
                    raise MigrationError(
                        "refusing to roll back: no down file for " + ", ".join(f"{v:04d}" for v in missing)
                    )
                for version in targets:
                    self._run(conn, files[version], "down")
                return [files[v] for v in targets]
            finally:
                conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))

    def _run(self, conn: psycopg.Connection[Any], migration: Migration, direction: str) -> None:
        path = migration.up_path if direction == "up" else migration.down_path
        assert path is not None
        sql = path.read_text()
        self.on_progress(f"{direction} {migration.label}")
        started = time.perf_counter()
        line = 0
        statement = ""
        truncated: list[str] = []

        def watch_for_truncation(notice: psycopg.errors.Diagnostic) -> None:
            if notice.sqlstate == NAME_TOO_LONG:
                truncated.append(notice.message_primary or "")

        conn.add_notice_handler(watch_for_truncation)
        try:
            with conn.transaction():
                conn.execute(f"set local lock_timeout = '{self.lock_timeout}'")
                conn.execute("set local client_min_messages = notice")
                # line and statement outlive the loop: the error handler below names the failing one
                for line, statement in split_statements(sql):  # noqa: B007
                    conn.execute(statement)  # no parameters: simple protocol, so "set local" and DO work
                    if truncated:
                        # PostgreSQL only warns and cuts the name to 63 bytes; a cut name breaks the
                        # naming scheme and lints silently, so it fails the migration instead.
                        raise psycopg.errors.NameTooLong(
                            f"{truncated[0]} (names are limited to 63 bytes: shorten it)"
                        )
                elapsed_ms = int((time.perf_counter() - started) * 1000)
                if direction == "up":
                    conn.execute(
                        "insert into wedsync_meta.schema_migrations (version, name, checksum, duration_ms) "
                        "values (%s, %s, %s, %s)",
                        (migration.version, migration.name, migration.checksum, elapsed_ms),
                    )
                else:
                    conn.execute("delete from wedsync_meta.schema_migrations where version = %s", (migration.version,))
            conn.remove_notice_handler(watch_for_truncation)
        except psycopg.Error as error:
            conn.remove_notice_handler(watch_for_truncation)
            self._record_failure(conn, migration, direction, error)
            where = self._error_line(line, statement, error)
            raise MigrationError(
                f"{path.name}:{where}: {direction} migration failed and was rolled back whole\n  "
                + describe_database_error(error).replace("\n", "\n  ")
            ) from error

    @staticmethod
    def _error_line(line: int, statement: str, error: psycopg.Error) -> int:
        position = error.diag.statement_position
        if position and position.isdigit():
            return line + statement.count("\n", 0, int(position) - 1)
        return line

    @staticmethod
    def _record_failure(
        conn: psycopg.Connection[Any], migration: Migration, direction: str, error: psycopg.Error
    ) -> None:
        try:
            conn.execute(
                "insert into wedsync_meta.migration_failures (version, name, direction, sqlstate, error) "
                "values (%s, %s, %s, %s, %s)",
                (migration.version, migration.name, direction, error.diag.sqlstate, str(error).strip()[:2000]),
            )
        except psycopg.Error:
            pass  # recording is best effort; the original error matters more
