"""Tests of the gates themselves: break a guard in a cloned database and watch the matching gate go red.

As pgTAP's check_test tests the checker: an index dropped must trip the seq-scan gate (and HypoPG must propose
it back); an unwrapped auth.uid() in a policy must trip the once-per-query gate; a feed without its time
range must trip the pruning gate.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import psycopg

from wedsync_db.perf.advisor import advise
from wedsync_db.perf.catalog import catalog_query
from wedsync_db.perf.gates import run_gates
from wedsync_db.perf.tenants import resolve_tenants


def test_dropping_the_notifications_index_fails_the_seq_scan_gate_and_hypopg_proposes_it_back(
    scratch_conn: psycopg.Connection[Any],
) -> None:
    """Without index_notifications_on_user_id_*, the unread badge seq-scans; the advisor names (user_id, ...)."""
    query = catalog_query("unread_notifications")
    tenant = resolve_tenants(scratch_conn)["whale"]
    assert run_gates(scratch_conn, query, tenant).passed
    scratch_conn.execute("drop index public.index_notifications_on_user_id_and_created_at_where_unread")
    scratch_conn.execute("drop index public.index_notifications_on_user_id_and_created_at")
    scratch_conn.execute("analyze public.notifications")

    result = run_gates(scratch_conn, query, tenant)

    assert "seq_scan" in {f.gate for f in result.failures}, result.explain_failures()
    advice = advise(scratch_conn, query, tenant, result)
    assert advice, "HypoPG found no index that fixes the plan"
    best = advice[0]
    print("\n" + result.explain_failures() + "\nHypoPG proposes:\n" + "\n".join(f"  {a}" for a in advice[:3]))
    assert best.relation == "public.notifications" and best.columns[0] == "user_id" and best.removes_seq_scan


def test_dropping_the_clients_wedding_date_index_is_caught_and_proposed_back(
    scratch_conn: psycopg.Connection[Any],
) -> None:
    """Upcoming weddings with no index leading on supplier_id: the gate or budget notices, HypoPG proposes one."""
    query = catalog_query("upcoming_weddings")
    tenant = resolve_tenants(scratch_conn)["whale"]
    scratch_conn.execute("drop index public.index_clients_on_supplier_id_and_wedding_date_where_not_deleted")
    scratch_conn.execute("drop index public.index_clients_on_supplier_id_and_status")
    # the search's GIN (0100) leads on supplier_id too (btree_gin): the planner would read the tenant from it
    scratch_conn.execute("drop index public.index_clients_on_supplier_id_and_search_vector")
    scratch_conn.execute("analyze public.clients")

    result = run_gates(scratch_conn, query, tenant)

    assert not result.passed, result.explain_failures()
    advice = advise(scratch_conn, query, tenant, result)
    assert any(a.columns[:1] == ("supplier_id",) for a in advice), advice


def test_unwrapped_auth_uid_in_a_policy_fails_the_once_per_query_gate(scratch_conn: psycopg.Connection[Any]) -> None:
    """clients_select_team rewritten to call auth.uid() bare: no InitPlan, JWT read per row -> initplan gate red."""
    query = catalog_query("upcoming_weddings")
    tenant = resolve_tenants(scratch_conn)["whale"]
    assert "initplan" in run_gates(scratch_conn, query, tenant).checked
    scratch_conn.execute(
        "alter policy clients_select_team on public.clients using (deleted_at is null and supplier_id in "
        "(select tm.supplier_id from public.team_members tm where tm.user_id = auth.uid()))"
    )

    result = run_gates(scratch_conn, query, tenant)

    assert "initplan" in {f.gate for f in result.failures}, result.explain_failures()


def test_unwrapped_auth_uid_on_notifications_loses_the_initplan(scratch_conn: psycopg.Connection[Any]) -> None:
    """notifications_select_recipient with bare `user_id = auth.uid()`: the InitPlan disappears -> gate red."""
    query = catalog_query("unread_notifications")
    tenant = resolve_tenants(scratch_conn)["small"]
    scratch_conn.execute(
        "alter policy notifications_select_recipient on public.notifications "
        "using (deleted_at is null and user_id = auth.uid())"
    )

    result = run_gates(scratch_conn, query, tenant)

    assert "initplan" in {f.gate for f in result.failures}, result.explain_failures()


def test_activity_feed_without_an_upper_bound_fails_the_pruning_gate(perf_conn: psycopg.Connection[Any]) -> None:
    """The feed with only `created_at >= since` also reads next months' and the default partition."""
    feed = catalog_query("activity_feed_30d")
    unbounded = replace(
        feed, name="activity_feed_unbounded",
        sql=feed.sql.replace("and created_at < %(until)s", ""),
        params=lambda t: {"supplier_id": t.supplier_id, "since": t.days_ago(30)},
    )
    tenant = resolve_tenants(perf_conn)["small"]

    result = run_gates(perf_conn, unbounded, tenant)

    assert "pruning" in {f.gate for f in result.failures}, result.explain_failures()
