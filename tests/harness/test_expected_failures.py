"""Every expected failure of the command line is one line on stderr naming the problem and the fix, never a traceback.

Exit 2 for usage and configuration (what the person must change before trying again), 1 for a check that ran and
failed. Each row of ``FAILURES``: a set-up that makes the situation, the command a person would type, the exit
code, and a phrase of the one line.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.harness.cli_runs import cli, cli_environment, explain
from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.server import LocalServer
from wedsync_db.server.base import database_of


@dataclass
class Scene:
    """What a row's set-up may use: a fresh state folder, the session's server, and things to undo afterwards."""

    request: pytest.FixtureRequest
    tmp_path: Path
    env: dict[str, str]
    undo: list[Callable[[], None]] = field(default_factory=list)

    @property
    def janitor(self) -> Janitor:
        return self.request.getfixturevalue("janitor")  # started only for rows that need a server

    def database(self, *, encoding: str = "UTF8") -> str:
        """A new empty database on the session's server; its URL."""
        name = unique_name("failure")
        with psycopg.connect(self.janitor.server.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("create database {} encoding {} locale 'C' template template0").format(
                sql.Identifier(name), sql.Literal(encoding)))
        self.janitor.created.append(name)
        return self.janitor.server.url(name)

    def migrated(self) -> str:
        """A fresh clone of the session's migrated template (with the test PII key); its URL."""
        return str(self.request.getfixturevalue("db_url"))

    def use(self, url: str) -> None:
        self.env["DATABASE_URL"] = url


Setup = Callable[[Scene], list[str]]


def _nothing_running(scene: Scene) -> list[str]:
    return ["migrate", "up"]


def _connection_refused(scene: Scene) -> list[str]:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    scene.use(f"postgresql://postgres@127.0.0.1:{port}/wedsync")
    return ["lint"]


def _wrong_password(scene: Scene) -> list[str]:
    server = LocalServer()  # its own server: pg_hba is changed for a user that has a password
    server.start()
    scene.undo.append(server.stop)
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("create role alice login password 'right'")
        hba = Path(conn.execute("show hba_file").fetchone()[0])  # type: ignore[index]
        hba.write_text("host all alice 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        conn.execute("select pg_reload_conf()")
    return ["migrate", "status", "--database", f"postgresql://alice:wrong@127.0.0.1:{server.port}/postgres"]


def _database_missing(scene: Scene) -> list[str]:
    scene.use(scene.janitor.server.url("wedsync_no_such_database"))
    return ["migrate", "up"]


def _sql_ascii(command: list[str]) -> Setup:
    def setup(scene: Scene) -> list[str]:
        scene.use(scene.database(encoding="SQL_ASCII"))
        return command

    return setup


def _latin1(scene: Scene) -> list[str]:
    scene.use(scene.database(encoding="LATIN1"))
    return ["migrate", "up"]


def _not_migrated(scene: Scene) -> list[str]:
    scene.use(scene.database())
    return ["seed", "--profile", "tiny"]


def _pii_key_missing(scene: Scene) -> list[str]:
    url = scene.migrated()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("alter database {} reset wedsync.pii_key").format(sql.Identifier(database_of(url))))
    scene.use(url)
    return ["seed", "--profile", "tiny", "--no-progress"]


def _drift(command: list[str]) -> Setup:
    def setup(scene: Scene) -> list[str]:
        url = scene.migrated()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("update wedsync_meta.schema_migrations set checksum = 'edited' where version = 3")
        scene.use(url)
        return command

    return setup


def _unknown_profile(scene: Scene) -> list[str]:
    return ["seed", "--profile", "huge"]


def _unwritable(command: list[str]) -> Setup:
    """A report folder under a regular file: no one can create it, root included."""

    def setup(scene: Scene) -> list[str]:
        blocker = scene.tmp_path / "a-file"
        blocker.write_text("")
        if command[0] == "lint":
            scene.use(scene.migrated())
        return [part.replace("{blocked}", str(blocker / "reports")) for part in command]

    return setup


def _port_taken(scene: Scene) -> list[str]:
    """The dev server was made, then stopped; another process took its port meanwhile."""
    started = cli("server", "start", env=scene.env)
    assert started.returncode == 0, explain(started)
    scene.undo.append(lambda: cli("server", "stop", env=scene.env))
    scene.undo.append(lambda: shutil.rmtree((scene.tmp_path / "state" / "dev").resolve(), ignore_errors=True))
    port = int(started.stdout.split("127.0.0.1:")[1].split("/")[0])
    assert cli("server", "stop", env=scene.env).returncode == 0
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", port))
    squatter.listen()
    scene.undo.append(squatter.close)
    return ["server", "start"]


def _dev_data_out_of_reach(scene: Scene) -> list[str]:
    """As root: the dev server's data already lies in a folder the postgres user cannot enter."""
    if os.geteuid() != 0:
        pytest.skip("only root runs the server as another OS user")
    private = scene.tmp_path / "private"
    (private / "state" / "dev" / "data").mkdir(parents=True)
    (private / "state" / "dev" / "data" / "PG_VERSION").write_text("15\n")
    private.chmod(0o700)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    scene.env["WEDSYNC_DB_STATE_DIR"] = str(private / "state")
    return ["server", "start"]


def _malformed_url(scene: Scene) -> list[str]:
    return ["health", "--database", "wedsync"]  # a database name where a URL belongs


# (row id, set-up -> command, exit code, a phrase of the one line on stderr)
FAILURES: list[tuple[str, Setup, int, str]] = [
    ("dev server not running", _nothing_running, 2, "dev server is not running"),
    ("connection refused", _connection_refused, 2, "connection refused"),
    ("wrong password", _wrong_password, 2, "refused the password of user 'alice'"),
    ("database missing", _database_missing, 2, "'wedsync_no_such_database' does not exist"),
    ("SQL_ASCII database: seed", _sql_ascii(["seed", "--profile", "tiny"]), 2, "has the encoding SQL_ASCII"),
    ("SQL_ASCII database: lint", _sql_ascii(["lint"]), 2, "has the encoding SQL_ASCII"),
    ("LATIN1 database: migrate up", _latin1, 2, "has the encoding LATIN1"),
    ("seed before migrate up", _not_migrated, 2, "has no migrations applied"),
    ("missing PII key", _pii_key_missing, 2, "wedsync.pii_key is not set"),
    ("migration drift: verify", _drift(["migrate", "verify"]), 1, "drift: 0003_"),
    ("migration drift: up", _drift(["migrate", "up"]), 1, "refusing to migrate while applied files drifted"),
    ("unknown profile", _unknown_profile, 2, "unknown seed profile 'huge'"),
    ("unwritable report folder: verify rls", _unwritable(["verify", "rls", "--out", "{blocked}"]), 2,
     "cannot write the report folder"),
    ("unwritable report folder: run", _unwritable(["run", "--report-dir", "{blocked}"]), 2,
     "cannot write the report folder"),
    ("unwritable report folder: lint", _unwritable(["lint", "--format", "sarif", "--output", "{blocked}/lint.sarif"]),
     2, "cannot write the report folder"),
    ("port already taken", _port_taken, 2, "is taken by another process"),
    ("dev data out of the postgres user's reach", _dev_data_out_of_reach, 2, "cannot enter"),
    ("malformed database URL", _malformed_url, 2, "not a libpq URL"),
]


@pytest.fixture
def scene(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scene]:
    made = Scene(request, tmp_path, cli_environment(tmp_path / "state"))
    try:
        yield made
    finally:
        for undo in reversed(made.undo):
            undo()


@pytest.mark.parametrize(("setup", "exit_code", "phrase"), [row[1:] for row in FAILURES],
                         ids=[row[0] for row in FAILURES])
def test_an_expected_failure_is_one_line_with_the_fix(scene: Scene, setup: Setup, exit_code: int, phrase: str) -> None:
    """One line on stderr naming the problem (and the fix), the documented exit code, no traceback."""
    command = setup(scene)
    result = cli(*command, env=scene.env, timeout=120)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stdout + result.stderr, explain(result)
    assert result.returncode == exit_code, explain(result)
    assert len(lines) == 1 and phrase in lines[0], explain(result)
