"""The fully migrated catalog equals the committed, readable snapshot schema/catalog_snapshot.txt.

Any schema change therefore shows up in review as a diff of that file. Regenerate it after an intended change:
``WEDSYNC_UPDATE_SNAPSHOTS=1 bin/test tests/integrity/test_catalog_snapshot.py``.
"""

from __future__ import annotations

import difflib
import os
from typing import Any

import psycopg
import pytest

from wedsync_db import catalog
from wedsync_db.config import SCHEMA_DIR, Settings

Conn = psycopg.Connection[Any]

SNAPSHOT_FILE = SCHEMA_DIR / "catalog_snapshot.txt"
REGENERATE = "WEDSYNC_UPDATE_SNAPSHOTS=1 bin/test tests/integrity/test_catalog_snapshot.py"


def test_migrated_catalog_matches_the_committed_snapshot(db: Conn, wedsync_settings: Settings) -> None:
    """The catalog after every migration equals schema/catalog_snapshot.txt (catalog.stable_snapshot)."""
    if not wedsync_settings.auto_grants:
        pytest.skip("the committed snapshot is of the default (auto grants) platform; default privileges differ")
    text = catalog.render_stable(catalog.stable_snapshot(db))
    if os.environ.get("WEDSYNC_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT_FILE.write_text(text)
        return
    if not SNAPSHOT_FILE.exists():
        pytest.fail(f"{SNAPSHOT_FILE} is missing; create it with: {REGENERATE}")
    committed = SNAPSHOT_FILE.read_text()
    if text != committed:
        lines = list(difflib.unified_diff(
            committed.splitlines(), text.splitlines(), "committed", "migrated", lineterm="", n=1,
        ))
        shown = "\n".join(lines[:200]) + (f"\n... {len(lines) - 200} more diff lines" if len(lines) > 200 else "")
        pytest.fail(
            f"the migrated catalog differs from {SNAPSHOT_FILE.relative_to(SCHEMA_DIR.parent)}.\n"
            f"If the schema change is intended, regenerate it and commit the file with the migration:\n"
            f"  {REGENERATE}\n\n{shown}",
            pytrace=False,
        )


def test_stable_snapshot_names_no_database_and_no_migrating_role(db: Conn) -> None:
    """The committed rendering is independent of the database's name and of the role that ran the migrations."""
    name, role = db.execute("select current_database(), current_user").fetchone()  # type: ignore[misc]
    text = catalog.render_stable(catalog.stable_snapshot(db))
    assert name not in text
    assert f" {role}=" not in text and f"/{role}" not in text and f"| {role}\n" not in text
    assert "<migrator>" in text


def test_stable_snapshot_names_partitions_by_month_offset(db: Conn) -> None:
    """Partitions made relative to today by 0021 render as month offsets, so the file does not change monthly."""
    text = catalog.render_stable(catalog.stable_snapshot(db))
    for offset in ("-1", "+0", "+1", "+2"):
        assert f"partitions.activities_month{offset} | r" in text
    assert "_y20" not in text
