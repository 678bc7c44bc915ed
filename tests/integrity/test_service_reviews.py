"""Service reviews (0080-0083): a couple reviews a supplier it worked with, once; the team reads and replies; the
supplier's rating follows the live reviews; erasure keeps the review without its author.

Grouped by actor as rowsecurity.sql does: the couple's partners, the supplier's team, strangers, the backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.integrity.factories import connections, couples, one, suppliers, users
from wedsync_db.impersonate import Actor, request

Conn = psycopg.Connection[Any]


@dataclass
class Stage:
    supplier: str
    owner: str
    member: str
    viewer: str
    partners: list[str]
    couple: str
    stranger: str


@pytest.fixture
def stage(db: Conn) -> Stage:
    owner, member, viewer, p1, p2, stranger = users(db, tag="srv", count=6)
    supplier = suppliers(db, owner=owner, tag="Srv")
    for user, role in ((member, "member"), (viewer, "viewer")):
        db.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at)"
                   " values (%s, %s, %s, now())", (supplier, user, role))
    return Stage(supplier, owner, member, viewer, [p1, p2], couples(db, partners=[p1, p2], tag="Srv"), stranger)


def review(conn: Conn, stage: Stage, *, author: str | None = None, rating: int = 5) -> str:
    """Insert the couple's review of the stage's supplier as ``author`` (partner one by default); return its id."""
    return str(one(conn, "insert into public.service_reviews (supplier_id, couple_id, author_user_id, rating, title,"
                         " body) values (%s, %s, %s, %s, 'Lovely', 'They were great') returning id",
                   (stage.supplier, stage.couple, author or stage.partners[0], rating)))


# -- the couple's partners --------------------------------------------------------------------------------------------
def test_partner_reviews_a_supplier_of_an_active_connection(db: Conn, stage: Stage) -> None:
    """service_reviews_insert_partner lets a partner in across an active connection; both partners read it."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    with request(db, Actor.user(stage.partners[0]), commit=True) as conn:
        rid = review(conn, stage)
    with request(db, Actor.user(stage.partners[1])) as conn:
        assert one(conn, "select rating from public.service_reviews where id = %s", (rid,)) == 5


def test_partner_reviews_a_supplier_after_the_accepted_connection_was_revoked(db: Conn, stage: Stage) -> None:
    """has_worked_with: a connection accepted, then revoked (responded_at set) still lets the couple review."""
    cid = connections(db, supplier=stage.supplier, couple=stage.couple, status="invited")
    with request(db, Actor.user(stage.partners[0]), commit=True) as conn:
        conn.execute("update public.supplier_client_connections set status = 'active' where id = %s", (cid,))
        conn.execute("update public.supplier_client_connections set status = 'revoked' where id = %s", (cid,))
    with request(db, Actor.user(stage.partners[0]), commit=True) as conn:
        review(conn, stage)
    assert one(db, "select count(*) from public.service_reviews where couple_id = %s", (stage.couple,)) == 1


@pytest.mark.parametrize("status", ["invited", "declined", None])
def test_partner_cannot_review_a_supplier_it_never_worked_with(db: Conn, stage: Stage, status: str | None) -> None:
    """service_reviews_insert_partner: an invitation, a declined one or no connection at all opens nothing."""
    if status is not None:
        connections(db, supplier=stage.supplier, couple=stage.couple, status=status)
    with request(db, Actor.user(stage.partners[0])) as conn, pytest.raises(errors.InsufficientPrivilege):
        review(conn, stage)


def test_partner_cannot_review_a_supplier_whose_invitation_was_revoked_unanswered(db: Conn, stage: Stage) -> None:
    """has_worked_with: revoked without ever being accepted (responded_at null) is no past connection."""
    connections(db, supplier=stage.supplier, couple=stage.couple, status="revoked")
    with request(db, Actor.user(stage.partners[0])) as conn, pytest.raises(errors.InsufficientPrivilege):
        review(conn, stage)


def test_couple_reviews_a_supplier_once(db: Conn, stage: Stage) -> None:
    """unique_service_reviews_supplier_id_couple_id: partner two cannot add a second review of the same supplier."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    with request(db, Actor.user(stage.partners[0]), commit=True) as conn:
        review(conn, stage)
    with request(db, Actor.user(stage.partners[1])) as conn, pytest.raises(errors.UniqueViolation) as caught:
        review(conn, stage, author=stage.partners[1])
    assert caught.value.diag.constraint_name == "unique_service_reviews_supplier_id_couple_id"


def test_partner_cannot_write_the_suppliers_reply(db: Conn, stage: Stage) -> None:
    """service_reviews_reply_by_team: under RLS only the supplier's team changes reply_body."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    rid = review(db, stage)
    with request(db, Actor.user(stage.partners[0])) as conn, pytest.raises(errors.CheckViolation) as caught:
        conn.execute("update public.service_reviews set reply_body = 'we reply ourselves' where id = %s", (rid,))
    assert caught.value.diag.constraint_name == "service_reviews_reply_by_team"


def test_partner_edits_and_withdraws_the_review(db: Conn, stage: Stage) -> None:
    """service_reviews_update_partner and service_reviews_delete_partner: the couple edits and withdraws its review."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    rid = review(db, stage)
    with request(db, Actor.user(stage.partners[1]), commit=True) as conn:
        assert conn.execute("update public.service_reviews set rating = 4 where id = %s", (rid,)).rowcount == 1
    with request(db, Actor.user(stage.partners[0]), commit=True) as conn:
        assert conn.execute("delete from public.service_reviews where id = %s", (rid,)).rowcount == 1


# -- the supplier's team ----------------------------------------------------------------------------------------------
def test_team_reads_the_review_and_a_member_replies(db: Conn, stage: Stage) -> None:
    """service_reviews_select_team (viewer) and service_reviews_update_team (member): replied_at/by are stamped."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    rid = review(db, stage)
    with request(db, Actor.user(stage.viewer)) as conn:
        assert one(conn, "select count(*) from public.service_reviews") == 1
        assert conn.execute("update public.service_reviews set reply_body = 'x' where id = %s", (rid,)).rowcount == 0
    with request(db, Actor.user(stage.member), commit=True) as conn:
        conn.execute("update public.service_reviews set reply_body = 'Thank you both!' where id = %s", (rid,))
    replied_by, replied_at = db.execute("select replied_by, replied_at from public.service_reviews where id = %s",
                                        (rid,)).fetchone() or (None, None)
    assert str(replied_by) == stage.member and replied_at is not None


def test_team_cannot_change_the_couples_rating(db: Conn, stage: Stage) -> None:
    """service_reviews_written_by_couple: the team's update policy admits the row, the guard refuses the rating."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    rid = review(db, stage, rating=1)
    with request(db, Actor.user(stage.owner)) as conn, pytest.raises(errors.CheckViolation) as caught:
        conn.execute("update public.service_reviews set rating = 5 where id = %s", (rid,))
    assert caught.value.diag.constraint_name == "service_reviews_written_by_couple"


def test_team_cannot_delete_or_write_a_review(db: Conn, stage: Stage) -> None:
    """No delete or insert policy for the team: nobody destroys (or forges) another party's review."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    rid = review(db, stage)
    with request(db, Actor.user(stage.owner)) as conn:
        assert conn.execute("delete from public.service_reviews where id = %s", (rid,)).rowcount == 0
    with request(db, Actor.user(stage.owner)) as conn, pytest.raises(errors.InsufficientPrivilege):
        review(conn, stage, author=stage.owner)


# -- strangers and visitors -------------------------------------------------------------------------------------------
def test_stranger_and_visitor_read_no_review_but_the_rating_summary(db: Conn, stage: Stage) -> None:
    """Reviews are not public; the published directory shows suppliers.rating_average and rating_count."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    review(db, stage, rating=4)
    db.execute("update public.suppliers set is_published = true where id = %s", (stage.supplier,))
    with request(db, Actor.user(stage.stranger)) as conn:
        assert one(conn, "select count(*) from public.service_reviews") == 0
    with request(db, Actor.anon()) as conn:
        assert conn.execute("select rating_average, rating_count from public.suppliers where id = %s",
                            (stage.supplier,)).fetchone() == (Decimal("4.00"), 1)
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("select count(*) from public.service_reviews")


# -- the backend and the rating ----------------------------------------------------------------------------------------
def test_backend_cannot_record_a_review_without_a_connection(db: Conn, stage: Stage) -> None:
    """service_reviews_worked_with holds for every role, service_role included."""
    with request(db, Actor.service_role()) as conn, pytest.raises(errors.CheckViolation) as caught:
        review(conn, stage)
    assert caught.value.diag.constraint_name == "service_reviews_worked_with"


def test_supplier_rating_follows_live_service_reviews(db: Conn, stage: Stage) -> None:
    """refresh_supplier_rating: average of live reviews (2 decimals) and their count; soft delete takes one out."""
    other = couples(db, partners=users(db, tag="srv2"), tag="Srv2")
    connections(db, supplier=stage.supplier, couple=stage.couple)
    connections(db, supplier=stage.supplier, couple=other)
    review(db, stage, rating=5)
    second = str(one(db, "insert into public.service_reviews (supplier_id, couple_id, author_user_id, rating) select"
                         " %s, c.id, c.partner_one_user_id, 2 from public.couples c where c.id = %s returning id",
                     (stage.supplier, other)))
    rating = "select rating_average, rating_count from public.suppliers where id = %s"
    assert db.execute(rating, (stage.supplier,)).fetchone() == (Decimal("3.50"), 2)
    db.execute("update public.service_reviews set deleted_at = now() where id = %s", (second,))
    assert db.execute(rating, (stage.supplier,)).fetchone() == (Decimal("5.00"), 1)


def test_supplier_inserted_through_the_api_starts_without_a_rating(db: Conn, stage: Stage) -> None:
    """stamp_supplier_rating_insert: an API insert cannot forge rating_average or rating_count."""
    with request(db, Actor.user(stage.stranger)) as conn:
        row = conn.execute("insert into public.suppliers (business_name, slug, created_by, rating_average,"
                           " rating_count) values ('Fake', 'fake-5-stars', %s, 5, 999)"
                           " returning rating_average, rating_count", (stage.stranger,)).fetchone()
    assert row == (None, 0)


def test_erasure_keeps_the_review_without_its_authorship(db: Conn, stage: Stage) -> None:
    """erase_couple sets couple_id and author_user_id null; the review, its rating and the audit trail stay, the
    audit rows without the partners' user ids (redact_audit_values keeps non-personal keys, as for every erased row)."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    rid = review(db, stage, rating=4)
    with request(db, Actor.service_role(), commit=True) as conn:
        counts = one(conn, "select public.erase_couple(%s)", (stage.couple,))
    assert counts["service_reviews"] == 1
    assert db.execute("select couple_id, author_user_id, rating from public.service_reviews where id = %s",
                      (rid,)).fetchone() == (None, None, 4)
    assert one(db, "select rating_count from public.suppliers where id = %s", (stage.supplier,)) == 1
    leaks = one(db, "select count(*) from public.audit_log where row_id = %s and (coalesce(old_values::text, '')"
                    " || coalesce(new_values::text, '')) ~ any(%s::text[])", (rid, stage.partners))
    assert leaks == 0
    with request(db, Actor.user(stage.member)) as conn:
        assert one(conn, "select count(*) from public.service_reviews where id = %s", (rid,)) == 1


def test_every_service_review_write_is_audited(db: Conn, stage: Stage) -> None:
    """write_audit_log on service_reviews: insert, the reply's update and delete, under the supplier."""
    connections(db, supplier=stage.supplier, couple=stage.couple)
    rid = review(db, stage)
    with request(db, Actor.user(stage.member), commit=True) as conn:
        conn.execute("update public.service_reviews set reply_body = 'Thanks' where id = %s", (rid,))
    with request(db, Actor.user(stage.partners[0]), commit=True) as conn:
        conn.execute("delete from public.service_reviews where id = %s", (rid,))
    rows = db.execute("select action::text, supplier_id::text from public.audit_log"
                      " where table_name = 'service_reviews' and row_id = %s order by created_at", (rid,)).fetchall()
    assert [a for a, _ in rows] == ["insert", "update", "delete"] and {s for _, s in rows} == {stage.supplier}
