"""Pick the tenants the gates run for (the whale and a small supplier) and realistic arguments, from any seeded db.

Read from the data, not from a World object, so the same code works on the seeded worlds
and an external DATABASE_URL: the whale is the supplier with the most clients, the small tenant the one
with the fewest among those that have a connected couple and a form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from wedsync_db.errors import WedsyncError
from wedsync_db.impersonate import Actor


class NoTenants(WedsyncError):
    """The database holds no supplier usable for the catalog (seed it first)."""


@dataclass(frozen=True)
class Tenant:
    """A supplier and the people and records the catalog queries need as arguments."""

    label: str  # whale or small
    supplier_id: uuid.UUID
    owner_user_id: uuid.UUID
    clients: int
    client_id: uuid.UUID
    couple_id: uuid.UUID
    couple_user_id: uuid.UUID
    form_id: uuid.UUID
    template_id: uuid.UUID
    category: str
    search_term: str
    as_of: datetime

    def days_ago(self, days: int) -> datetime:
        return self.as_of - timedelta(days=days)

    def actor(self, kind: str) -> Actor:
        """The actor of that kind for this tenant (see catalog.ACTOR_KINDS)."""
        if kind == "supplier":
            return Actor.user(self.owner_user_id, label=f"{self.label} supplier owner")
        if kind == "couple":
            return Actor.user(self.couple_user_id, label=f"{self.label} connected couple")
        if kind == "anon":
            return Actor.anon()
        if kind == "service_role":
            return Actor.service_role()
        raise ValueError(f"unknown actor kind {kind!r}")


_CANDIDATES = """
select s.id, count(c.id) as clients
from public.suppliers as s
join public.clients as c on c.supplier_id = s.id and c.deleted_at is null
where s.deleted_at is null
  and exists (select 1 from public.supplier_client_connections scc
              where scc.supplier_id = s.id and scc.status = 'active' and scc.deleted_at is null)
  and exists (select 1 from public.forms f where f.supplier_id = s.id and f.deleted_at is null)
  and exists (select 1 from public.team_members tm where tm.supplier_id = s.id and tm.role >= 'admin'
              and tm.deleted_at is null)
group by s.id
order by count(c.id) {direction}, s.id
limit 1
"""

_DETAILS = """
with owner as (
    select user_id from public.team_members
    where supplier_id = %(s)s and role >= 'admin' and deleted_at is null order by role desc, created_at limit 1
), busiest_client as (
    select c.id, c.couple_id, c.partner_one_name
    from public.clients c
    join public.supplier_client_connections scc
      on scc.supplier_id = c.supplier_id and scc.couple_id = c.couple_id and scc.status = 'active'
         and scc.deleted_at is null
    join public.couples cp on cp.id = c.couple_id and cp.deleted_at is null
    where c.supplier_id = %(s)s and c.deleted_at is null
    order by {client_order}, c.id
    limit 1
), form as (
    select f.id from public.forms f
    where f.supplier_id = %(s)s and f.deleted_at is null
    order by (select count(*) from public.field_mappings m where m.form_id = f.id) desc, f.id limit 1
), template as (
    select t.id, t.category from public.templates t
    where t.status = 'published' and t.deleted_at is null
    order by (t.supplier_id = %(s)s) desc, t.rating_count desc, t.id limit 1
)
select (select user_id from owner), bc.id, bc.couple_id,
       (select partner_one_user_id from public.couples where id = bc.couple_id),
       (select id from form), (select id from template), (select category from template),
       split_part(bc.partner_one_name, ' ', 1)
from busiest_client bc
"""


_MESSAGES_OF_CLIENT = ("(select count(*) from public.messages m where m.supplier_id = c.supplier_id "
                       "and m.couple_id = c.couple_id)")


def tenant_of(conn: psycopg.Connection[Any], label: str, supplier_id: uuid.UUID, clients: int, as_of: datetime,
              *, typical_messages: int | None = None) -> Tenant:
    """The tenant's people and records; its client is the busiest connected one, or with ``typical_messages``
    one with a journey instance and a response if it has any, whose thread is nearest that many messages
    (comparable records across tenants of any size)."""
    order = (f"{_MESSAGES_OF_CLIENT} desc" if typical_messages is None
             else "(exists (select 1 from public.journey_instances j where j.client_id = c.id)) desc, "
                  "(exists (select 1 from public.form_responses r where r.client_id = c.id)) desc, "
                  f"abs({_MESSAGES_OF_CLIENT} - {int(typical_messages)})")
    row = conn.execute(_DETAILS.replace("{client_order}", order), {"s": supplier_id}).fetchone()
    if row is None or None in row[:5]:
        raise NoTenants(f"supplier {supplier_id} ({label}) lacks an owner, a connected client or a form")
    owner, client, couple, couple_user, form, template, category, term = row
    return Tenant(label, supplier_id, owner, clients, client, couple, couple_user, form,
                  template or uuid.UUID(int=0), category or "general", term or "a", as_of)


def resolve_tenants(conn: psycopg.Connection[Any]) -> dict[str, Tenant]:
    """Return {"whale": ..., "small": ...}, read as the superuser (no RLS) from the seeded data."""
    as_of = conn.execute("select date_trunc('second', now())").fetchone()[0]  # type: ignore[index]
    out: dict[str, Tenant] = {}
    for label, direction in (("whale", "desc"), ("small", "asc")):
        row = conn.execute(_CANDIDATES.format(direction=direction)).fetchone()
        if row is None:
            raise NoTenants("no supplier with clients, an active connection, a form and an admin: seed the database")
        out[label] = tenant_of(conn, label, row[0], int(row[1]), as_of)
    return out


def candidate_sizes(conn: psycopg.Connection[Any]) -> list[tuple[uuid.UUID, int]]:
    """Every supplier usable for the catalog (as resolve_tenants picks them) with its clients, smallest first."""
    query = _CANDIDATES.format(direction="asc").replace("limit 1", "")
    return [(r[0], int(r[1])) for r in conn.execute(query).fetchall()]
