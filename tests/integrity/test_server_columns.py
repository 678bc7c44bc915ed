"""Columns the server fills cannot be forged on INSERT through the API (migration 0056).

Triggers stamp_template_insert, stamp_connection_insert and stamp_message_insert overwrite, for callers under RLS,
templates.rating_average / rating_count / published_at, supplier_client_connections.invited_by / responded_at /
revoked_at and messages.status / sent_at; service_role (the backend) keeps what it sends. Each insert is sent as
PostgREST sends it, every column included, as the RLS harness does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from tests.integrity.factories import connections, couples, one, suppliers, users
from wedsync_db import Actor

Conn = psycopg.Connection[Any]
AsActor = Callable[..., Any]
LONG_AGO = datetime(2001, 1, 1, tzinfo=UTC)


def recent(moment: datetime | None) -> bool:
    return moment is not None and abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


@pytest.fixture
def parties(db: Conn) -> dict[str, str]:
    """A supplier (its owner), a couple (its partner) with no connection yet, and a bystander user."""
    owner, partner, bystander = users(db, tag="stamp", count=3)
    return {"owner": owner, "partner": partner, "bystander": bystander,
            "supplier": suppliers(db, owner=owner, tag="Stamp"), "couple": couples(db, partners=[partner], tag="Stamp")}


TEMPLATE_INSERT = ("insert into public.templates (supplier_id, kind, title, status, rating_average, rating_count,"
                   " published_at) values (%s, 'form', 't', %s, 5, 9999, %s)"
                   " returning rating_average, rating_count, published_at")


@pytest.mark.parametrize("status", ["published", "draft"])
def test_seller_cannot_forge_a_templates_rating_or_publication_date(
    db: Conn, as_actor: AsActor, parties: dict[str, str], status: str
) -> None:
    """stamp_template_insert: a team member's template starts with no rating (null, 0); published_at is now when
    inserted as published, else null, whatever the insert says."""
    with as_actor(Actor.for_user(db, parties["owner"]), commit=True) as conn:
        average, count, published_at = conn.execute(TEMPLATE_INSERT, (parties["supplier"], status, LONG_AGO)
                                                    ).fetchone()
    assert (average, count) == (None, 0)
    assert recent(published_at) if status == "published" else published_at is None


def test_supplier_cannot_forge_who_invited_a_couple_or_that_it_answered(
    db: Conn, as_actor: AsActor, parties: dict[str, str]
) -> None:
    """stamp_connection_insert: an invitation's invited_by is the inviting caller, responded_at and revoked_at are
    null, whatever the insert says."""
    with as_actor(Actor.for_user(db, parties["owner"]), commit=True) as conn:
        conn.execute("insert into public.supplier_client_connections (supplier_id, couple_id, invited_by,"
                     " responded_at, revoked_at) values (%s, %s, %s, now(), now())",
                     (parties["supplier"], parties["couple"], parties["bystander"]))
    assert db.execute("select invited_by::text, responded_at, revoked_at from public.supplier_client_connections"
                      " where supplier_id = %s", (parties["supplier"],)).fetchall() == [(parties["owner"], None, None)]


@pytest.mark.parametrize("sender", ["couple", "supplier"])
def test_sender_cannot_forge_a_messages_delivery_status(
    db: Conn, as_actor: AsActor, parties: dict[str, str], sender: str
) -> None:
    """stamp_message_insert: a message sent through the API is queued and not sent, whatever the insert says."""
    connections(db, supplier=parties["supplier"], couple=parties["couple"], groups=[])
    user = parties["partner" if sender == "couple" else "owner"]
    with as_actor(Actor.for_user(db, user), commit=True) as conn:
        conn.execute("insert into public.messages (supplier_id, couple_id, sender, sender_user_id, body, status,"
                     " sent_at) values (%s, %s, %s, %s, 'hello', 'delivered', %s)",
                     (parties["supplier"], parties["couple"], sender, user, LONG_AGO))
    assert db.execute("select status::text, sent_at from public.messages where couple_id = %s",
                      (parties["couple"],)).fetchall() == [("queued", None)]


def test_backend_keeps_the_server_columns_it_sends(db: Conn, as_actor: AsActor, parties: dict[str, str]) -> None:
    """The stamps apply to callers under RLS only: service_role's inserts keep rating, publication, inviter,
    response and delivery columns."""
    with as_actor(Actor.service_role(), commit=True) as conn:
        row = conn.execute(TEMPLATE_INSERT, (parties["supplier"], "published", LONG_AGO)).fetchone()
        conn.execute("insert into public.supplier_client_connections (supplier_id, couple_id, status, invited_by,"
                     " responded_at) values (%s, %s, 'active', %s, %s)",
                     (parties["supplier"], parties["couple"], parties["bystander"], LONG_AGO))
        conn.execute("insert into public.messages (supplier_id, couple_id, sender, body, status, sent_at)"
                     " values (%s, %s, 'supplier', 'hello', 'delivered', %s)",
                     (parties["supplier"], parties["couple"], LONG_AGO))
    assert row == (5, 9999, LONG_AGO)
    assert one(db, "select invited_by::text from public.supplier_client_connections where couple_id = %s",
               (parties["couple"],)) == parties["bystander"]
    assert db.execute("select status::text, sent_at from public.messages where couple_id = %s",
                      (parties["couple"],)).fetchall() == [("delivered", LONG_AGO)]
