"""Relationships and lifecycle: supplier cascades stay inside the tenant, soft delete, connections and client links.

Foreign keys ``fk_<table>_supplier_id_suppliers ... on delete cascade``, the ``deleted_at is null`` clause of every
API policy, ``supplier_client_connections`` policies and trigger ``stamp_connection_status``.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.integrity.factories import (
    CHANGEABLE_ROWS,
    Tenant,
    audited_tables,
    connections,
    core_values,
    couples,
    one,
    row_images,
    suppliers,
    tenants,
    users,
)
from wedsync_db.impersonate import Actor, request

Conn = psycopg.Connection[Any]


@pytest.fixture
def world(db: Conn) -> list[Tenant]:
    """Three independent tenants (A, B, C), each with its couple."""
    return [tenants(db, tag) for tag in ("Aaa", "Bbb", "Ccc")]


def everything(conn: Conn) -> dict[str, dict[str, dict[str, Any]]]:
    """Every row of every public table except audit_log, as jsonb by table and id."""
    return {table: row_images(conn, table) for table in audited_tables(conn)}


def cascade_problems(before: dict[str, dict[str, dict[str, Any]]], after: dict[str, dict[str, dict[str, Any]]],
                     supplier: str) -> list[str]:
    """Compare the database around the deletion of ``supplier`` with what the rules say should remain.

    Rows whose supplier_id is the supplier are gone; purchases survive with the supplier (and its template)
    nulled; every other row is byte-for-byte unchanged.
    """
    problems = []
    for table, rows in before.items():
        want: dict[str, dict[str, Any]] = {}
        for row_id, row in rows.items():
            if row.get("supplier_id") == supplier:
                continue
            if table == "template_purchases" and supplier in (row["buyer_supplier_id"], row["seller_supplier_id"]):
                have = after[table].get(row_id)
                nulled = {k: None for k in ("buyer_supplier_id", "seller_supplier_id") if row[k] == supplier}
                if have is None or any(have[k] is not None for k in nulled):
                    problems.append(f"{table} {row_id}: financial record lost or still pointing at the supplier")
                continue
            if table == "suppliers" and row_id == supplier:
                continue
            want[row_id] = row
        have_rows = {k: v for k, v in after[table].items() if not (table == "template_purchases" and k not in want
                                                                    and k in rows)}
        for row_id in sorted(set(want) | set(have_rows)):
            if want.get(row_id) != have_rows.get(row_id):
                problems.append(f"{table} {row_id}: want {want.get(row_id)}, have {have_rows.get(row_id)}")
    return problems


def test_backend_deleting_a_supplier_removes_exactly_its_tenants_rows(
    db: Conn, observer: Conn, world: list[Tenant]
) -> None:
    """ON DELETE CASCADE from suppliers reaches every supplier-scoped row of that tenant and nothing else.

    Hard deletion of a supplier is a backend action since 0054 (owners get 42501: tests/integrity/test_party_data.py).
    """
    a = world[0]
    before = everything(observer)
    audit_before = one(observer, "select count(*) from public.audit_log")
    with request(db, Actor.service_role(), commit=True) as conn:
        assert conn.execute("delete from public.suppliers where id = %s", (a.supplier,)).rowcount == 1
    after = everything(observer)
    assert cascade_problems(before, after, a.supplier) == []
    gone = sum(len(rows) - len(after[table]) for table, rows in before.items())
    assert gone > 25  # a row in every supplier-scoped table
    # Every deleted row has its delete audit row (and the purchase its update).
    assert one(observer, "select count(*) from public.audit_log where action = 'delete'") == gone
    assert one(observer, "select count(*) from public.audit_log") > audit_before + gone


def test_cascade_check_goes_red_when_a_foreign_key_loses_its_cascade(
    db: Conn, observer: Conn, world: list[Tenant]
) -> None:
    """Quality: with fk_messages_supplier_id_suppliers dropped, the cascade check reports the orphaned message."""
    a = world[0]
    db.execute("alter table public.messages drop constraint fk_messages_supplier_id_suppliers")
    before = everything(observer)
    db.execute("delete from public.suppliers where id = %s", (a.supplier,))
    problems = cascade_problems(before, everything(observer), a.supplier)
    assert len(problems) == 1 and problems[0].startswith("messages ")


def test_deleting_a_couple_unlinks_client_records_and_removes_its_connections(
    db: Conn, observer: Conn, world: list[Tenant]
) -> None:
    """fk_clients_couple_id_couples sets null (the supplier keeps its client); connections cascade."""
    a = world[0]
    db.execute("delete from public.couples where id = %s", (a.couple,))
    assert one(observer, "select couple_id from public.clients where id = %s", (a.client,)) is None
    assert one(observer, "select count(*) from public.supplier_client_connections where couple_id = %s",
               (a.couple,)) == 0
    assert one(observer, "select count(*) from public.supplier_client_connections") == 2


# -- soft delete -------------------------------------------------------------------------------------------

READERS = ("owner", "member", "partner")


def visible(conn: Conn, actor: Actor, table: str) -> set[str]:
    with request(conn, actor, method="GET") as api:
        return {r[0] for r in api.execute(f"select id::text from public.{table}").fetchall()}


def test_soft_deleted_rows_disappear_from_api_reads_stay_for_service_role_and_come_back(
    db: Conn, observer: Conn, world: list[Tenant]
) -> None:
    """Every table: rows with deleted_at set are invisible to API users, visible to service_role; restore works."""
    a = world[0]
    actors = [Actor.for_user(db, uid) for uid in (a.owner, a.member, a.partners[0])]
    exercised = []
    for table in audited_tables(db):
        if not one(db, "select has_table_privilege('authenticated', %s, 'select')", (f"public.{table}",)):
            continue
        seen = {actor.label: visible(db, actor, table) for actor in actors}
        if not any(seen.values()):
            continue
        where = CHANGEABLE_ROWS.get(table, "true")
        archived = {r[0] for r in observer.execute(
            f"update public.{table} set deleted_at = now() where {where} returning id::text").fetchall()}
        for actor in actors:
            leaked = visible(db, actor, table) & archived
            assert not leaked, f"{table}: {actor.label} still sees soft-deleted rows {leaked}"
        assert archived <= visible(db, Actor.service_role(), table), f"{table}: service_role lost archived rows"
        observer.execute(f"update public.{table} set deleted_at = null where id = any(%s::uuid[])", (list(archived),))
        for actor in actors:
            assert visible(db, actor, table) == seen[actor.label], f"{table}: restore did not bring rows back"
        exercised.append(table)
    assert len(exercised) >= 20, exercised


def test_team_member_cannot_soft_delete(db: Conn, observer: Conn, world: list[Tenant]) -> None:
    """deleted_at is in no column grant: archiving is service_role's (schema/README.md, Soft delete)."""
    a = world[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege), request(db, Actor.for_user(db, a.owner)) as conn:
        conn.execute("update public.clients set deleted_at = now() where id = %s", (a.client,))


# -- connections -------------------------------------------------------------------------------------------

@pytest.fixture
def pair(db: Conn) -> dict[str, Any]:
    """A fresh supplier (owner + viewer) and a fresh couple with values in three field groups, not yet connected."""
    owner, viewer, p1, p2 = users(db, tag="pair", count=4)
    supplier = suppliers(db, owner=owner, tag="Pair")
    db.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at)"
                 " values (%s, %s, 'viewer', now())",
               (supplier, viewer))
    couple = couples(db, partners=[p1, p2], tag="Pair")
    for key, value in (("partner_one_name", "Robin"), ("total_budget", 20000), ("partner_one_phone", "+447700900111")):
        core_values(db, couple=couple, key=key, value=value)
    return {"owner": owner, "viewer": viewer, "partners": [p1, p2], "supplier": supplier, "couple": couple}


def groups_seen(db: Conn, user: str, couple: str) -> list[str]:
    with request(db, Actor.for_user(db, user), method="GET") as conn:
        return [r[0] for r in conn.execute(
            "select distinct field_group_key from public.core_field_values_for_couple(%s) order by 1", (couple,))]


def test_connection_lifecycle_invite_accept_share_and_revoke(db: Conn, observer: Conn, pair: dict[str, Any]) -> None:
    """Supplier invites; couple accepts and picks groups; team sees only those; revoking hides everything."""
    supplier, couple, viewer = pair["supplier"], pair["couple"], pair["viewer"]
    with request(db, Actor.for_user(db, pair["owner"]), commit=True) as conn:
        connection = one(conn, "insert into public.supplier_client_connections (supplier_id, couple_id, status)"
                         " values (%s, %s, 'invited') returning id", (supplier, couple))
    assert groups_seen(db, viewer, couple) == []
    # The supplier cannot accept on the couple's behalf (policy supplier_client_connections_update_partner).
    with request(db, Actor.for_user(db, pair["owner"]), commit=True) as conn:
        assert conn.execute("update public.supplier_client_connections set status = 'active' where id = %s",
                            (connection,)).rowcount == 0
    with request(db, Actor.for_user(db, pair["partners"][1]), commit=True) as conn:
        conn.execute("update public.supplier_client_connections set status = 'active',"
                     " shared_field_group_keys = '{couple_details,contact_details}' where id = %s", (connection,))
    stamped = observer.execute("select responded_at is not null, revoked_at from public.supplier_client_connections"
                               " where id = %s", (connection,)).fetchone()
    assert stamped == (True, None)
    assert groups_seen(db, viewer, couple) == ["contact_details", "couple_details"]
    assert groups_seen(db, pair["partners"][0], couple) == ["budget", "contact_details", "couple_details"]
    with request(db, Actor.for_user(db, pair["partners"][0]), commit=True) as conn:
        conn.execute("update public.supplier_client_connections set status = 'revoked' where id = %s", (connection,))
    assert one(observer, "select revoked_at is not null from public.supplier_client_connections where id = %s",
               (connection,))
    assert groups_seen(db, viewer, couple) == []
    with request(db, Actor.for_user(db, viewer), method="GET") as conn:
        assert one(conn, "select count(*) from public.core_field_values where couple_id = %s", (couple,)) == 0


def test_team_member_cannot_invite_a_couple_as_already_active(db: Conn, pair: dict[str, Any]) -> None:
    """A supplier's insert must have status invited (policy supplier_client_connections_insert_team)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege), request(db, Actor.for_user(db, pair["owner"])) as conn:
        conn.execute("insert into public.supplier_client_connections (supplier_id, couple_id, status, "
                     "shared_field_group_keys) values (%s, %s, 'active', '{budget}')",
                     (pair["supplier"], pair["couple"]))


def test_client_link_to_couple_survives_a_revoked_connection(db: Conn, observer: Conn, pair: dict[str, Any]) -> None:
    """Revoking a connection does not touch the supplier's client record (only access to shared data)."""
    client = one(db, "insert into public.clients (supplier_id, couple_id, partner_one_name) values (%s, %s, 'R')"
                 " returning id", (pair["supplier"], pair["couple"]))
    connection = connections(db, supplier=pair["supplier"], couple=pair["couple"])
    with request(db, Actor.for_user(db, pair["partners"][0]), commit=True) as conn:
        conn.execute("update public.supplier_client_connections set status = 'revoked' where id = %s", (connection,))
    assert str(one(observer, "select couple_id from public.clients where id = %s", (client,))) == pair["couple"]

