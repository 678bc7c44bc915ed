"""Monthly partitions of activities and analytics_events: routing, maintenance, retention.

Functions ``public.create_monthly_partitions`` and ``public.drop_expired_partitions`` (migration 0021); bounds are UTC
month starts, partitions are ``partitions.<table>_yYYYYmMM``, a default partition catches the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.integrity.factories import one, suppliers, users
from wedsync_db.impersonate import Actor, request

Conn = psycopg.Connection[Any]
TABLES = ("activities", "analytics_events")


def month_start(months_from_now: int) -> datetime:
    today = datetime.now(UTC)
    index = today.year * 12 + today.month - 1 + months_from_now
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(table: str, start: datetime) -> str:
    return f"partitions.{table}_y{start.year:04d}m{start.month:02d}"


@pytest.fixture
def supplier(db: Conn) -> str:
    (owner,) = users(db, tag="part")
    return suppliers(db, owner=owner, tag="Part")


def insert_row(conn: Conn, table: str, supplier: str, at: datetime) -> str:
    """Insert one row at ``at`` and return the partition it landed in."""
    column = "action" if table == "activities" else "event_name"
    return str(one(conn, f"insert into public.{table} (supplier_id, {column}, created_at) values (%s, 'x.y', %s)"
                   f" returning tableoid::regclass::text", (supplier, at)))


def partitions_of(conn: Conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select inhrelid::regclass::text from pg_inherits where inhparent = %s::regclass order by 1",
        (f"public.{table}",)).fetchall()]


def default_rows(conn: Conn, table: str) -> int:
    return int(one(conn, f"select count(*) from partitions.{table}_default"))


@pytest.mark.parametrize("table", TABLES)
def test_backend_rows_land_in_the_partition_of_their_utc_month(db: Conn, supplier: str, table: str) -> None:
    """A row goes to the partition whose UTC month holds created_at; bounds are inclusive below, exclusive above."""
    for offset in (-1, 0, 1, 2):
        start, end = month_start(offset), month_start(offset + 1)
        for at in (start, start + timedelta(days=14, hours=23), end - timedelta(microseconds=1)):
            assert insert_row(db, table, supplier, at) == partition_name(table, start), at
    # In a non-UTC session too: the boundary is midnight UTC.
    db.execute("set time zone 'Pacific/Auckland'")
    assert insert_row(db, table, supplier, month_start(1)) == partition_name(table, month_start(1))
    assert default_rows(db, table) == 0


@pytest.mark.parametrize("table", TABLES)
def test_backend_rows_outside_prepared_months_go_to_the_default_partition(db: Conn, supplier: str, table: str) -> None:
    """Months with no partition yet are caught by the default partition instead of failing."""
    assert insert_row(db, table, supplier, month_start(6)) == f"partitions.{table}_default"


@pytest.mark.parametrize("table", TABLES)
def test_backend_maintenance_creates_future_months_and_leaves_the_default_empty(
    db: Conn, supplier: str, table: str
) -> None:
    """create_monthly_partitions prepares months ahead; rows of those months bypass the default partition."""
    with request(db, Actor.service_role(), commit=True) as conn:
        created = [r[0] for r in conn.execute("select public.create_monthly_partitions(%s, %s, 3)",
                                              (table, month_start(3).date())).fetchall()]
        again = conn.execute("select public.create_monthly_partitions(%s, %s, 3)", (table, month_start(3).date()))
        assert again.fetchall() == []  # idempotent
    assert created == [partition_name(table, month_start(n)).split(".")[1] for n in (3, 4, 5)]
    for n in (3, 4, 5):
        assert insert_row(db, table, supplier,
                          month_start(n) + timedelta(days=3)) == partition_name(table, month_start(n))
    assert default_rows(db, table) == 0
    for name in created:  # new leaves get forced RLS like the others
        assert db.execute("select relrowsecurity and relforcerowsecurity from pg_class where oid = %s::regclass",
                          (f"partitions.{name}",)).fetchone() == (True,)


@pytest.mark.parametrize("table", TABLES)
def test_backend_maintenance_moves_rows_out_of_the_default_partition(db: Conn, supplier: str, table: str) -> None:
    """Preparing a month that already has rows in the default partition moves them, leaving the default empty."""
    insert_row(db, table, supplier, month_start(7) + timedelta(days=1))
    with request(db, Actor.service_role(), commit=True) as conn:
        conn.execute("select public.create_monthly_partitions(%s, %s, 1)", (table, month_start(7).date()))
    assert default_rows(db, table) == 0
    assert one(db, f"select count(*) from {partition_name(table, month_start(7))}") == 1


@pytest.mark.parametrize("table", TABLES)
def test_backend_drop_expired_partitions_drops_only_months_past_retention(db: Conn, supplier: str, table: str) -> None:
    """drop_expired_partitions drops whole months that ended before now - retention; never the default."""
    with request(db, Actor.service_role(), commit=True) as conn:
        conn.execute("select public.create_monthly_partitions(%s, %s, 4)", (table, month_start(-27).date()))
    old = [partition_name(table, month_start(n)) for n in (-27, -26, -25, -24)]
    for n in (-27, -26, -25, -24):
        insert_row(db, table, supplier, month_start(n) + timedelta(days=2))
    insert_row(db, table, supplier, month_start(9))  # default partition
    survivors_before = one(db, f"select count(*) from public.{table} where created_at >= %s", (month_start(-24),))

    def drop(when: datetime, retention: str = "24 months") -> list[str]:
        with request(db, Actor.service_role(), commit=True) as conn:
            return [f"partitions.{r[0]}" for r in conn.execute(
                "select public.drop_expired_partitions(%s, %s::interval, %s)", (table, retention, when)).fetchall()]

    # Month -25 ends at the start of month -24: expired once now - 24 months reaches it.
    assert drop(month_start(0) - timedelta(microseconds=1)) == old[:2]
    assert drop(month_start(0)) == old[2:3]
    assert drop(month_start(0), "36 months") == []
    assert partition_name(table, month_start(-24)) in partitions_of(db, table)
    assert f"partitions.{table}_default" in partitions_of(db, table)
    assert one(db, f"select count(*) from public.{table} where created_at >= %s",
               (month_start(-24),)) == survivors_before
    assert default_rows(db, table) == 1


def test_team_member_cannot_run_partition_maintenance(db: Conn, supplier: str) -> None:
    """Partition functions are executable by service_role only."""
    owner = one(db, "select created_by from public.suppliers where id = %s", (supplier,))
    for call in ("select public.create_monthly_partitions('activities', current_date, 1)",
                 "select public.drop_expired_partitions('activities', '1 month', now() + interval '10 years')"):
        with pytest.raises(errors.InsufficientPrivilege), request(db, Actor.for_user(db, owner)) as conn:
            conn.execute(call)


def test_maintenance_refuses_tables_that_are_not_monthly_partitioned(db: Conn) -> None:
    """Only activities and analytics_events are accepted (22023)."""
    with pytest.raises(errors.InvalidParameterValue):
        db.execute("select public.drop_expired_partitions('audit_log')")

