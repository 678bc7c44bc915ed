"""The second oracle: the product's ownership and consent rules, judged on database states.

It never reads access_matrix.yaml or the policies. It reads schema/ownership.yaml, the rows as the superuser
sees them, and the audit trail (who wrote what, recorded by triggers), and answers, after every step of an
escalation search:

- does a user read a row that is neither theirs (a party they speak for) nor opened to them by a consent edge
  that the right parties created and accepted?
- did the step write or delete another party's row, create or accept an edge on someone else's behalf, leave a
  supplier without an owner, or point a row of one tenant at another tenant's rows?

A party speaks through people: a user for themself, a supplier through its accepted, live team, a couple
through partner one and an accepted partner two. Rows that were in the world before the search began are
trusted as consented; what the search writes is attributed to its actor through the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from wedsync_db.rls.ownership import Ownership, TableOwnership, load_ownership
from wedsync_db.rls.world import normalise

API_ROLES = ("authenticated", "anon")


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which rule, who, where, and why."""

    invariant: str  # consent_read | paid_content | consent_write | destroyed | owner_kept | one_tenant | handle
    user: str | None
    table: str
    row_id: str | None
    detail: str

    def line(self) -> str:
        who = f"user {self.user}" if self.user else "anon"
        row = f" row {self.row_id}" if self.row_id else ""
        return f"[{self.invariant}] {who}: {self.table}{row}: {self.detail}"


# --- the database state -------------------------------------------------------------------------------------


# Read whole in every state: the rows consent and soft-delete closure are decided by (small in any world).
WHOLE_TABLES = ("suppliers", "team_members", "couples", "supplier_client_connections", "core_field_groups",
                "template_purchases", "forms", "form_versions", "customer_journeys", "journey_nodes")


@dataclass
class State:
    """Rows as the superuser sees them, by table and id: the consent tables whole, any other row on demand."""

    rows: dict[str, dict[str, dict[str, Any]]]
    conn: psycopg.Connection[Any] | None = None

    @classmethod
    def read(cls, conn: psycopg.Connection[Any], tables: Iterable[str]) -> State:
        state = cls({}, conn)
        for table in [t for t in WHOLE_TABLES if t in set(tables)]:
            state.rows[table] = {}
            state._fetch(table, sql.SQL("true"))
        return state

    def _fetch(self, table: str, where: sql.Composable, params: Any = None) -> None:
        assert self.conn is not None
        schema, name = table.split(".") if "." in table else ("public", table)
        cur = self.conn.execute(sql.SQL("select * from {}.{} where {}").format(
            sql.Identifier(schema), sql.Identifier(name), where), params)
        cols = [d.name for d in cur.description or []]
        found = self.rows.setdefault(table, {})
        for r in cur:
            found[str(r[0])] = {c: normalise(v) for c, v in zip(cols, r, strict=True)}

    def load(self, table: str, ids: Iterable[Any]) -> None:
        """Fetch the rows of ``ids`` not held yet (a table read whole holds them all already)."""
        if table in WHOLE_TABLES or self.conn is None:
            return
        have = self.rows.setdefault(table, {})
        missing = sorted({str(i) for i in ids if i is not None} - set(have))
        if missing:
            self._fetch(table, sql.SQL("id = any({}::uuid[])").format(sql.Placeholder()), (missing,))


    def row(self, table: str, row_id: Any) -> dict[str, Any] | None:
        return self.rows.get(table, {}).get(str(row_id)) if row_id is not None else None

    def live(self, table: str, row_id: Any) -> bool:
        row = self.row(table, row_id)
        return row is not None and row.get("deleted_at") is None


@dataclass
class Ledger:
    """Edges the search created or accepted on someone else's behalf: they open nothing, whatever the rows say."""

    memberships: set[tuple[str, str]] = field(default_factory=set)  # (supplier, user)
    partnerships: set[str] = field(default_factory=set)  # couple ids
    connections: set[str] = field(default_factory=set)  # connection ids
    shares: set[str] = field(default_factory=set)  # connection ids whose shared groups the couple did not choose
    purchases: set[str] = field(default_factory=set)
    created: dict[str, set[str]] = field(default_factory=dict)  # table -> ids inserted during the search


class Consent:
    """Who speaks for which party, and which edges are open, in one state (plus the ledger's distrust)."""

    def __init__(self, state: State, ledger: Ledger) -> None:
        self.state, self.ledger = state, ledger
        self._suppliers: dict[str, set[str]] = {}
        self._couples: dict[str, set[str]] = {}
        members: dict[str, set[str]] = {}
        for tm in state.rows.get("team_members", {}).values():
            if self._membership_open(tm):
                self._suppliers.setdefault(tm["user_id"], set()).add(tm["supplier_id"])
                members.setdefault(tm["supplier_id"], set()).add(tm["user_id"])
        self.members = members
        for c in state.rows.get("couples", {}).values():
            if c["deleted_at"] is not None:
                continue
            self._couples.setdefault(c["partner_one_user_id"], set()).add(c["id"])
            if self._partner_two_accepted(c):
                self._couples.setdefault(c["partner_two_user_id"], set()).add(c["id"])
        self.connections: dict[tuple[str, str], dict[str, Any]] = {}
        for k in state.rows.get("supplier_client_connections", {}).values():
            if (k["status"] == "active" and k["deleted_at"] is None and k["id"] not in ledger.connections
                    and state.live("suppliers", k["supplier_id"]) and state.live("couples", k["couple_id"])):
                self.connections[(k["supplier_id"], k["couple_id"])] = k
        # Connections the couple accepted once and later revoked: a joint row may still be written across them
        # where the model says so (linked_after_connection: a couple reviews a supplier it worked with).
        self.ended_connections: set[tuple[str, str]] = {
            (k["supplier_id"], k["couple_id"]) for k in state.rows.get("supplier_client_connections", {}).values()
            if k["status"] == "revoked" and k.get("responded_at") is not None and k["deleted_at"] is None
            and k["id"] not in ledger.connections
            and state.live("suppliers", k["supplier_id"]) and state.live("couples", k["couple_id"])}
        self.group_ids = {g["key"]: g["id"] for g in state.rows.get("core_field_groups", {}).values()
                          if g["deleted_at"] is None}

    def _membership_open(self, tm: Mapping[str, Any]) -> bool:
        return (tm["deleted_at"] is None and tm.get("accepted_at") is not None
                and (tm["supplier_id"], tm["user_id"]) not in self.ledger.memberships
                and self.state.live("suppliers", tm["supplier_id"]))

    def _partner_two_accepted(self, c: Mapping[str, Any]) -> bool:
        return (c["partner_two_user_id"] is not None and c.get("partner_two_accepted_at") is not None
                and c["id"] not in self.ledger.partnerships)

    def suppliers_of(self, user: str | None) -> set[str]:
        return self._suppliers.get(user or "", set())

    def couples_of(self, user: str | None) -> set[str]:
        return self._couples.get(user or "", set())

    def speaks_for(self, user: str | None, party: str, party_id: Any) -> bool:
        if user is None or party_id is None:
            return False
        if party == "user":
            return str(party_id) == user
        if party == "supplier":
            return str(party_id) in self.suppliers_of(user)
        if party == "couple":
            return str(party_id) in self.couples_of(user)
        return False

    def shared_groups(self, supplier: str, couple: str) -> set[str]:
        k = self.connections.get((supplier, couple))
        if k is None or k["id"] in self.ledger.shares:
            return set()
        return {self.group_ids[key] for key in k["shared_field_group_keys"] or [] if key in self.group_ids}

    def teammates_of(self, user: str | None) -> set[str]:
        return {v for s in self.suppliers_of(user) for v in self.members.get(s, set())}

    def buys(self, supplier: str, template: str) -> bool:
        return any(p["template_id"] == template and p["buyer_supplier_id"] == supplier and p["status"] == "completed"
                   and p["deleted_at"] is None and p["id"] not in self.ledger.purchases
                   for p in self.state.rows.get("template_purchases", {}).values())


# --- reads --------------------------------------------------------------------------------------------------


def _matches(row: Mapping[str, Any], condition: Mapping[str, Any] | None) -> bool:
    return condition is not None and all(
        (row.get(col) is want) if isinstance(want, bool) or want is None else str(row.get(col)) == str(want)
        for col, want in condition.items())


class Judge:
    """Judges reads and writes against the ownership model."""

    def __init__(self, ownership: Ownership | None = None) -> None:
        self.ownership = ownership or load_ownership()

    # reads ---------------------------------------------------------------------------------------------
    def closed(self, consent: Consent, table: str, row: Mapping[str, Any]) -> str | None:
        """Why the row is hidden from every API user (soft delete closes the subtree), or None."""
        state, spec = consent.state, self.ownership[table]
        if row.get("deleted_at") is not None:
            return "the row is soft-deleted"
        for column, party in spec.owners.items():
            target = {"supplier": "suppliers", "couple": "couples"}.get(party)
            if target and table != target and row.get(column) is not None and not state.live(target, row[column]):
                return f"its {party} ({column}) is archived"
        for parent_table, column in spec.parents:
            state.load(parent_table, [row.get(column)])
            parent = state.row(parent_table, row.get(column))
            if parent is None:
                continue
            why = "archived" if parent.get("deleted_at") is not None else self.closed(consent, parent_table, parent)
            if why:
                return f"its parent {parent_table} {parent['id']} is {why}"
        return None

    def read_allowed(self, consent: Consent, user: str | None, table: str, row: Mapping[str, Any]) -> str | None:
        """The reason the user may read the row, or None when no ownership or consent lets them."""
        spec = self.ownership[table]
        if self.closed(consent, table, row):
            return None
        if spec.published_when is not None and spec.opens("publication", "select") and _matches(
                row, spec.published_when):
            return "published"
        if user is None:
            return None
        if spec.every_user_reads:
            return "shared master data"
        if spec.audit_of_table_column:
            audited = self.ownership.tables.get(str(row.get(spec.audit_of_table_column)))
            if audited and "supplier" in audited.owners.values() and consent.speaks_for(
                    user, "supplier", row.get("supplier_id")):
                return "audit of the supplier's own rows"
            return None
        for column, party in spec.owners.items():
            if consent.speaks_for(user, party, row.get(column)):
                return f"speaks for its {party}"
        return self._opened_by_edge(consent, user, table, spec, row)

    def _opened_by_edge(
        self, consent: Consent, user: str, table: str, spec: TableOwnership, row: Mapping[str, Any],
    ) -> str | None:
        owner_of = {party: row.get(col) for col, party in spec.owners.items()}
        if spec.opens("connection", "select"):
            if "couple" in owner_of:  # couple data, per field group the couple shared
                couple = str(owner_of["couple"])
                for s in consent.suppliers_of(user):
                    group = row.get(spec.group_column) if spec.group_column else None
                    if (s, couple) in consent.connections and (
                            spec.group_column is None or group in consent.shared_groups(s, couple)):
                        return "shared by the couple through an active connection"
            elif "supplier" in owner_of:
                supplier = owner_of["supplier"]
                condition = spec.opened_when.get("connection")
                if any((supplier, c) in consent.connections for c in consent.couples_of(user)) and (
                        condition is None or _matches(row, condition)):
                    return "the couple's active connection to the supplier"
        if spec.opens("partnership", "select") and row.get("partner_two_user_id") == user:
            return "the couple invited the user as partner two"
        if spec.opens("membership", "select") and row.get("user_id") in consent.teammates_of(user):
            return "an accepted teammate"
        if spec.opens("purchase", "select") and any(consent.buys(s, row["id"]) for s in consent.suppliers_of(user)):
            return "bought by the user's team"
        return None

    def private_column_allowed(
        self, consent: Consent, user: str | None, table: str, column: str, row: Mapping[str, Any],
    ) -> bool:
        """A private column (paid content): the owner's team, buyers' teams, or anyone when free and public."""
        spec, private = self.ownership[table], self.ownership[table].private_columns[column]
        if self.closed(consent, table, row) or user is None:
            return False
        if any(consent.speaks_for(user, party, row.get(col)) for col, party in spec.owners.items()):
            return True
        if private.opened_by == "purchase" and any(consent.buys(s, row["id"]) for s in consent.suppliers_of(user)):
            return True
        return bool(private.free_when) and _matches(row, private.free_when) and self.read_allowed(
            consent, user, table, row) is not None

    def judge_reads(
        self, consent: Consent, user: str | None, seen: Mapping[str, Iterable[str]],
    ) -> list[Violation]:
        """``seen``: the ids of each table the user read. Every one needs a reason."""
        out = []
        for table, ids in seen.items():
            if table not in self.ownership.tables:
                continue
            consent.state.load(table, ids)
            for row_id in ids:
                row = consent.state.row(table, row_id)
                if row is None:
                    continue
                if self.read_allowed(consent, user, table, row) is None:
                    why = self.closed(consent, table, row) or "no owner party and no open consent edge"
                    out.append(Violation("consent_read", user, table, str(row_id), f"read it, but {why}"))
        return out

    # writes --------------------------------------------------------------------------------------------
    def judge_writes(
        self, pre: Consent, post: Consent, entries: Iterable[Mapping[str, Any]], ledger: Ledger,
    ) -> list[Violation]:
        """Judge one step's audit entries (in order) by API actors, against the consent before the step."""
        out: list[Violation] = []
        entries = [e for e in entries if e["actor_role"] in API_ROLES]
        founded: set[tuple[str, str]] = set()  # parties the step's actor founded: its triggers write for them
        for e in entries:  # first, so that a trigger's row is judged knowing what its statement created
            if e["action"] == "insert":
                new = e["new_values"] or {}
                ledger.created.setdefault(e["table_name"], set()).add(str(new.get("id")))
                spec = self.ownership.tables.get(e["table_name"])
                if spec and spec.founded_by and new.get(spec.founded_by) == e["actor_user_id"]:
                    founded |= {(party, str(new.get(col))) for col, party in spec.owners.items()}
        for e in entries:
            table, actor = e["table_name"], e["actor_user_id"]
            old, new = e["old_values"] or {}, e["new_values"] or {}
            changed = set(e["changed_columns"] or ()) if e["action"] == "update" else set(new)
            out += self._edges(pre, post, table, actor, e["action"], old, new, changed, ledger)
            if table not in self.ownership.tables:
                continue
            spec = self.ownership[table]
            if e["action"] == "delete":
                out += self._delete(pre, table, spec, actor, old)
            elif e["action"] == "insert":
                out += self._insert(pre, table, spec, actor, new, ledger, founded)
            else:
                out += self._update(pre, table, spec, actor, old, new, changed)
        return out

    def _edges(
        self, pre: Consent, post: Consent, table: str, actor: str | None, action: str,
        old: Mapping[str, Any], new: Mapping[str, Any], changed: set[str], ledger: Ledger,
    ) -> list[Violation]:
        """Edges created or accepted by the wrong party: a violation, and the edge opens nothing from then on."""
        out: list[Violation] = []
        if action == "delete":
            return out
        if table == "team_members" and new.get("accepted_at") is not None and "accepted_at" in changed:
            if actor != new["user_id"]:
                ledger.memberships.add((new["supplier_id"], new["user_id"]))
                out.append(Violation("consent_write", actor, table, new["id"],
                                     f"membership of {new['user_id']} accepted by someone else"))
        if table == "team_members" and action == "insert":
            s = new["supplier_id"]
            founded_by = self.ownership["suppliers"].founded_by or ""
            founder = actor == new["user_id"] and s in ledger.created.get("suppliers", set()) and (
                (pre.state.row("suppliers", s) or post.state.row("suppliers", s) or {}).get(founded_by) == actor)
            if not founder and not pre.speaks_for(actor, "supplier", s):
                ledger.memberships.add((s, new["user_id"]))
                out.append(Violation("consent_write", actor, table, new["id"],
                                     "membership not granted by the supplier's team"))
        if table == "couples" and new.get("partner_two_accepted_at") is not None and (
                "partner_two_accepted_at" in changed or "partner_two_user_id" in changed):
            if actor != new["partner_two_user_id"]:
                ledger.partnerships.add(new["id"])
                out.append(Violation("consent_write", actor, table, new["id"],
                                     f"partnership of {new['partner_two_user_id']} accepted by someone else"))
        if table == "supplier_client_connections":
            partner = pre.speaks_for(actor, "couple", new["couple_id"])
            if new["status"] == "active" and "status" in changed and not partner:
                ledger.connections.add(new["id"])
                out.append(Violation("consent_write", actor, table, new["id"],
                                     "connection accepted by someone other than the couple"))
            if new.get("shared_field_group_keys") and "shared_field_group_keys" in changed and not partner:
                ledger.shares.add(new["id"])
                out.append(Violation("consent_write", actor, table, new["id"],
                                     "shared field groups chosen by someone other than the couple"))
        if table == "template_purchases":
            ledger.purchases.add(new["id"])
            out.append(Violation("consent_write", actor, table, new["id"], "a purchase written through the API"))
        return out

    def _speaks_for_any(self, consent: Consent, actor: str | None, spec: TableOwnership,
                        row: Mapping[str, Any]) -> bool:
        return any(consent.speaks_for(actor, party, row.get(col)) for col, party in spec.owners.items())

    def _insert(self, pre: Consent, table: str, spec: TableOwnership, actor: str | None,
                new: Mapping[str, Any], ledger: Ledger, founded: set[tuple[str, str]]) -> list[Violation]:
        creates_party = (spec.founded_by is not None and new.get(spec.founded_by) == actor) or any(
            (party, str(new.get(col))) in founded for col, party in spec.owners.items())
        founder_row = table == "team_members" and new.get("user_id") == actor and new.get(
            "supplier_id") in ledger.created.get("suppliers", set())
        if not (creates_party or founder_row or self._speaks_for_any(pre, actor, spec, new)):
            return [Violation("consent_write", actor, table, new.get("id"),
                              "inserted a row of parties the actor does not speak for")]
        for col, party in spec.owners.items():
            other = new.get(col)
            if other is None or pre.speaks_for(actor, party, other) or creates_party or founder_row:
                continue
            if table == "team_members" and party == "user" and new.get("accepted_at") is None:
                continue  # an invitation: it opens nothing until the user accepts
            if self._linked_by_connection(pre, actor, party, other, spec, new):
                continue
            if table == "reviews" and party == "user" and other == actor:
                continue
            return [Violation("consent_write", actor, table, new.get("id"),
                              f"wrote a row owned by {party} {other}, which the actor does not speak for")]
        return []

    def _linked_by_connection(self, consent: Consent, actor: str | None, party: str, other: Any,
                              spec: TableOwnership, row: Mapping[str, Any]) -> bool:
        """A joint row (a message, a response) across an active connection between the actor's party and ``other``."""
        if set(spec.owners.values()) != {"supplier", "couple"}:
            return False
        supplier = row.get(spec.owner_columns("supplier")[0])
        couple = row.get(spec.owner_columns("couple")[0])
        if (supplier, couple) not in consent.connections and not (
                spec.linked_after_connection and (supplier, couple) in consent.ended_connections):
            return False
        mine = "couple" if party == "supplier" else "supplier"
        return consent.speaks_for(actor, mine, supplier if mine == "supplier" else couple)

    def _update(self, pre: Consent, table: str, spec: TableOwnership, actor: str | None,
                old: Mapping[str, Any], new: Mapping[str, Any], changed: set[str]) -> list[Violation]:
        if self._speaks_for_any(pre, actor, spec, old):
            return []
        answers_invitation = table == "couples" and old.get("partner_two_user_id") == actor and changed <= {
            "partner_two_accepted_at", "partner_two_user_id", "updated_at"}
        if answers_invitation:
            return []
        return [Violation("consent_write", actor, table, old.get("id"),
                          f"changed {sorted(changed)} of a row of parties the actor does not speak for")]

    def _delete(self, pre: Consent, table: str, spec: TableOwnership, actor: str | None,
                old: Mapping[str, Any]) -> list[Violation]:
        parties = [(party, old.get(col)) for col, party in spec.owners.items() if old.get(col) is not None]
        if parties and all(pre.speaks_for(actor, p, pid) for p, pid in parties):
            return []
        if any(p in spec.removable_by and pre.speaks_for(actor, p, pid) for p, pid in parties):
            return []
        if not parties:
            return []
        others = [f"{p} {pid}" for p, pid in parties if not pre.speaks_for(actor, p, pid)]
        return [Violation("destroyed", actor, table, old.get("id"),
                          f"deleted a row that also belongs to {', '.join(others)}")]

    # state invariants -----------------------------------------------------------------------------------
    def judge_state(self, consent: Consent) -> list[Violation]:
        """Every live supplier keeps an accepted, live owner."""
        owners = {tm["supplier_id"] for tm in consent.state.rows.get("team_members", {}).values()
                  if tm["role"] == "owner" and consent._membership_open(tm)}
        return [Violation("owner_kept", None, "suppliers", s["id"], "a live supplier without an accepted owner")
                for s in consent.state.rows.get("suppliers", {}).values()
                if s["deleted_at"] is None and s["id"] not in owners]

    def judge_references(
        self, consent: Consent, references: Iterable[tuple[str, str, str, str]], written: Mapping[str, set[str]],
    ) -> list[Violation]:
        """Rows written in the search: a reference never leaves the row's tenant.

        ``references``: (table, column, referenced table, referenced column) of every foreign key.
        A supplier's row may point at another supplier's row never, and at a couple only once a connection
        (any status) links them.
        """
        out = []
        for table, column, target, target_column in references:
            if table not in self.ownership.tables or target not in self.ownership.tables:
                continue
            spec, tspec = self.ownership[table], self.ownership[target]
            mine = spec.owner_columns("supplier")
            if len(mine) != 1 or column in spec.owners:
                continue
            consent.state.load(table, written.get(table, set()))
            for row_id in written.get(table, set()):
                row = consent.state.row(table, row_id)
                if row is None or row.get(column) is None:
                    continue
                consent.state.load(target, [row[column]])
                ref = consent.state.row(target, row[column]) if target_column == "id" else None
                if ref is None:
                    continue
                theirs = tspec.owner_columns("supplier")
                if len(theirs) == 1 and theirs[0] != "id" and ref.get(theirs[0]) != row[mine[0]]:
                    out.append(Violation("one_tenant", None, table, row_id,
                                         f"{column} points at {target} {ref['id']} of another supplier"))
                if target == "couples" and not any(
                        k["supplier_id"] == row[mine[0]] and k["couple_id"] == ref["id"]
                        for k in consent.state.rows.get("supplier_client_connections", {}).values()):
                    out.append(Violation("one_tenant", None, table, row_id,
                                         f"{column} points at couple {ref['id']}, with no connection to the supplier"))
        return out
