"""``wedsync-db migrate new``: the next version, the headers schema/README.md asks for, nothing left unfinished."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter
from typer.testing import CliRunner

from wedsync_db.cli import app
from wedsync_db.migrations import MigrationRunner, discover
from wedsync_db.scaffold import PLACEHOLDER, ScaffoldError, new_migration, unfinished

ROOT = Path(__file__).resolve().parents[2]


def test_new_migration_takes_the_next_version_with_up_and_down(migrations_dir: Path) -> None:
    up, down = new_migration("add_widgets_colour", migrations_dir)
    assert (up.name, down.name) == ("0003_add_widgets_colour.up.sql", "0003_add_widgets_colour.down.sql")
    assert discover(migrations_dir)[-1].label == "0003_add_widgets_colour"
    header = up.read_text()
    for part in ("-- 0003_add_widgets_colour\n", "What and why:", "Lock impact:", "Down checked:",
                 "set local lock_timeout = '5s';", "set local statement_timeout = '60s';"):
        assert part in header
    assert "(down)" in down.read_text() and "set local lock_timeout" in down.read_text()


@pytest.mark.parametrize("name", ["widgets_colour", "Add_widgets", "add-widgets", "add_", "add__widgets", "add"])
def test_new_migration_refuses_a_name_that_does_not_start_with_a_verb_and_an_object(
        migrations_dir: Path, name: str) -> None:
    with pytest.raises(ScaffoldError, match="verb first"):
        new_migration(name, migrations_dir)
    assert len(list(migrations_dir.iterdir())) == 4


def test_new_migration_refuses_a_name_already_taken(migrations_dir: Path) -> None:
    with pytest.raises(ScaffoldError, match="0002_add_widgets_name already has that name"):
        new_migration("add_widgets_name", migrations_dir)


def test_a_scaffolded_pair_applies_and_rolls_back(blank_db_url: str, migrations_dir: Path) -> None:
    """Headers alone are a valid migration for the runner (it is then filled in)."""
    new_migration("alter_widgets_comment", migrations_dir)
    runner = MigrationRunner(blank_db_url, directory=migrations_dir)
    assert [m.version for m in runner.up()] == [1, 2, 3]
    assert [m.version for m in runner.down(steps=1)] == [3]


def test_a_scaffolded_pair_passes_sqlfluff_with_the_projects_rules(migrations_dir: Path) -> None:
    linter = Linter(config=FluffConfig.from_path(str(ROOT)))
    for path in new_migration("create_gadgets", migrations_dir):
        violations = linter.lint_string(path.read_text(), fname=path.name).get_violations()
        assert not violations, [v.desc() for v in violations]


def test_no_migration_in_schema_is_left_with_a_scaffold_placeholder() -> None:
    """A scaffold committed as it came out of migrate new has no why, no lock impact and no rollback."""
    assert unfinished() == [], f"replace each {PLACEHOLDER} in these migrations"


def test_the_command_prints_the_files_and_what_to_do_next(monkeypatch: pytest.MonkeyPatch,
                                                        migrations_dir: Path) -> None:
    monkeypatch.setattr("wedsync_db.cli.new_migration", lambda name: new_migration(name, migrations_dir))
    result = CliRunner().invoke(app, ["migrate", "new", "add_widgets_colour"])
    assert result.exit_code == 0, result.output
    assert "0003_add_widgets_colour.up.sql" in result.output and "next:" in result.output


def test_the_command_refuses_a_bad_name_in_one_line_and_writes_nothing() -> None:
    folder = ROOT / "schema" / "migrations"
    before = set(folder.iterdir())
    try:
        refused = subprocess.run([sys.executable, "-m", "wedsync_db.cli", "migrate", "new", "widgets"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=60)
    finally:
        written = set(folder.iterdir()) - before
        for path in written:  # keep the checkout clean even when this test goes red
            path.unlink()
    assert refused.returncode == 1
    assert refused.stderr.startswith("wedsync-db: 'widgets' is not a migration name: verb first")
    assert not written
