"""Fixtures for harness tests: scratch migration folders (blank databases come from wedsync_db.pytest_plugin)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """A scratch migrations folder with two good migrations."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_create_widgets.up.sql").write_text(
        "create table public.widgets (id int primary key);\ncomment on table public.widgets is 'w';\n"
    )
    (folder / "0001_create_widgets.down.sql").write_text("drop table public.widgets;\n")
    (folder / "0002_add_widgets_name.up.sql").write_text("alter table public.widgets add column name text;\n")
    (folder / "0002_add_widgets_name.down.sql").write_text("alter table public.widgets drop column name;\n")
    return folder
