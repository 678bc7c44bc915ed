"""Journey instances run per couple (0082): an instance records its client's couple, and keeps it consistent.

The couple is the client's (fill_journey_instance_couple, fk_journey_instances_client_id_couple_id_clients), follows
the client when it gains, changes or loses its couple (sync_journey_instance_couples, on update cascade), and the
couple's partners do not read instances (the matrix's decision for journey_instances).
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.integrity.factories import connections, couples, one, suppliers, users
from wedsync_db.impersonate import Actor, request

Conn = psycopg.Connection[Any]


@pytest.fixture
def stage(db: Conn) -> dict[str, str]:
    owner, p1, p2 = users(db, tag="jic", count=3)
    supplier = suppliers(db, owner=owner, tag="Jic")
    couple, other = couples(db, partners=[p1], tag="Jic"), couples(db, partners=[p2], tag="Jic2")
    connections(db, supplier=supplier, couple=couple)
    client = one(db, "insert into public.clients (supplier_id, couple_id, partner_one_name) values (%s, %s, 'Ann')"
                     " returning id", (supplier, couple))
    journey = one(db, "insert into public.customer_journeys (supplier_id, name) values (%s, 'Onboarding')"
                      " returning id", (supplier,))
    return {"supplier": supplier, "owner": owner, "partner": p1, "couple": couple, "other": other,
            "client": str(client), "journey": str(journey)}


def instance(conn: Conn, stage: dict[str, str], couple: str | None = None) -> str:
    return str(one(conn, "insert into public.journey_instances (supplier_id, journey_id, client_id, couple_id)"
                         " values (%s, %s, %s, %s) returning id",
                   (stage["supplier"], stage["journey"], stage["client"], couple)))


def couple_of(conn: Conn, instance_id: str) -> str | None:
    found = one(conn, "select couple_id from public.journey_instances where id = %s", (instance_id,))
    return None if found is None else str(found)


def test_team_starts_an_instance_that_records_the_clients_couple(db: Conn, stage: dict[str, str]) -> None:
    """fill_journey_instance_couple: the team sends no couple_id; the instance runs for the client's couple."""
    with request(db, Actor.user(stage["owner"]), commit=True) as conn:
        iid = instance(conn, stage)
    assert couple_of(db, iid) == stage["couple"]


def test_nobody_records_another_couple_than_the_clients(db: Conn, stage: dict[str, str]) -> None:
    """A couple_id sent by the caller, service_role included, is replaced by the client's couple."""
    with request(db, Actor.service_role(), commit=True) as conn:
        iid = instance(conn, stage, couple=stage["other"])
        conn.execute("update public.journey_instances set couple_id = %s where id = %s", (stage["other"], iid))
    assert couple_of(db, iid) == stage["couple"]


def test_the_foreign_key_refuses_a_couple_that_is_not_the_clients(db: Conn, stage: dict[str, str]) -> None:
    """fk_journey_instances_client_id_couple_id_clients holds even with the filling trigger out of the way."""
    iid = instance(db, stage)
    db.execute("alter table public.journey_instances disable trigger fill_journey_instance_couple")
    try:
        with pytest.raises(errors.ForeignKeyViolation) as caught:
            db.execute("update public.journey_instances set couple_id = %s where id = %s", (stage["other"], iid))
    finally:
        db.execute("alter table public.journey_instances enable trigger fill_journey_instance_couple")
    assert caught.value.diag.constraint_name == "fk_journey_instances_client_id_couple_id_clients"


def test_instances_follow_their_client_when_it_gains_changes_or_loses_its_couple(
    db: Conn, stage: dict[str, str]
) -> None:
    """sync_journey_instance_couples (null -> couple) and the key's on update cascade (couple -> other, -> null)."""
    db.execute("update public.clients set couple_id = null where id = %s", (stage["client"],))
    iid = instance(db, stage)
    assert couple_of(db, iid) is None
    with request(db, Actor.user(stage["owner"]), commit=True) as conn:
        conn.execute("update public.clients set couple_id = %s where id = %s", (stage["couple"], stage["client"]))
    assert couple_of(db, iid) == stage["couple"]
    db.execute("update public.clients set couple_id = %s where id = %s", (stage["other"], stage["client"]))
    assert couple_of(db, iid) == stage["other"]
    db.execute("update public.clients set couple_id = null where id = %s", (stage["client"],))
    assert couple_of(db, iid) is None


def test_erasure_unlinks_the_couples_instances(db: Conn, stage: dict[str, str]) -> None:
    """erase_couple pseudonymises the client and the instance: no couple_id left on the instance."""
    iid = instance(db, stage)
    with request(db, Actor.service_role(), commit=True) as conn:
        conn.execute("select public.erase_couple(%s)", (stage["couple"],))
    assert couple_of(db, iid) is None


def test_partner_does_not_read_the_instances_that_run_for_their_couple(db: Conn, stage: dict[str, str]) -> None:
    """journey_instances has no couple policy: an instance is the supplier's automation (matrix note)."""
    instance(db, stage)
    with request(db, Actor.user(stage["partner"]), method="GET") as conn:
        assert one(conn, "select count(*) from public.journey_instances") == 0
