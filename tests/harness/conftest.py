"""Fixtures for harness tests: blank databases (platform only, no migrations) and scratch migration folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.platform import apply_platform


@pytest.fixture
def blank_db_url(janitor: Janitor) -> Iterator[str]:
    """A database with the platform emulation applied and no migrations, dropped after the test."""
    name = janitor.create(unique_name("blank"))
    url = janitor.server.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        apply_platform(conn)
    try:
        yield url
    finally:
        janitor.drop(name)


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
