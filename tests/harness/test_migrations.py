"""The migration runner: ledger, transactions, locking, drift, and reversibility."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from wedsync_db import catalog
from wedsync_db._header_edits import BODY_FIXES, HEADER_EDITS
from wedsync_db.errors import MigrationError
from wedsync_db.migrations import MigrationRunner, discover


def _ledger(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("select version, name from wedsync_meta.schema_migrations order by 1").fetchall()


def _snapshot(url: str) -> catalog.Snapshot:
    with psycopg.connect(url) as conn:
        return catalog.snapshot(conn)


def test_up_applies_every_migration_once_and_records_it(blank_db_url: str, migrations_dir: Path) -> None:
    """up applies pending files in order and writes one ledger row each; a second up applies nothing."""
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    assert [m.version for m in runner.up()] == [1, 2]
    assert runner.up() == []
    assert _ledger(blank_db_url) == [(1, "create_widgets"), (2, "add_widgets_name")]


def test_failing_migration_leaves_ledger_and_catalog_unchanged(blank_db_url: str, migrations_dir: Path) -> None:
    """A file that fails half way rolls back whole; the error names file, line and SQLSTATE."""
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    runner.up(to=1)
    before = (_ledger(blank_db_url), _snapshot(blank_db_url))
    (migrations_dir / "0002_add_widgets_name.up.sql").write_text(
        "alter table public.widgets add column name text;\n\nselect 1;\nalter table public.nope add column x int;\n"
    )
    with pytest.raises(MigrationError) as caught:
        runner.up()
    message = str(caught.value)
    assert "0002_add_widgets_name.up.sql:4" in message
    assert "SQLSTATE 42P01" in message
    assert (_ledger(blank_db_url), _snapshot(blank_db_url)) == before
    with psycopg.connect(blank_db_url) as conn:
        failures = conn.execute("select version, sqlstate from wedsync_meta.migration_failures").fetchall()
    assert failures == [(2, "42P01")]


def test_two_concurrent_up_runs_apply_each_migration_once(blank_db_url: str, migrations_dir: Path) -> None:
    """The advisory lock serialises runners: the second waits, then finds nothing left to do."""
    (migrations_dir / "0003_wait.up.sql").write_text("select pg_sleep(0.5);\n")
    (migrations_dir / "0003_wait.down.sql").write_text("select 1;\n")
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            applied.append([m.version for m in MigrationRunner(blank_db_url, directory=migrations_dir).up()])
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(applied) == [[], [1, 2, 3]]
    assert [v for v, _ in _ledger(blank_db_url)] == [1, 2, 3]


def test_checksum_drift_is_reported_and_blocks_up(blank_db_url: str, migrations_dir: Path) -> None:
    """Editing an applied file is drift: verify names it and up refuses to run."""
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    runner.up(to=1)
    (migrations_dir / "0001_create_widgets.up.sql").write_text("create table public.widgets (id bigint primary key);\n")
    problems = runner.verify()
    assert len(problems) == 1 and "0001_create_widgets" in problems[0] and "drift" in problems[0]
    with pytest.raises(MigrationError, match="drift"):
        runner.up()


def _set_ledger_checksum(url: str, version: int, checksum: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("update wedsync_meta.schema_migrations set checksum = %s where version = %s", (checksum, version))


def test_editing_only_the_leading_comment_block_of_an_applied_file_is_not_drift(
    blank_db_url: str, migrations_dir: Path
) -> None:
    """The checksum starts at the first statement: a corrected header is no drift; the same edit below it is."""
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    runner.up(to=1)
    path = migrations_dir / "0001_create_widgets.up.sql"
    sql = path.read_text()
    path.write_text("-- What: widgets.\n-- Down checked: tests/integrity/test_migration_round_trips.py\n\n" + sql)
    assert runner.verify() == []
    path.write_text(sql + "-- a comment after the SQL\n")
    assert "drift" in " ".join(runner.verify())


def test_a_ledger_row_of_the_whole_file_written_before_the_header_rule_is_accepted(
    blank_db_url: str, migrations_dir: Path
) -> None:
    """A ledger holding the sha256 of the whole unchanged file (the checksum of earlier runners) is not drift;
    once the SQL changes, it is."""
    path = migrations_dir / "0001_create_widgets.up.sql"
    path.write_text("-- What: widgets.\n" + path.read_text())
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    runner.up(to=1)
    _set_ledger_checksum(blank_db_url, 1, hashlib.sha256(path.read_bytes()).hexdigest())
    assert runner.verify() == []
    path.write_text(path.read_text() + "select 1;\n")
    assert "drift" in " ".join(runner.verify())


def test_each_header_edit_still_describes_its_file_and_a_body_change_is_drift(tmp_path: Path) -> None:
    """HEADER_EDITS: each file's body is the recorded one, so the whole-file checksum before the edit is accepted;
    change the body and it is not."""
    migrations = {m.version: m for m in discover()}
    assert HEADER_EDITS and set(HEADER_EDITS) <= set(migrations)
    for version, edit in HEADER_EDITS.items():
        migration = migrations[version]
        assert migration.checksum == edit.body, f"{migration.label}: its body changed; it needs a new migration"
        assert migration.matches(edit.whole_file_before)
        changed = tmp_path / migration.up_path.name
        changed.write_bytes(migration.up_path.read_bytes() + b"select 1;\n")
        assert not replace(migration, up_path=changed).matches(edit.whole_file_before)


def test_a_body_fixed_to_the_same_effect_accepts_the_old_bodys_ledger_and_nothing_else(tmp_path: Path) -> None:
    """BODY_FIXES: each file's body is the fixed one; a ledger holding the old body's checksum matches it, and
    any further change to the body is drift."""
    migrations = {m.version: m for m in discover()}
    for version, fix in BODY_FIXES.items():
        migration = migrations[version]
        assert migration.checksum == fix.body, f"{migration.label}: its body changed again; it needs a new migration"
        assert migration.matches(fix.body_before)
        changed = tmp_path / migration.up_path.name
        changed.write_bytes(migration.up_path.read_bytes() + b"select 1;\n")
        assert not replace(migration, up_path=changed).matches(fix.body_before)


def test_response_completion_migrates_a_database_that_holds_responses(seeded_db_url: Callable[[str], str]) -> None:
    """0084 on a database that holds responses (the tiny world, migrated down to 0083): the backfill derives
    every response's completion as the trigger had, and the checks hold after it (added valid, they refused
    the columns' defaults on existing rows and rolled the migration back)."""
    url = seeded_db_url("tiny")
    completion = ("select id, required_field_count, required_answered_count, completion, completed_at is not null "
                  "from public.form_responses order by id")
    with psycopg.connect(url) as conn:
        derived = conn.execute(completion).fetchall()
    runner = MigrationRunner(url)
    runner.down(to=83)
    runner.up(to=84)
    with psycopg.connect(url) as conn:
        assert conn.execute(completion).fetchall() == derived
    assert derived and any(row[3] < 1 for row in derived) and any(row[3] == 1 for row in derived)


def test_a_database_migrated_before_the_header_edits_verifies_clean(blank_db_url: str) -> None:
    """Ledger rows holding the edited files' whole-file checksums from before the edit: verify finds no drift."""
    runner = MigrationRunner(blank_db_url)
    runner.up(to=max(HEADER_EDITS))
    for version, edit in HEADER_EDITS.items():
        _set_ledger_checksum(blank_db_url, version, edit.whole_file_before)
    assert runner.verify() == []


def test_down_refuses_when_a_down_file_is_missing(blank_db_url: str, migrations_dir: Path) -> None:
    """Without its down file a migration cannot be rolled back, and nothing is touched."""
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    runner.up()
    (migrations_dir / "0002_add_widgets_name.down.sql").unlink()
    with pytest.raises(MigrationError, match="no down file for 0002"):
        runner.down()
    assert len(_ledger(blank_db_url)) == 2


def test_up_then_down_restores_the_catalog(blank_db_url: str, migrations_dir: Path) -> None:
    """Each migration's down undoes its up exactly (catalog snapshot equal)."""
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        MigrationRunner._ensure_ledger(conn)
    before = _snapshot(blank_db_url)
    runner.up(to=1)
    assert catalog.diff(before, _snapshot(blank_db_url)) != []
    runner.down(steps=1)
    assert catalog.diff(before, _snapshot(blank_db_url)) == []


def test_first_real_migrations_change_the_catalog_and_round_trip(blank_db_url: str) -> None:
    """0001-0004 of the real schema (extensions, private schema, enum types, audit log): up changes the catalog,
    down returns it to exactly what it was. (tests/integrity round-trips every migration on the full schema.)"""
    runner = MigrationRunner(blank_db_url)
    assert runner.up(to=0) == []  # creates the ledger only: the snapshots below differ by the migrations alone
    before = _snapshot(blank_db_url)
    applied = runner.up(to=4)
    after_up = _snapshot(blank_db_url)
    runner.down(to=0)
    assert [m.version for m in applied] == [1, 2, 3, 4]
    assert catalog.diff(before, after_up) != []
    assert catalog.diff(before, _snapshot(blank_db_url)) == []


def test_discover_rejects_badly_named_files(tmp_path: Path) -> None:
    """A file that is not NNNN_<verb>_<object>.(up|down).sql is an error, not silently skipped."""
    (tmp_path / "1_Create Things.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="not a migration name"):
        discover(tmp_path)


def test_an_identifier_postgres_would_truncate_fails_the_migration(blank_db_url: str, migrations_dir: Path) -> None:
    """A name over 63 bytes is an error (PostgreSQL itself only warns and cuts it), and nothing is applied."""
    long_name = "index_widgets_on_" + "x" * 60
    (migrations_dir / "0003_add_long_index.up.sql").write_text(
        f"create index {long_name} on public.widgets (id);\n"
    )
    (migrations_dir / "0003_add_long_index.down.sql").write_text(f"drop index public.{long_name[:63]};\n")
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    runner.up(to=2)
    with pytest.raises(MigrationError, match="(?s)0003_add_long_index.up.sql:1.*SQLSTATE 42622"):
        runner.up()
    assert [v for v, _ in _ledger(blank_db_url)] == [1, 2]
