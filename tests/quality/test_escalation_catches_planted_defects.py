"""The second oracle catches the defects it exists for: each is planted in a private clone of the sample world.

Each test plants one defect (a policy, grant or key as a careless migration would write it), replays the steps
an attacker would take through the API, and expects the invariant it breaks. The same steps on the real schema
find nothing, so the guard the defect removes is what the test proves. The last test lets the random search
(not a script) find a planted leak and checks what it prints.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from wedsync_db.rls.api_surface import ApiSurface
from wedsync_db.rls.escalation import Search, Step
from wedsync_db.rls.escalation_machine import ViolationFound, run_search
from wedsync_db.rls.invariants import Judge
from wedsync_db.rls.sample_world import USERS, uid

ATTACKER = str(uuid.uuid5(uuid.NAMESPACE_URL, "planted-defect-attacker"))
EVIL_SUPPLIER = str(uuid.uuid5(uuid.NAMESPACE_URL, "planted-defect-supplier"))


@pytest.fixture
def planted(fresh_rls_db_url: str) -> Iterator[Any]:
    """plant(sql) commits a defect into a private clone and returns a search on it, attacker signed up."""
    conns: list[psycopg.Connection[Any]] = []

    def plant(defect: str | None) -> Search:
        conn = psycopg.connect(fresh_rls_db_url)
        conns.append(conn)
        if defect:
            conn.execute(defect)
            conn.commit()
        surface = ApiSurface.read(conn)
        conn.rollback()
        search = Search(conn, surface, Judge(), [uid(u) for u in USERS])
        search.sign_up(ATTACKER)
        return search

    yield plant
    for conn in conns:
        conn.rollback()
        conn.close()


def _insert(actor: str, table: str, **values: Any) -> Step:
    statement = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(map(sql.Literal, values.values())))
    return Step(actor, "insert", table, statement, str(values.get("id")))


def _own_supplier() -> Step:
    return _insert(ATTACKER, "suppliers", id=EVIL_SUPPLIER, business_name="Evil", slug="evil-co", created_by=ATTACKER)


def _kinds(search: Search) -> set[str]:
    return {v.invariant for v in search.violations}


TEAM_ADD_WITHOUT_ACCEPTANCE = """alter policy team_members_insert_owner on public.team_members
with check (supplier_id = any(array(select private.my_supplier_ids('owner'))))"""


@pytest.mark.parametrize("defect", [None, TEAM_ADD_WITHOUT_ACCEPTANCE], ids=["schema", "planted"])
def test_a_team_member_added_without_accepting_is_caught(planted: Any, defect: str | None) -> None:
    """An owner writes a victim into their team as accepted, then reads the victim's profile as a teammate."""
    search = planted(defect)
    search.act(_own_supplier())
    search.act(_insert(ATTACKER, "team_members", supplier_id=EVIL_SUPPLIER, user_id=uid("partner1"), role="viewer",
                       invited_by=ATTACKER, accepted_at="2030-01-01T00:00:00Z"))
    assert _kinds(search) == ({"consent_write", "consent_read"} if defect else set())


SUPPLIER_CHOOSES_SHARED_GROUPS = """alter policy supplier_client_connections_insert_team
on public.supplier_client_connections
with check (status = 'invited' and supplier_id = any(array(select private.my_supplier_ids('member'))))"""


@pytest.mark.parametrize("defect", [None, SUPPLIER_CHOOSES_SHARED_GROUPS], ids=["schema", "planted"])
def test_a_supplier_choosing_the_shared_field_groups_is_caught(planted: Any, defect: str | None) -> None:
    """The invitation carries every group; the couple accepts the connection (not the groups); the team reads."""
    search = planted(defect)
    search.act(_own_supplier())
    connection = str(uuid.uuid5(uuid.NAMESPACE_URL, "planted-connection"))
    groups = sorted(search.consent.group_ids)
    search.act(_insert(ATTACKER, "supplier_client_connections", id=connection, supplier_id=EVIL_SUPPLIER,
                       couple_id=uid("C1"), status="invited", shared_field_group_keys=groups))
    search.act(Step(uid("partner1"), "update", "supplier_client_connections", sql.SQL(
        "update supplier_client_connections set status = 'active' where id = {}").format(sql.Literal(connection))))
    assert _kinds(search) == ({"consent_write", "consent_read"} if defect else set())


CROSS_TENANT_KEY = """alter table public.activities drop constraint fk_activities_client_id_clients;
alter table public.activities add constraint fk_activities_client_id_clients foreign key (client_id)
references public.clients (id) on delete set null"""


@pytest.mark.parametrize("defect", [None, CROSS_TENANT_KEY], ids=["schema", "planted"])
def test_a_single_column_key_into_another_tenant_is_caught(planted: Any, defect: str | None) -> None:
    """The attacker's activity points at supplier A's client: a reference that leaves the tenant."""
    search = planted(defect)
    search.act(_own_supplier())
    search.act(_insert(ATTACKER, "activities", id=str(uuid.uuid4()), supplier_id=EVIL_SUPPLIER,
                       actor_user_id=ATTACKER, client_id=uid("client-A-live"), action="viewed"))
    assert _kinds(search) == ({"one_tenant"} if defect else set())


CHILD_UNDER_ARCHIVED_PARENT = """alter policy form_versions_select_connected_couple on public.form_versions
using (deleted_at is null and status = 'published'
       and supplier_id = any(array(select private.my_connected_supplier_ids())))"""


@pytest.mark.parametrize("defect", [None, CHILD_UNDER_ARCHIVED_PARENT], ids=["schema", "planted"])
def test_a_child_visible_under_an_archived_parent_is_caught(planted: Any, defect: str | None) -> None:
    """Connected couples read the published versions of A's and B's archived forms (no attacker step needed)."""
    search = planted(defect)
    found = search.judge_world()
    assert {(v.invariant, v.table, v.row_id) for v in found} == ({
        ("consent_read", "form_versions", uid("fv-A-orphan")), ("consent_read", "form_versions", uid("fv-B-orphan")),
    } if defect else set())


PAID_CONTENT_FOR_EVERYONE = "grant select (content) on public.templates to authenticated"


@pytest.mark.parametrize("defect", [None, PAID_CONTENT_FOR_EVERYONE], ids=["schema", "planted"])
def test_paid_content_readable_by_a_non_buyer_is_caught(planted: Any, defect: str | None) -> None:
    """A bare sign-up reads a published template's paid content straight from the table."""
    search = planted(defect)
    assert {(v.invariant, v.row_id) for v in search.violations} == (
        {("paid_content", uid("template-A-live")), ("paid_content", uid("template-B-live"))} if defect else set())


def test_the_random_search_finds_a_planted_leak_and_prints_its_replay(fresh_rls_db_url: str, tmp_path: Any) -> None:
    """Not a script: the state machine on a planted defect fails, writes the replay at once, and shrinks it."""
    with psycopg.connect(fresh_rls_db_url) as conn:
        conn.execute(PAID_CONTENT_FOR_EVERYONE)
        conn.commit()
        first = tmp_path / "first.sql"
        with pytest.raises(ViolationFound) as failure:
            run_search(conn, [uid(u) for u in USERS], "ci", first)
    script = first.read_text()
    assert "paid_content" in str(failure.value) and "-- violation: [paid_content]" in script
    assert "insert into auth.users" in script and script.rstrip().endswith("rollback;")
