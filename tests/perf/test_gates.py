"""Plan-shape gates at the CI profile: every catalog query, as its real actor under RLS, for the whale and a
small tenant.

On failure the message shows the failed gates, the plan, and what the HypoPG advisor proposes.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from wedsync_db.perf.advisor import advise
from wedsync_db.perf.catalog import QUERIES, CatalogQuery
from wedsync_db.perf.gates import GateConfig, run_gates
from wedsync_db.perf.tenants import Tenant

# A generous time backstop: two shared cores and other suites running beside us.
CONFIG = GateConfig()


@pytest.mark.parametrize("tenant_label", ["whale", "small"])
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_actor_query_passes_plan_shape_gates(
    query: CatalogQuery, tenant_label: str, perf_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """No big seq scan, partitions pruned, auth.uid() once per query, little filter waste, under budget."""
    tenant = tenants[tenant_label]
    result = run_gates(perf_conn, query, tenant, CONFIG)
    if not result.passed:
        advice = advise(perf_conn, query, tenant, result)
        message = result.explain_failures() + "".join(f"\nHypoPG proposes: {a}" for a in advice[:3])
        pytest.fail(message)
