"""User-private data stays with its owner: form field mappings, notifications in the audit trail, decryption.

Migrations 0050 (``private.form_prefill`` lets in a partner only across an active connection to the form's
supplier), 0051 (notifications are audited with no supplier, like every other user-private table) and 0052
(``authenticated`` cannot execute ``private.decrypt_pii``; ``core_field_values_for_couple`` decrypts through
``private.decrypt_visible_core_field_value``). Every request is sent as PostgREST sends it (``as_actor``); setup
rows only the backend could write are written as the superuser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from tests.integrity.factories import connections, core_values, couples, form_versions, forms, one, suppliers, users
from wedsync_db import Actor

Conn = psycopg.Connection[Any]
AsActor = Callable[..., Any]


def member_of(conn: Conn, supplier: str, user: str, role: str = "member") -> None:
    """Make ``user`` an accepted team member of ``supplier`` (what invitation plus acceptance lead to)."""
    conn.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at)"
                 " values (%s, %s, %s, now())",
                 (supplier, user, role))
    if one(conn, "select count(*) from information_schema.columns where table_schema = 'public'"
                 " and table_name = 'team_members' and column_name = 'accepted_at'"):
        conn.execute("update public.team_members set accepted_at = now() where supplier_id = %s and user_id = %s",
                     (supplier, user))


# -- form_prefill (0050) -----------------------------------------------------------------------------------


@pytest.fixture
def mapped_form(db: Conn) -> dict[str, str]:
    """A supplier whose published form maps its internal key 'secret_internal_key' to core field total_budget."""
    owner, partner = users(db, tag="prefill", count=2)
    supplier = suppliers(db, owner=owner, tag="Prefill")
    form = forms(db, supplier=supplier)
    form_versions(db, supplier=supplier, form=form)
    db.execute("insert into public.field_mappings (supplier_id, form_id, form_field_key, core_field_id)"
               " select %s, %s, 'secret_internal_key', id from public.core_fields where key = 'total_budget'",
               (supplier, form))
    couple = couples(db, partners=[partner], tag="Prefill")
    return {"owner": owner, "partner": partner, "supplier": supplier, "form": form, "couple": couple}


def prefill(as_actor: AsActor, actor: Actor, form: str, couple: str) -> list[tuple[Any, ...]]:
    with as_actor(actor, method="POST", path="/rpc/form_prefill") as conn:
        return conn.execute("select form_field_key, core_field_key, source from public.form_prefill(%s, %s)",
                            (form, couple)).fetchall()


@pytest.mark.parametrize("status", [None, "invited", "declined", "revoked"])
def test_partner_of_an_unconnected_couple_cannot_read_a_suppliers_field_mappings(
    db: Conn, as_actor: AsActor, mapped_form: dict[str, str], status: str | None
) -> None:
    """private.form_prefill: a partner whose couple has no active connection to the form's supplier (none, or
    one invited, declined or revoked) gets 42501, not the supplier's mappings."""
    f = mapped_form
    if status is not None:
        connections(db, supplier=f["supplier"], couple=f["couple"], status=status, groups=[])
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        prefill(as_actor, Actor.for_user(db, f["partner"]), f["form"], f["couple"])


def test_partner_of_an_actively_connected_couple_and_the_team_prefill_the_form(
    db: Conn, as_actor: AsActor, mapped_form: dict[str, str]
) -> None:
    """private.form_prefill: the partner of an actively connected couple and the form's team (any couple) are
    let in and get one row per mapping."""
    f = mapped_form
    want = [("secret_internal_key", "total_budget", "empty")]
    assert prefill(as_actor, Actor.for_user(db, f["owner"]), f["form"], f["couple"]) == want
    connections(db, supplier=f["supplier"], couple=f["couple"], groups=[])
    assert prefill(as_actor, Actor.for_user(db, f["partner"]), f["form"], f["couple"]) == want


# -- notifications in the audit trail (0051) ---------------------------------------------------------------


def test_admin_cannot_read_a_members_notification_through_the_audit_log(
    db: Conn, observer: Conn, as_actor: AsActor
) -> None:
    """write_audit_log('notifications', 'none'): a notification the backend sends to a member, naming the
    member's supplier, is audited with no supplier, so the supplier's owner (admin and up read the supplier's
    audit rows) does not read it; service_role does."""
    owner, member = users(db, tag="audit", count=2)
    supplier = suppliers(db, owner=owner, tag="Audit")
    member_of(db, supplier, member)
    with as_actor(Actor.service_role(), commit=True) as conn:
        notification = one(conn, "insert into public.notifications (user_id, supplier_id, kind, title, body)"
                                 " values (%s, %s, 'payout', 'Your payout', 'private body') returning id",
                           (member, supplier))
    with as_actor(Actor.for_user(db, owner), method="GET") as conn:
        assert conn.execute("select count(*) from public.notifications").fetchone() == (0,)
        assert conn.execute("select count(*) from public.audit_log where table_name = 'notifications'"
                            ).fetchone() == (0,)
        assert conn.execute("select count(*) from public.audit_log where table_name = 'suppliers'"
                            ).fetchone() == (1,)  # the owner does read its supplier's trail
    assert observer.execute("select supplier_id, new_values ->> 'body' from public.audit_log"
                            " where table_name = 'notifications' and row_id = %s", (notification,)
                            ).fetchall() == [(None, "private body")]


USER_PRIVATE_TABLES = ("notifications", "user_profiles", "couples", "core_field_values", "core_field_value_history",
                       "field_states")


def test_user_private_tables_are_audited_without_a_supplier(db: Conn) -> None:
    """Trigger write_audit_log of every user-private table files its rows under no supplier ('none')."""
    rows = db.execute(
        "select c.relname, encode(t.tgargs, 'escape') from pg_trigger t join pg_class c on c.oid = t.tgrelid"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and t.tgname = 'write_audit_log' and c.relname = any(%s)",
        (list(USER_PRIVATE_TABLES),),
    ).fetchall()
    args = {table: raw.split("\\000")[1] for table, raw in rows}
    assert args == dict.fromkeys(USER_PRIVATE_TABLES, "none")


# -- decryption (0052) ---------------------------------------------------------------------------------------


@pytest.fixture
def couple_with_phone(db: Conn) -> dict[str, str]:
    """A couple with a sensitive (encrypted) phone and a plain name, and two actively connected suppliers: one
    the couple shares contact_details with, one it shares couple_details only with."""
    partner, sharing_owner, other_owner, stranger = users(db, tag="pii", count=4)
    couple = couples(db, partners=[partner], tag="Pii")
    phone = core_values(db, couple=couple, key="partner_one_phone", value="+447700900789")
    core_values(db, couple=couple, key="partner_one_name", value="Alex")
    sharing = suppliers(db, owner=sharing_owner, tag="Sharing")
    other = suppliers(db, owner=other_owner, tag="Other")
    connections(db, supplier=sharing, couple=couple, groups=["contact_details", "couple_details"])
    connections(db, supplier=other, couple=couple, groups=["couple_details"])
    return {"partner": partner, "sharing_owner": sharing_owner, "other_owner": other_owner, "stranger": stranger,
            "couple": couple, "phone": phone}


def test_user_holding_a_ciphertext_cannot_decrypt_it(db: Conn, as_actor: AsActor,
                                                     couple_with_phone: dict[str, str]) -> None:
    """EXECUTE on private.decrypt_pii(bytea) is not granted to authenticated: even the partner, who may read the
    ciphertext column, gets 42501 calling it."""
    c = couple_with_phone
    with pytest.raises(psycopg.errors.InsufficientPrivilege), as_actor(Actor.for_user(db, c["partner"])) as conn:
        conn.execute("select private.decrypt_pii(value_encrypted) from public.core_field_values where id = %s",
                     (c["phone"],))


def test_core_field_values_for_couple_decrypts_for_the_partner_and_a_sharing_team_only(
    db: Conn, as_actor: AsActor, couple_with_phone: dict[str, str]
) -> None:
    """public.core_field_values_for_couple (invoker) shows the decrypted phone to the partner and to the team the
    couple shares contact_details with; the other connected team sees only couple_details, a stranger nothing."""
    c = couple_with_phone

    def values(user: str) -> dict[str, Any]:
        with as_actor(Actor.for_user(db, user), method="POST", path="/rpc/core_field_values_for_couple") as conn:
            return dict(conn.execute("select core_field_key, value from public.core_field_values_for_couple(%s)",
                                     (c["couple"],)).fetchall())

    both = {"partner_one_phone": "+447700900789", "partner_one_name": "Alex"}
    assert values(c["partner"]) == both
    assert values(c["sharing_owner"]) == both
    assert values(c["other_owner"]) == {"partner_one_name": "Alex"}
    assert values(c["stranger"]) == {}


def test_decrypting_helper_returns_nothing_for_a_value_the_caller_cannot_read(
    db: Conn, as_actor: AsActor, couple_with_phone: dict[str, str]
) -> None:
    """private.decrypt_visible_core_field_value repeats the select policies of core_field_values: called with
    the phone's id by a team the group is not shared with, or by a stranger, it returns null."""
    c = couple_with_phone
    for user, want in ((c["sharing_owner"], "+447700900789"), (c["other_owner"], None), (c["stranger"], None)):
        with as_actor(Actor.for_user(db, user)) as conn:
            got = one(conn, "select private.decrypt_visible_core_field_value(%s)", (c["phone"],))
        assert got == want, user
