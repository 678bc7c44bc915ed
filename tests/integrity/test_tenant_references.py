"""One tenant per row graph: a row of one supplier never references a row of another supplier, whoever writes it.

The composite foreign keys of migration 0040, ``(<column>, supplier_id) -> parent (id, supplier_id)``:
``fk_activities_client_id_clients``, ``fk_messages_client_id_clients``, ``fk_form_responses_client_id_clients`` and
``fk_journey_instances_current_node_id_journey_nodes``. Each write is sent as the API would send it, by the actor
whose policy lets the row in (a team member of supplier A, its owner; for form responses a partner of A's connected
couple),
and again as service_role, which bypasses RLS: pointing at A's own row is accepted, pointing at supplier B's row is
refused with 23503 naming the key. ``on delete set null (<column>)`` nulls only the reference, never supplier_id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, LiteralString

import psycopg
import pytest

from tests.integrity.factories import Tenant, one, tenants
from wedsync_db import Actor

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class Write:
    """One API write that makes a row of ``tenant`` point at ``target`` through ``constraint``."""

    table: str
    column: str
    constraint: str
    writer: str
    """Whose policy lets the write in: ``team`` (A's owner, a team member whose membership the access helpers
    count in every schema version) or ``partner`` (of A's connected couple)."""
    target: str
    """What the column references: ``client`` or ``journey_node``."""
    sql: LiteralString
    """The statement; %(target)s is the referenced id, the rest are ``tenant`` fields."""


WRITES = [
    Write("activities", "client_id", "fk_activities_client_id_clients", "team", "client",
          "insert into public.activities (supplier_id, actor_user_id, client_id, action)"
          " values (%(supplier)s, %(user)s, %(target)s, 'viewed')"),
    Write("messages", "client_id", "fk_messages_client_id_clients", "team", "client",
          "insert into public.messages (supplier_id, couple_id, client_id, sender, sender_user_id, body)"
          " values (%(supplier)s, %(couple)s, %(target)s, 'supplier', %(user)s, 'Your timeline')"),
    Write("form_responses", "client_id", "fk_form_responses_client_id_clients", "partner", "client",
          "insert into public.form_responses (supplier_id, form_version_id, couple_id, client_id, answers)"
          " values (%(supplier)s, %(version)s, %(couple)s, %(target)s, '{}')"),
    Write("journey_instances", "current_node_id", "fk_journey_instances_current_node_id_journey_nodes", "team",
          "journey_node",
          "update public.journey_instances set current_node_id = %(target)s where supplier_id = %(supplier)s"),
]


@pytest.fixture
def pair(db: Conn) -> tuple[Tenant, Tenant]:
    """Suppliers A and B, each with a row in every supplier-scoped table and its own connected couple."""
    return tenants(db, "Aaa"), tenants(db, "Bbb")


def target_of(conn: Conn, tenant: Tenant, kind: str) -> str:
    """The tenant's client, or its (single) journey node."""
    if kind == "client":
        return tenant.client
    return str(one(conn, "select id from public.journey_nodes where supplier_id = %s", (tenant.supplier,)))


def actors(conn: Conn, tenant: Tenant) -> dict[str, Actor]:
    return {"team": Actor.for_user(conn, tenant.owner), "partner": Actor.for_user(conn, tenant.partners[0]),
            "service_role": Actor.service_role()}


def params(tenant: Tenant, target: str) -> dict[str, str]:
    return {"supplier": tenant.supplier, "user": tenant.owner, "couple": tenant.couple,
            "version": tenant.version, "target": target}


@pytest.mark.parametrize("as_api", [True, False], ids=["api_writer", "service_role"])
@pytest.mark.parametrize("write", WRITES, ids=[w.constraint for w in WRITES])
def test_writer_of_a_supplier_cannot_point_its_row_at_another_suppliers_row(
    db: Conn, observer: Conn, as_actor: Callable[..., Any], pair: tuple[Tenant, Tenant], write: Write, as_api: bool
) -> None:
    """A row of supplier A pointing at supplier B's client or journey node is refused with 23503 naming the
    composite key (fk_activities_client_id_clients, fk_messages_client_id_clients,
    fk_form_responses_client_id_clients, fk_journey_instances_current_node_id_journey_nodes), whoever writes it;
    the same write pointing at A's own row is accepted."""
    a, b = pair
    actor = actors(db, a)[write.writer if as_api else "service_role"]
    own, foreign = target_of(db, a, write.target), target_of(db, b, write.target)
    with as_actor(actor) as conn:  # rolled back at the end of the request
        assert conn.execute(write.sql, params(a, own)).rowcount == 1

    with pytest.raises(psycopg.errors.ForeignKeyViolation) as refused, as_actor(actor) as conn:
        conn.execute(write.sql, params(a, foreign))
    assert refused.value.diag.constraint_name == write.constraint, refused.value
    assert one(observer, f"select count(*) from public.{write.table} where {write.column} = %s"
               " and supplier_id <> %s", (foreign, b.supplier)) == 0


def test_deleting_a_client_or_node_nulls_only_the_reference(db: Conn, observer: Conn,
                                                             pair: tuple[Tenant, Tenant]) -> None:
    """on delete set null (client_id) / (current_node_id): deleting A's journey node and then its client nulls
    the references of A's activities, messages, draft responses and journey instances and keeps their
    supplier_id; B's rows are untouched."""
    a, b = pair
    for tenant in pair:
        db.execute("update public.form_responses set client_id = %s where supplier_id = %s and status = 'draft'",
                   (tenant.client, tenant.supplier))
    node = target_of(db, a, "journey_node")
    db.execute("delete from public.journey_nodes where id = %s", (node,))
    assert one(observer, "select current_node_id is null and supplier_id = %s from public.journey_instances"
               " where client_id = %s", (a.supplier, a.client))
    referencing = ("activities", "messages", "form_responses")
    before = {t: one(observer, f"select count(*) from public.{t} where client_id = %s", (a.client,))
              for t in referencing}
    assert all(count >= 1 for count in before.values()), before
    db.execute("delete from public.clients where id = %s", (a.client,))
    for table in referencing:
        assert one(observer, f"select count(*) from public.{table} where client_id = %s",
                   (a.client,)) == 0
        assert one(observer, f"select count(*) from public.{table} where client_id is null and supplier_id = %s",
                   (a.supplier,)) >= before[table], table
        assert one(observer, f"select count(*) from public.{table} where client_id = %s",
                   (b.client,)) >= 1, table
