"""Fixtures for operations tests: the server log, blank databases, a broken migrations folder, a pgbouncer."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from wedsync_db.server import Server


@pytest.fixture(scope="session")
def server_log(pg_server: Server) -> Path | None:
    """The session server's log file when the harness runs the server (None for an external one)."""
    return getattr(pg_server, "log_file", None)


@pytest.fixture
def broken_migrations_dir(tmp_path: Path) -> Path:
    """A scratch migrations folder: 0001 creates a table, 0002 divides by zero half way."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_create_probes.up.sql").write_text("create table public.probes (id int primary key);\n")
    (folder / "0001_create_probes.down.sql").write_text("drop table public.probes;\n")
    (folder / "0002_add_probes_note.up.sql").write_text(
        "alter table public.probes add column note text;\nselect 1 / 0;\n"
    )
    (folder / "0002_add_probes_note.down.sql").write_text("alter table public.probes drop column note;\n")
    return folder


@pytest.fixture
def pgbouncer_for() -> Iterator[Any]:
    """Return ``start(server_url, pool_size)``: a pgbouncer (session pooling) in front of that server.

    Yields a function giving (client URL template with {db}, admin console URL); every pgbouncer started
    is terminated after the test. Skips when pgbouncer is not installed.
    """
    binary = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if binary is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    started: list[subprocess.Popen[bytes]] = []
    folders: list[Path] = []

    def start(server_url: str, pool_size: int) -> tuple[str, str]:
        target = conninfo_to_dict(server_url)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # not under tmp_path: pytest's root-only temp folders would hide the config from the postgres user
        folder = Path(tempfile.mkdtemp(prefix="wedsync-pgbouncer-"))
        folders.append(folder)
        (folder / "users.txt").write_text('"postgres" ""\n')
        (folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={target['host']} port={target['port']}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder / 'users.txt'}\nadmin_users = postgres\n"
            f"pool_mode = session\ndefault_pool_size = {pool_size}\nmax_client_conn = 50\n"
            f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
        )
        as_user: dict[str, Any] = {}
        if os.geteuid() == 0:  # pgbouncer refuses to run as root
            entry = pwd.getpwnam("postgres")
            for path in (folder, *folder.iterdir()):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        process = subprocess.Popen([binary, str(folder / "pgbouncer.ini")], cwd=folder, **as_user)
        started.append(process)
        admin = f"postgresql://postgres@127.0.0.1:{port}/pgbouncer"
        deadline = time.monotonic() + 10
        while True:
            try:
                psycopg.connect(admin, autocommit=True, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        return f"postgresql://postgres@127.0.0.1:{port}/{{db}}", admin

    try:
        yield start
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=10)
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
