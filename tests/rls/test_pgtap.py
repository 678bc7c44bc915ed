"""The generated pgTAP files pass on our schema under pg_prove (skipped with the reason when pg_prove is absent)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.pgtap import write_pgtap


@pytest.mark.skipif(shutil.which("pg_prove") is None,
                    reason="pg_prove not installed (apt-get install libtap-parser-sourcehandler-pgtap-perl)")
def test_generated_pgtap_files_pass_with_pg_prove(
    oracle: Oracle, janitor: Janitor, template_db: str, tmp_path: Path,
) -> None:
    """Every table's generated file, run by pg_prove against a migrated (unseeded) database, passes."""
    paths = write_pgtap(oracle, tmp_path / "pgtap")
    name = janitor.create(unique_name("pgtap"), template=template_db)
    try:
        result = subprocess.run(["pg_prove", "-d", janitor.server.url(name), *map(str, paths)],
                                capture_output=True, text=True, timeout=600)
    finally:
        janitor.drop(name)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "All tests successful" in result.stdout
