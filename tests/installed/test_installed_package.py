"""The package installed from its wheel stands alone: its own SQL, no top-level ``fixtures``, a working plugin.

bin/check-wheel runs this file from a folder outside the checkout, in a clean virtualenv holding the wheel; in a
checkout (bin/test) it is skipped.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path

import psycopg
import pytest

import wedsync_db
from wedsync_db.config import CHECKOUT, MIGRATIONS_DIR, PLATFORM_FILE
from wedsync_db.migrations import discover
from wedsync_db.worlds.profiles import get_profile

pytestmark = pytest.mark.skipif(
    CHECKOUT is not None, reason="checks an installed wheel: bin/check-wheel runs it outside the checkout")


def test_wedsync_db_is_imported_from_the_virtualenv_and_not_from_a_checkout() -> None:
    """The module found is the installed one (site-packages of this interpreter), and it knows it is no checkout."""
    assert Path(wedsync_db.__file__).resolve().is_relative_to(Path(sys.prefix).resolve())
    assert CHECKOUT is None


def test_the_wheel_installs_only_the_wedsync_db_package_and_its_command() -> None:
    """No top-level ``fixtures`` (a name a PyPI distribution owns): every installed file is under wedsync_db/."""
    files = metadata.files("wedsync-db") or []
    tops = {file.parts[0] for file in files if file.parts[0] != ".."}  # ../../bin/wedsync-db: the script
    assert tops == {"wedsync_db", f"wedsync_db-{metadata.version('wedsync-db')}.dist-info"}
    assert importlib.util.find_spec("fixtures") is None


def test_the_schema_ships_as_package_data_found_through_importlib_resources() -> None:
    """Every migration has its down beside it in the installed package, and platform.sql and the contracts too."""
    schema = resources.files("wedsync_db") / "schema"
    assert MIGRATIONS_DIR == Path(str(schema / "migrations")) and PLATFORM_FILE.is_file()
    assert (schema / "access_matrix.yaml").is_file() and (schema / "ownership.yaml").is_file()
    migrations = discover()
    assert len(migrations) > 50
    for migration in migrations:
        assert migration.up_path.is_file() and migration.down_path is not None and migration.down_path.is_file()


def test_the_installed_seeded_plugin_loads_the_tiny_world(seeded_db_url: Callable[[str], str]) -> None:
    """wedsync_db.pytest_seeded, from the wheel, seeds the tiny profile's suppliers into a migrated clone."""
    with psycopg.connect(seeded_db_url("tiny")) as conn:
        row = conn.execute("select count(*) from public.suppliers").fetchone()
    assert row is not None and row[0] >= get_profile("tiny").suppliers
