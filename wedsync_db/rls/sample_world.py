"""A small hand-built world covering every relation of the access matrix (the oracle's unit-test world).

Suppliers: A (published; owner, admin, member, viewer, a soft-deleted member, the freelancer as member),
B (unpublished; owner, admin, member, the freelancer as viewer), C (owned by the dual-role user), D (soft-deleted).
A's invitee has a pending invitation (a member row not accepted: it opens nothing).
Couples: C1 (two partners, active connection to A sharing couple_details and wedding_details),
C2 (the dual-role user, active connection to B sharing everything, invited by A), C3 (revoked connection to A),
C4 (soft-deleted, active connection to A), C5 (partner3's second couple, whose partner two is only invited,
declined by B; C3 accepted A's invitation before revoking it). Service reviews: C1's of A (replied), C3's of A
(after the revoked connection), a soft-deleted one of B, and near misses: archived C4's of A, C1's of archived D,
an erased couple's of B, C2's of A (invited only) and C5's of B (declined, soft-deleted). Each supplier-scoped
table has a live and a soft-deleted row for A, rows for B, and analytics rows in two monthly partitions. Near
misses: a published form version under A's archived form (and C3's response to it, though C3's connection to A is
revoked), a refunded purchase.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

NS = uuid.UUID("6f1c1d7e-4f7a-4d5e-9a57-1b2c3d4e5f60")


def uid(name: str) -> str:
    """The fixed UUID of a named object of the sample world."""
    return str(uuid.uuid5(NS, name))


USERS = [
    "owner_a", "admin_a", "member_a", "viewer_a", "gone_member_a", "freelancer", "owner_b", "admin_b", "member_b",
    "dual",
    "partner1", "partner2", "partner3", "partner4", "stranger", "invitee", "invited_partner",
]
NOW = datetime.now(UTC).replace(microsecond=0)
LAST_MONTH = (NOW.replace(day=1) - timedelta(days=3))
DELETED = NOW - timedelta(days=1)


def _rows() -> list[tuple[str, dict[str, Any]]]:
    r: list[tuple[str, dict[str, Any]]] = []
    add = lambda table, **row: r.append((table, row))  # noqa: E731
    for u in USERS:
        add("auth.users", id=uid(u), email=f"{u}@example.com", aud="authenticated", role="authenticated",
            raw_app_meta_data=Jsonb({"provider": "email"}), raw_user_meta_data=Jsonb({}))
    # suppliers (created_by makes the owner through trigger add_supplier_owner)
    add("suppliers", id=uid("A"), business_name="Alpha Photo", slug="alpha-photo", is_published=True,
        created_by=uid("owner_a"), category="photographer")
    add("suppliers", id=uid("B"), business_name="Beta Venue", slug="beta-venue", is_published=False,
        created_by=uid("owner_b"), category="venue")
    add("suppliers", id=uid("C"), business_name="Gamma Flowers", slug="gamma-flowers", is_published=False,
        created_by=uid("dual"), category="florist")
    add("suppliers", id=uid("D"), business_name="Delta Gone", slug="delta-gone", is_published=True,
        created_by=uid("owner_b"), deleted_at=DELETED)
    for user, sup, role, deleted in [
        ("admin_a", "A", "admin", None), ("member_a", "A", "member", None), ("viewer_a", "A", "viewer", None),
        ("gone_member_a", "A", "member", DELETED), ("freelancer", "A", "member", None),
        ("freelancer", "B", "viewer", None), ("admin_a", "D", "admin", None), ("admin_b", "B", "admin", None),
        ("member_b", "B", "member", None), ("invitee", "A", "member", "pending"),
    ]:
        add("team_members", id=uid(f"tm-{user}-{sup}"), supplier_id=uid(sup), user_id=uid(user), role=role,
            invited_by=uid("owner_a" if sup == "A" else "owner_b"),
            accepted_at=None if deleted == "pending" else NOW, deleted_at=None if deleted == "pending" else deleted)
    for u in ["owner_a", "admin_a", "viewer_a", "partner1", "dual", "stranger"]:
        add("user_profiles", id=uid(f"profile-{u}"), user_id=uid(u), full_name=u.title())
    add("user_profiles", id=uid("profile-gone"), user_id=uid("member_a"), full_name="Gone", deleted_at=DELETED)
    add("couples", id=uid("C1"), partner_one_user_id=uid("partner1"), partner_two_user_id=uid("partner2"),
        partner_two_accepted_at=NOW, display_name="One & Two")
    add("couples", id=uid("C5"), partner_one_user_id=uid("partner3"), partner_two_user_id=uid("invited_partner"),
        display_name="Three & Invited")
    add("couples", id=uid("C2"), partner_one_user_id=uid("dual"), display_name="Dual")
    add("couples", id=uid("C3"), partner_one_user_id=uid("partner3"), display_name="Three")
    add("couples", id=uid("C4"), partner_one_user_id=uid("partner4"), display_name="Four", deleted_at=DELETED)
    for sup, cpl, status, keys, deleted in [
        ("A", "C1", "active", ["couple_details", "wedding_details"], None),
        ("B", "C2", "active", ["couple_details", "contact_details", "wedding_details", "venues", "budget",
                               "preferences"], None),
        ("A", "C2", "invited", [], None),
        ("A", "C3", "revoked", ["couple_details"], None),
        ("A", "C4", "active", ["couple_details"], None),
        ("B", "C1", "active", ["budget"], DELETED),
        ("D", "C1", "active", ["couple_details"], None),
        ("B", "C3", "invited", ["couple_details"], None),
        ("B", "C5", "declined", ["couple_details"], None),
    ]:
        # C3 accepted A's invitation before revoking it (responded_at): it worked with A, and may review it
        add("supplier_client_connections", id=uid(f"conn-{sup}-{cpl}"), supplier_id=uid(sup), couple_id=uid(cpl),
            status=status, shared_field_group_keys=keys, deleted_at=deleted,
            responded_at=NOW if (sup, cpl) == ("A", "C3") else None)
    for sup in ["A", "B"]:
        for tag, deleted in [("live", None), ("gone", DELETED)]:
            k = f"{sup}-{tag}"
            add("clients", id=uid(f"client-{k}"), supplier_id=uid(sup),
                couple_id=uid("C1") if sup == "A" else uid("C2"), partner_one_name=f"Client {k}",
                deleted_at=deleted)
            add("forms", id=uid(f"form-{k}"), supplier_id=uid(sup), title=f"Form {k}", deleted_at=deleted)
            add("customer_journeys", id=uid(f"journey-{k}"), supplier_id=uid(sup), name=f"J {k}",
                deleted_at=deleted)
            add("email_templates", id=uid(f"email-{k}"), supplier_id=uid(sup), name=f"E {k}", subject="Hi",
                body_text="Hello", deleted_at=deleted)
            add("sms_templates", id=uid(f"sms-{k}"), supplier_id=uid(sup), name=f"S {k}", body="Hi",
                deleted_at=deleted)
            add("performance_metrics", id=uid(f"metric-{k}"), supplier_id=uid(sup), metric=f"m_{tag}",
                period="day", period_start=NOW.date(), value=1, deleted_at=deleted)
            add("templates", id=uid(f"template-{k}"), supplier_id=uid(sup), kind="form", title=f"T {k}",
                status="published" if tag == "live" else "draft", price=25, content=Jsonb({"paid": k}),
                deleted_at=deleted)
        add("templates", id=uid(f"template-{sup}-draft"), supplier_id=uid(sup), kind="email", title="Draft",
            status="draft")
        live = f"{sup}-live"
        add("form_versions", id=uid(f"fv-{sup}-pub"), supplier_id=uid(sup), form_id=uid(f"form-{live}"),
            version_number=1, title="v1", schema=Jsonb({"fields": []}), status="published")
        add("form_versions", id=uid(f"fv-{sup}-draft"), supplier_id=uid(sup), form_id=uid(f"form-{live}"),
            version_number=2, title="v2", schema=Jsonb({"fields": []}), status="draft")
        add("form_versions", id=uid(f"fv-{sup}-gone"), supplier_id=uid(sup), form_id=uid(f"form-{live}"),
            version_number=3, title="v3", schema=Jsonb({}), status="draft", deleted_at=DELETED)
        # a live version under a soft-deleted form (a near miss: the parent is gone, the child is not)
        add("form_versions", id=uid(f"fv-{sup}-orphan"), supplier_id=uid(sup), form_id=uid(f"form-{sup}-gone"),
            version_number=1, title="v1", schema=Jsonb({"fields": []}), status="published")
        add("field_mappings", id=uid(f"fm-{sup}"), supplier_id=uid(sup), form_id=uid(f"form-{live}"),
            form_field_key="name", core_field_id=None)  # core_field_id filled from the catalog
        add("journey_nodes", id=uid(f"node-{sup}"), supplier_id=uid(sup), journey_id=uid(f"journey-{live}"),
            name="Start", position=1)
        add("journey_modules", id=uid(f"module-{sup}"), supplier_id=uid(sup), journey_node_id=uid(f"node-{sup}"),
            position=1, module_type="email", email_template_id=uid(f"email-{live}"))
        add("journey_instances", id=uid(f"instance-{sup}"), supplier_id=uid(sup),
            journey_id=uid(f"journey-{live}"), client_id=uid(f"client-{live}"))
        for when, tag in [(NOW, "now"), (LAST_MONTH, "last")]:
            add("activities", id=uid(f"act-{sup}-{tag}"), supplier_id=uid(sup), actor_user_id=uid("owner_a"),
                action="viewed", created_at=when)
            add("analytics_events", id=uid(f"ev-{sup}-{tag}"), supplier_id=uid(sup), event_name="page.view",
                created_at=when)
        add("activities", id=uid(f"act-{sup}-gone"), supplier_id=uid(sup), action="x", created_at=NOW,
            deleted_at=DELETED)
    for cpl, sup, status, deleted, version in [
        ("C1", "A", "draft", None, "pub"), ("C1", "A", "submitted", None, "pub"), ("C1", "A", "draft", DELETED, "pub"),
        ("C2", "B", "draft", None, "pub"), ("C3", "A", "draft", None, "pub"),
        ("C3", "A", "submitted", None, "orphan"),  # under A's archived form, of a couple whose connection is revoked
    ]:
        add("form_responses", id=uid(f"resp-{cpl}-{sup}-{status}-{deleted is not None}"), supplier_id=uid(sup),
            form_version_id=uid(f"fv-{sup}-{version}"), couple_id=uid(cpl), status=status,
            answers=Jsonb({"q": "a"}), deleted_at=deleted)
    for sup, cpl, sender, user, deleted in [
        ("A", "C1", "supplier", "owner_a", None), ("A", "C1", "couple", "partner1", None),
        ("A", "C3", "couple", "partner3", None), ("B", "C2", "couple", "dual", None),
        ("A", "C1", "supplier", "member_a", DELETED),
    ]:
        add("messages", id=uid(f"msg-{sup}-{cpl}-{user}-{deleted is not None}"), supplier_id=uid(sup),
            couple_id=uid(cpl), sender=sender, sender_user_id=uid(user), body="hello", deleted_at=deleted)
    for user, deleted in [("partner1", None), ("owner_a", None), ("dual", None), ("partner1", DELETED)]:
        add("notifications", id=uid(f"note-{user}-{deleted is not None}"), user_id=uid(user), kind="info",
            title="Note", deleted_at=deleted)
    for buyer, seller, status, user in [("B", "A", "completed", "owner_b"), ("C", "A", "pending", "dual"),
                                        ("A", "B", "completed", "member_a"), ("B", "A", "completed", "freelancer"),
                                        ("C", "B", "refunded", "dual")]:
        add("template_purchases", id=uid(f"purchase-{buyer}-{seller}-{user}"),
            template_id=uid(f"template-{seller}-live"), buyer_supplier_id=uid(buyer), seller_supplier_id=uid(seller),
            buyer_user_id=uid(user), template_title="T", amount=10, currency="GBP", status=status)
    add("reviews", id=uid("review-B"), supplier_id=uid("B"), template_id=uid("template-A-live"),
        purchase_id=uid("purchase-B-A-owner_b"), author_user_id=uid("owner_b"), rating=5, title="Great")
    add("reviews", id=uid("review-A-gone"), supplier_id=uid("A"), template_id=uid("template-B-live"),
        purchase_id=uid("purchase-A-B-member_a"), author_user_id=uid("member_a"), rating=3, deleted_at=DELETED)
    # service reviews: C1 of A (replied), C3 of A (connection revoked after acceptance), C2's withdrawn-by-backend
    # review of B (soft-deleted); near misses loaded without the worked-with guard: archived C4's review of A, a
    # review of archived D by C1, and a review of B whose couple was erased (couple and author null)
    reviews: list[tuple[str, str | None, str | None, int, datetime | None, str | None]] = [
        ("A", "C1", "partner1", 5, None, "Thank you!"), ("A", "C3", "partner3", 2, None, None),
        ("B", "C2", "dual", 4, DELETED, None), ("A", "C4", "partner4", 3, None, None),
        ("D", "C1", "partner2", 1, None, None), ("B", None, None, 3, None, "Thanks"),
        ("A", "C2", "dual", 4, None, None), ("B", "C5", "partner3", 2, DELETED, None),
    ]
    for reviewed, reviewer, author, rating, withdrawn, reply in reviews:
        add("service_reviews", id=uid(f"sr-{reviewed}-{reviewer}"), supplier_id=uid(reviewed),
            couple_id=reviewer and uid(reviewer), author_user_id=author and uid(author), rating=rating,
            title="Review", body="We worked together", reply_body=reply,
            replied_by=reply and uid("owner_a" if reviewed == "A" else "owner_b"), deleted_at=withdrawn)
    return r


# service reviews inserted with the worked-with guard off: the couple, the supplier or the link is gone
# (and C2's of A and C5's of B, whose connections were only invited or declined: with a connection helper that
# no longer checks the status, copying them would be let in)
UNGUARDED_REVIEWS = {uid("sr-A-C4"), uid("sr-D-C1"), uid("sr-B-None"), uid("sr-A-C2"), uid("sr-B-C5")}


_CORE_VALUES = [  # (couple, core field key, value, deleted)
    ("C1", "partner_one_name", "Ann", False), ("C1", "wedding_date", "2031-06-01", False),
    ("C1", "total_budget", 20000, False), ("C1", "colour_scheme", "blue", True),
    ("C2", "partner_one_name", "Dee", False), ("C2", "guest_count", 80, False),
    ("C3", "partner_one_name", "Tri", False), ("C4", "partner_one_name", "Fou", False),
]


def load_sample_world(conn: psycopg.Connection[Any]) -> None:
    """Insert the sample world as the superuser (triggers run: owners, field states, audit rows)."""
    with conn.transaction():
        conn.execute("select public.create_monthly_partitions('activities', %s::date, 2)", (LAST_MONTH.date(),))
        conn.execute("select public.create_monthly_partitions('analytics_events', %s::date, 2)", (LAST_MONTH.date(),))
        core = dict(conn.execute("select key, id from public.core_fields").fetchall())
        # a retired (soft-deleted) field group and field: the catalog's not_deleted rule must hide them
        conn.execute("insert into public.core_field_groups (id, key, name, deleted_at) values (%s, 'retired',"
                     " 'Retired', %s)", (uid("group-retired"), DELETED))
        conn.execute("insert into public.core_fields (id, field_group_id, key, label, data_type, deleted_at)"
                     " values (%s, %s, 'retired_field', 'Retired', 'text', %s)",
                     (uid("field-retired"), uid("group-retired"), DELETED))
        for table, row in _rows():
            unguarded = table == "service_reviews" and row["id"] in UNGUARDED_REVIEWS
            if unguarded:
                conn.execute("alter table public.service_reviews disable trigger guard_service_review_worked_with")
            if table == "field_mappings":
                row["core_field_id"] = core["partner_one_name"]
            schema, name = table.split(".") if "." in table else ("public", table)
            cols = list(row)
            conn.execute(
                sql.SQL("insert into {}.{} ({}) values ({}) on conflict do nothing").format(
                    sql.Identifier(schema), sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, cols)),
                    sql.SQL(", ").join(sql.Placeholder() * len(cols))),
                [row[c] for c in cols],
            )
            if unguarded:
                conn.execute("alter table public.service_reviews enable trigger guard_service_review_worked_with")
        for cpl, key, value, deleted in _CORE_VALUES:
            conn.execute(
                "insert into public.core_field_values (id, couple_id, core_field_id, field_group_id, value, deleted_at)"
                " select %s, %s, f.id, f.field_group_id, %s, %s from public.core_fields f where f.key = %s",
                (uid(f"cfv-{cpl}-{key}"), uid(cpl), Jsonb(value), DELETED if deleted else None, key),
            )
        # one soft-deleted history and field-state row, so soft deletion is exercised there too
        conn.execute("update public.field_states set deleted_at = %s where couple_id = %s and core_field_id = %s",
                     (DELETED, uid("C1"), core["guest_count"]))
        conn.execute("alter table public.core_field_value_history disable trigger set_updated_at")
        conn.execute("update public.core_field_value_history set deleted_at = %s where core_field_value_id = %s",
                     (DELETED, uid("cfv-C2-guest_count")))
        conn.execute("alter table public.core_field_value_history enable trigger set_updated_at")


def names() -> dict[str, str]:
    """UUID -> name, for readable reports."""
    out = {uid(u): u for u in USERS}
    out.update({uid(s): s for s in ["A", "B", "C", "D", "C1", "C2", "C3", "C4", "C5"]})
    return out


__all__ = ["load_sample_world", "names", "uid", "json"]
