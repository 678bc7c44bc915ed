"""RLS violations (42501 refusals counted from the server log or a csvlog table) and the time cost of RLS."""

from __future__ import annotations

import re
import statistics
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from wedsync_db.health.latency import TAG
from wedsync_db.health.model import RlsCost, RlsViolations
from wedsync_db.impersonate import Actor, request

INSUFFICIENT_PRIVILEGE = "42501"
# log_line_prefix '%m [%p] %q%u@%d %e ' (server/local.py): time, pid, user@database, SQLSTATE, then the level.
LOG_LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+) \[\d+\] "
    r"(?P<user>[^@\s]*)@(?P<db>\S*) (?P<state>[0-9A-Z]{5}) (?P<level>[A-Z]+):\s+(?P<message>.*)$"
)
DEFAULT_LOG_TABLE = "postgres_log"
"""The table layout PostgreSQL's docs give for loading csvlog files ("Using CSV-Format Log Output")."""


def _kind(message: str) -> str:
    return "policy" if "row-level security" in message else "grant"


def count_violations_in_log(log_path: Path, database: str, max_examples: int = 5) -> RlsViolations:
    """Count ERROR lines with SQLSTATE 42501 for ``database`` in a log written with the harness's prefix."""
    policy = grant = 0
    last_seen: str | None = None
    examples: list[str] = []
    marker = f" {INSUFFICIENT_PRIVILEGE} ".encode()
    with log_path.open("rb") as handle:
        for raw in handle:
            if marker not in raw:
                continue  # cheap pre-filter: most lines carry 00000
            match = LOG_LINE.match(raw.decode("utf-8", "replace").rstrip("\n"))
            if not match or match["db"] != database or match["state"] != INSUFFICIENT_PRIVILEGE:
                continue
            if match["level"] != "ERROR":
                continue  # the STATEMENT line that follows an error repeats the prefix
            if _kind(match["message"]) == "policy":
                policy += 1
            else:
                grant += 1
            last_seen = match["time"]
            if match["message"] not in examples and len(examples) < max_examples:
                examples.append(match["message"])
    return RlsViolations(policy + grant, f"server log {log_path}", policy, grant, last_seen, tuple(examples))


def count_violations_in_table(conn: psycopg.Connection[Any], table: str) -> RlsViolations | None:
    """Count 42501 errors for this database in a csvlog table, or return None when there is no such table."""
    found = conn.execute(f"{TAG} select to_regclass(%s)::text", (table,)).fetchone()
    if not found or found[0] is None:
        return None
    name = sql.SQL(str(found[0]))  # to_regclass's text form is already quoted where needed
    rows = conn.execute(
        sql.SQL(
            TAG + " select message, log_time::text from {} where sql_state_code = %s and error_severity = 'ERROR' "
            "and database_name = current_database() order by log_time"
        ).format(name),
        (INSUFFICIENT_PRIVILEGE,),
    ).fetchall()
    messages = [str(m) for m, _ in rows]
    policy = sum(1 for m in messages if _kind(m) == "policy")
    return RlsViolations(
        len(rows), f"log table {found[0]}", policy, len(rows) - policy, rows[-1][1] if rows else None,
        tuple(dict.fromkeys(messages))[:5],
    )


def read_rls_violations(
    conn: psycopg.Connection[Any], database: str, log_path: Path | None, log_table: str = DEFAULT_LOG_TABLE
) -> RlsViolations:
    """Count refusals from the log file, else from a csvlog table; unknown (None) when neither can be read."""
    if log_path is not None:
        try:
            return count_violations_in_log(log_path, database)
        except OSError as error:
            return RlsViolations(None, f"unknown: cannot read {log_path} ({error.strerror})")
    from_table = count_violations_in_table(conn, log_table)
    if from_table is not None:
        return from_table
    return RlsViolations(None, "unknown: no server log given (--log-file) and no csvlog table " + log_table)


def default_rls_queries(conn: psycopg.Connection[Any], role: str, limit: int = 3) -> list[str]:
    """Return count(*) over the largest public tables with RLS on that ``role`` may select from."""
    rows = conn.execute(
        f"""{TAG}
        select format('select count(*) from %%I.%%I', n.nspname, c.relname)
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relrowsecurity
          and has_table_privilege(%s, c.oid, 'select') and has_table_privilege('service_role', c.oid, 'select')
        order by pg_catalog.pg_total_relation_size(c.oid) desc, c.relname
        limit %s""",
        (role, limit),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _execution_ms(conn: psycopg.Connection[Any], actor: Actor, query: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with request(conn, actor, method="GET", path="/health") as tx:
            row = tx.execute(f"{TAG} explain (analyze, format json) {query}").fetchone()
            assert row is not None
            times.append(float(row[0][0]["Execution Time"]))
    return statistics.median(times)


def measure_rls_cost(
    conninfo: str, actor: Actor | None = None, queries: Sequence[str] | None = None, repeat: int = 3
) -> tuple[tuple[RlsCost, ...], str]:
    """EXPLAIN ANALYZE each query as service_role and as ``actor`` (median of ``repeat``); return costs and a note."""
    actor = actor or Actor.user(uuid.uuid4(), label="authenticated (a user owning no rows)")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        present = conn.execute(
            f"{TAG} select count(*) from pg_catalog.pg_roles where rolname in ('service_role', %s)", (actor.role,)
        ).fetchone()
        if not present or int(present[0]) < (1 if actor.role == "service_role" else 2):
            return (), "RLS cost not measured: the API roles (service_role, authenticated) do not exist here"
        chosen = list(queries) if queries is not None else default_rls_queries(conn, actor.role)
        costs = []
        for query in chosen:
            try:
                service = _execution_ms(conn, Actor.service_role(), query, repeat)
                as_actor = _execution_ms(conn, actor, query, repeat)
            except psycopg.Error as error:
                costs.append(RlsCost(query, actor.label, None, None, None,
                                     f"{error.diag.sqlstate}: {error.diag.message_primary}"))
                continue
            ratio = as_actor / service if service > 0 else None
            costs.append(RlsCost(query, actor.label, service, as_actor, ratio))
    note = "" if chosen else "RLS cost not measured: no public table with RLS that both roles may read"
    return tuple(costs), note
