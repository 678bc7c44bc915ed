"""Realtime: the supabase_realtime change feed carries published tables only, and each subscriber gets only
the rows its SELECT policies let it read (as Realtime's postgres_changes authorises them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from wedsync_db.impersonate import Actor
from wedsync_db.realtime import ChangeFeed, published_tables, subscriber_may_receive

OWNER_A, OWNER_B, PARTNER, STRANGER = (uuid.UUID(int=n, version=4) for n in (1, 2, 3, 4))
SUPPLIER_A, SUPPLIER_B, COUPLE = (uuid.UUID(int=n, version=4) for n in (11, 12, 21))


@pytest.fixture
def world(db: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """Two suppliers (each with an owner), one couple actively connected to supplier A only, and a stranger."""
    db.execute(
        "insert into auth.users (id, email) values (%s, 'owner.a@example.com'), (%s, 'owner.b@example.com'),"
        " (%s, 'partner@example.com'), (%s, 'stranger@example.com')",
        (OWNER_A, OWNER_B, PARTNER, STRANGER),
    )
    db.execute(
        "insert into public.suppliers (id, business_name, slug, created_by) values"
        " (%s, 'Alpha Photo', 'alpha-photo', %s), (%s, 'Beta Flowers', 'beta-flowers', %s)",
        (SUPPLIER_A, OWNER_A, SUPPLIER_B, OWNER_B),
    )
    db.execute(
        "insert into public.couples (id, partner_one_user_id, display_name) values (%s, %s, 'Sam & Alex')",
        (COUPLE, PARTNER),
    )
    db.execute(
        "insert into public.supplier_client_connections (supplier_id, couple_id, status) values (%s, %s, 'active')",
        (SUPPLIER_A, COUPLE),
    )
    return db


@pytest.fixture
def feed(world: psycopg.Connection[Any]) -> Iterator[ChangeFeed]:
    with ChangeFeed(world) as change_feed:
        yield change_feed


def _insert_message(conn: psycopg.Connection[Any], body: str = "Hello") -> uuid.UUID:
    row = conn.execute(
        "insert into public.messages (supplier_id, couple_id, sender, sender_user_id, body)"
        " values (%s, %s, 'supplier', %s, %s) returning id",
        (SUPPLIER_A, COUPLE, OWNER_A, body),
    ).fetchone()
    assert row is not None
    return row[0]


def test_realtime_publication_holds_exactly_the_live_tables(db: psycopg.Connection[Any]) -> None:
    """supabase_realtime publishes messages, notifications, form_responses, journey_instances, core_field_values."""
    assert published_tables(db) == [
        "public.core_field_values", "public.form_responses", "public.journey_instances",
        "public.messages", "public.notifications",
    ]


def test_inserts_updates_and_deletes_on_published_tables_reach_the_feed(
    world: psycopg.Connection[Any], feed: ChangeFeed
) -> None:
    """A message insert, status update and delete each appear once, in order, with the row's primary key."""
    message_id = _insert_message(world)
    world.execute("update public.messages set status = 'sent' where id = %s", (message_id,))
    world.execute("delete from public.messages where id = %s", (message_id,))
    changes = [c for c in feed.changes() if c.table == "messages"]
    assert [c.action for c in changes] == ["insert", "update", "delete"]
    assert all(c.key == {"id": str(message_id)} for c in changes)
    assert changes[1].columns["status"] == "sent"


def test_unpublished_tables_never_reach_the_feed(world: psycopg.Connection[Any], feed: ChangeFeed) -> None:
    """Changes to clients (not in supabase_realtime) and to the audit log are not decoded for subscribers."""
    world.execute(
        "insert into public.clients (supplier_id, partner_one_name) values (%s, 'Jo O''Brien')", (SUPPLIER_A,)
    )
    _insert_message(world)
    tables = {c.table for c in feed.changes()}
    assert tables == {"messages"}


def test_delete_events_carry_the_primary_key_subscribers_need(
    world: psycopg.Connection[Any], feed: ChangeFeed
) -> None:
    """With the default replica identity (the primary key) a delete tells subscribers which row went away."""
    message_id = _insert_message(world)
    feed.changes()
    world.execute("delete from public.messages where id = %s", (message_id,))
    (delete,) = feed.changes()
    assert delete.action == "delete" and delete.identity == {"id": str(message_id)}
    replica = world.execute(
        "select c.relname, c.relreplident from pg_publication_tables t "
        "join pg_class c on c.relname = t.tablename join pg_namespace n on n.oid = c.relnamespace "
        "and n.nspname = t.schemaname where t.pubname = 'supabase_realtime'"
    ).fetchall()
    assert all(ident in ("d", "f") for _, ident in replica), "every published table identifies rows by key"


def test_each_subscriber_receives_only_rows_it_may_select(world: psycopg.Connection[Any], feed: ChangeFeed) -> None:
    """A message of supplier A reaches A's team and the connected couple, never supplier B's team, a stranger or
    anon."""
    _insert_message(world, "Your gallery is ready")
    (change,) = [c for c in feed.changes() if c.action == "insert"]
    received = {
        label: subscriber_may_receive(world, change, actor)
        for label, actor in {
            "supplier A owner": Actor.user(OWNER_A),
            "connected partner": Actor.user(PARTNER),
            "supplier B owner": Actor.user(OWNER_B),
            "stranger": Actor.user(STRANGER),
            "anon": Actor.anon(),
        }.items()
    }
    assert received == {
        "supplier A owner": True, "connected partner": True,
        "supplier B owner": False, "stranger": False, "anon": False,
    }


def test_a_notification_reaches_only_its_recipient(world: psycopg.Connection[Any], feed: ChangeFeed) -> None:
    """notifications_select_recipient: the partner's notification is not sent to the supplier's owner."""
    world.execute(
        "insert into public.notifications (user_id, supplier_id, kind, title) values (%s, %s, 'message', 'New')",
        (PARTNER, SUPPLIER_A),
    )
    (change,) = feed.changes()
    assert subscriber_may_receive(world, change, Actor.user(PARTNER))
    assert not subscriber_may_receive(world, change, Actor.user(OWNER_A))
