"""The persistent dev server under .wedsync/dev and the database the CLI works on by default."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from wedsync_db.config import Settings, state_dir
from wedsync_db.errors import ConfigError
from wedsync_db.janitor import set_test_pii_key
from wedsync_db.preflight import check_database
from wedsync_db.server.local import LocalServer

DEV_DATABASE = "wedsync"
# When the postgres OS user cannot enter the checkout (as root under /root, or a 0700 temporary folder), the dev
# server's data goes here, linked from the folder asked for.
REACHABLE_PARENTS = (Path("/var/tmp"), Path(tempfile.gettempdir()))
_LEFTOVERS = {"socket", "data", "server.log"}  # what a start that failed before initdb leaves behind


def dev_data_dir() -> Path:
    """The dev server's folder: <state dir>/dev (WEDSYNC_DB_STATE_DIR, else .wedsync in the checkout)."""
    return state_dir() / "dev"


def dev_server(settings: Settings | None = None, data_dir: Path | None = None) -> LocalServer:
    """Return the (maybe not yet started) persistent dev server."""
    settings = settings or Settings.from_env()
    return LocalServer(
        pg_bindir=settings.pg_bindir, os_user=settings.os_user, data_dir=data_dir or dev_data_dir(),
        extra_settings=settings.extra_server_settings,
    )


def ensure_dev_server(settings: Settings | None = None, data_dir: Path | None = None, *, port: int | None = None,
                      on_note: Callable[[str], None] | None = None) -> LocalServer:
    """Start the dev server unless it already runs, with its database and a development PII key; return it.

    :param port: move the server to this port (it keeps it on later starts).
    :param on_note: told, in one line, when the data goes somewhere other than the folder asked for.
    """
    settings = settings or Settings.from_env()
    requested = data_dir or dev_data_dir()
    note = place_data_dir(requested, settings.os_user)
    if note and on_note is not None:
        on_note(note)
    server = dev_server(settings, requested)
    if port is not None and port != server.port:
        if server.is_running():
            raise ConfigError(f"the dev server runs on port {server.port}: stop it first ('wedsync-db server stop'), "
                              f"then start it with --port {port}")
        server.move_to_port(port)
    if not server.is_running():
        if port_taken(server.port):
            raise ConfigError(
                f"port {server.port} on 127.0.0.1, where the dev server in {requested} listens, is taken by another "
                "process: stop that process, or move the dev server with 'wedsync-db server start --port <free port>'")
        server.start()
    ensure_dev_database(server)
    return server


def ensure_dev_database(server: LocalServer) -> None:
    """Create the dev database when missing and give it the development PII key when it has none."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        if conn.execute("select 1 from pg_catalog.pg_database where datname = %s", [DEV_DATABASE]).fetchone() is None:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(DEV_DATABASE)))
        has_key = conn.execute(
            "select 1 from pg_catalog.pg_db_role_setting s join pg_catalog.pg_database d on d.oid = s.setdatabase "
            "where d.datname = %s and s.setrole = 0 and exists "
            "(select 1 from unnest(s.setconfig) c where c like 'wedsync.pii_key=%%')", [DEV_DATABASE]).fetchone()
    if has_key is None:
        set_test_pii_key(server.url(), DEV_DATABASE)


def port_taken(port: int) -> bool:
    """True when something already listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As postgres binds: connections of a stopped server still in TIME_WAIT do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def place_data_dir(requested: Path, os_user: str) -> str:
    """Make sure the server's OS user can reach the dev server's folder; return a one-line note when it moved.

    Only matters as root, where the server runs as ``os_user``: a folder under /root or a private temporary folder
    is out of its reach. A new dev server then lives in /var/tmp/wedsync-db/dev-* and ``requested`` becomes a link
    to it; an existing one out of reach is refused with the fix.
    """
    if os.geteuid() != 0:
        return ""
    try:
        entry = pwd.getpwnam(os_user)
    except KeyError:
        return ""  # LocalServer says, with the fix, that the user is missing
    target = requested.resolve()
    blocked = _first_closed_directory(target, entry)
    if blocked is None:
        return ""
    cause = (f"the {os_user} OS user (which runs the server when wedsync-db runs as root) cannot enter {blocked} "
             f"(mode {stat.S_IMODE(blocked.stat().st_mode):04o}, owner {_owner(blocked)})")
    if requested.is_symlink() or (target.exists() and set(os.listdir(target)) - _LEFTOVERS) or (
            target / "data" / "PG_VERSION").exists():
        raise ConfigError(f"{cause}, and the dev server's data is there: run 'chmod o+x {blocked}', or start a new "
                          "dev server with --data-dir <a folder it can reach> (or WEDSYNC_DB_STATE_DIR)")
    home = _reachable_home(entry)
    if home is None:
        raise ConfigError(f"{cause}, and neither of {', '.join(map(str, REACHABLE_PARENTS))} is open to it: "
                          f"run 'chmod o+x {blocked}', or give --data-dir a folder it can reach")
    if target.exists():
        shutil.rmtree(target)  # only the leftovers of a start that failed before initdb (checked above)
    placed = Path(tempfile.mkdtemp(prefix="dev-", dir=home))
    requested.parent.mkdir(parents=True, exist_ok=True)
    requested.symlink_to(placed, target_is_directory=True)
    return f"{cause}, so the dev server's data lives in {placed} (linked from {requested}; delete both to start afresh)"


def _first_closed_directory(path: Path, entry: pwd.struct_passwd) -> Path | None:
    """The first existing ancestor of ``path`` that ``entry``'s user may not search (enter), or None."""
    groups = set(os.getgrouplist(entry.pw_name, entry.pw_gid))
    for directory in reversed(path.parents):
        try:
            info = directory.stat()
        except FileNotFoundError:
            return None  # made by root with mode 0755 on the way down
        if info.st_uid == entry.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid in groups:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return directory
    return None


def _reachable_home(entry: pwd.struct_passwd) -> Path | None:
    for parent in REACHABLE_PARENTS:
        home = parent / "wedsync-db"
        if parent.is_dir() and _first_closed_directory(home / "x", entry) is None:
            home.mkdir(mode=0o755, exist_ok=True)
            if _first_closed_directory(home / "x", entry) is None:
                return home
    return None


def _owner(path: Path) -> str:
    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def recreate_database(server_url: str, name: str) -> None:
    """Drop and create a database on a server the harness runs (never on an external one)."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def resolve_database_url(explicit: str | None) -> str:
    """Pick the database a command works on: --database, then DATABASE_URL, then the running dev server.

    The database is reached once and its encoding checked, so a command fails before any work, in one line.
    """
    url = explicit or os.environ.get("DATABASE_URL") or None
    if url is None:
        server = dev_server()
        if not ((server.data_dir / "PG_VERSION").exists() and server.is_running()):
            raise ConfigError(
                "no database given and the dev server is not running: start it with 'wedsync-db server start', "
                "or pass --database URL, or set DATABASE_URL")
        url = server.url(DEV_DATABASE)
    check_database(url)
    return url
