"""A world: every row of every public table (plus auth.users) as plain dicts, and the lookups the oracle needs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

JSONB_OID = 3802

ROLE_RANK = {"viewer": 0, "member": 1, "admin": 2, "owner": 3}

_TABLES_SQL = """
select c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname
"""


def normalise(value: Any) -> Any:
    """UUIDs become strings, everything else stays (so rows from any source compare equal)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def snapshot(conn: psycopg.Connection[Any]) -> dict[str, list[dict[str, Any]]]:
    """Read every row of every public table and auth.users, as the superuser (RLS bypassed)."""
    out: dict[str, list[dict[str, Any]]] = {}
    names = [r[0] for r in conn.execute(_TABLES_SQL).fetchall()]
    for name in names + ["auth.users"]:
        schema, table = ("auth", "users") if name == "auth.users" else ("public", name)
        cur = conn.execute(sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        cols = [d.name for d in cur.description or []]
        jsonb = {d.name for d in cur.description or [] if d.type_code == JSONB_OID}
        out[name] = [
            {c: (Jsonb(v) if c in jsonb and v is not None else normalise(v)) for c, v in zip(cols, row, strict=True)}
            for row in cur.fetchall()
        ]
    return out


@dataclass
class World:
    """Rows by table plus indexes: live team roles, couples, active connections, shared groups, purchases."""

    tables: dict[str, list[dict[str, Any]]]
    by_id: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    team_rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    active: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    group_keys: dict[str, tuple[str, bool]] = field(default_factory=dict)
    worked: set[tuple[str, str]] = field(default_factory=set)  # (supplier, couple): active, or accepted then revoked
    # Memoised lookups: a world never changes once indexed (every attempt is rolled back).
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_tables(cls, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> World:
        """Index a ``{table: [row, ...]}`` mapping (DB column names, Python values)."""
        rows = {name: [{k: normalise(v) for k, v in r.items()} for r in items] for name, items in tables.items()}
        world = cls(tables=rows)
        for name, items in rows.items():
            world.by_id[name] = {r["id"]: r for r in items if "id" in r}
        for tm in rows.get("team_members", []):
            world.team_rows[(tm["supplier_id"], tm["user_id"])] = tm
        for c in rows.get("supplier_client_connections", []):
            if c["status"] == "active" and c["deleted_at"] is None:
                world.active[(c["supplier_id"], c["couple_id"])] = c
        # A connection opens something only while both of its parties are live (soft delete closes it).
        for key in [k for k in world.active if not world.live_supplier(k[0]) or not world._live("couples", k[1])]:
            del world.active[key]
        for c in rows.get("supplier_client_connections", []):
            if c["deleted_at"] is None and (c["status"] == "active" or (
                    c["status"] == "revoked" and c.get("responded_at") is not None)) and world.live_supplier(
                    c["supplier_id"]) and world._live("couples", c["couple_id"]):
                world.worked.add((c["supplier_id"], c["couple_id"]))
        for g in rows.get("core_field_groups", []):
            world.group_keys[g["id"]] = (g["key"], g["deleted_at"] is None)
        return world

    def row(self, table: str, row_id: Any) -> dict[str, Any] | None:
        return self.by_id.get(table, {}).get(str(row_id)) if row_id is not None else None

    def _live(self, table: str, row_id: Any) -> bool:
        row = self.row(table, row_id)
        return row is not None and row["deleted_at"] is None

    def users(self) -> list[str]:
        return [u["id"] for u in self.tables.get("auth.users", [])]

    def live_supplier(self, supplier_id: Any) -> bool:
        s = self.row("suppliers", supplier_id)
        return s is not None and s["deleted_at"] is None

    def team_role(self, user_id: str | None, supplier_id: Any) -> str | None:
        """The caller's live, accepted role on a live supplier, else None (an invitation opens nothing)."""
        if user_id is None or supplier_id is None:
            return None
        tm = self.team_rows.get((str(supplier_id), user_id))
        if tm is None or tm["deleted_at"] is not None or not _accepted(tm) or not self.live_supplier(supplier_id):
            return None
        return str(tm["role"])

    def suppliers_of(self, user_id: str | None, min_role: str = "viewer") -> list[str]:
        """Live suppliers on whose team the user holds ``min_role`` or higher (live membership)."""
        if user_id is None:
            return []
        key = ("suppliers_of", user_id, min_role)
        if key not in self._memo:
            self._memo[key] = [
                s for (s, u), tm in self.team_rows.items()
                if u == user_id and (role := self.team_role(u, s)) is not None
                and ROLE_RANK[role] >= ROLE_RANK[min_role]
            ]
        return self._memo[key]

    def couples_of(self, user_id: str | None) -> list[str]:
        """Live couples of which the user is a partner (partner two once accepted)."""
        if user_id is None:
            return []
        key = ("couples_of", user_id)
        if key not in self._memo:
            self._memo[key] = [
                c["id"] for c in self.tables.get("couples", []) if c["deleted_at"] is None and is_partner(c, user_id)
            ]
        return self._memo[key]

    def rows_where(self, table: str, column: str, value: Any) -> list[dict[str, Any]]:
        """Rows of ``table`` whose ``column`` equals ``value`` (an index built on first use)."""
        key = ("index", table, column)
        if key not in self._memo:
            index: dict[Any, list[dict[str, Any]]] = {}
            for r in self.tables.get(table, []):
                index.setdefault(r.get(column), []).append(r)
            self._memo[key] = index
        return self._memo[key].get(value, []) if value is not None else []

    def teammates_of(self, user_id: str | None) -> set[str]:
        """Users with a live membership on any live team the user belongs to (the ``teammate`` relation)."""
        key = ("teammates_of", user_id)
        if key not in self._memo:
            mine = set(self.suppliers_of(user_id, "viewer"))
            self._memo[key] = {
                u for (s, u), tm in self.team_rows.items() if s in mine and tm["deleted_at"] is None and _accepted(tm)
            }
        return self._memo[key]

    def is_active(self, supplier_id: Any, couple_id: Any) -> bool:
        return (str(supplier_id), str(couple_id)) in self.active

    def worked_with(self, supplier_id: Any, couple_id: Any) -> bool:
        """A live connection between the live parties is active, or was accepted and then revoked."""
        return (str(supplier_id), str(couple_id)) in self.worked

    def shared_keys(self, supplier_id: str, couple_id: Any) -> list[str]:
        c = self.active.get((supplier_id, str(couple_id)))
        return list(c["shared_field_group_keys"]) if c else []


def _accepted(team_row: Mapping[str, Any]) -> bool:
    """A membership counts once the invited user accepted it (rows without the column predate invitations)."""
    return team_row.get("accepted_at", True) is not None


def is_partner(couple: Mapping[str, Any], user_id: str | None) -> bool:
    """Partner one, or partner two once they accepted the partnership."""
    if user_id is None:
        return False
    if couple["partner_one_user_id"] == user_id:
        return True
    return couple["partner_two_user_id"] == user_id and couple.get("partner_two_accepted_at", True) is not None


def is_invited_partner(couple: Mapping[str, Any], user_id: str | None) -> bool:
    """Named as partner two, not accepted yet."""
    return user_id is not None and couple["partner_two_user_id"] == user_id and couple.get(
        "partner_two_accepted_at", True) is None


def jsonable(value: Any) -> Any:
    """A value as JSON-friendly text for reports and reproducers."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return "\\x" + bytes(value).hex()
    return value
