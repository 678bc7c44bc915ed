"""Tenancy lints: foreign keys between supplier-scoped tables that could join rows of two suppliers.

A *tenant table* has a NOT NULL ``supplier_id`` column that is, on its own, a foreign key to a table named
``suppliers``. The rule (schema/README.md, "Tenant consistency"): a row of one supplier never references a row of
another supplier, whoever writes it. Between tenant tables that holds only when the foreign key pairs the child's
``supplier_id`` with the parent's ``supplier_id``, i.e. ``(parent_id, supplier_id) references parent (id,
supplier_id)``; a key on the parent's id alone lets any writer of supplier A point A's row at a row of supplier B.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from wedsync_db.lints.registry import _IN_SCOPE, ERROR, SECURITY, Problem, Scope, _lint, _q, _rows

TENANT_COLUMN = "supplier_id"
TENANT_TABLE = "suppliers"

BY_DESIGN: dict[str, str] = {
    "public.reviews.fk_reviews_template_id_templates":
        "A review is written by the buying supplier's team (reviews.supplier_id is the buyer) about a template "
        "the seller owns (templates.supplier_id), so this reference joins two suppliers on purpose. Trigger "
        "fill_review_from_purchase copies template_id and supplier_id from the reviewed purchase on insert "
        "(whatever the caller sent), and API roles may update only rating, title and body (an update by "
        "service_role is not checked against the purchase).",
    "public.journey_instances.fk_journey_instances_client_id_couple_id_clients":
        "Ties an instance's couple_id to its client's couple (0082), not its tenant: the same client_id is paired "
        "with supplier_id by fk_journey_instances_client_id_clients ((client_id, supplier_id) -> clients (id, "
        "supplier_id)), so the instance, its client and the couple's link are one supplier's.",
}
"""Foreign keys (``schema.table.constraint``) that join two suppliers on purpose, each with the reason."""

_CROSSING = f"""
    with tenant as (
        select c.oid as relid, a.attnum
        from pg_catalog.pg_class c
        join pg_catalog.pg_attribute a on a.attrelid = c.oid
        where c.relkind in ('r', 'p') and not c.relispartition
          and a.attname = '{TENANT_COLUMN}' and a.attnotnull and not a.attisdropped
          and exists (select 1 from pg_catalog.pg_constraint s
                      join pg_catalog.pg_class sc on sc.oid = s.confrelid
                      where s.conrelid = c.oid and s.contype = 'f' and s.conkey = array[a.attnum]
                        and sc.relname = '{TENANT_TABLE}')
    )
    select n.nspname as schema, c.relname as table, con.conname as constraint,
           con.confrelid::regclass::text as referenced,
           array(select a.attname::text from pg_catalog.unnest(con.conkey) with ordinality k(attnum, ord)
                 join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
                 order by k.ord) as columns,
           array(select a.attname::text from pg_catalog.unnest(con.confkey) with ordinality k(attnum, ord)
                 join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum
                 order by k.ord) as referenced_columns
    from pg_catalog.pg_constraint con
    join tenant child on child.relid = con.conrelid
    join tenant parent on parent.relid = con.confrelid
    join pg_catalog.pg_class c on c.oid = con.conrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where con.contype = 'f' and con.conparentid = 0 and {_IN_SCOPE}
      and not exists (select 1 from rows from (pg_catalog.unnest(con.conkey), pg_catalog.unnest(con.confkey))
                                    as k(attnum, refnum)
                      where k.attnum = child.attnum and k.refnum = parent.attnum)
    order by 1, 2, 3"""


@_lint("tenant_reference_crosses_tenants", SECURITY, ERROR, "Foreign key that can join two suppliers' rows")
def tenant_reference_crosses_tenants(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A foreign key (declared on a table or partitioned parent) from a tenant table (NOT NULL ``supplier_id``
    referencing ``suppliers``) to another tenant table, or to itself, whose columns do not pair the child's
    ``supplier_id`` with the parent's: any writer of supplier A (a team member through the API, a couple, the
    backend) can then point A's row at supplier B's. ERROR (our rule: one tenant per row graph), except the keys
    listed with their reason in ``BY_DESIGN``."""
    for row in _rows(conn, _CROSSING, scope):
        name = _q(row["schema"], row["table"], row["constraint"])
        if name in BY_DESIGN:
            continue
        table, columns = _q(row["schema"], row["table"]), ", ".join(row["columns"])
        referenced = ", ".join(row["referenced_columns"])
        yield Problem(name,
                      f"Foreign key {row['constraint']} on {table} ({columns}) references {row['referenced']} "
                      f"({referenced}) without pairing {TENANT_COLUMN} on both sides: a row of one supplier can "
                      "point at another supplier's row.",
                      f"Reference ({columns}, {TENANT_COLUMN}) -> {row['referenced']} ({referenced}, {TENANT_COLUMN}) "
                      f"(a unique ({referenced}, {TENANT_COLUMN}) there, an index on ({columns}, {TENANT_COLUMN}) "
                      f"here; on delete set null ({columns}) keeps {TENANT_COLUMN}), or list it in BY_DESIGN with "
                      "the reason.",
                      "constraint")
