"""HypoPG advisor: when a gate fails on a relation, try hypothetical indexes and print the one that fixes the plan.

Candidates come from the columns the failing node filters or sorts on (tenant keys first); each is created
with ``hypopg_create_index`` (backend-local, nothing is built), the query is re-planned as its real actor
(plain EXPLAIN: HypoPG indexes cannot be executed), and a candidate wins when the sequential scan of that
relation disappears and the plan's total cost drops. Needs ``create extension hypopg`` (done here when the
connection may; postgresql-15-hypopg is installed on this machine).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import psycopg

from wedsync_db.perf.catalog import CatalogQuery
from wedsync_db.perf.gates import GateResult, explain_as
from wedsync_db.perf.tenants import Tenant

# Columns that lead an index when they appear: the tenant and owner keys every policy filters on.
LEADING = ("supplier_id", "user_id", "couple_id", "template_id", "client_id", "form_id")


@dataclass(frozen=True)
class IndexAdvice:
    """A hypothetical index, its effect on the plan, and the DDL to add it (named per schema/README.md)."""

    relation: str
    columns: tuple[str, ...]
    cost_before: float
    cost_after: float
    removes_seq_scan: bool

    @property
    def name(self) -> str:
        table = self.relation.split(".")[-1]
        return f"index_{table}_on_{'_and_'.join(self.columns)}"[:63]

    @property
    def ddl(self) -> str:
        return f"create index {self.name} on {self.relation} ({', '.join(self.columns)});"

    def __str__(self) -> str:
        return (f"{self.ddl}  -- HypoPG: plan cost {self.cost_before:.0f} -> {self.cost_after:.0f}"
                f"{', no seq scan' if self.removes_seq_scan else ''}")


def ensure_hypopg(conn: psycopg.Connection[Any]) -> None:
    """Create the hypopg extension in this database if missing (needs a superuser or the owner)."""
    conn.execute("create extension if not exists hypopg")


def _columns_of(conn: psycopg.Connection[Any], relation: str) -> tuple[str, list[str]]:
    row = conn.execute(
        "select n.nspname || '.' || c.relname, array_agg(a.attname::text order by a.attnum) "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid "
        "where c.relname = %s and a.attnum > 0 and not a.attisdropped and n.nspname not in ('pg_catalog') "
        "group by 1 limit 1",
        (relation,),
    ).fetchone()
    if row is None:
        raise LookupError(f"relation {relation!r} not found")
    return str(row[0]), list(row[1])


def candidate_columns(text: str, columns: list[str]) -> list[str]:
    """Columns of the relation mentioned in a filter/sort text, tenant keys first, then in order of mention."""
    mentioned = sorted(
        (m.start(), col) for col in columns for m in [re.search(rf"\b{re.escape(col)}\b", text)] if m
    )
    ordered = [c for _, c in mentioned]
    return sorted(ordered, key=lambda c: (c not in LEADING, LEADING.index(c) if c in LEADING else 0))


def _plan_cost_and_seq(plan_root: Any, relation: str) -> tuple[float, bool]:
    cost = float(plan_root.raw.get("Total Cost", 0.0))
    seq = any(n.node_type == "Seq Scan" and n.relation == relation for n in plan_root.walk())
    return cost, seq


def advise(
    conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant, result: GateResult, *, max_width: int = 3,
) -> list[IndexAdvice]:
    """Try indexes on the relations the failed gates name; return the helpful ones, best first."""
    ensure_hypopg(conn)
    advice: list[IndexAdvice] = []
    for failure in result.failures:
        if failure.relation is None or failure.gate not in ("seq_scan", "filter_waste"):
            continue
        qualified, columns = _columns_of(conn, failure.relation)
        text = failure.filter or ""
        if result.plan is not None:  # sort keys and filters of every node on this relation
            for node in result.plan.nodes():
                if node.relation == failure.relation:
                    text += " " + (node.filter or "") + " " + (node.index_cond or "")
                text += " " + " ".join(node.raw.get("Sort Key", []))
        wanted = candidate_columns(text, columns)
        before_cost, _ = _plan_cost_and_seq(explain_as(conn, query, tenant, analyze=False).root, failure.relation)
        tried: set[tuple[str, ...]] = set()
        for width in range(1, min(max_width, len(wanted)) + 1):
            for combo in itertools.permutations(wanted, width):
                if combo in tried or (width > 1 and combo[0] not in LEADING):
                    continue
                tried.add(combo)
                conn.execute("select hypopg_reset()")
                conn.execute("select * from hypopg_create_index(%s)",
                              (f"create index on {qualified} ({', '.join(combo)})",))
                after = explain_as(conn, query, tenant, analyze=False).root
                cost, seq = _plan_cost_and_seq(after, failure.relation)
                used = any((n.index_name or "").startswith("<") for n in after.walk())  # HypoPG names: <oid>...
                if used and cost < before_cost:
                    advice.append(IndexAdvice(qualified, combo, before_cost, cost, not seq))
        conn.execute("select hypopg_reset()")
    # Best: removes the seq scan, then cheapest plan, then fewest columns.
    unique = {(a.relation, a.columns): a for a in advice}.values()
    return sorted(unique, key=lambda a: (not a.removes_seq_scan, round(a.cost_after, 1), len(a.columns)))
