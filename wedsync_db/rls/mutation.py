"""Policy mutants: weaken one guard of one table inside a transaction, run the table's attempts, expect a failure.

This is the mutation tool, not the oracle: it reads pg_policies to know what to weaken. Each mutant is applied
in a transaction on the superuser connection (DDL is transactional) and rolled back, so no clone is needed.

Kinds: using_true (a SELECT policy lets everyone in), check_dropped (an INSERT/UPDATE WITH CHECK becomes true),
rls_disabled, not_forced (ownership moved to authenticated and FORCE removed: FORCE only matters for the owner,
and our owner is the superuser, which bypasses RLS anyway, so "not forced" alone is an equivalent mutant; with
an API role as owner it is what stands between the owner and every row), tenant_swapped (the tenant column in
a policy replaced by another uuid column), role_weakened (member/admin/owner checks become viewer),
connection_unchecked (the active-connection condition removed).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import Judged, fingerprints_of, run_batch
from wedsync_db.rls.generate import RandomChooser, personas
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.sweep import actor_attempts

KINDS = ("using_true", "check_dropped", "rls_disabled", "not_forced", "tenant_swapped", "role_weakened",
         "connection_unchecked")

_POLICIES = """
select policyname, cmd, roles::text[], qual, with_check from pg_catalog.pg_policies
where schemaname = 'public' and tablename = %s order by policyname
"""
_UUID_COLS = """
select column_name from information_schema.columns
where table_schema = 'public' and table_name = %s and data_type = 'uuid' order by ordinal_position
"""


@dataclass(frozen=True)
class Mutant:
    table: str
    kind: str
    policy: str
    ddl: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.table}:{self.kind}:{self.policy}"


def _recreate(
    table: str, name: str, cmd: str, roles: list[str], qual: str | None, check: str | None
) -> tuple[str, ...]:
    t = f"public.{table}"
    parts = [f"create policy {name} on {t} as permissive for {cmd.lower()} to {', '.join(roles)}"]
    if qual is not None:
        parts.append(f"using ({qual})")
    if check is not None:
        parts.append(f"with check ({check})")
    return (f"drop policy {name} on {t}", " ".join(parts))


def mutants_for(conn: psycopg.Connection[Any], table: str) -> list[Mutant]:
    """At most one mutant per kind for ``table`` (the first policy where the kind applies)."""
    policies = conn.execute(_POLICIES, (table,)).fetchall()
    uuid_cols = [r[0] for r in conn.execute(_UUID_COLS, (table,)).fetchall()]
    out: list[Mutant] = []
    t = f"public.{table}"

    def first(kind: str, build: Any) -> None:
        for name, cmd, roles, qual, check in policies:
            ddl = build(name, cmd, roles, qual, check)
            if ddl:
                out.append(Mutant(table, kind, name, ddl))
                return

    first("using_true", lambda n, c, r, q, w: _recreate(table, n, c, r, "true", None) if c == "SELECT" else None)
    updatable = {r[0] for r in conn.execute(
        "select column_name from information_schema.column_privileges where table_schema = 'public'"
        " and table_name = %s and grantee = 'authenticated' and privilege_type = 'UPDATE'", (table,)).fetchall()}

    def drop_check(n: str, c: str, r: list[str], q: str | None, w: str | None) -> tuple[str, ...] | None:
        if c not in ("INSERT", "UPDATE") or not w or w.strip() == "true":
            return None
        if c == "UPDATE" and not any(re.search(rf"\b{col}\b", w) for col in updatable):
            return None  # equivalent: no column the check reads can be changed through the API (column grants)
        return _recreate(table, n, c, r, q, "true")

    first("check_dropped", drop_check)
    out.append(Mutant(table, "rls_disabled", "-", (f"alter table {t} disable row level security",)))
    out.append(Mutant(table, "not_forced", "-", (f"alter table {t} owner to authenticated",
                                                 f"alter table {t} no force row level security")))

    def swap(n: str, c: str, r: list[str], q: str | None, w: str | None) -> tuple[str, ...] | None:
        for col in uuid_cols:
            pattern = re.compile(rf"\b{col}\b")
            if col == "id" or not any(pattern.search(x or "") for x in (q, w)):
                continue
            other = next((o for o in uuid_cols if o not in (col,) and o != "id"), "id")
            return _recreate(table, n, c, r, pattern.sub(other, q) if q else q, pattern.sub(other, w) if w else w)
        return None

    first("tenant_swapped", swap)

    def weaken(n: str, c: str, r: list[str], q: str | None, w: str | None) -> tuple[str, ...] | None:
        role = re.compile(r"'(member|admin|owner)'::(public\.)?team_role")
        if c == "SELECT" or not any(role.search(x or "") for x in (q, w)):
            return None
        fix = lambda x: role.sub("'viewer'::public.team_role", x) if x else x  # noqa: E731
        return _recreate(table, n, c, r, fix(q), fix(w))

    first("role_weakened", weaken)

    helpers = ("is_active_connection", "my_connected_couple_ids", "my_connected_supplier_ids",
               "my_shared_field_groups", "has_worked_with")
    if any(h in (q or "") + (w or "") for _, _, _, q, w in policies for h in helpers):
        # the status check removed from every connection helper at once (one alone can be masked by another)
        ddl = []
        for h in helpers:
            found = conn.execute(
                "select pg_get_functiondef(p.oid) from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                " where n.nspname = 'private' and p.proname = %s", (h,)).fetchone()
            assert found is not None, f"private.{h} is missing"
            fdef = found[0]
            weakened = re.sub(r"scc\.status\s*=\s*'active'(::[a-z_.]+)?", "true", fdef)
            if weakened != fdef:
                ddl.append(weakened)
        if ddl:
            out.append(Mutant(table, "connection_unchecked", "private connection helpers", tuple(ddl)))
    return out


@dataclass
class MutantResult:
    mutant: Mutant
    attempts: int
    caught_by: Judged | None
    error: str = ""

    @property
    def caught(self) -> bool:
        return self.caught_by is not None


def run_mutant(conn: psycopg.Connection[Any], oracle: Oracle, mutant: Mutant, *, seed: int = 0,
               max_rows: int = 10, actors: Sequence[Actor] | None = None) -> MutantResult:
    """Apply the mutant in a transaction, run the table's attempts for every persona (or ``actors``), roll back."""
    ch = RandomChooser(random.Random(seed))
    conn.rollback()
    total = 0
    try:
        for statement in mutant.ddl:
            conn.execute(sql.SQL(statement))
        fps = fingerprints_of(conn, [mutant.table])
        for actor in actors if actors is not None else personas(oracle.world):
            attempts = [a for a in actor_attempts(oracle, actor, ch, writes=1, max_rows=max_rows,
                                                  tables=[mutant.table])]
            judged = run_batch(conn, oracle, actor, attempts, fps)
            total += len(judged)
            bad = next((j for j in judged if not j.passed), None)
            if bad is not None:
                return MutantResult(mutant, total, bad)
        return MutantResult(mutant, total, None)
    except psycopg.Error as error:
        return MutantResult(mutant, total, None, error=str(error))
    finally:
        conn.rollback()


def mutation_score(results: list[MutantResult]) -> float:
    return 100.0 * sum(r.caught for r in results) / max(1, len(results))
