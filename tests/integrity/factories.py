"""Small, targeted test data for integrity tests, inserted as the superuser with plain SQL (no seed data).

``tenants(conn, tag)`` builds one supplier with a row in every table that belongs to it, plus its couple,
so cascade, audit and erasure tests can compare tenants. Personal strings carry ``tag`` so that a scan can
tell whose they are. Catalog helpers (``audited_tables``, ``row_images``) read the schema, not a fixed list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

Conn = psycopg.Connection[Any]


# Rows a test may change, archive or delete and put back: published versions and submitted responses never change
# (test_versions.py), and a live supplier's owner row stays (team_members_supplier_keeps_owner).
CHANGEABLE_ROWS = {"form_versions": "status = 'draft'", "form_responses": "status = 'draft'",
                   "team_members": "role <> 'owner'"}


def one(conn: Conn, query: str, params: Any = None) -> Any:
    """Return the first column of the single row ``query`` returns."""
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row[0]


def users(conn: Conn, *, tag: str, count: int = 1) -> list[str]:
    """Insert ``count`` auth users with tagged emails; return their ids."""
    ids = []
    for n in range(count):
        uid = str(uuid.uuid4())
        conn.execute(
            "insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at)"
            " values (%s, 'authenticated', 'authenticated', %s, '{}', '{}', now())",
            (uid, f"{tag}-user{n}-{uid[:6]}@example.test"),
        )
        ids.append(uid)
    return ids


def suppliers(conn: Conn, *, owner: str, tag: str) -> str:
    """Insert a supplier created by ``owner`` (the trigger makes them owner); return its id."""
    return str(one(
        conn,
        "insert into public.suppliers (business_name, slug, email, created_by) values (%s, %s, %s, %s) returning id",
        (f"{tag} Studio", f"{tag.lower()}-{uuid.uuid4().hex[:8]}", f"{tag}-studio@example.test", owner),
    ))


def couples(conn: Conn, *, partners: list[str], tag: str) -> str:
    """Insert a couple of one or two partner users (partner two has accepted); return its id."""
    return str(one(
        conn,
        "insert into public.couples (partner_one_user_id, partner_two_user_id, partner_two_accepted_at, display_name)"
        " values (%s, %s, case when %s::uuid is not null then now() end, %s) returning id",
        (partners[0], partners[1] if len(partners) > 1 else None, partners[1] if len(partners) > 1 else None,
         f"{tag} & Partner"),
    ))


def connections(conn: Conn, *, supplier: str, couple: str, status: str = "active",
                groups: list[str] | None = None) -> str:
    """Insert a supplier-couple connection with the given status and shared field groups; return its id."""
    return str(one(
        conn,
        "insert into public.supplier_client_connections (supplier_id, couple_id, status, shared_field_group_keys)"
        " values (%s, %s, %s, %s) returning id",
        (supplier, couple, status, groups if groups is not None else ["couple_details", "wedding_details"]),
    ))


def core_values(conn: Conn, *, couple: str, key: str, value: Any) -> str:
    """Insert the couple's value for core field ``key``; return its id."""
    return str(one(
        conn,
        "insert into public.core_field_values (couple_id, core_field_id, field_group_id, value)"
        " select %s, f.id, f.field_group_id, %s from public.core_fields f where f.key = %s returning id",
        (couple, Jsonb(value), key),
    ))


def forms(conn: Conn, *, supplier: str, title: str = "Wedding questionnaire") -> str:
    return str(one(conn, "insert into public.forms (supplier_id, title) values (%s, %s) returning id",
                   (supplier, title)))


def form_versions(conn: Conn, *, supplier: str, form: str, number: int = 1, status: str = "published") -> str:
    return str(one(
        conn,
        "insert into public.form_versions (supplier_id, form_id, version_number, title, schema, status)"
        " values (%s, %s, %s, 'v', %s, %s) returning id",
        (supplier, form, number, Jsonb({"fields": [{"key": "names"}, {"key": "date"}]}), status),
    ))


def form_responses(conn: Conn, *, supplier: str, version: str, couple: str, answers: dict[str, Any] | None = None,
                   status: str = "draft") -> str:
    return str(one(
        conn,
        "insert into public.form_responses (supplier_id, form_version_id, couple_id, answers, status, submitted_at)"
        " values (%s, %s, %s, %s, %s, case when %s = 'submitted' then now() end) returning id",
        (supplier, version, couple, Jsonb(answers or {}), status, status),
    ))


@dataclass
class Tenant:
    """What ``tenants()`` built: ids by role, and the personal strings written for the couple."""

    tag: str
    supplier: str
    owner: str
    member: str
    partners: list[str]
    couple: str
    client: str
    form: str
    version: str
    personal: list[str] = field(default_factory=list)


def tenants(conn: Conn, tag: str) -> Tenant:
    """Build one supplier with at least one row in every supplier-scoped table, and a connected couple.

    The couple's personal strings (names, emails, phones, notes, answers, messages...) all contain ``tag``
    followed by a kind, and are listed in ``Tenant.personal``.
    """
    owner, member = users(conn, tag=f"{tag}team", count=2)
    partners = users(conn, tag=f"{tag}couple", count=2)
    supplier = suppliers(conn, owner=owner, tag=tag)
    conn.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at)"
                 " values (%s, %s, 'member', now())",
                 (supplier, member))
    couple = couples(conn, partners=partners, tag=f"{tag}Couple")
    personal = [f"{tag}Couple & Partner"]
    email = one(conn, "select email from auth.users where id = %s", (partners[0],))
    for uid, name in zip(partners, ("Alex", "Sam"), strict=False):
        conn.execute(
            "insert into public.user_profiles (user_id, full_name, display_name, phone) values (%s, %s, %s, %s)",
            (uid, f"{tag}{name} Fullname", f"{tag}{name}", "+447700900123"),
        )
        personal += [f"{tag}{name} Fullname", f"{tag}{name}"]
    conn.execute("insert into public.user_profiles (user_id, full_name) values (%s, %s)", (owner, f"{tag} Owner"))
    client = str(one(
        conn,
        "insert into public.clients (supplier_id, couple_id, partner_one_name, partner_two_name, email, phone,"
        " venue_name, notes, tags, guest_count, budget)"
        " values (%s, %s, %s, %s, %s, '+447700900456', %s, %s, %s, 120, 15000) returning id",
        (supplier, couple, f"{tag}Alex Clientname", f"{tag}Sam Clientname", email, f"{tag} Manor Venue",
         f"{tag} notes: allergic to nuts", [f"{tag}tag"]),
    ))
    personal += [f"{tag}Alex Clientname", f"{tag}Sam Clientname", f"{tag} Manor Venue", f"{tag} notes: allergic", email]
    connections(conn, supplier=supplier, couple=couple, groups=["couple_details", "contact_details", "wedding_details"])
    core_values(conn, couple=couple, key="partner_one_name", value=f"{tag}Alex Corename")
    core_values(conn, couple=couple, key="partner_one_phone", value=f"{tag}+447700900789")  # sensitive: encrypted
    core_values(conn, couple=couple, key="wedding_style", value=f"{tag} rustic style")
    conn.execute(
        "update public.core_field_values set value = %s where couple_id = %s"
        " and core_field_id = (select id from public.core_fields where key = 'wedding_style')",
        (Jsonb(f"{tag} boho style"), couple),
    )
    personal += [f"{tag}Alex Corename", f"{tag}+447700900789", f"{tag} rustic style", f"{tag} boho style"]

    form = forms(conn, supplier=supplier)
    version = form_versions(conn, supplier=supplier, form=form)
    form_versions(conn, supplier=supplier, form=form, number=2, status="draft")
    conn.execute(
        "insert into public.field_mappings (supplier_id, form_id, form_field_key, core_field_id, allow_override)"
        " select %s, %s, 'names', id, true from public.core_fields where key = 'partner_one_name'",
        (supplier, form),
    )
    form_responses(conn, supplier=supplier, version=version, couple=couple, status="submitted",
                   answers={"names": f"{tag}Alex Answer"})
    form_responses(conn, supplier=supplier, version=version, couple=couple, answers={"date": f"{tag} draft answer"})
    personal += [f"{tag}Alex Answer", f"{tag} draft answer"]

    email_template = one(
        conn, "insert into public.email_templates (supplier_id, name, subject, body_text) values (%s, 'Hi', 'Hello',"
        " 'Body') returning id", (supplier,))
    sms_template = one(
        conn, "insert into public.sms_templates (supplier_id, name, body) values (%s, 'Hi', 'Hello') returning id",
        (supplier,))
    journey = one(conn, "insert into public.customer_journeys (supplier_id, name) values (%s, 'Welcome') returning id",
                  (supplier,))
    node = one(conn, "insert into public.journey_nodes (supplier_id, journey_id, name, position) values"
               " (%s, %s, 'Day 1', 1) returning id", (supplier, journey))
    for position, (kind, column, target) in enumerate(
        [("email", "email_template_id", email_template), ("sms", "sms_template_id", sms_template),
         ("form", "form_id", form)], start=1,
    ):
        conn.execute(
            f"insert into public.journey_modules (supplier_id, journey_node_id, position, module_type, {column})"
            " values (%s, %s, %s, %s, %s)", (supplier, node, position, kind, target))
    conn.execute(
        "insert into public.journey_modules (supplier_id, journey_node_id, position, module_type, task_title)"
        " values (%s, %s, 4, 'task', 'Call')", (supplier, node))
    conn.execute(
        "insert into public.journey_instances (supplier_id, journey_id, client_id, current_node_id, state, last_error)"
        " values (%s, %s, %s, %s, %s, %s)",
        (supplier, journey, client, node, Jsonb({"note": f"{tag} instance state"}), f"{tag} error text"))
    personal += [f"{tag} instance state", f"{tag} error text"]
    conn.execute(
        "insert into public.messages (supplier_id, couple_id, client_id, sender, sender_user_id, body)"
        " values (%s, %s, %s, 'couple', %s, %s)", (supplier, couple, client, partners[0], f"{tag} message body"))
    conn.execute(
        "insert into public.notifications (user_id, supplier_id, kind, title, body) values (%s, %s, 'msg', %s, %s)",
        (partners[0], supplier, f"{tag} notification title", f"{tag} notification body"))
    conn.execute(
        "insert into public.notifications (user_id, supplier_id, kind, title) values (%s, %s, 'msg', 'Staff note')",
        (owner, supplier))
    personal += [f"{tag} message body", f"{tag} notification title", f"{tag} notification body"]
    conn.execute(
        "insert into public.activities (supplier_id, actor_user_id, couple_id, client_id, action, metadata)"
        " values (%s, %s, %s, %s, 'viewed', %s)",
        (supplier, partners[0], couple, client, Jsonb({"who": f"{tag} activity"})))
    conn.execute(
        "insert into public.analytics_events (supplier_id, actor_user_id, couple_id, event_name, properties)"
        " values (%s, %s, %s, 'form.viewed', %s)", (supplier, partners[0], couple, Jsonb({"who": f"{tag} event"})))
    personal += [f"{tag} activity", f"{tag} event"]
    conn.execute(
        "insert into public.performance_metrics (supplier_id, metric, period, period_start, value)"
        " values (%s, 'responses', 'day', current_date, 3)", (supplier,))
    template = one(
        conn, "insert into public.templates (supplier_id, kind, title, price, status) values"
        " (%s, 'form', 'Questionnaire', 10, 'published') returning id", (supplier,))
    purchase = one(
        conn, "insert into public.template_purchases (template_id, buyer_supplier_id, seller_supplier_id,"
        " buyer_user_id, template_title, amount, currency, status, payment_reference, billing_name, billing_email)"
        " values (%s, %s, %s, %s, 'Questionnaire', 10, 'GBP', 'completed', %s, %s, %s) returning id",
        (template, supplier, supplier, partners[0], f"pay-{uuid.uuid4().hex[:10]}", f"{tag}Alex Billingname",
         f"{tag}-billing@example.test"))
    personal += [f"{tag}Alex Billingname", f"{tag}-billing@example.test"]
    conn.execute(
        "insert into public.reviews (supplier_id, template_id, purchase_id, author_user_id, rating, body)"
        " values (%s, %s, %s, %s, 5, 'Great')", (supplier, template, purchase, member))
    # the couple's review of the supplier, replied (kept by erasure without its authorship: no personal string)
    conn.execute(
        "insert into public.service_reviews (supplier_id, couple_id, author_user_id, rating, title, body, reply_body,"
        " replied_by) values (%s, %s, %s, 4, 'Lovely team', 'Calm and kind on the day', 'Thank you!', %s)",
        (supplier, couple, partners[0], member))
    return Tenant(tag, supplier, owner, member, partners, couple, client, form, version, personal)


# -- catalog helpers ---------------------------------------------------------------------------------------

def audited_tables(conn: Conn) -> list[str]:
    """Return the public tables (partitioned parents, not leaves) other than audit_log, by name."""
    rows = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition"
        " and c.relname <> 'audit_log' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def row_images(conn: Conn, table: str) -> dict[str, dict[str, Any]]:
    """Return every row of public.<table> as jsonb (to_jsonb), keyed by id."""
    rows = conn.execute(f"select id::text, to_jsonb(t) from public.{table} t").fetchall()
    return {r[0]: r[1] for r in rows}
