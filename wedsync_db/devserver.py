"""The persistent dev server under .wedsync/dev and the database the CLI works on by default."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from psycopg import sql

from wedsync_db.config import STATE_DIR, Settings
from wedsync_db.errors import ConfigError
from wedsync_db.server.local import LocalServer

DEV_DATA_DIR = STATE_DIR / "dev"
DEV_DATABASE = "wedsync"


def dev_server(settings: Settings | None = None, data_dir: Path | None = None) -> LocalServer:
    """Return the (maybe not yet started) persistent dev server."""
    settings = settings or Settings.from_env()
    return LocalServer(
        pg_bindir=settings.pg_bindir, os_user=settings.os_user, data_dir=data_dir or DEV_DATA_DIR,
        extra_settings=settings.extra_server_settings,
    )


def ensure_dev_server(settings: Settings | None = None, data_dir: Path | None = None) -> LocalServer:
    """Start the dev server unless it already runs; return it."""
    server = dev_server(settings, data_dir)
    if not server.is_running():
        server.start()
    return server


def recreate_database(server_url: str, name: str) -> None:
    """Drop and create a database on a server the harness runs (never on an external one)."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def resolve_database_url(explicit: str | None) -> str:
    """Pick the database a command works on: --database, then DATABASE_URL, then the running dev server."""
    if explicit:
        return explicit
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    server = dev_server()
    if (server.data_dir / "PG_VERSION").exists() and server.is_running():
        return server.url(DEV_DATABASE)
    raise ConfigError(
        "no database given: pass --database URL, set DATABASE_URL, or start the dev server with "
        "'wedsync-db server start' (or run the main job, 'wedsync-db run')"
    )
