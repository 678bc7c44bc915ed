"""The README's command sequences, typed in order from a fresh state folder, work and print no traceback.

As root, pytest's temporary folders are private (mode 0700), out of the postgres OS user's reach: the dev server's
sequence then also proves that its data is placed where that user can reach it, said in one line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.harness.cli_runs import cli, cli_environment, explain
from wedsync_db.janitor import Janitor, unique_name

pytestmark = pytest.mark.slow

needs_psql = pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed (postgresql-client)")


def _run_ok(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    result = cli(*args, env=env, stdin=stdin)
    assert result.returncode == 0, explain(result)
    assert "Traceback" not in result.stdout + result.stderr, explain(result)
    return result.stdout


def _psql_as_actors(env: dict[str, str]) -> None:
    """psql --as anon|service|user:<uuid> opens psql with that role and those claims (queries read from stdin)."""
    out = _run_ok("psql", "--as", "anon", env=env, stdin="select current_user;\n")
    assert "anon" in out
    out = _run_ok("psql", "--as", "service", env=env, stdin="select current_user;\n")
    assert "service_role" in out
    user = str(uuid.uuid4())
    out = _run_ok("psql", "--as", f"user:{user}", env=env, stdin="select current_user, auth.uid();\n")
    assert "authenticated" in out and user in out


@needs_psql
def test_a_newcomer_runs_the_dev_server_sequence_from_a_fresh_state_folder(tmp_path: Path) -> None:
    """server start -> migrate up -> seed --profile tiny -> lint -> verify rls -> psql --as -> health -> server stop."""
    state = tmp_path / "state"
    env = cli_environment(state)
    try:
        started = cli("server", "start", env=env)
        assert started.returncode == 0, explain(started)
        url = next(line.split("=", 1)[1] for line in started.stdout.splitlines() if line.startswith("DATABASE_URL="))
        with psycopg.connect(url) as conn:  # the printed URL works
            assert conn.execute("select current_setting('wedsync.pii_key', true) <> ''").fetchone() == (True,)
        notes = started.stderr.strip().splitlines()
        if os.geteuid() == 0:  # tmp_path is private: the data went where postgres can reach it, said in one line
            assert len(notes) == 1 and "cannot enter" in notes[0] and "data lives in" in notes[0], explain(started)
        else:
            assert notes == [], explain(started)

        assert "applied" in _run_ok("migrate", "up", env=env)
        assert "total" in _run_ok("seed", "--profile", "tiny", env=env)
        _run_ok("lint", env=env)
        _run_ok("verify", "rls", "--escalation", "off", "--out", str(tmp_path / "rls"), env=env)
        _psql_as_actors(env)
        _run_ok("health", env=env)
        assert "stopped" in _run_ok("server", "stop", env=env)
        assert "stopped" in _run_ok("server", "status", env=env)
        assert "running" in _run_ok("server", "start", env=env)  # again: same data, no second note
    finally:
        cli("server", "stop", env=env)
        placed = (state / "dev").resolve()
        shutil.rmtree(placed, ignore_errors=True)


@needs_psql
def test_a_team_runs_the_sequence_against_a_database_url(janitor: Janitor, tmp_path: Path) -> None:
    """migrate up --database -> alter database set wedsync.pii_key (psql) -> seed -> lint -> verify rls -> psql
    --as -> health, against a server the harness did not start for it (DATABASE_URL)."""
    name = janitor.create(unique_name("readme"))
    url = janitor.server.url(name)
    env = cli_environment(tmp_path / "state", DATABASE_URL=url)
    assert "applied" in _run_ok("migrate", "up", "--database", url, env=env)
    # The README's next line: psql $BIG -c "alter database ... set wedsync.pii_key = '<secret>'"
    subprocess.run([shutil.which("psql") or "psql", url, "-c", f"alter database {name} set wedsync.pii_key = 's'"],
                   check=True, capture_output=True, env=env)
    assert "total" in _run_ok("seed", "--profile", "tiny", env=env)
    _run_ok("lint", env=env)
    _run_ok("verify", "rls", "--escalation", "off", "--out", str(tmp_path / "rls"), env=env)
    _psql_as_actors(env)
    _run_ok("health", env=env)
