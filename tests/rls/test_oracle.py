"""The oracle on the hand-built sample world: each matrix relation, evaluated without SQL policies."""

from __future__ import annotations

from wedsync_db.impersonate import Actor
from wedsync_db.rls.oracle import DENIED, FILTERED, OK, Caller, Oracle
from wedsync_db.rls.sample_world import uid


def who(name: str) -> Caller:
    return Caller("authenticated", uid(name))


ANON = Caller("anon", None)


def test_anon_sees_only_published_live_suppliers(oracle: Oracle) -> None:
    """Rule suppliers_select_published: anon sees A (published) but not D (published, soft-deleted) nor B."""
    assert oracle.visible_ids(ANON, "suppliers") == {uid("A")}


def test_team_viewer_sees_own_supplier_clients_only(oracle: Oracle) -> None:
    """Rule clients_select_team: a viewer of A sees A's live client, not the soft-deleted one, not B's."""
    assert oracle.visible_ids(who("viewer_a"), "clients") == {uid("client-A-live")}


def test_freelancer_on_two_teams_sees_both_suppliers(oracle: Oracle) -> None:
    """The freelancer (member of A, viewer of B) sees the clients of both."""
    assert oracle.visible_ids(who("freelancer"), "clients") == {uid("client-A-live"), uid("client-B-live")}


def test_soft_deleted_team_member_sees_nothing_of_the_supplier(oracle: Oracle) -> None:
    assert oracle.visible_ids(who("gone_member_a"), "clients") == set()


def test_connected_team_sees_only_shared_field_groups(oracle: Oracle) -> None:
    """Rule core_field_values_select_connected_team: A shares couple_details and wedding_details of C1.

    C4 is soft-deleted while its connection to A is still active: a connection opens nothing once one of its
    parties is archived, so C4's shared value is hidden (as are budget and the soft-deleted value).
    """
    seen = oracle.visible_ids(who("viewer_a"), "core_field_values")
    assert seen == {uid("cfv-C1-partner_one_name"), uid("cfv-C1-wedding_date")}


def test_revoked_connection_gives_the_couple_no_supplier(oracle: Oracle) -> None:
    """partner3's connection to A is revoked: A is published so visible, but not A's form versions.

    partner1 sees A's published version of its live form, not the published version under A's archived form.
    """
    assert oracle.visible_ids(who("partner3"), "form_versions") == set()
    assert oracle.visible_ids(who("partner1"), "form_versions") == {uid("fv-A-pub")}


def test_dual_role_user_is_team_and_partner(oracle: Oracle) -> None:
    """dual owns supplier C and is the partner of C2: it sees C2's messages and C's row."""
    assert uid("C") in oracle.visible_ids(who("dual"), "suppliers")
    assert uid("msg-B-C2-dual-False") in oracle.visible_ids(who("dual"), "messages")


def test_audit_log_readable_by_admins_only(oracle: Oracle) -> None:
    assert oracle.visible_ids(who("viewer_a"), "audit_log") == set()
    assert oracle.visible_ids(who("admin_a"), "audit_log")


def test_viewer_cannot_update_clients_member_can(oracle: Oracle) -> None:
    row = oracle.world.row("clients", uid("client-A-live"))
    assert row is not None
    new = {**row, "notes": "x"}
    assert oracle.update(who("viewer_a"), "clients", row, new, ("notes",)).kind == FILTERED
    assert oracle.update(who("member_a"), "clients", row, new, ("notes",)).kind == OK
    assert oracle.update(who("member_a"), "clients", row, {**row, "supplier_id": uid("B")}, ("supplier_id",)).kind \
        == DENIED


def test_message_across_revoked_connection_is_denied(oracle: Oracle) -> None:
    new = {"supplier_id": uid("A"), "couple_id": uid("C3"), "sender": "couple", "sender_user_id": uid("partner3")}
    assert oracle.insert(who("partner3"), "messages", new).kind == DENIED
    new1 = {**new, "couple_id": uid("C1"), "sender_user_id": uid("partner1")}
    assert oracle.insert(who("partner1"), "messages", new1).kind == OK


def test_bad_callers_are_strangers(oracle: Oracle) -> None:
    assert Caller.of(Actor("authenticated", {"role": "authenticated"})).uid is None
    assert Caller.of(Actor("authenticated", {"sub": "nope"})).uid_error
    assert oracle.visible_ids(Caller.of(Actor("anon", {"sub": uid("owner_a")})), "clients") == set()
