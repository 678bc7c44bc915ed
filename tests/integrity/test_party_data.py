"""Nobody destroys another party's data, and a review speaks only for a purchase that was paid and kept.

Migrations 0054 (no API hard delete of suppliers or couples: their cascades reached couples' messages and
responses, the other partner's data and suppliers' messages), 0055 (trigger guard_sold_template_delete,
constraint templates_sold_kept: a sold template is archived, not deleted, so buyers keep their reviews) and 0053
(a purchase leaving 'completed' hides its review from everyone; policy reviews_update_author requires a
reviewable purchase). Requests are sent as PostgREST sends them (``as_actor``); the backend's writes as
service_role, setup rows only the backend could write as the superuser.
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


def accepted_couple(conn: Conn, partners: list[str], tag: str) -> str:
    """A couple whose partner two (if any) has accepted."""
    couple = couples(conn, partners=partners, tag=tag)
    if one(conn, "select count(*) from information_schema.columns where table_schema = 'public'"
                 " and table_name = 'couples' and column_name = 'partner_two_accepted_at'"):
        conn.execute("update public.couples set partner_two_accepted_at = now() where id = %s", (couple,))
    return couple


def api(as_actor: AsActor, actor: Actor, query: Any, params: Any = ()) -> list[tuple[Any, ...]]:
    """One committed API request; its rows (empty for a command without RETURNING)."""
    with as_actor(actor, commit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


@pytest.fixture
def thread(db: Conn, as_actor: AsActor) -> dict[str, str]:
    """A supplier actively connected to a couple of two accepted partners: a message each way, a response of the
    couple to the supplier's form, and a core field value partner two entered."""
    owner, partner_one, partner_two = users(db, tag="thread", count=3)
    supplier = suppliers(db, owner=owner, tag="Thread")
    couple = accepted_couple(db, [partner_one, partner_two], "Thread")
    connections(db, supplier=supplier, couple=couple, groups=[])
    version = form_versions(db, supplier=supplier, form=forms(db, supplier=supplier))
    core_values(db, couple=couple, key="wedding_style", value="boho")
    api(as_actor, Actor.for_user(db, partner_one),
        "insert into public.messages (supplier_id, couple_id, sender, sender_user_id, body)"
        " values (%s, %s, 'couple', %s, 'our private plans')", (supplier, couple, partner_one))
    api(as_actor, Actor.for_user(db, owner),
        "insert into public.messages (supplier_id, couple_id, sender, sender_user_id, body)"
        " values (%s, %s, 'supplier', %s, 'your quote')", (supplier, couple, owner))
    api(as_actor, Actor.for_user(db, partner_one),
        "insert into public.form_responses (supplier_id, form_version_id, couple_id, answers)"
        " values (%s, %s, %s, '{\"a\": 1}')", (supplier, version, couple))
    return {"owner": owner, "partner_one": partner_one, "partner_two": partner_two, "supplier": supplier,
            "couple": couple}


def counts(conn: Conn, t: dict[str, str]) -> tuple[int, ...]:
    return tuple(one(conn, q, (t["couple"],)) for q in (
        "select count(*) from public.messages where couple_id = %s",
        "select count(*) from public.form_responses where couple_id = %s",
        "select count(*) from public.core_field_values where couple_id = %s",
        "select count(*) from public.couples where id = %s",
    ))


# -- suppliers and couples (0054) ------------------------------------------------------------------------------


def test_owner_cannot_hard_delete_a_supplier_holding_couples_messages_and_responses(
    db: Conn, observer: Conn, as_actor: AsActor, thread: dict[str, str]
) -> None:
    """No DELETE grant on suppliers for authenticated (policy suppliers_delete_owner dropped): the owner's delete
    is refused with 42501 and the couple's messages and form responses stay."""
    before = counts(observer, thread)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        api(as_actor, Actor.for_user(db, thread["owner"]), "delete from public.suppliers where id = %s",
            (thread["supplier"],))
    assert counts(observer, thread) == before == (2, 1, 1, 1)
    assert one(observer, "select count(*) from public.suppliers where id = %s", (thread["supplier"],)) == 1


@pytest.mark.parametrize("who", ["partner_one", "partner_two"])
def test_partner_cannot_hard_delete_the_couple_and_with_it_the_other_partys_data(
    db: Conn, observer: Conn, as_actor: AsActor, thread: dict[str, str], who: str
) -> None:
    """No DELETE grant on couples for authenticated (policy couples_delete_partner dropped): either partner's
    delete is refused with 42501; the other partner's values and the supplier's messages stay."""
    before = counts(observer, thread)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        api(as_actor, Actor.for_user(db, thread[who]), "delete from public.couples where id = %s", (thread["couple"],))
    assert counts(observer, thread) == before == (2, 1, 1, 1)


def test_backend_erasure_remains_the_way_to_remove_a_couple(
    db: Conn, observer: Conn, as_actor: AsActor, thread: dict[str, str]
) -> None:
    """public.erase_couple (service_role) still removes the couple and its rows: deletion is a backend action."""
    api(as_actor, Actor.service_role(), "select public.erase_couple(%s)", (thread["couple"],))
    assert counts(observer, thread) == (0, 0, 0, 0)


# -- sold templates (0055) and refunds (0053) -----------------------------------------------------------------


@pytest.fixture
def sale(db: Conn, as_actor: AsActor) -> dict[str, str]:
    """A seller's published template, bought (completed) by another supplier whose owner reviewed it with 5."""
    seller_owner, buyer_owner = users(db, tag="sale", count=2)
    seller, buyer = suppliers(db, owner=seller_owner, tag="Seller"), suppliers(db, owner=buyer_owner, tag="Buyer")
    template = api(as_actor, Actor.for_user(db, seller_owner),
                   "insert into public.templates (supplier_id, kind, title, status, price)"
                   " values (%s, 'form', 'Questionnaire', 'published', 49) returning id", (seller,))[0][0]
    purchase = api(as_actor, Actor.service_role(),
                   "insert into public.template_purchases (template_id, buyer_supplier_id, seller_supplier_id,"
                   " buyer_user_id, template_title, amount, currency, status)"
                   " values (%s, %s, %s, %s, 'Questionnaire', 49, 'GBP', 'completed') returning id",
                   (template, buyer, seller, buyer_owner))[0][0]
    review = api(as_actor, Actor.for_user(db, buyer_owner),
                 "insert into public.reviews (purchase_id, author_user_id, rating, body)"
                 " values (%s, %s, 5, 'great') returning id", (purchase, buyer_owner))[0][0]
    return {"seller_owner": seller_owner, "buyer_owner": buyer_owner, "seller": seller, "template": str(template),
            "purchase": str(purchase), "review": str(review)}


def test_seller_cannot_delete_a_sold_template_and_archives_it_instead(
    db: Conn, observer: Conn, as_actor: AsActor, sale: dict[str, str]
) -> None:
    """guard_sold_template_delete: the seller's admin deleting a sold template gets 23000 naming
    templates_sold_kept and the buyer's review stays; archiving it (status archived) is allowed and keeps the
    review readable by everyone."""
    seller = Actor.for_user(db, sale["seller_owner"])
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation) as refused:
        api(as_actor, seller, "delete from public.templates where id = %s", (sale["template"],))
    assert refused.value.diag.constraint_name == "templates_sold_kept"
    assert api(as_actor, seller, "update public.templates set status = 'archived' where id = %s returning id::text",
               (sale["template"],)) == [(sale["template"],)]
    assert one(observer, "select status::text from public.templates where id = %s", (sale["template"],)) == "archived"
    assert api(as_actor, Actor.anon(), "select rating from public.reviews where id = %s", (sale["review"],)) == [(5,)]


def test_seller_may_delete_an_unsold_template_and_the_backend_a_sold_one(
    db: Conn, observer: Conn, as_actor: AsActor, sale: dict[str, str]
) -> None:
    """templates_sold_kept judges only sold templates and only callers under RLS: an unsold template is deleted
    by the seller's admin; service_role (a backend erasure) may delete a sold one."""
    unsold = api(as_actor, Actor.for_user(db, sale["seller_owner"]),
                 "insert into public.templates (supplier_id, kind, title) values (%s, 'form', 'Draft') returning id",
                 (sale["seller"],))[0][0]
    assert api(as_actor, Actor.for_user(db, sale["seller_owner"]),
               "delete from public.templates where id = %s returning id", (unsold,)) == [(unsold,)]
    api(as_actor, Actor.service_role(), "delete from public.templates where id = %s", (sale["template"],))
    assert one(observer, "select count(*) from public.templates where id = %s", (sale["template"],)) == 0


def test_refund_hides_the_review_from_everyone_and_freezes_it(
    db: Conn, observer: Conn, as_actor: AsActor, sale: dict[str, str]
) -> None:
    """hide_reviews_of_uncompleted_purchase and reviews_update_author: once the backend refunds the purchase, the
    review is soft-deleted (kept for the record), no API caller reads it, its author cannot edit it, and the
    template's rating no longer counts it."""
    author = Actor.for_user(db, sale["buyer_owner"])
    assert api(as_actor, author, "update public.reviews set body = 'still great' where id = %s returning id::text",
               (sale["review"],)) == [(sale["review"],)]  # while the purchase is completed
    api(as_actor, Actor.service_role(), "update public.template_purchases set status = 'refunded' where id = %s",
        (sale["purchase"],))
    assert api(as_actor, Actor.anon(), "select count(*) from public.reviews") == [(0,)]
    assert api(as_actor, author, "update public.reviews set rating = 1, body = 'after refund' where id = %s"
               " returning id", (sale["review"],)) == []
    assert observer.execute("select rating, body, deleted_at is not null from public.reviews where id = %s",
                            (sale["review"],)).fetchall() == [(5, "still great", True)]
    assert observer.execute("select rating_average, rating_count from public.templates where id = %s",
                            (sale["template"],)).fetchall() == [(None, 0)]


def test_author_cannot_edit_a_review_whose_purchase_is_no_longer_completed(
    db: Conn, observer: Conn, as_actor: AsActor, sale: dict[str, str]
) -> None:
    """reviews_update_author requires private.my_reviewable_purchase_ids(): with the purchase set back to pending
    by the backend and the review left live (trigger disabled here), the author's update changes nothing."""
    db.execute("alter table public.template_purchases disable trigger hide_reviews_of_uncompleted_purchase")
    db.execute("update public.template_purchases set status = 'pending' where id = %s", (sale["purchase"],))
    db.execute("alter table public.template_purchases enable trigger hide_reviews_of_uncompleted_purchase")
    assert api(as_actor, Actor.for_user(db, sale["buyer_owner"]),
               "update public.reviews set rating = 1 where id = %s returning id", (sale["review"],)) == []
    assert one(observer, "select rating from public.reviews where id = %s", (sale["review"],)) == 5
