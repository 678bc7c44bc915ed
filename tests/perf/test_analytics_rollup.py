"""Analytics per day through public.dashboard_analytics_per_day (0035): after a refresh, the same counts as the raw
aggregate under RLS for team admins and up, and nothing of the whale for anyone else.

The function reads private.dashboard_analytics_per_day, a materialized view (no RLS), through a SECURITY DEFINER
reader that repeats analytics_events_select_team_admin's rule (team admin and up of the event's supplier).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import psycopg

from wedsync_db.impersonate import Actor, request
from wedsync_db.perf.tenants import Tenant

RPC = "select supplier_id, day, event_name, events from public.dashboard_analytics_per_day(%(p_from)s, %(p_to)s)"
RAW = """select supplier_id, (created_at at time zone 'UTC')::date as day, event_name, count(*) as events
         from public.analytics_events
         where supplier_id = %(s)s and created_at >= %(since)s and created_at < %(until)s
         group by 1, 2, 3"""

Row = tuple[uuid.UUID, date, str, int]


def _window(tenant: Tenant) -> dict[str, Any]:
    """The catalog's 90 days as UTC dates [p_from, p_to), and the same bounds as timestamps for the raw query."""
    p_from, p_to = tenant.days_ago(90).date(), tenant.days_ago(-1).date()
    return {"s": tenant.supplier_id, "p_from": p_from, "p_to": p_to,
            "since": datetime.combine(p_from, time(), UTC),
            "until": datetime.combine(p_to, time(), UTC)}


def _rows(conn: psycopg.Connection[Any], actor: Actor, query: str, params: dict[str, Any]) -> set[Row]:
    with request(conn, actor, method="POST"):
        return {tuple(row) for row in conn.execute(query, params).fetchall()}  # type: ignore[misc]


def _whale_rows(rows: set[Row], whale: Tenant) -> set[Row]:
    return {row for row in rows if row[0] == whale.supplier_id}


def test_owner_gets_from_the_rollup_exactly_the_raw_aggregate_under_rls(
    scratch_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """After refresh_dashboards(false), the whale owner's rows for 90 days equal its raw per-day counts under RLS."""
    whale = tenants["whale"]
    scratch_conn.execute("select public.refresh_dashboards(false)")
    params = _window(whale)
    raw = _rows(scratch_conn, whale.actor("supplier"), RAW, params)
    assert raw, "the whale should have analytics events in the last 90 days"
    assert _whale_rows(_rows(scratch_conn, whale.actor("supplier"), RPC, params), whale) == raw


def test_other_owner_stranger_and_member_get_none_of_the_whales_rows(
    scratch_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """Another supplier's owner, a stranger and a team member below admin get no whale rows (admin and up only)."""
    whale, small = tenants["whale"], tenants["small"]
    scratch_conn.execute("select public.refresh_dashboards(false)")
    member = uuid.uuid4()
    scratch_conn.execute("insert into auth.users (id, email) values (%s, %s)", (member, f"member.{member}@example.com"))
    scratch_conn.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at)"
                 " values (%s, %s, 'member', now())",
                         (whale.supplier_id, member))
    params = _window(whale)
    assert _whale_rows(_rows(scratch_conn, whale.actor("supplier"), RPC, params), whale), "control: the owner sees some"
    assert not _whale_rows(_rows(scratch_conn, small.actor("supplier"), RPC, params), whale)
    assert not _rows(scratch_conn, Actor.user(uuid.uuid4()), RPC, params)
    assert not _rows(scratch_conn, Actor.user(member), RPC, params)
    assert not _rows(scratch_conn, Actor.user(member), RAW, params), "the table's policy agrees: members see nothing"


def test_anon_cannot_execute_the_analytics_rollup(
    perf_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """anon has no EXECUTE on public.dashboard_analytics_per_day (42501), like the other dashboard functions."""
    try:
        _rows(perf_conn, Actor.anon(), RPC, _window(tenants["whale"]))
    except psycopg.errors.InsufficientPrivilege:
        pass
    else:
        raise AssertionError("anon must not be able to execute dashboard_analytics_per_day")
