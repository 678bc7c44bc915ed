"""A fast set-based seed for performance work: one whale supplier, many small ones, months of events.

Picked with ``WEDSYNC_PERF_SEED=perf`` or ``wedsync-db bench --seed perf``: a world whose shape the gate
tests know (a whale with ~10% of all clients), with the row counts of the seed profile of the same name
(``wedsync_db/worlds/profiles.py``, the one table of sizes). Everything is inserted as the superuser with
``session_replication_role = replica`` (no triggers: the audit rows are written directly instead), from
``generate_series`` with deterministic ids (``md5(kind || n)::uuid``) and ``setseed`` for the random parts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from wedsync_db.worlds.profiles import Profile, get_profile


@dataclass(frozen=True)
class SeedSize:
    """Row counts of a perf seed, read from the seed profile of the same name; only the whale's share is its own."""

    name: str
    suppliers: int
    couples: int
    clients: int
    months: int
    activities_per_client: int
    events_per_client: int
    messages_per_connection: int
    whale_share: float = 0.10

    @classmethod
    def of(cls, profile: Profile, *, whale_share: float = 0.10) -> SeedSize:
        """Return the perf seed's counts for a seed profile (per-client rates rounded to whole rows)."""
        return cls(profile.name, suppliers=profile.suppliers, couples=profile.couples, clients=profile.clients,
                   months=profile.months, activities_per_client=round(profile.activities_per_client),
                   events_per_client=round(profile.events_per_client),
                   messages_per_connection=round(profile.messages_per_connection), whale_share=whale_share)


# The whale's share of all clients per profile: a tenth in the small worlds, less as the world grows.
WHALE_SHARES: dict[str, float] = {"tiny": 0.10, "ci": 0.10, "large": 0.02, "xl": 0.005}

CATEGORIES = ("photographer", "videographer", "venue", "caterer", "florist", "planner", "musician", "dj")

# Each statement reads the parameters S (suppliers), N (clients), C (couples), W (whale clients), M (months),
# A (activities per client), E (events per client), K (messages per connection). Order matters (FKs).
_STEPS: list[tuple[str, str]] = [
    ("users", """
insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                        email_confirmed_at)
select md5('u-s' || s)::uuid, 'authenticated', 'authenticated', 'owner' || s || '@perf.example',
       '{"provider":"email","providers":["email"]}'::jsonb, '{}'::jsonb, now(), now(), now()
from generate_series(1, %(S)s) as s
union all
select md5('u-c' || c)::uuid, 'authenticated', 'authenticated', 'couple' || c || '@perf.example',
       '{"provider":"email","providers":["email"]}', '{}', now(), now(), now()
from generate_series(1, %(C)s) as c
union all
select md5('u-v' || s)::uuid, 'authenticated', 'authenticated', 'viewer' || s || '@perf.example',
       '{"provider":"email","providers":["email"]}', '{}', now(), now(), now()
from generate_series(1, %(S)s) as s"""),
    ("suppliers", """
insert into public.suppliers (id, business_name, slug, category, email, is_published, created_by)
select md5('s' || s)::uuid, 'Supplier ' || s, 'supplier-' || s,
       (array['photographer','videographer','venue','caterer','florist','planner','musician','dj'])[1 + s %% 8]
           ::public.supplier_category,
       'hello' || s || '@supplier.example', s %% 3 <> 0, md5('u-s' || s)::uuid
from generate_series(1, %(S)s) as s"""),
    ("team_members", """
insert into public.team_members (supplier_id, user_id, role)
select md5('s' || s)::uuid, md5('u-s' || s)::uuid, 'owner'::public.team_role from generate_series(1, %(S)s) as s
union all
select md5('s' || s)::uuid, md5('u-v' || s)::uuid, 'viewer' from generate_series(1, %(S)s) as s"""),
    ("couples", """
insert into public.couples (id, partner_one_user_id, display_name)
select md5('c' || c)::uuid, md5('u-c' || c)::uuid, 'Couple ' || c from generate_series(1, %(C)s) as c"""),
    ("user_profiles", """
insert into public.user_profiles (user_id, full_name)
select id, split_part(email, '@', 1) from auth.users where email like '%%@perf.example'"""),
    ("clients", """
insert into public.clients (id, supplier_id, couple_id, partner_one_name, partner_two_name, email, wedding_date,
                            venue_name, guest_count, status)
select md5('cl' || i)::uuid,
       md5('s' || (case when i <= %(W)s then 1 else 2 + i %% greatest(%(S)s - 1, 1) end))::uuid,
       case when i %% 2 = 0 then md5('c' || (1 + (i / 2) %% %(C)s))::uuid end,
       (array['Alex','Sam','Jordan','Taylor','Morgan','Casey','Riley','Jamie','Avery','Quinn'])[1 + i %% 10]
           || ' ' || (array['Smith','Jones','Patel','Brown','Khan','Garcia','Nguyen','Cohen'])[1 + (i / 10) %% 8]
           || ' ' || 'n' || i,
       'Partner ' || i, 'client' || i || '@mail.example',
       current_date + ((i * 7919) %% 900 - 300),
       'Venue ' || (i %% 500), 50 + i %% 150,
       (array['enquiry','proposal','booked','completed','cancelled'])[1 + i %% 5]::public.client_status
from generate_series(1, %(N)s) as i"""),
    ("connections", """
insert into public.supplier_client_connections (supplier_id, couple_id, status, shared_field_group_keys)
select distinct on (supplier_id, couple_id) supplier_id, couple_id, 'active',
       array(select key from public.core_field_groups)
from public.clients where couple_id is not null
on conflict do nothing"""),
    ("core_field_values", """
insert into public.core_field_values (couple_id, core_field_id, field_group_id, value)
select cp.id, f.id, f.field_group_id, to_jsonb('value ' || f.key)
from public.couples as cp cross join public.core_fields as f where not f.is_sensitive"""),
    ("forms", """
insert into public.forms (id, supplier_id, title)
select md5('f' || s || '-' || k)::uuid, md5('s' || s)::uuid, 'Form ' || k
from generate_series(1, %(S)s) as s cross join generate_series(1, 3) as k"""),
    ("form_versions", """
insert into public.form_versions (id, supplier_id, form_id, version_number, title, schema, status, published_at)
select md5('fv' || f.id)::uuid, f.supplier_id, f.id, 1, f.title, '{"fields": []}', 'published', now()
from public.forms as f"""),
    ("field_mappings", """
insert into public.field_mappings (supplier_id, form_id, form_field_key, core_field_id, allow_override)
select f.supplier_id, f.id, cf.key, cf.id, cf.position %% 2 = 0
from public.forms as f
cross join lateral (select id, key, position from public.core_fields where not is_sensitive
                    order by position limit 6) cf"""),
    ("form_responses", """
insert into public.form_responses (supplier_id, form_version_id, couple_id, client_id, status, answers,
                                   submitted_at, created_at)
select c.supplier_id, fv.id, c.couple_id, c.id,
       case when (hashtext(c.id::text) + k) %% 5 = 0 then 'draft' else 'submitted' end::public.response_status,
       jsonb_build_object('q1', 'answer ' || k),
       case when (hashtext(c.id::text) + k) %% 5 = 0 then null else now() - (k || ' days')::interval end,
       now() - ((abs(hashtext(c.id::text)) %% 365) || ' days')::interval - (k || ' hours')::interval
from public.clients as c
cross join generate_series(1, 2) as k
join public.forms as f on f.supplier_id = c.supplier_id and f.title = 'Form ' || k
join public.form_versions as fv on fv.form_id = f.id
where c.couple_id is not null"""),
    ("messages", """
insert into public.messages (supplier_id, couple_id, sender, body, channel, status, created_at)
select scc.supplier_id, scc.couple_id,
       case when k %% 2 = 0 then 'supplier' else 'couple' end::public.message_sender,
       'Message ' || k, (array['email','sms','whatsapp','in_app'])[1 + k %% 4]::public.message_channel, 'sent',
       now() - ((abs(hashtext(scc.id::text)) %% 200 + k) || ' days')::interval - (k || ' hours')::interval
from public.supplier_client_connections as scc cross join generate_series(1, %(K)s) as k"""),
    ("notifications", """
insert into public.notifications (user_id, supplier_id, kind, title, read_at, created_at)
select u.id, null, 'message', 'Notification ' || k,
       case when k %% 3 = 0 then null else now() end, now() - (k || ' hours')::interval
from auth.users as u cross join generate_series(1, 12) as k where u.email like '%%@perf.example'"""),
    ("journeys", """
insert into public.customer_journeys (id, supplier_id, name, status)
select md5('j' || s)::uuid, md5('s' || s)::uuid, 'Onboarding', 'active' from generate_series(1, %(S)s) as s"""),
    ("journey_instances", """
insert into public.journey_instances (supplier_id, journey_id, client_id, status, next_run_at)
select c.supplier_id, j.id, c.id,
       (array['active','active','active','paused','completed'])[1 + abs(hashtext(c.id::text)) %% 5]
           ::public.journey_instance_status,
       now() + ((abs(hashtext(c.id::text || 'n')) %% 43200 - 2880) || ' minutes')::interval
from public.clients as c join public.customer_journeys as j on j.supplier_id = c.supplier_id"""),
    ("partitions", """
select public.create_monthly_partitions('activities',
                                        (date_trunc('month', now()) - make_interval(months => %(M)s))::date,
                                        %(M)s + 3),
       public.create_monthly_partitions('analytics_events',
                                        (date_trunc('month', now()) - make_interval(months => %(M)s))::date,
                                        %(M)s + 3)"""),
    ("activities", """
insert into public.activities (supplier_id, actor_user_id, client_id, couple_id, action, entity_type, entity_id,
                               created_at)
select c.supplier_id, null, c.id, c.couple_id,
       (array['client.updated','form.sent','message.sent','journey.step'])[1 + k %% 4], 'client', c.id,
       now() - make_interval(mins => abs(hashtext(c.id::text || k)) %% (%(M)s * 43200))
from public.clients as c cross join generate_series(1, %(A)s) as k"""),
    ("analytics_events", """
insert into public.analytics_events (supplier_id, couple_id, event_name, properties, created_at)
select c.supplier_id, c.couple_id,
       (array['page.view','form.opened','form.submitted','email.opened'])[1 + k %% 4], '{}',
       now() - make_interval(mins => abs(hashtext(c.id::text || 'e' || k)) %% (%(M)s * 43200))
from public.clients as c cross join generate_series(1, %(E)s) as k"""),
    ("templates", """
insert into public.templates (id, supplier_id, kind, title, category, price, status, published_at, rating_average,
                              rating_count)
select md5('t' || s || '-' || k)::uuid, md5('s' || s)::uuid, 'form', 'Template ' || s || '-' || k,
       (array['general','photography','venue','catering','planning','music'])[1 + (s + k) %% 6],
       (s %% 50)::numeric, case when (s + k) %% 4 = 0 then 'draft' else 'published' end::public.template_status,
       now(), 1 + ((s * 37 + k) %% 400) / 100.0, 0
from generate_series(1, %(S)s) as s cross join generate_series(1, 2) as k"""),
    ("purchases_and_reviews", """
with buys as (
    insert into public.template_purchases (id, template_id, buyer_supplier_id, seller_supplier_id, template_title,
                                           amount, currency, status, purchased_at)
    select md5('p' || t.id || '-' || b)::uuid, t.id, md5('s' || (1 + (b * 13) %% %(S)s))::uuid, t.supplier_id,
           t.title, t.price, 'GBP', 'completed', now() - (b || ' days')::interval
    from public.templates as t
    cross join generate_series(1, case when t.supplier_id = md5('s1')::uuid then 300 else 4 end) as b
    where t.status = 'published'
    returning id, template_id, buyer_supplier_id, purchased_at
)
insert into public.reviews (supplier_id, template_id, purchase_id, author_user_id, rating, title, created_at)
select b.buyer_supplier_id, b.template_id, b.id, null, 1 + abs(hashtext(b.id::text)) %% 5, 'Review',
       b.purchased_at + interval '1 day'
from buys as b"""),
    ("audit_log", """
insert into public.audit_log (table_name, row_id, supplier_id, actor_user_id, actor_role, action, new_values,
                              changed_columns, created_at)
select 'clients', c.id, c.supplier_id, null::uuid, 'authenticated',
       case when k = 0 then 'insert' else 'update' end::public.audit_action,
       jsonb_build_object('status', c.status), case when k = 0 then '{}' else '{status}' end::text[],
       c.created_at - ((3 - k) || ' days')::interval
from public.clients as c cross join generate_series(0, 2) as k
union all
select 'messages', m.id, m.supplier_id, null, 'authenticated', 'insert', '{}'::jsonb, '{}'::text[], m.created_at
from public.messages as m"""),
]


def seed_size(name: str) -> SeedSize:
    """Return the perf seed's counts for the named seed profile, or raise listing the known ones."""
    return SeedSize.of(get_profile(name), whale_share=WHALE_SHARES.get(name, 0.10))


def seed_perf_world(
    conninfo: str, size: SeedSize | str, *, on_progress: Callable[[str], None] | None = None
) -> dict[str, float]:
    """Seed a migrated, empty database; return seconds per step. Refreshes the dashboards and analyzes."""
    size = seed_size(size) if isinstance(size, str) else size
    params: dict[str, Any] = {
        "S": size.suppliers, "N": size.clients, "C": max(size.couples, 1),
        "W": int(size.clients * size.whale_share), "M": size.months, "A": size.activities_per_client,
        "E": size.events_per_client, "K": size.messages_per_connection,
    }
    timings: dict[str, float] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        conn.execute("set maintenance_work_mem = '256MB'")
        conn.execute("set statement_timeout = 0")
        for name, statement in _STEPS:
            started = time.perf_counter()
            conn.execute(statement, params)
            timings[name] = time.perf_counter() - started
            if on_progress:
                on_progress(f"seeded {name} in {timings[name]:.1f}s")
        conn.execute("set session_replication_role = origin")
        started = time.perf_counter()
        conn.execute("select public.refresh_dashboards(false)")
        conn.execute("vacuum analyze")
        timings["refresh+analyze"] = time.perf_counter() - started
    return timings
