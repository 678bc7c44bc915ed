"""The load driver: a short run at the CI profile has zero errors and writes nothing into a foreign tenant."""

from __future__ import annotations

import pytest

from wedsync_db.perf.load import LoadRefused, check_loopback, run_load


def test_short_load_run_has_no_errors_and_no_cross_tenant_write(perf_db_url: str) -> None:
    """Three clients for four seconds: every request succeeds; the audit log shows each write in the writer's tenant."""
    result = run_load(perf_db_url, seconds=4, clients=3)
    assert len(result.samples) > 100
    assert result.errors == [], result.to_json()["error_examples"]
    assert result.writes_checked > 0 and result.isolation_violations == 0


def test_load_driver_refuses_a_remote_server() -> None:
    """Load targets only loopback: a remote host is refused before any connection is made."""
    with pytest.raises(LoadRefused):
        check_loopback("postgresql://postgres@db.example.com:5432/wedsync")
