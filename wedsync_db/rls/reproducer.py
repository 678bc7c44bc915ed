"""Render a failing access attempt as runnable SQL: setup rows, the PostgREST request, have/want, policies."""

from __future__ import annotations

import json
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from wedsync_db.rls.attempts import Judged
from wedsync_db.rls.oracle import Caller, Oracle
from wedsync_db.rls.world import World, jsonable

# Parents first, so the setup inserts satisfy foreign keys.
_ORDER = ["auth.users", "suppliers", "team_members", "couples", "supplier_client_connections", "core_field_groups",
          "core_fields"]


def literal(value: Any) -> str:
    """A SQL literal for a Python value (reproducers are meant to be pasted into psql)."""
    if value is None:
        return "null"
    if isinstance(value, Jsonb):
        return literal(json.dumps(value.obj, sort_keys=True, default=str)) + "::jsonb"
    if isinstance(value, (dict,)):
        return literal(json.dumps(value, sort_keys=True, default=str)) + "::jsonb"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "array[" + ", ".join(literal(v) for v in value) + "]::text[]" if value else "'{}'"
    text = str(jsonable(value))
    return "'" + text.replace("'", "''") + "'"


# The rows that give a UUID a human name in reproducers: (table, column of the name, what it is).
_NAMES = (("suppliers", "business_name", "supplier"), ("auth.users", "email", "user"),
          ("couples", "display_name", "couple"))


def name_of(world: World | None, value: Any) -> str | None:
    """``supplier "Alpha Photo"``, ``user "a@b.c"`` or ``couple "One & Two"`` for a UUID naming such a row."""
    if world is None or not isinstance(value, str) or len(value) != 36:
        return None
    for table, column, kind in _NAMES:
        row = world.row(table, value)
        if row is not None and row.get(column):
            text = str(row[column]).replace("*/", "* /").replace('"', "'")
            return f'{kind} "{text}"'
    return None


def named_literal(value: Any, world: World | None) -> str:
    """:func:`literal`, with a UUID of a supplier, user or couple cast and named: ``'...'::uuid /* supplier "A" */``."""
    name = name_of(world, value)
    return literal(value) if name is None else f"{literal(value)}::uuid /* {name} */"


def _insert(table: str, row: dict[str, Any], world: World | None = None) -> str:
    """An idempotent INSERT of ``row``; with ``world``, UUIDs naming other rows carry their names as comments."""
    cols = [c for c in row if c not in ("search_vector", "confirmed_at")]
    name = table if "." in table else f"public.{table}"
    own = {t for t, _, _ in _NAMES}

    def value(c: str) -> str:  # a naming row's own id needs no comment: its name is in the same row
        return literal(row[c]) if c == "id" and table in own else named_literal(row[c], world)

    return (f"insert into {name} ({', '.join(cols)}) values ({', '.join(value(c) for c in cols)}) "
            "on conflict do nothing;")


def setup_rows(oracle: Oracle, judged: Judged) -> list[tuple[str, dict[str, Any]]]:
    """The rows the verdict depends on: the caller's memberships and couples, the target, its tenant rows."""
    w, a = oracle.world, judged.attempt
    uid = Caller.of(a.actor).uid
    picked: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

    def take(table: str, row: dict[str, Any] | None) -> None:
        if row is not None and "id" in row:
            picked.setdefault((table, str(row["id"])), (table, row))

    for row in (a.target, a.new):
        if not row:
            continue
        for col in ("supplier_id", "buyer_supplier_id", "seller_supplier_id"):
            take("suppliers", w.row("suppliers", row.get(col)))
        take("couples", w.row("couples", row.get("couple_id")))
        take("template_purchases", w.row("template_purchases", row.get("purchase_id")))
    if uid is not None:
        take("auth.users", w.row("auth.users", uid))
        for (s, u), tm in w.team_rows.items():
            if u == uid:
                take("suppliers", w.row("suppliers", s))
                take("team_members", tm)
        for c in w.tables.get("couples", []):
            if uid in (c["partner_one_user_id"], c["partner_two_user_id"]):
                take("couples", c)
    suppliers = {k[1] for k in picked if k[0] == "suppliers"}
    couples = {k[1] for k in picked if k[0] == "couples"}
    for c in w.tables.get("supplier_client_connections", []):
        if c["supplier_id"] in suppliers and c["couple_id"] in couples:
            take("supplier_client_connections", c)
    for _table, row in list(picked.values()):  # users the setup rows point at
        for col in ("created_by", "user_id", "partner_one_user_id", "partner_two_user_id"):
            if row.get(col):
                take("auth.users", w.row("auth.users", row[col]))
    if a.target is not None and a.command != "insert":
        take(a.table, a.target)
    rank = {t: i for i, t in enumerate(_ORDER)}
    return sorted(picked.values(), key=lambda tr: (rank.get(tr[0], len(_ORDER)), tr[0], str(tr[1]["id"])))


def render(oracle: Oracle, judged: Judged) -> str:
    """The full report of one failing attempt (format snapshot-tested in tests/snapshots)."""
    a, e = judged.attempt, judged.expectation
    query, params = a.statement()
    statement = query.as_string(None) if hasattr(query, "as_string") else str(query)
    for p in params:
        statement = statement.replace("%s", named_literal(p.obj if isinstance(p, Jsonb) else p, oracle.world), 1)
    lines = ["Failing access attempt:", f"-- {a.describe()}", f"-- {judged.why}", "", "-- setup (as the superuser)"]
    for table, row in setup_rows(oracle, judged):
        if table == "auth.users":
            row = {k: row[k] for k in ("id", "email", "aud", "role") if k in row}
        lines.append(_insert(table, row, oracle.world))
    caller = name_of(oracle.world, Caller.of(a.actor).uid)
    lines += [
        "",
        "begin;",
        *([f"-- as {caller}"] if caller else []),
        f"select set_config('role', {literal(a.actor.role)}, true), "
        f"set_config('request.jwt.claims', {literal(a.actor.claims_json())}, true);",
        statement + ";",
        "rollback;",
        "",
        f"have: {_have(judged)}",
        f"want: {_want(judged)}",
        "policies: " + (", ".join(e.verdict.policies) or "(none: privilege check)"),
    ]
    return "\n".join(lines)


def _have(j: Judged) -> str:
    o = j.outcome
    if o.error:
        return f"error {o.sqlstate} {o.message}"
    if j.attempt.command == "select":
        return json.dumps(sorted(str(r[0]) for r in o.rows) if j.attempt.shape != "count" else o.rows[0][0])
    return f"{o.rowcount} row(s)" + ("" if o.unchanged is None else (", row unchanged" if o.unchanged else
                                                                       ", row changed"))


def _want(j: Judged) -> str:
    v, rows = j.expectation.verdict, j.expectation.rows
    if j.attempt.command == "select" and v.kind == "ok":
        return json.dumps(sorted(rows) if isinstance(rows, set) else rows, sort_keys=True, default=str)
    return {"ok": "success (1 row)", "filtered": "0 rows, nothing changed",
            "denied": "error 42501, nothing changed"}[v.kind] + f" ({v.reason})"


def failure_message(oracle: Oracle, failed: list[Judged], limit: int = 3) -> str:
    """An assertion message: the count, then the reproducers of the first ``limit`` failures."""
    head = f"{len(failed)} access attempt(s) disagree with the access matrix"
    return "\n\n".join([head] + [render(oracle, j) for j in failed[:limit]])


__all__ = ["render", "failure_message", "literal", "sql"]
