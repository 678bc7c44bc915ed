"""The seed's disk and memory: refused in one line before any work when the server's disk is short; reported after."""

from __future__ import annotations

import dataclasses

import psycopg
import typer
from typer.testing import CliRunner

from wedsync_db.worlds import profiles
from wedsync_db.worlds.disk import check_disk
from wedsync_db.worlds.load import seed_command

app = typer.Typer()
app.command("seed")(seed_command)
app.command("noop")(lambda: None)


def test_seed_refuses_in_one_line_when_the_disk_cannot_hold_the_profile(db_url, monkeypatch):
    """A profile needing more than the data directory's filesystem has free is refused, nothing loaded."""
    huge = dataclasses.replace(profiles.PROFILES["tiny"], peak_disk_bytes_per_row=10**12)
    monkeypatch.setitem(profiles.PROFILES, "tiny", huge)
    result = CliRunner().invoke(app, ["seed", "--profile", "tiny", "--database", db_url, "--no-progress"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "refused: seeding tiny needs" in lines[0] and "free" in lines[0], result.output
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select count(*) from public.suppliers").fetchone() == (0,)


def test_seed_prints_disk_use_and_peak_memory(db_url):
    """After a seed: the database's size, the free disk beside the estimate, and the process's peak RSS."""
    result = CliRunner().invoke(app, ["seed", "--profile", "tiny", "--database", db_url, "--no-progress",
                                      "--as-of", "2025-06-14"])
    assert result.exit_code == 0, result.output
    assert "disk: database" in result.output and "free on" in result.output
    assert "peak RSS of the seed process:" in result.output


def test_a_remote_server_is_not_checked_and_says_so(db_url):
    """A server on another host: the disk check is skipped with a note, never a refusal."""
    with psycopg.connect(db_url) as conn:
        check = check_disk(conn, "postgresql://postgres@db.example.com:5432/x", profiles.PROFILES["xl"])
    assert check.enough and check.where is None and "not checked" in check.note


def test_the_xl_estimate_is_what_this_machine_kind_was_measured_to_need():
    """The need comes from the profile's measured bytes per row: xl needs tens of GB, ci well under one."""
    assert 40e9 < profiles.PROFILES["xl"].peak_disk_bytes < 80e9
    assert profiles.PROFILES["ci"].peak_disk_bytes < 1e9


def test_seed_refuses_in_one_line_when_the_pii_key_is_unset(db_url):
    """Without wedsync.pii_key the seed stops before any work (its encryption step comes ~11 min into xl)."""
    from wedsync_db.server.base import database_of

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f'alter database "{database_of(db_url)}" reset wedsync.pii_key')
    result = CliRunner().invoke(app, ["seed", "--profile", "tiny", "--database", db_url, "--no-progress"])
    assert result.exit_code == 2  # a configuration to fix, not a failed check
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "wedsync.pii_key is not set" in lines[0], result.output
