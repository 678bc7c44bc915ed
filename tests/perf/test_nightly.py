"""Nightly: the gates at the large profile, and a load run with zero errors and no cross-tenant write.

Skipped unless WEDSYNC_NIGHTLY=1 (seeding large takes minutes).
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from wedsync_db.janitor import Janitor
from wedsync_db.perf.catalog import QUERIES
from wedsync_db.perf.gates import GateConfig, run_gates
from wedsync_db.perf.load import run_load
from wedsync_db.perf.tenants import resolve_tenants

pytestmark = pytest.mark.nightly


def test_every_query_passes_the_gates_at_large(janitor: Janitor, perf_template: Callable[[str], str]) -> None:
    """At ~15M rows, each catalog query for the whale and a small tenant keeps its plan shape and the 1 s line."""
    url = janitor.server.url(perf_template("large"))
    failures = []
    with psycopg.connect(url, autocommit=True) as conn:
        tenants = resolve_tenants(conn)
        for query in QUERIES:
            for tenant in tenants.values():
                result = run_gates(conn, query, tenant, GateConfig(seq_scan_max_rows=10_000))
                if not result.passed:
                    failures.append(result.explain_failures())
    assert not failures, "\n\n".join(failures)


def test_load_run_at_large_has_no_errors_and_no_cross_tenant_write(
    janitor: Janitor, perf_template: Callable[[str], str]
) -> None:
    """Eight clients for five minutes: zero errors, p99 under 100 ms (reported), no write outside the writer's
    tenant."""
    url = janitor.server.url(perf_template("large"))
    result = run_load(url, seconds=300, clients=8)
    assert result.errors == [], result.to_json()["error_examples"]
    assert result.isolation_violations == 0
    print(f"\nload p99 {result.overall().p99_ms:.1f} ms over {len(result.samples)} requests")
