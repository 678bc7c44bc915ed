"""The server layer: a local cluster as root, clean start-up errors, and the container path's skip reason."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from wedsync_db.config import Settings
from wedsync_db.errors import ServerStartError, ServerUnavailable
from wedsync_db.server import LocalServer, make_server
from wedsync_db.server.container import ContainerServer, docker_unavailable_reason
from wedsync_db.server.local import remove_stale_clusters


def test_local_server_starts_and_runs_as_an_unprivileged_user() -> None:
    """A local server starts even when the harness is root, with the postmaster owned by another user."""
    server = LocalServer()
    server.start()
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            settings = dict(conn.execute(
                "select name, setting from pg_settings where name in "
                "('fsync', 'wal_level', 'shared_preload_libraries', 'listen_addresses')"
            ).fetchall())
        assert settings == {
            "fsync": "off", "wal_level": "logical",
            "shared_preload_libraries": "pg_stat_statements", "listen_addresses": "127.0.0.1",
        }
        pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
        owner_uid = os.stat(f"/proc/{pid}").st_uid
        if os.geteuid() == 0:
            assert owner_uid != 0
    finally:
        server.stop()
    assert not server.data_dir.exists(), "a temporary cluster is removed when it stops"


def test_local_server_ignores_inherited_pghost_and_pgport(monkeypatch: pytest.MonkeyPatch) -> None:
    """PGHOST/PGPORT in the caller's environment do not leak into the server it starts."""
    monkeypatch.setenv("PGPORT", "1")
    monkeypatch.setenv("PGHOST", "/nonexistent")
    server = LocalServer()
    server.start()
    try:
        assert server.is_running()
    finally:
        server.stop()


def test_server_that_fails_to_start_reports_the_tail_of_its_log_and_leaves_no_cluster() -> None:
    """A bad setting makes postgres exit; the error carries the log line that says why, and the temporary
    cluster's directory is gone (the log's lines are in the error)."""
    server = LocalServer(extra_settings={"shared_buffers": "not-a-size"})
    with pytest.raises(ServerStartError) as caught:
        server.start()
    assert "shared_buffers" in str(caught.value)
    assert "last lines of" in str(caught.value)
    assert not server.data_dir.exists()


def test_no_orphan_postmaster_survives_a_killed_harness(tmp_path: Path) -> None:
    """SIGKILL of the harness process takes its postmaster down (parent-death signal)."""
    script = (
        "from wedsync_db.server import LocalServer\n"
        "import time\n"
        "s = LocalServer(); s.start()\n"
        "print(s.data_dir, flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    data_dir = Path(child.stdout.readline().strip())
    pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists(), "the postmaster outlived the harness"
    # The killed harness could not remove its cluster; the next one to start a server does (another test's
    # server, starting in parallel, may beat this call to it).
    remove_stale_clusters()
    assert not data_dir.parent.exists()


def test_container_server_reports_why_it_is_unavailable_without_docker() -> None:
    """With no Docker engine the container path raises ServerUnavailable naming the reason (a skip, not a crash)."""
    reason = docker_unavailable_reason()
    if reason is None:
        pytest.skip("a Docker engine is reachable here; the unavailable path cannot be shown")
    with pytest.raises(ServerUnavailable, match="no Docker engine|testcontainers is not installed"):
        ContainerServer().start()


def test_container_server_without_testcontainers_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """testcontainers is an extra: without it the container path names the install command, in one line."""
    monkeypatch.setitem(sys.modules, "testcontainers", None)  # import testcontainers -> ImportError
    reason = docker_unavailable_reason()
    assert reason is not None and "pip install 'wedsync-db[container]'" in reason and "\n" not in reason
    with pytest.raises(ServerUnavailable, match=r"wedsync-db\[container\]"):
        ContainerServer().start()


@pytest.mark.docker
def test_container_server_starts_postgres_15() -> None:
    """Where Docker exists, the container server starts and answers."""
    reason = docker_unavailable_reason()
    if reason is not None:
        pytest.skip(f"container server: {reason}")
    server = ContainerServer()
    server.start()
    try:
        with psycopg.connect(server.url()) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        server.stop()


def test_database_url_selects_the_external_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL wins over the local default when no --server is given."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x")
    monkeypatch.delenv("WEDSYNC_DB_SERVER", raising=False)
    server = make_server(Settings.from_env())
    assert server.kind == "external"
    with pytest.raises(ServerUnavailable, match="DATABASE_URL does not answer"):
        server.start()
