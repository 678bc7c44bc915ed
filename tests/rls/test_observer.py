"""Committed requests seen from a second connection: a refused write changes nothing, an allowed one is seen.

Each write runs as its own PostgREST request that commits (``impersonate.request(..., commit=True)``) on a
fresh clone of the tiny world; an observer connection (the superuser, as service_role would, sees every row)
reads the target table and the audit log before and after.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from wedsync_db.impersonate import request
from wedsync_db.rls.attempts import Attempt, Outcome, expect, judge
from wedsync_db.rls.generate import RandomChooser, key_personas
from wedsync_db.rls.oracle import OK, Oracle
from wedsync_db.rls.reproducer import failure_message
from wedsync_db.rls.sweep import actor_attempts
from wedsync_db.rls.world import World, snapshot

# Tables whose rows decide relations: an allowed write there would change later verdicts, so none is committed.
RELATION_TABLES = {"suppliers", "team_members", "couples", "supplier_client_connections", "core_field_groups",
                   "core_fields", "template_purchases", "templates", "form_versions"}


def _state(observer: psycopg.Connection[Any], table: str) -> tuple[Any, ...]:
    """What the observer sees of a table and of the audit log: row count and a digest of every row."""
    query = sql.SQL("select count(*), md5(coalesce(string_agg(md5(t::text), ',' order by md5(t::text)), ''))"
                    " from {} as t")
    out = observer.execute(query.format(sql.Identifier("public", table))).fetchone()
    audit = observer.execute("select count(*) from public.audit_log").fetchone()
    return (*out, *audit)  # type: ignore[misc]


def _run_committed(conn: psycopg.Connection[Any], attempt: Attempt) -> Outcome:
    query, params = attempt.statement()
    out = Outcome()
    try:
        with request(conn, attempt.actor, method="POST", path="/rls", commit=True):
            cur = conn.execute(query, params)
            out.rows = cur.fetchall() if cur.description else []
            out.rowcount = cur.rowcount
    except psycopg.Error as error:
        out.sqlstate, out.constraint = error.sqlstate, error.diag.constraint_name
        out.message = error.diag.message_primary or str(error)
    return out


def test_refused_writes_change_nothing_and_allowed_ones_are_seen_by_an_observer(
    seeded_db_url: Callable[[str], str],
) -> None:
    """A committed request the matrix refuses leaves every row (and the audit log) as it was; allowed ones show."""
    url = seeded_db_url("tiny")
    with psycopg.connect(url, autocommit=True) as observer, psycopg.connect(url, autocommit=True) as conn:
        oracle = Oracle(World.from_tables(snapshot(observer)))
        rng = random.Random(7)
        refused: list[Attempt] = []
        allowed: list[Attempt] = []
        for actor in key_personas(oracle.world, extra=0):
            for a in actor_attempts(oracle, actor, RandomChooser(rng), writes=0, reads=False, max_rows=3,
                                    per_relation=1):
                (allowed if expect(oracle, a).verdict.kind == OK else refused).append(a)
        refused = rng.sample(refused, 150)
        allowed = [a for a in allowed if a.table not in RELATION_TABLES and a.actor.role == "authenticated"
                   and a.command in ("insert", "update", "delete")]
        allowed = rng.sample(allowed, min(len(allowed), 12))

        failed = []
        for a in refused:
            before = _state(observer, a.table)
            outcome = _run_committed(conn, a)
            outcome.unchanged = _state(observer, a.table) == before
            j = judge(oracle, a, outcome)
            if not j.passed or not outcome.unchanged:
                failed.append(j)
        assert not failed, failure_message(oracle, failed)

        seen = 0
        for a in allowed:  # last: each commit changes the world the verdicts above were computed on
            before = _state(observer, a.table)
            outcome = _run_committed(conn, a)
            if outcome.error:
                assert outcome.sqlstate[:2] in ("22", "23"), f"{a.describe()}: {outcome.sqlstate} {outcome.message}"
                continue  # allowed by RLS, refused by a constraint
            if outcome.rowcount == 1:
                assert _state(observer, a.table) != before, f"observer sees no change after {a.describe()}"
                seen += 1
        print(f"\nobserver: {len(refused)} refused committed writes changed nothing; {seen} allowed ones seen")
        assert seen >= 3, "too few allowed committed writes to show the observer sees changes"
