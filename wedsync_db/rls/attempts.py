"""Access attempts: one statement by one actor, what the oracle expects, what PostgreSQL did, and the verdict.

How attempts are counted: every statement sent as an API actor and judged against the oracle is one attempt
(a SELECT of a whole table, a count, one INSERT/UPDATE/DELETE/upsert). Setup and observer reads are not counted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from wedsync_db.impersonate import Actor, request_in_savepoint
from wedsync_db.rls.oracle import DENIED, FILTERED, OK, Caller, Oracle, Verdict

# BEFORE-row trigger guards: they may refuse a write before RLS is evaluated (still a refusal, nothing changes).
BEFORE_GUARDS = {
    "form_versions_published_immutable", "form_responses_submitted_immutable", "form_responses_published_version",
    "reviews_purchase_reviewable", "audit_log_append_only",
}
GENERATED = {"search_vector", "confirmed_at"}


@dataclass(frozen=True)
class Attempt:
    """One statement by one actor. ``new`` is the row an INSERT/upsert proposes; ``columns`` what UPDATE sets."""

    actor: Actor
    table: str
    command: str  # select | insert | update | delete | upsert
    shape: str  # select: all | count | by_id | by_tenant | group; writes: own/other/... (for reports)
    target: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    columns: tuple[str, ...] = ()
    returning: bool = False
    ids: tuple[str, ...] = ()  # select "in_sample": the sampled ids of a big table it reads

    @property
    def whole_table(self) -> bool:
        """A read whose result depends on every row it may see (all, count, group by, a sample)."""
        return self.command == "select" and (self.shape in ("all", "count", "in_sample")
                                             or self.shape.startswith("group_"))

    def statement(self) -> tuple[sql.Composed, list[Any]]:
        """The SQL PostgREST would send for this attempt, with its parameters."""
        t = sql.Identifier("public", self.table)
        ret = sql.SQL(" returning id") if self.returning else sql.SQL("")
        if self.command == "select":
            if self.shape == "count":
                return sql.SQL("select count(*) from {}").format(t), []
            if self.shape == "in_sample":
                return sql.SQL("select id from {} where id = any(%s::uuid[])").format(t), [list(self.ids)]
            if self.shape == "by_id":
                return sql.SQL("select id from {} where id = %s").format(t), [self.target["id"]]  # type: ignore[index]
            if self.shape.startswith("by_"):
                col = self.shape[3:]
                return sql.SQL("select id from {} where {} = %s").format(t, sql.Identifier(col)), [
                    self.target[col]]  # type: ignore[index]
            if self.shape.startswith("group_"):
                col = self.shape[6:]
                return sql.SQL("select {c}::text, count(*) from {t} group by 1").format(
                    c=sql.Identifier(col), t=t), []
            return sql.SQL("select id from {}").format(t), []
        if self.command == "delete":
            return sql.SQL("delete from {} where id = %s{}").format(t, ret), [self.target["id"]]  # type: ignore
        if self.command == "update":
            assert self.target is not None and self.new is not None
            sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in self.columns)
            return sql.SQL("update {} set {} where id = %s{}").format(t, sets, ret), [
                adapt(self.new[c]) for c in self.columns] + [self.target["id"]]
        assert self.new is not None
        cols = [c for c in self.new if c not in GENERATED]
        base = sql.SQL("insert into {} ({}) values ({})").format(
            t, sql.SQL(", ").join(map(sql.Identifier, cols)), sql.SQL(", ").join(sql.Placeholder() * len(cols)))
        params = [adapt(self.new[c]) for c in cols]
        if self.command == "upsert":
            sets = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in self.columns)
            base = base + sql.SQL(" on conflict on constraint {} do update set ").format(
                sql.Identifier(f"pk_{self.table}")) + sets
        return base + ret, params

    def describe(self) -> str:
        return f"{self.actor.label} {self.command} {self.table} ({self.shape})"


def adapt(value: Any) -> Any:
    """Python value -> psycopg parameter (JSON columns come back from snapshots as dict/list)."""
    if isinstance(value, (dict,)) or (isinstance(value, list) and value and isinstance(value[0], dict)):
        return Jsonb(value)
    return value


@dataclass
class Outcome:
    """What PostgreSQL did: rows (ids, or (key, count) pairs), a row count, or an error."""

    rows: list[Any] = field(default_factory=list)
    rowcount: int = 0
    sqlstate: str | None = None
    constraint: str | None = None
    message: str = ""
    unchanged: bool | None = None  # for writes: the observer check (None when not applicable)

    @property
    def error(self) -> bool:
        return self.sqlstate is not None


@dataclass(frozen=True)
class Expectation:
    """What the oracle wants: a verdict, and for reads the exact rows."""

    verdict: Verdict
    rows: Any = None  # set of ids, an int (count), or dict key -> count
    lenient: bool = False  # bad caller whose sub is not a UUID: a 22P02 refusal is acceptable too


@dataclass
class Judged:
    attempt: Attempt
    expectation: Expectation
    outcome: Outcome
    passed: bool
    why: str
    cells: list[tuple[str, str, str]]


def _group(world_rows: Iterable[dict[str, Any]], col: str) -> dict[str | None, int]:
    out: dict[str | None, int] = {}
    for r in world_rows:
        key = None if r.get(col) is None else str(r[col]).lower() if isinstance(r[col], bool) else str(r[col])
        out[key] = out.get(key, 0) + 1
    return out


def expect(oracle: Oracle, attempt: Attempt) -> Expectation:
    """The oracle's expectation for an attempt."""
    caller = Caller.of(attempt.actor)
    table = attempt.table
    lenient = caller.uid_error
    if attempt.command == "select":
        if not oracle.has_grant(caller, table, "select"):
            return Expectation(Verdict(DENIED, "no select privilege"), None, lenient)
        spec = oracle.matrix[table]
        named = attempt.shape.partition("_")[2] if attempt.shape.startswith(("by_", "group_")) else ""
        if named in spec.hidden_columns.get(caller.role, ()):
            return Expectation(Verdict(DENIED, f"no select privilege on column {named}"), None, lenient)
        v = Verdict(OK, "select", tuple(spec.policies("select")))
        w = oracle.world

        def seen(rows: Iterable[dict[str, Any] | None]) -> set[str]:
            return {r["id"] for r in rows if r is not None and oracle.can_select(caller, table, r)}

        if attempt.shape == "in_sample":  # big tables: only the sampled rows, looked up one by one
            return Expectation(v, seen(w.by_id.get(table, {}).get(i) for i in attempt.ids), lenient)
        if attempt.shape == "by_id":
            return Expectation(v, seen([attempt.target]), lenient)
        if attempt.shape.startswith("by_"):
            col = attempt.shape[3:]
            return Expectation(v, seen(w.rows_where(table, col, attempt.target[col])), lenient)  # type: ignore[index]
        visible = oracle.visible_rows(caller, table)
        if attempt.shape == "count":
            return Expectation(v, len(visible), lenient)
        if attempt.shape.startswith("group_"):
            return Expectation(v, _group(visible, attempt.shape[6:]), lenient)
        return Expectation(v, {r["id"] for r in visible}, lenient)
    if attempt.command == "insert":
        return Expectation(oracle.insert(caller, table, attempt.new or {}, attempt.returning), None, lenient)
    if attempt.command == "update":
        return Expectation(oracle.update(caller, table, attempt.target or {}, attempt.new or {}, attempt.columns),
                           None, lenient)
    if attempt.command == "delete":
        return Expectation(oracle.delete(caller, table, attempt.target or {}), None, lenient)
    if attempt.command == "upsert":
        return Expectation(oracle.upsert(caller, table, attempt.target or {}, attempt.new or {}, attempt.columns),
                           None, lenient)
    raise ValueError(attempt.command)


_FINGERPRINT = "select md5(t::text) from {} as t where id = %s"


def fingerprint(conn: psycopg.Connection[Any], table: str, row_id: Any) -> str | None:
    row = conn.execute(sql.SQL(_FINGERPRINT).format(sql.Identifier("public", table)), [row_id]).fetchone()
    return None if row is None else row[0]


def execute(conn: psycopg.Connection[Any], attempt: Attempt, before: str | None = None) -> Outcome:
    """Run one attempt after savepoint ``wedsync_attempt``; for writes, look at the row as the superuser.

    ``before`` is the target's fingerprint (md5 of the row) taken before; a refused write must leave it as it was.
    The savepoint (set by :func:`run_batch`) is always rolled back to, so attempts in one batch do not see each
    other's writes and the actor's role comes back. Rolling back to it keeps it: one savepoint serves the batch,
    which halves the round trips of a sweep of small statements.
    """
    query, params = attempt.statement()
    out = Outcome()
    rolled_back = False
    try:
        try:
            cur = conn.execute(query, params)
            out.rows = cur.fetchall() if cur.description else []
            out.rowcount = cur.rowcount
        except psycopg.Error as error:
            diag = error.diag
            out.sqlstate, out.constraint = error.sqlstate, diag.constraint_name
            out.message = diag.message_primary or str(error)
            conn.execute("rollback to savepoint wedsync_attempt")
            rolled_back = True
        if attempt.command != "select":
            rolled_back = False  # from here the role differs from the actor's: always roll back
            conn.execute("select set_config('role', 'none', true)")  # observe as the superuser
            probe_id = (attempt.new or attempt.target or {}).get("id") if attempt.command == "insert" else (
                attempt.target or {}).get("id")
            after = fingerprint(conn, attempt.table, probe_id)
            out.unchanged = after == before
    finally:
        if not rolled_back:
            conn.execute("rollback to savepoint wedsync_attempt")
    return out


def judge(oracle: Oracle, attempt: Attempt, outcome: Outcome, expectation: Expectation | None = None) -> Judged:
    """Compare what PostgreSQL did with what the oracle wants."""
    e = expectation or expect(oracle, attempt)
    caller = Caller.of(attempt.actor)
    row = attempt.new if attempt.command == "insert" else attempt.target
    command = "update" if attempt.command == "upsert" else attempt.command
    if attempt.shape == "in_sample":
        rels = []
        for i in attempt.ids:
            for rel in oracle.cell_relations(caller, attempt.table, oracle.world.row(attempt.table, i) or {}):
                if rel not in rels:
                    rels.append(rel)
    elif attempt.whole_table:
        rels = oracle.table_relations(caller, attempt.table)  # the result proves every row of the table
    else:
        rels = oracle.cell_relations(caller, attempt.table, row or {})
    cells = [(attempt.table, command, rel) for rel in rels]
    passed, why = _compare(attempt, e, outcome)
    if not passed and e.lenient and outcome.sqlstate == "22P02":
        passed, why = True, "bad sub refused with 22P02"
    return Judged(attempt, e, outcome, passed, why, cells)


def _compare(attempt: Attempt, e: Expectation, o: Outcome) -> tuple[bool, str]:
    v = e.verdict
    if attempt.command == "select":
        if v.kind == DENIED:
            return (o.sqlstate == "42501", f"want 42501 ({v.reason}), have {o.sqlstate or 'rows'}")
        if o.error:
            return False, f"want rows, have error {o.sqlstate} {o.message}"
        if attempt.shape == "count":
            have: Any = o.rows[0][0]
        elif attempt.shape.startswith("group_"):
            have = {k: n for k, n in o.rows}
        else:
            have = {str(r[0]) for r in o.rows}
        return have == e.rows, "rows match" if have == e.rows else "rows differ"
    if v.kind == OK:
        if o.error:
            if o.sqlstate and o.sqlstate[:2] in ("23", "22") and o.sqlstate != "42501":
                return True, f"allowed by RLS; refused by constraint {o.constraint or o.sqlstate}"
            return False, f"want success ({v.reason}), have {o.sqlstate} {o.message}"
        if o.rowcount != 1:
            return False, f"want 1 row ({v.reason}), have {o.rowcount}"
        changes = attempt.command in ("insert", "delete") or any(
            _plain((attempt.new or {}).get(c)) != _plain((attempt.target or {}).get(c)) for c in attempt.columns)
        if o.unchanged and changes:
            return False, "statement reported success but the row did not change"
        return True, "allowed and done"
    if o.unchanged is False:
        return False, f"refused write ({v.reason}) changed the row"
    if v.kind == FILTERED:
        if o.error:
            return False, f"want 0 rows ({v.reason}), have {o.sqlstate} {o.message}"
        return (o.rowcount == 0, f"want 0 rows ({v.reason}), have {o.rowcount}")
    if o.sqlstate == "42501":
        return True, "denied with 42501"
    if o.constraint in BEFORE_GUARDS:
        return True, f"refused by guard {o.constraint} before RLS"
    if attempt.command == "upsert" and o.sqlstate in ("23514", "23502"):
        # the proposed row's own CHECK/NOT NULL constraints run before the conflict arbiter: no stored data leaks
        return True, f"proposed row refused by {o.constraint or o.sqlstate} before ON CONFLICT"
    return False, f"want 42501 ({v.reason}), have {o.sqlstate or f'{o.rowcount} rows'} {o.message}"


def _plain(value: Any) -> Any:
    return value.obj if isinstance(value, Jsonb) else value


def run_batch(
    conn: psycopg.Connection[Any], oracle: Oracle, actor: Actor, attempts: list[Attempt],
    fingerprints: dict[tuple[str, str], str] | None = None,
) -> list[Judged]:
    """Run attempts of one actor in one request (one savepoint), each rolled back to a savepoint set once, after
    the actor's role and claims."""
    out = []
    with request_in_savepoint(conn, actor, method="POST", path="/rls"):
        conn.execute("savepoint wedsync_attempt")
        for a in attempts:
            before = None
            if a.command != "select" and fingerprints is not None:
                key_id = (a.new or {}).get("id") if a.command == "insert" else (a.target or {}).get("id")
                before = fingerprints.get((a.table, str(key_id)))
            out.append(judge(oracle, a, execute(conn, a, before)))
    return out


def fingerprints_of(conn: psycopg.Connection[Any], tables: Iterable[str]) -> dict[tuple[str, str], str]:
    """md5 of every row (as the superuser): a refused write must leave its target's fingerprint unchanged."""
    out = {}
    for t in tables:
        for rid, md5 in conn.execute(sql.SQL("select id::text, md5(x::text) from {} as x").format(
                sql.Identifier("public", t))).fetchall():
            out[(t, rid)] = md5
    return out


def new_id() -> str:
    return str(uuid.uuid4())


__all__ = ["Attempt", "Outcome", "Expectation", "Judged", "expect", "execute", "judge", "run_batch", "json"]
