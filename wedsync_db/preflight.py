"""Checks a command makes before any work, each failing in one line that names the problem and the fix."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg

from wedsync_db.errors import ConfigError, describe_connection_error

REQUIRED_ENCODING = "UTF8"


def check_database(url: str) -> None:
    """Connect to ``url`` and check its encoding; raise ConfigError in one line when it cannot be used."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            row = conn.execute(
                "select current_database(), pg_catalog.pg_encoding_to_char(encoding) "
                "from pg_catalog.pg_database where datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError as error:
        raise ConfigError(describe_connection_error(error, url)) from None
    except psycopg.ProgrammingError as error:  # a malformed URL
        reason = " ".join(str(error).split())
        raise ConfigError(f"not a libpq URL ({reason}): give postgresql://user@host:port/database") from None
    if row is None:
        return
    # Under SQL_ASCII psycopg returns text as bytes.
    name, encoding = (value.decode("ascii", "replace") if isinstance(value, bytes) else value for value in row)
    if encoding != REQUIRED_ENCODING:
        # Under SQL_ASCII psycopg hands text back as bytes and the server checks no bytes at all: the seed and the
        # lints would fail half-way or store text no UTF-8 client can read.
        raise ConfigError(
            f"database {name!r} has the encoding {encoding}, and wedsync-db needs {REQUIRED_ENCODING} (names, JSON and "
            f"encrypted values are UTF-8 text): create it with create database {name} encoding 'UTF8' "
            "template template0 (or initdb -E UTF8), then migrate into that one"
        )


def writable_directory(path: Path, option: str) -> Path:
    """Create ``path`` when missing and check a file can be written in it; raise ConfigError otherwise."""
    probe = path / f".wedsync-write-check-{uuid.uuid4().hex[:8]}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(
            f"cannot write the report folder {path} ({reason}{': ' + str(error.filename) if error.filename else ''}): "
            f"choose a folder you can write with {option}"
        ) from None
    if not os.access(path, os.W_OK):
        raise ConfigError(f"cannot write the report folder {path}: choose a folder you can write with {option}")
    return path


def check_migrated(url: str) -> None:
    """Raise ConfigError in one line when the database at ``url`` has no migration applied yet."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "select current_database(), to_regclass('wedsync_meta.schema_migrations') is not null").fetchone()
        applied = bool(row and row[1]) and bool(
            conn.execute("select exists (select 1 from wedsync_meta.schema_migrations)").fetchone()[0])  # type: ignore[index]
    if not applied:
        name = row[0] if row else "?"
        raise ConfigError(f"database {name!r} has no migrations applied: run 'wedsync-db migrate up' "
                          "(with the same --database or DATABASE_URL) first")
