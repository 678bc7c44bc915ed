"""Coverage completion: after the sampled sweep, aim a few attempts at every cell it left untried.

The sweep samples personas and rows, so on a big world a (table, command, actor relation) cell can be missed
by chance: no key persona holds that relation to any sampled row. The completion pass searches the whole world
for a (user, row) pair that exercises the cell (for INSERT: a user and a donor row of a tenant, copied so the
new row keeps the relation), and runs exactly those attempts. Candidates come from an index of the world built
once (live team roles per supplier, active connections per couple and per supplier, partners per couple) and
every candidate is confirmed by the oracle (:meth:`Oracle.holds_cell`), so the cell an attempt is counted in
is the one the oracle says it exercises. A cell for which the world holds no such pair is *unreachable in this
world*: a gap in the data, not in the proof, reported by name.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import Attempt, Judged, run_batch
from wedsync_db.rls.coverage import Cell, Coverage
from wedsync_db.rls.generate import RandomChooser, write_attempt
from wedsync_db.rls.oracle import Caller, Oracle

# cell relation kind -> the team the relation is about (column of the row, or a path to it)
_TEAM_COLUMNS = {"buyer_team": "buyer_supplier_id", "seller_team": "seller_supplier_id"}
MAX_TRIES = 64  # (actor, row) pairs tried per cell before giving up on building an attempt for it


@dataclass
class Completion:
    """What the completion pass did: cells it exercised, cells the world cannot reach, its attempts."""

    completed: list[Cell] = field(default_factory=list)
    unreachable: list[Cell] = field(default_factory=list)
    judged: list[Judged] = field(default_factory=list)
    seconds: float = 0.0


class RelationIndex:
    """The world indexed by relation, built once: who stands in which relation to a row, as candidates.

    Candidates are a superset (cheap to list); :meth:`pairs` keeps those the oracle confirms.
    """

    def __init__(self, oracle: Oracle, *, seed: int = 0) -> None:
        self.oracle = oracle
        w = oracle.world
        self.roles: dict[str, dict[str, list[str]]] = {}  # live supplier -> live role -> users
        for (s, u), _tm in sorted(w.team_rows.items()):
            role = w.team_role(u, s)
            if role is not None:
                self.roles.setdefault(s, {}).setdefault(role, []).append(u)
        self.suppliers_of_couple: dict[str, list[str]] = {}
        self.couples_of_supplier: dict[str, list[str]] = {}
        for s, c in sorted(w.active):
            self.suppliers_of_couple.setdefault(c, []).append(s)
            self.couples_of_supplier.setdefault(s, []).append(c)
        users = w.users()
        self.strangers = random.Random(f"strangers:{seed}").sample(users, min(64, len(users)))

    def _partners(self, couple_id: Any) -> list[str]:
        c = self.oracle.world.row("couples", couple_id)
        return [u for u in (c["partner_one_user_id"], c["partner_two_user_id"]) if u] if c else []

    def _team(self, supplier_id: Any, role: str) -> list[str]:
        return self.roles.get(str(supplier_id), {}).get(role, []) if supplier_id is not None else []

    def candidates(self, table: str, relation: str, row: dict[str, Any]) -> list[str]:
        """User ids that may stand in ``relation`` to ``row`` (to be confirmed by the oracle)."""
        spec = self.oracle.matrix[table]
        kind, _, role = relation.partition(":")
        if kind == "stranger":
            return self.strangers
        if kind == "team":
            return self._team(row.get(spec.team_column), role)
        if kind in _TEAM_COLUMNS:
            return self._team(row.get(_TEAM_COLUMNS[kind]), role)
        if kind == "purchase_buyer_team":
            p = self.oracle.world.row("template_purchases", row.get("purchase_id"))
            return self._team(p["buyer_supplier_id"], role) if p else []
        if kind == "connected_team":
            return [u for s in self.suppliers_of_couple.get(str(row.get(spec.couple_column)), [])
                    for u in self._team(s, role)]
        if kind in ("self", "recipient"):
            return [row[spec.user_column]] if row.get(spec.user_column) else []
        if kind == "author":
            return [row["author_user_id"]] if row.get("author_user_id") else []
        if kind == "creator":
            return [row["created_by"]] if row.get("created_by") else []
        if kind == "partner":
            return self._partners(row.get("id") if table == "couples" else row.get(spec.couple_column))
        if kind == "teammate":  # symmetric: the row's user's teammates are the callers it is a teammate of
            return sorted(self.oracle.world.teammates_of(row.get("user_id"))) if row.get("user_id") else []
        if kind == "connected_partner":
            return [u for c in self.couples_of_supplier.get(str(row.get(spec.team_column)), [])
                    for u in self._partners(c)]
        return self.strangers  # a relation this index does not know: try a sample of users

    def pairs(self, table: str, relation: str, rng: random.Random) -> Iterator[tuple[Actor, dict[str, Any]]]:
        """(actor, row) pairs of ``table`` in which the actor stands in ``relation`` to the row, rows in seeded
        order."""
        rows = self.oracle.world.tables.get(table, [])
        if relation in ("anon", "service_role"):
            actor = Actor.anon() if relation == "anon" else Actor.service_role()
            for row in rng.sample(rows, min(len(rows), 8)):
                yield actor, row
            return
        order = rng.sample(range(len(rows)), len(rows))
        for i in order:
            row = rows[i]
            for uid in self.candidates(table, relation, row):
                actor = Actor.user(uid, label=f"user:{uid}")
                if self.oracle.holds_cell(Caller.of(actor), table, relation, row):
                    yield actor, row


def _attempts_for(oracle: Oracle, cell: Cell, actor: Actor, row: dict[str, Any],
                  ch: RandomChooser) -> list[Attempt]:
    """Attempts by ``actor`` exercising ``cell`` at ``row`` (insert: copies of the row that keep the relation)."""
    table, command, relation = cell
    m, w = oracle.matrix, oracle.world
    if command == "select":
        return [Attempt(actor, table, "select", "by_id", target=row)]
    if command == "delete":
        return [a for a in [write_attempt(m, w, actor, table, "delete", ch, target=row)] if a is not None]
    if command == "update":
        return [a for c in ("update", "upsert") if (a := write_attempt(m, w, actor, table, c, ch, target=row))]
    caller = Caller.of(actor)
    for plain in (True, False, False, False):  # the plain copy first, then a few randomly varied ones
        a = write_attempt(m, w, actor, table, "insert", ch, target=row, plain=plain)
        if a is not None and a.new is not None and oracle.holds_cell(caller, table, relation, a.new):
            return [a]
    return []


def complete(conn: psycopg.Connection[Any], oracle: Oracle, coverage: Coverage,
             fingerprints: dict[tuple[str, str], str] | None, *, seed: int = 0, per_cell: int = 2,
             index: RelationIndex | None = None) -> Completion:
    """Exercise every cell ``coverage`` left untried with up to ``per_cell`` (actor, row) pairs found in the world.

    Adds the attempts to ``coverage`` and records the cells the world cannot reach in ``coverage.unreachable``.
    ``conn`` must be inside a transaction (every attempt runs in a savepoint that is rolled back).
    """
    started = time.perf_counter()
    out = Completion()
    untried = coverage.untried()
    if not untried:
        return out
    index = index or RelationIndex(oracle, seed=seed)
    ch = RandomChooser(random.Random(f"complete:{seed}"))
    wanted: dict[tuple[str, str], list[str]] = {}  # (table, relation) -> untried commands
    for table, command, relation in untried:
        wanted.setdefault((table, relation), []).append(command)
    planned: dict[str, tuple[Actor, list[Attempt]]] = {}  # by actor label: one request per actor
    for (table, relation), commands in sorted(wanted.items()):
        found = {c: 0 for c in commands}
        tries = {c: 0 for c in commands}
        for actor, row in index.pairs(table, relation, random.Random(f"{seed}:{table}:{relation}")):
            for command in commands:
                if found[command] < per_cell and tries[command] < MAX_TRIES:
                    tries[command] += 1
                    attempts = _attempts_for(oracle, (table, command, relation), actor, row, ch)
                    if attempts:
                        found[command] += 1
                        planned.setdefault(actor.label, (actor, []))[1].extend(attempts)
            if all(found[c] >= per_cell or tries[c] >= MAX_TRIES for c in commands):
                break
        for command in commands:
            cell = (table, command, relation)
            if found[command]:
                out.completed.append(cell)
            elif not tries[command]:  # no (actor, row) pair in the whole world: a data gap
                out.unreachable.append(cell)
            # else: pairs exist but no attempt kept the relation (an insert copy): stays untried, and fails
    for actor, attempts in planned.values():
        out.judged += run_batch(conn, oracle, actor, attempts, fingerprints)
    coverage.add(out.judged)
    coverage.unreachable = sorted(set(coverage.unreachable) | set(out.unreachable))
    out.seconds = time.perf_counter() - started
    return out
