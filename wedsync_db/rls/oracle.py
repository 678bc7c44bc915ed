"""The oracle: the access matrix evaluated in Python over a world, independently of the SQL policies.

It never reads pg_policies. It answers: which rows may a caller read in a table, and what happens to a write
(``ok`` with the rows it touches, ``filtered``: silently zero rows, or ``denied``: SQLSTATE 42501).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from wedsync_db.impersonate import Actor
from wedsync_db.rls.matrix import AccessMatrix, Rule, TableSpec, load_matrix
from wedsync_db.rls.world import ROLE_RANK, World, is_invited_partner, is_partner

OK, FILTERED, DENIED = "ok", "filtered", "denied"


@dataclass(frozen=True)
class Caller:
    """What the database can know about a request: its role and the user id auth.uid() yields (or None)."""

    role: str
    uid: str | None
    uid_error: bool = False  # sub is not a UUID: auth.uid() raises 22P02 wherever a policy calls it

    @classmethod
    def of(cls, actor: Actor) -> Caller:
        sub = actor.claims.get("sub")
        if sub is None or sub == "":
            return cls(actor.role, None)
        try:
            return cls(actor.role, str(uuid.UUID(str(sub))))
        except ValueError:
            return cls(actor.role, None, uid_error=True)


@dataclass(frozen=True)
class Verdict:
    """The oracle's answer for one write or read of one row."""

    kind: str  # ok | filtered | denied
    reason: str
    policies: tuple[str, ...] = ()


class Oracle:
    """Evaluate the matrix for any caller, table and row (stored or new)."""

    def __init__(self, world: World, matrix: AccessMatrix | None = None) -> None:
        self.world = world
        self.matrix = matrix or load_matrix()

    # relations ------------------------------------------------------------------------------------------
    def _team(self, caller: Caller, supplier_id: Any, min_role: str) -> bool:
        role = self.world.team_role(caller.uid, supplier_id)
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[min_role]

    def _couple_partner(self, caller: Caller, spec: TableSpec, row: dict[str, Any]) -> bool:
        if caller.uid is None:
            return False
        if spec.name == "couples":  # row-local: the row itself is the couple
            return is_partner(row, caller.uid)
        couple = self.world.row("couples", row.get(spec.couple_column))
        return couple is not None and couple["deleted_at"] is None and is_partner(couple, caller.uid)

    def relation_holds(self, caller: Caller, spec: TableSpec, who: str, row: dict[str, Any]) -> bool:
        """Whether the caller stands in relation ``who`` to ``row`` (vocabulary of access_matrix.yaml)."""
        if who == "anon":
            return caller.role == "anon"
        if caller.role != "authenticated":
            return False
        if who == "any_authenticated":
            return True
        if who == "nobody":
            return False
        kind, _, min_role = who.partition(":")
        uid = caller.uid
        if kind == "team":
            return self._team(caller, row.get(spec.team_column), min_role)
        if kind == "buyer_team":
            return self._team(caller, row.get("buyer_supplier_id"), min_role)
        if kind == "seller_team":
            return self._team(caller, row.get("seller_supplier_id"), min_role)
        if kind == "purchase_buyer_team":
            p = self.world.row("template_purchases", row.get("purchase_id"))
            return (
                p is not None and p["status"] == "completed" and p["deleted_at"] is None
                and self._team(caller, p["buyer_supplier_id"], min_role)
            )
        if kind == "connected_team":
            couple_id = row.get(spec.couple_column)
            return any(self.world.is_active(s, couple_id) for s in self.world.suppliers_of(uid, min_role))
        if uid is None:
            return False
        if kind in ("self", "recipient"):
            return row.get(spec.user_column) == uid
        if kind == "author":
            return row.get("author_user_id") == uid
        if kind == "creator":
            return row.get("created_by") == uid
        if kind == "partner":
            return self._couple_partner(caller, spec, row)
        if kind == "invited_partner":
            return spec.name == "couples" and is_invited_partner(row, uid)
        if kind == "teammate":
            return row.get("user_id") in self.world.teammates_of(uid)
        if kind == "connected_partner":
            supplier = row.get(spec.team_column)
            return self.world.live_supplier(supplier) and any(
                self.world.is_active(supplier, c) for c in self.world.couples_of(uid)
            )
        raise ValueError(f"unknown relation {who!r} in the access matrix")

    # conditions -----------------------------------------------------------------------------------------
    def condition_holds(self, caller: Caller, spec: TableSpec, cond: Any, row: dict[str, Any]) -> bool:
        if cond == "not_deleted":
            return row.get("deleted_at") is None
        if cond == "parties_live":
            couple = self.world.row("couples", row.get("couple_id"))
            return self.world.live_supplier(row.get("supplier_id")) and (couple is None or couple["deleted_at"] is None)
        if cond == "live_parent":
            return self._parent_live(caller, spec.name, row)
        if cond == "active_connection":
            return self.world.is_active(row.get("supplier_id"), row.get("couple_id"))
        if cond == "worked_with":
            return self.world.worked_with(row.get("supplier_id"), row.get("couple_id"))
        if cond == "shared_group":
            key, live = self.world.group_keys.get(str(row.get("field_group_id")), ("", False))
            if not live:
                return False
            return any(
                key in self.world.shared_keys(s, row.get(spec.couple_column))
                for s in self.world.suppliers_of(caller.uid, "viewer")
            )
        if isinstance(cond, dict):
            (op, arg), = cond.items()
            if op == "is_caller":
                return caller.uid is not None and row.get(arg) == caller.uid
            (col, want), = arg.items()
            have = row.get(col)
            if want is None or isinstance(want, bool):
                same = have is want
            elif isinstance(want, list):
                same = have is not None and [str(v) for v in have] == [str(v) for v in want]
            else:
                same = have is not None and str(have) == str(want)
            if op == "equals":
                return same
            if op == "not_equals":
                return have is not None and not same
        raise ValueError(f"unknown condition {cond!r} in the access matrix")

    def _parent_live(self, caller: Caller, table: str, row: dict[str, Any]) -> bool:
        """The row's parent chain (vocabulary ``parents``) is live: soft delete closes the subtree.

        An archived parent refuses the row whoever's it is (the policies probe the row's own parent); a missing
        parent, or a live one in another tenant, is left to the composite foreign key (23503).
        """
        seen_as_caller = self.matrix.vocabulary.get("parents_seen_as_caller", ())
        for parent_table, column in self.matrix.vocabulary.get("parents", {}).get(table, {}).items():
            parent = self.world.row(parent_table, row.get(column))
            if parent_table in seen_as_caller:
                if parent is None or parent["deleted_at"] is not None or not self.can_select(
                        caller, parent_table, parent):
                    return False
                continue
            if parent is None:
                continue  # no such parent: the foreign key, not RLS, refuses the row
            if parent["deleted_at"] is not None or not self._parent_live(caller, parent_table, parent):
                return False
        return True

    def rule_admits(self, caller: Caller, spec: TableSpec, rule: Rule, row: dict[str, Any], phase: str) -> bool:
        """``who`` and the rule's ``when`` (stored row) or ``check`` (new row) conditions."""
        conds = rule.when if phase == "when" else rule.check
        return any(self.relation_holds(caller, spec, w, row) for w in rule.who) and all(
            self.condition_holds(caller, spec, c, row) for c in conds
        )

    def admitting(self, caller: Caller, table: str, command: str, row: dict[str, Any], phase: str) -> list[str]:
        """Names of the policies of ``command`` that let the caller in for this row."""
        spec = self.matrix[table]
        return [r.policy for r in spec.rules[command] if self.rule_admits(caller, spec, r, row, phase)]

    # grants ---------------------------------------------------------------------------------------------
    def has_grant(self, caller: Caller, table: str, command: str, columns: tuple[str, ...] = ()) -> bool:
        """The privilege the matrix implies: a role has a command when some rule can admit it."""
        spec = self.matrix[table]
        if caller.role == "service_role":
            return command in spec.service_role
        if caller.role == "anon":
            return spec.anon_may(command)
        if caller.role != "authenticated":
            return False
        if command == "update":
            return spec.authenticated_may("update") and set(columns) <= set(spec.update_columns)
        return spec.authenticated_may(command)

    # reads ----------------------------------------------------------------------------------------------
    def can_select(self, caller: Caller, table: str, row: dict[str, Any]) -> bool:
        if caller.role == "service_role":
            return "select" in self.matrix[table].service_role
        return bool(self.admitting(caller, table, "select", row, "when"))

    def visible_rows(self, caller: Caller, table: str) -> list[dict[str, Any]]:
        """The rows ``select * from <table>`` returns to the caller (empty when no grant; memoised)."""
        memo: dict[tuple[Caller, str], list[dict[str, Any]]] = self.__dict__.setdefault("_visible", {})
        key = (caller, table)
        if key not in memo:
            memo[key] = [] if not self.has_grant(caller, table, "select") else [
                r for r in self.world.tables.get(table, []) if self.can_select(caller, table, r)]
        return memo[key]

    def visible_ids(self, caller: Caller, table: str) -> set[str]:
        """Ids of the rows ``select id from <table>`` returns to the caller (empty set when no grant)."""
        return {r["id"] for r in self.visible_rows(caller, table)}

    # writes ---------------------------------------------------------------------------------------------
    def insert(self, caller: Caller, table: str, new: dict[str, Any], returning: bool = False) -> Verdict:
        """INSERT of ``new`` (after before-insert triggers); ``returning`` also needs a select rule."""
        spec = self.matrix[table]
        if not self.has_grant(caller, table, "insert"):
            return Verdict(DENIED, "no insert privilege")
        if caller.role == "service_role":
            return Verdict(OK, "service_role bypasses RLS")
        by = self.admitting(caller, table, "insert", new, "check")
        if not by:
            return Verdict(DENIED, "no insert rule admits the new row", tuple(spec.policies("insert")))
        if returning and not self.can_select(caller, table, new):
            return Verdict(DENIED, "RETURNING: new row passes no select rule", tuple(spec.policies("select")))
        return Verdict(OK, "admitted", tuple(by))

    def update(
        self, caller: Caller, table: str, old: dict[str, Any], new: dict[str, Any], columns: tuple[str, ...],
    ) -> Verdict:
        """UPDATE ... WHERE id = old.id, setting ``columns`` so that the row becomes ``new``."""
        spec = self.matrix[table]
        if not self.has_grant(caller, table, "update", columns):
            return Verdict(DENIED, f"no update privilege on {', '.join(columns)}")
        if caller.role == "service_role":
            return Verdict(OK, "service_role bypasses RLS")
        using = self.admitting(caller, table, "update", old, "when")
        if not using or not self.can_select(caller, table, old):
            return Verdict(FILTERED, "stored row passes no update rule (or no select rule)",
                           tuple(spec.policies("update") + spec.policies("select")))
        check = self.admitting(caller, table, "update", new, "check")
        if not check:
            return Verdict(DENIED, "new row passes no update rule's check", tuple(spec.policies("update")))
        if not self.can_select(caller, table, new):
            return Verdict(DENIED, "new row passes no select rule (PostgREST's WHERE)", tuple(spec.policies("select")))
        return Verdict(OK, "admitted", tuple(using))

    def delete(self, caller: Caller, table: str, old: dict[str, Any]) -> Verdict:
        """DELETE ... WHERE id = old.id."""
        spec = self.matrix[table]
        if not self.has_grant(caller, table, "delete"):
            return Verdict(DENIED, "no delete privilege")
        if caller.role == "service_role":
            return Verdict(OK, "service_role bypasses RLS")
        by = self.admitting(caller, table, "delete", old, "when")
        if not by or not self.can_select(caller, table, old):
            return Verdict(FILTERED, "stored row passes no delete rule (or no select rule)",
                           tuple(spec.policies("delete") + spec.policies("select")))
        return Verdict(OK, "admitted", tuple(by))

    def upsert(
        self, caller: Caller, table: str, old: dict[str, Any], new: dict[str, Any], columns: tuple[str, ...],
    ) -> Verdict:
        """INSERT ... ON CONFLICT (id) DO UPDATE SET ``columns`` hitting the stored row ``old``.

        PostgreSQL: the INSERT check applies to the proposed row (measured: even when it conflicts); on conflict
        the stored row must pass the UPDATE and SELECT rules (else an error, not a skip), and the new row the
        UPDATE check and SELECT rules.
        """
        spec = self.matrix[table]
        if not (self.has_grant(caller, table, "insert") and self.has_grant(caller, table, "update", columns)
                and self.has_grant(caller, table, "select")):
            return Verdict(DENIED, "upsert needs insert, update and select privileges")
        if set(columns) & set(spec.hidden_columns.get(caller.role, ())):
            return Verdict(DENIED, "upsert reads excluded.<column> of a column the role may not read")
        if caller.role == "service_role":
            return Verdict(OK, "service_role bypasses RLS")
        # Observed on PostgreSQL 15: the INSERT check applies to the proposed row even when it conflicts.
        if not self.admitting(caller, table, "insert", new, "check"):
            return Verdict(DENIED, "proposed row passes no insert rule", tuple(spec.policies("insert")))
        if not self.admitting(caller, table, "update", old, "when") or not self.can_select(caller, table, old):
            return Verdict(DENIED, "ON CONFLICT: stored row passes no update/select rule",
                           tuple(spec.policies("update") + spec.policies("select")))
        check = self.admitting(caller, table, "update", new, "check")
        if not check or not self.can_select(caller, table, new):
            return Verdict(DENIED, "ON CONFLICT: new row passes no update check/select rule",
                           tuple(spec.policies("update")))
        return Verdict(OK, "admitted", tuple(check))

    # coverage labels ------------------------------------------------------------------------------------
    def cell_kinds(self, table: str) -> list[tuple[str, str, str]]:
        """The named relations of the table's cells as (relation, kind, exact team role or ""), memoised."""
        memo: dict[str, list[tuple[str, str, str]]] = self.__dict__.setdefault("_cell_kinds", {})
        if table not in memo:
            memo[table] = [(rel, *rel.partition(":")[::2]) for rel in self.matrix[table].relations()
                           if rel not in ("anon", "any_authenticated")]
        return memo[table]

    def holds_cell(self, caller: Caller, table: str, relation: str, row: dict[str, Any]) -> bool:
        """Whether the caller stands in the cell relation ``relation`` to ``row`` (team roles exact, not "at least").

        ``anon``, ``service_role`` and ``stranger`` are answered as :meth:`cell_relations` labels them.
        """
        if relation in ("anon", "service_role", "stranger"):
            return self.cell_relations(caller, table, row) == [relation]
        if caller.role in ("anon", "service_role"):
            return False
        spec = self.matrix[table]
        kind, _, role = relation.partition(":")
        if role:
            return self._exact_team(caller, spec, kind, role, row)
        return self.relation_holds(caller, spec, relation, row)

    def cell_relations(self, caller: Caller, table: str, row: dict[str, Any]) -> list[str]:
        """The matrix relations (cells) this caller-row pair exercises: anon, stranger, service_role or named ones."""
        if caller.role == "service_role":
            return ["service_role"]
        if caller.role == "anon":
            return ["anon"]
        spec = self.matrix[table]
        held = []
        for rel, kind, role in self.cell_kinds(table):
            if role:  # exact role, not "at least"
                if self._exact_team(caller, spec, kind, role, row):
                    held.append(rel)
            elif self.relation_holds(caller, spec, rel, row):
                held.append(rel)
        return held or ["stranger"]

    def table_relations(self, caller: Caller, table: str) -> list[str]:
        """Union of the cell relations of the caller to every row of the table (memoised)."""
        memo: dict[tuple[Caller, str], list[str]] = self.__dict__.setdefault("_table_relations", {})
        key = (caller, table)
        if key not in memo:
            seen: list[str] = []
            for row in self.world.tables.get(table, []) or [{}]:
                for rel in self.cell_relations(caller, table, row):
                    if rel not in seen:
                        seen.append(rel)
            memo[key] = seen
        return memo[key]

    def _exact_team(self, caller: Caller, spec: TableSpec, kind: str, role: str, row: dict[str, Any]) -> bool:
        w = self.world
        if kind == "team":
            return w.team_role(caller.uid, row.get(spec.team_column)) == role
        if kind == "buyer_team":
            return w.team_role(caller.uid, row.get("buyer_supplier_id")) == role
        if kind == "seller_team":
            return w.team_role(caller.uid, row.get("seller_supplier_id")) == role
        if kind == "purchase_buyer_team":
            p = w.row("template_purchases", row.get("purchase_id"))
            return p is not None and w.team_role(caller.uid, p["buyer_supplier_id"]) == role
        if kind == "connected_team":
            # a live role on a live team is one of the caller's suppliers: look there, not at every connection
            couple_id = row.get(spec.couple_column)
            return any(w.team_role(caller.uid, s) == role and w.is_active(s, couple_id)
                       for s in w.suppliers_of(caller.uid, "viewer"))
        return False
