"""Escalation search: an attacker who starts with a bare sign-up acts through the API, step after step.

Its actions are derived from the catalog (:mod:`wedsync_db.rls.api_surface`): every insert, column update,
delete and RPC that `authenticated` may run, with argument values drawn from what the attacker's users can
read (ids and every uuid in the columns they see) and from anything exposed to anonymous visitors. The
attacker may sign up more users (a second account to accept its own invitations). After every step the
invariant oracle (:mod:`wedsync_db.rls.invariants`) judges the step's writes (attributed by the audit trail)
and everything each attacker user can now read; at the end of an example every user of the world reads too.

A failure is a list of steps: :meth:`Search.replay_script` prints it as SQL with PostgREST's impersonation
lines, to paste into psql against a database holding the same world.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from hypothesis import strategies as st
from psycopg import sql
from psycopg.types.json import Jsonb

from wedsync_db.impersonate import Actor, request_in_savepoint, set_request_context
from wedsync_db.rls.api_surface import ApiSurface, Column, Function, TableSurface
from wedsync_db.rls.invariants import Consent, Judge, Ledger, State, Violation

# Values a person would type, per column name; the rest by type. Valid shapes get further than noise.
_TEXT_BY_NAME = {
    "slug": ["taken-slug", "attacker-co"], "email": ["a@example.com"], "phone": ["+447700900123"],
    "website_url": ["https://x.example.com"], "currency": ["GBP"], "locale": ["en-GB"],
    "billing_email": ["a@example.com"], "whatsapp_template_name": ["hello"],
}
_JSON = [{}, {"fields": [{"key": "partner_one_name", "required": True}]}, {"q": "a"}]


@dataclass(frozen=True)
class Step:
    """One API request by one of the attacker's users (or a sign-up, which is the platform's)."""

    actor: str
    kind: str  # signup | insert | update | delete | call
    target: str  # table or function
    statement: sql.Composed | None = None
    new_id: str | None = None  # the id an insert chose (the attacker knows it)
    args: tuple[Any, ...] = ()  # an RPC's arguments

    def sql_text(self, conn: psycopg.Connection[Any]) -> str:
        if self.kind == "signup":
            return f"insert into auth.users (id, aud, role, email) values ('{self.actor}', 'authenticated', " \
                   f"'authenticated', 'attacker-{self.actor[:8]}@example.com');"
        assert self.statement is not None
        return self.statement.as_string(conn) + ";"


@dataclass
class Outcome:
    step: Step
    ok: bool
    sqlstate: str | None = None
    message: str = ""
    violations: list[Violation] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)


class Search:
    """The state of one example: the world, the attacker's users, what they know, what happened."""

    def __init__(self, conn: psycopg.Connection[Any], surface: ApiSurface, judge: Judge,
                 victims: Iterable[str]) -> None:
        self.conn, self.surface, self.judge = conn, surface, judge
        self.victims = list(victims)
        self.attackers: list[str] = []
        self.ledger = Ledger()
        self.steps: list[Outcome] = []
        self.known: dict[str, set[str]] = {}  # table -> ids the attacker's users read
        self.handles: set[str] = set()  # every uuid the attacker's users read, in any column
        self.violations: list[Violation] = []
        self._audit_seen: set[str] = set()
        self._checked_handles: set[str] = set()
        self._users: set[str] = set()
        self.txid = conn.execute("select txid_current()").fetchone()[0]  # type: ignore[index]
        self.consent = self._consent()
        self.checks = 0
        self._learn_as(None)

    # what the attacker knows -----------------------------------------------------------------------------
    def ids(self, table: str) -> list[str]:
        return sorted(self.known.get(table, set()))

    def all_ids(self) -> list[str]:
        return sorted(self.handles | {i for ids in self.known.values() for i in ids})

    def user_ids(self) -> list[str]:
        users = set(self.known.get("auth.users", set())) | set(self.attackers)
        return sorted(users | {h for h in self.handles if h in self._user_handles()})

    def _user_handles(self) -> set[str]:
        """The handles that are user ids (looked up once per handle)."""
        fresh = self.handles - self._checked_handles
        if fresh:
            self.consent.state.load("auth.users", fresh)
            self._checked_handles |= fresh
            self._users |= fresh & set(self.consent.state.rows.get("auth.users", {}))
        return self._users

    # acting ----------------------------------------------------------------------------------------------
    def sign_up(self, user_id: str) -> Outcome:
        """The platform's sign-up: an auth.users row (what GoTrue writes), then the attacker acts as it."""
        step = Step(user_id, "signup", "auth.users")
        self.conn.execute(step.sql_text(self.conn))
        self.attackers.append(user_id)
        self.known.setdefault("auth.users", set()).add(user_id)
        return self._after(Outcome(step, True))

    def act(self, step: Step) -> Outcome:
        """Run one request as PostgREST would, keep its effects, then judge them."""
        assert step.statement is not None
        actor = Actor.user(step.actor)
        self.conn.execute("savepoint escalation_step")
        outcome = Outcome(step, True)
        try:
            set_request_context(self.conn, actor, "POST", f"/{step.target}")
            cur = self.conn.execute(step.statement)
            if cur.description:
                outcome.rows = cur.fetchall()
                for row in outcome.rows:
                    self._harvest(row)
            self.conn.execute("release savepoint escalation_step")
        except psycopg.Error as e:
            self.conn.execute("rollback to savepoint escalation_step")
            self.conn.execute("release savepoint escalation_step")
            outcome = Outcome(step, False, e.sqlstate, (e.diag.message_primary or str(e)).strip())
        self.conn.execute("reset role")
        if outcome.ok and step.new_id:
            self.known.setdefault(step.target, set()).add(step.new_id)
        return self._after(outcome)

    def _after(self, outcome: Outcome) -> Outcome:
        pre, state = self.consent, State.read(self.conn, self.surface.tables)
        entries = self._new_audit_entries()
        found = self.judge.judge_writes(pre, Consent(state, self.ledger), entries, self.ledger)
        self.consent = post = Consent(state, self.ledger)  # the ledger may now distrust an edge the step made
        if outcome.ok and outcome.step.kind == "call":
            found += self._judge_call(outcome)
        found += self.judge.judge_state(post)
        found += self.judge.judge_references(post, self.surface.references, self._written(entries))
        for user in self.attackers:
            found += self._learn_as(user)
        outcome.violations = found
        self.steps.append(outcome)
        self.violations += found
        return outcome

    def final_check(self) -> list[Violation]:
        """Every user of the world reads every table: victims too (a leak need not reach the attacker).

        Only after an example whose writes changed something: an unchanged world is judged once, by the test of
        the world itself.
        """
        if not any(o.ok and o.step.kind in ("insert", "update", "delete", "call") for o in self.steps):
            return []
        return self.judge_world()

    def judge_world(self) -> list[Violation]:
        """Every user of the world and every attacker user reads every table; each row read needs a reason."""
        found = []
        for user in [*self.victims, *self.attackers]:
            found += self._reads_of(user)[1]
        self.violations += found
        return found

    # observing -------------------------------------------------------------------------------------------
    def _consent(self) -> Consent:
        return Consent(State.read(self.conn, self.surface.tables), self.ledger)

    def _new_audit_entries(self) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "select id::text, table_name, actor_user_id::text, actor_role, action::text, old_values, new_values,"
            " changed_columns from public.audit_log where transaction_id = %s and not (id::text = any(%s))"
            " order by created_at", (self.txid, list(self._audit_seen)))
        cols = [d.name for d in cur.description or []]
        entries = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        self._audit_seen |= {e["id"] for e in entries}
        return entries

    @staticmethod
    def _written(entries: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for e in entries:
            if e["action"] != "delete" and e["actor_role"] in ("authenticated", "anon"):
                out.setdefault(e["table_name"], set()).add(str((e["new_values"] or {}).get("id")))
        return out

    def _reads_of(self, user: str | None) -> tuple[dict[str, set[str]], list[Violation]]:
        """Read every table as the user (or anon); judge what they see; return the rows' ids and the findings."""
        actor = Actor.user(user) if user else Actor.anon()
        role_columns = {t: s.select_columns for t, s in self.surface.tables.items()} if user else \
            self.surface.anon_columns
        seen: dict[str, set[str]] = {}
        private: list[Violation] = []
        with request_in_savepoint(self.conn, actor, method="GET", path="/escalation-read"):
            for table, columns in role_columns.items():
                if not columns:
                    continue
                self.conn.execute("savepoint escalation_read")
                try:
                    cur = self.conn.execute(sql.SQL("select {} from {}").format(
                        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)))
                    rows = cur.fetchall()
                    self.conn.execute("release savepoint escalation_read")
                except psycopg.Error:
                    self.conn.execute("rollback to savepoint escalation_read")
                    continue
                if "id" in columns:
                    position = columns.index("id")
                    seen[table] = {str(r[position]) for r in rows}
                    private += self._judge_private_columns(user, table, columns, [str(r[position]) for r in rows])
                if user is None or user in self.attackers:
                    for r in rows:
                        self._harvest(r)
        self.checks += sum(len(ids) for ids in seen.values())
        return seen, self.judge.judge_reads(self.consent, user, seen) + private

    def _judge_private_columns(self, user: str | None, table: str, columns: tuple[str, ...],
                               ids: list[str]) -> list[Violation]:
        """A private column (paid content) read straight from the table: every row must be open to the reader."""
        spec = self.judge.ownership.tables.get(table)
        out = []
        for column in (c for c in columns if spec and c in spec.private_columns):
            self.consent.state.load(table, ids)
            for row_id in ids:
                row = self.consent.state.row(table, row_id)
                if row is not None and not self.judge.private_column_allowed(self.consent, user, table, column, row):
                    out.append(Violation("paid_content", user, table, row_id, f"read {column} without buying it"))
        return out

    def _judge_call(self, outcome: Outcome) -> list[Violation]:
        """An RPC's answer: the private column it returns, or the rows whose ids it returns, must be open."""
        step, found = outcome.step, []
        reads = self.judge.ownership.functions.get(step.target)
        if reads is not None and outcome.rows and outcome.rows[0][0] is not None:
            table, column = reads
            self.consent.state.load(table, [step.args[0]])
            row = self.consent.state.row(table, step.args[0])
            if row is not None and not self.judge.private_column_allowed(self.consent, step.actor, table, column, row):
                found.append(Violation("paid_content", step.actor, table, str(row["id"]),
                                       f"{step.target}() returned {column} without a purchase"))
        ids = {str(v) for r in outcome.rows for v in r if isinstance(v, uuid.UUID)}
        for table in self.judge.ownership.tables:
            self.consent.state.load(table, ids)
            for row_id in ids & set(self.consent.state.rows.get(table, {})):
                row = self.consent.state.rows[table][row_id]
                if self.judge.read_allowed(self.consent, step.actor, table, row) is None:
                    found.append(Violation("consent_read", step.actor, table, row_id,
                                           f"{step.target}() returned the id of a row the caller may not read"))
        return found

    def _learn_as(self, user: str | None) -> list[Violation]:
        seen, found = self._reads_of(user)
        for table, ids in seen.items():
            self.known.setdefault(table, set()).update(ids)
        return found

    def _harvest(self, row: Iterable[Any]) -> None:
        for value in row:
            if isinstance(value, uuid.UUID):
                self.handles.add(str(value))

    # reporting -------------------------------------------------------------------------------------------
    def replay_script(self, violation: Violation | None = None) -> str:
        """The steps as SQL a person can paste into psql, on a database holding the same world."""
        lines = ["-- escalation replay: run on a database holding the same seeded world", "begin;"]
        for n, o in enumerate(self.steps, 1):
            s = o.step
            result = "ok" if o.ok else f"refused: {o.sqlstate} {o.message}"
            lines.append(f"-- step {n}: {s.kind} {s.target} as {s.actor} ({result})")
            if s.kind != "signup":
                lines.append(_impersonation(s.actor))
            lines.append(s.sql_text(self.conn))
            if s.kind != "signup":
                lines.append("reset role;")
            lines += [f"-- violation: {v.line()}" for v in o.violations]
        if violation and violation.row_id:
            lines.append(f"-- see it: {violation.user or 'anon'} reads {violation.table} {violation.row_id}")
            lines.append(_impersonation(violation.user))
            lines.append(f"select * from public.{violation.table} where id = '{violation.row_id}';")
            lines.append("reset role;")
        lines.append("rollback;")
        return "\n".join(lines)


def _impersonation(user: str | None) -> str:
    actor = Actor.user(user) if user else Actor.anon()
    claims = actor.claims_json().replace("'", "''")
    return (f"select set_config('role', '{actor.role}', true), "
            f"set_config('request.jwt.claims', '{claims}', true);")


# --- drawing steps ----------------------------------------------------------------------------------------


def _value(draw: Callable[[Any], Any], search: Search, column: Column, actor: str) -> Any:
    """A value for a column, drawn from what the attacker knows where it is an id (the actor first, for a user)."""
    if column.is_user_id:
        others = [u for u in search.user_ids() if u != actor]
        return draw(st.one_of(st.just(actor), st.sampled_from(others))) if others else actor
    if column.references:
        # what the attacker made itself first (its own supplier, couple, form), then anything it has seen
        own = sorted(search.ledger.created.get(column.references, set()) & search.known.get(column.references, set()))
        ids = search.ids(column.references) or search.all_ids()
        if own:
            return draw(st.one_of(st.sampled_from(own), st.sampled_from(ids)))
        return draw(st.sampled_from(ids)) if ids else None
    if column.labels:
        return draw(st.sampled_from(column.labels))
    kind = column.type
    if kind == "uuid":
        ids = search.all_ids()
        return draw(st.sampled_from(ids)) if ids else str(uuid.UUID(int=0))
    if kind in ("text", "varchar", "citext"):
        return draw(st.sampled_from(_TEXT_BY_NAME.get(column.name, ["x", "Alpha"])))
    if kind in ("int2", "int4", "int8"):
        return draw(st.sampled_from([1, 0, 5]))
    if kind == "numeric":
        return draw(st.sampled_from([0, 10, 5]))
    if kind == "bool":
        return draw(st.booleans())
    if kind == "date":
        return "2031-06-01"
    if kind in ("timestamptz", "timestamp"):
        # mostly null: a deleted_at the attacker sets on its own row archives it, which leads nowhere
        return draw(st.sampled_from([None, None, None, "2030-01-01T00:00:00Z"]))
    if kind == "time":
        return "10:00"
    if kind in ("jsonb", "json"):
        return Jsonb(draw(st.sampled_from(_JSON)))
    if kind == "_text":
        keys = sorted(search.consent.group_ids)
        return draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)) if keys else []
    return None


def _insert(draw: Callable[[Any], Any], search: Search, table: TableSurface, actor: str) -> Step | None:
    new_id = str(draw(st.uuids(version=4)))
    names, values = ["id"], [new_id]
    for column in table.columns:
        if column.name == "id" or column.generated:
            continue
        if column.has_default and draw(st.booleans()):
            continue
        value = _value(draw, search, column, actor)
        if value is None and not column.nullable:
            if column.has_default:
                continue  # a null would only hit the NOT NULL constraint: let the default speak
            return None  # nothing known to point at: the attacker cannot write this row yet
        names.append(column.name)
        values.append(value)
    statement = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(map(sql.Literal, values)))
    return Step(actor, "insert", table.name, statement, new_id)


def _update(draw: Callable[[Any], Any], search: Search, table: TableSurface, actor: str) -> Step | None:
    targets = search.ids(table.name)
    if not targets or not table.update_columns:
        return None
    column = table.column(draw(st.sampled_from(table.update_columns)))
    statement = sql.SQL("update {} set {} = {} where id = {}").format(
        sql.Identifier(table.name), sql.Identifier(column.name), sql.Literal(_value(draw, search, column, actor)),
        sql.Literal(draw(st.sampled_from(targets))))
    return Step(actor, "update", table.name, statement)


def _delete(draw: Callable[[Any], Any], search: Search, table: TableSurface, actor: str) -> Step | None:
    targets = search.ids(table.name)
    if not targets:
        return None
    statement = sql.SQL("delete from {} where id = {}").format(
        sql.Identifier(table.name), sql.Literal(draw(st.sampled_from(targets))))
    return Step(actor, "delete", table.name, statement)


def _call(draw: Callable[[Any], Any], search: Search, function: Function, actor: str) -> Step | None:
    args = []
    for name, kind in function.arguments:
        # p_template_id names what it takes: ids of that table first (a naming convention of schema/README.md)
        table = _ARGUMENT_TABLES.get(name)
        column = Column(name, kind, True, False, False, references=table if table in search.known else None)
        args.append(_value(draw, search, column, actor))
    statement = sql.SQL("select * from {}({})").format(
        sql.Identifier(function.name), sql.SQL(", ").join(map(sql.Literal, args)))
    return Step(actor, "call", function.name, statement, args=tuple(args))


_ARGUMENT_TABLES = {"p_template_id": "templates", "p_couple_id": "couples", "p_supplier_id": "suppliers",
                    "p_form_id": "forms"}


def action_names(surface: ApiSurface, founding: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every (kind, target) the API grants `authenticated`.

    Hypothesis draws early list entries more often and shrinks towards them, so the order says what an attacker
    does first: found a party of its own (``founding`` tables), then write rows, call RPCs, change and delete.
    """
    first = [name for name in founding if name in surface.tables and surface.tables[name].insert]
    out: list[tuple[str, str]] = [("insert", name) for name in first]
    out += [("insert", n) for n, t in surface.tables.items() if t.insert and n not in first]
    out += [("call", f.name) for f in surface.functions]
    out += [("update", n) for n, t in surface.tables.items() if t.update_columns]
    out += [("delete", n) for n, t in surface.tables.items() if t.delete]
    return out


def draw_step(draw: Callable[[Any], Any], search: Search, actions: list[tuple[str, str]]) -> Step | None:
    """One step: an action of the API surface with arguments drawn from what the attacker knows.

    Updates and deletes are offered only for tables where the attacker knows a row to aim at.
    """
    possible = [(k, t) for k, t in actions if k not in ("update", "delete") or search.known.get(t)]
    kind, target = draw(st.sampled_from(possible))
    actor = draw(st.sampled_from(search.attackers))
    if kind == "call":
        return _call(draw, search, next(f for f in search.surface.functions if f.name == target), actor)
    table = search.surface.tables[target]
    return {"insert": _insert, "update": _update, "delete": _delete}[kind](draw, search, table, actor)

