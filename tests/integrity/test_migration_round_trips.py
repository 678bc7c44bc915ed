"""Migration round trips: every migration's down restores the catalog exactly, and up again rebuilds it exactly.

One database walks the whole chain step by step (up N, down N, up N again for every N), comparing
``catalog.full_snapshot`` (tables, columns, types, defaults, constraints, indexes, policies with their
expressions, RLS flags, table and column grants, functions, triggers, views, publications, default privileges).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import psycopg

from wedsync_db import catalog
from wedsync_db.config import MIGRATIONS_DIR
from wedsync_db.migrations import MigrationRunner, discover

Conn = psycopg.Connection[Any]


def round_trip_problems(url: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Walk every migration of ``directory`` up, down and up on ``url``; return one block per catalog difference."""
    runner = MigrationRunner(url, directory=directory)
    problems: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        runner.up(to=0)  # creates the ledger schema, so "before 0001" is comparable with "after 0001's down"
        before = catalog.full_snapshot(conn)
        for migration in discover(directory):
            runner.up(to=migration.version)
            after = catalog.full_snapshot(conn)
            runner.down(steps=1)
            lines = catalog.diff(before, catalog.full_snapshot(conn))
            if lines:
                problems.append(f"{migration.label}: down left the catalog different from before up:\n  "
                                + "\n  ".join(lines))
            runner.up(to=migration.version)
            lines = catalog.diff(after, catalog.full_snapshot(conn))
            if lines:
                problems.append(f"{migration.label}: up after down built a different catalog:\n  " + "\n  ".join(lines))
            before = after
    return problems


def test_every_migration_down_restores_the_catalog_and_up_rebuilds_it(blank_db_url: str) -> None:
    """For every migration N: catalog at N-1 == after up N + down N; catalog after up N == after up N, down N, up N."""
    problems = round_trip_problems(blank_db_url)
    assert not problems, "\n".join(problems)


def test_down_all_then_up_all_gives_the_blank_catalog_then_the_template_catalog(blank_db_url: str, db: Conn) -> None:
    """Rolling every migration back gives the platform-only catalog; migrating again gives the template's catalog."""
    runner = MigrationRunner(blank_db_url)
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        runner.up(to=0)
        blank = catalog.full_snapshot(conn)
        runner.up()
        runner.down(to=0)
        assert catalog.diff(blank, catalog.full_snapshot(conn)) == []
        runner.up()
        # db is a clone of the session's template, migrated once by the janitor: the same catalog is expected.
        assert catalog.diff(catalog.full_snapshot(db), catalog.full_snapshot(conn)) == []


def test_round_trip_reports_a_down_migration_that_forgets_a_grant(blank_db_url: str, tmp_path: Path) -> None:
    """The round trip goes red when a down file forgets to revoke what its up granted (couples' table grants)."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in discover():
        if migration.version > 10:
            break
        shutil.copy(migration.up_path, folder)
        assert migration.down_path is not None
        shutil.copy(migration.down_path, folder)
    down = next(folder.glob("0010_*.down.sql"))
    # (Forgetting only "revoke update (display_name) ..." would be harmless: revoking a table privilege
    # revokes the column privileges too.)
    forgotten = "revoke all on table public.couples from anon, authenticated, service_role;\n"
    assert forgotten in down.read_text()
    down.write_text(down.read_text().replace(forgotten, ""))

    problems = round_trip_problems(blank_db_url, folder)

    assert len(problems) == 1, "\n".join(problems)
    assert problems[0].startswith("0010_add_user_policies: down left the catalog different")
    assert "- table_grants: public.couples | " in problems[0] and "+ table_grants: public.couples | " in problems[0]
