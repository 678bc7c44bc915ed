"""Build access attempts from a world: personas (actors), reads, and writes aimed at own and foreign tenants.

Every builder takes a Chooser, so Hypothesis (tests/strategies) and a seeded random sweep (the verify command)
share one generator; Hypothesis shrinks each choice towards the first option (the simplest: own tenant, first row).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import GENERATED, Attempt
from wedsync_db.rls.matrix import AccessMatrix
from wedsync_db.rls.world import World

T = TypeVar("T")
GHOST = "00000000-0000-4000-8000-00000000dead"
READ_SHAPES = ("all", "count", "by_id", "by_tenant", "group_tenant")
WRITE_COMMANDS = ("insert", "update", "delete", "upsert")
# Columns the policies compare with the caller: generated inserts set them to the caller half of the time.
CALLER_COLUMNS = {
    "suppliers": ["created_by"], "couples": ["partner_one_user_id"], "user_profiles": ["user_id"],
    "messages": ["sender_user_id"], "activities": ["actor_user_id"], "analytics_events": ["actor_user_id"],
    "reviews": ["author_user_id"], "notifications": ["user_id"], "team_members": ["user_id"],
    "service_reviews": ["author_user_id"],
}
# Unique columns refreshed on insert so allowed inserts can succeed.
FRESH_TEXT = {"suppliers": ("slug", "s-{n}"), "field_mappings": ("form_field_key", "k{n}"),
              "performance_metrics": ("metric", "m{n}"), "core_field_groups": ("key", "g{n}"),
              "core_fields": ("key", "f{n}")}
FRESH_INT = {"form_versions": "version_number", "journey_nodes": "position", "journey_modules": "position"}


class Chooser(Protocol):
    def choice(self, options: Sequence[T]) -> T: ...
    def flip(self) -> bool: ...
    def number(self) -> int: ...


@dataclass
class RandomChooser:
    rng: random.Random

    def choice(self, options: Sequence[T]) -> T:
        return self.rng.choice(options if isinstance(options, (list, tuple)) else list(options))

    def flip(self) -> bool:
        return self.rng.random() < 0.5

    def number(self) -> int:
        return self.rng.randrange(1_000_000)


def tenant_columns(matrix: AccessMatrix, table: str) -> list[str]:
    """The columns naming the row's tenant(s): the matrix tenant key, team, couple and user columns."""
    spec = matrix[table]
    cols = [c.strip() for c in spec.tenant_key.split(",") if c.strip() not in ("", "none")]
    for c in (spec.team_column, spec.couple_column, spec.user_column):
        if c not in cols:
            cols.append(c)
    return cols


def personas(world: World, users: Sequence[str] | None = None) -> list[Actor]:
    """Every caller worth trying: anon, each user (or ``users``), service_role, and bad callers. Simplest first
    (anon)."""
    out = [Actor.anon()]
    for u in (world.users() if users is None else users):
        out.append(Actor.user(u, label=f"user:{u}"))
    out.append(Actor.service_role())
    some = world.users()[0] if world.users() else GHOST
    now = int(time.time())
    out += [
        Actor.user(GHOST, label="bad:deleted_user"),
        Actor("authenticated", {"role": "authenticated", "aud": "authenticated"}, "bad:no_sub"),
        Actor("authenticated", {"role": "authenticated", "sub": "not-a-uuid"}, "bad:sub_not_uuid"),
        Actor("anon", {"role": "authenticated", "sub": some}, "bad:role_claim_authenticated_as_anon"),
        Actor.user(some, role="service_role", label="bad:role_claim_service_role"),
        Actor.user(some, iat=now - 7200, exp=now - 3600, label="bad:expired"),
    ]
    return out


BAD_CALLERS = ("bad:deleted_user", "bad:no_sub", "bad:sub_not_uuid", "bad:role_claim_authenticated_as_anon",
               "bad:role_claim_service_role", "bad:expired")


def key_users(world: World, *, seed: int = 0, extra: int = 4, teams: int = 3) -> list[str]:
    """Users who stand in every kind of relation, found from the rows (not from how the world was generated).

    One user of each team role on every soft-deleted supplier and on ``teams`` live ones (those named by the
    rarest rows first, then the biggest teams), users named by the rarest rows (a review's author), up to three
    soft-deleted team members, dual-role users (team and partner) and freelancers (on two or more teams), a
    partner of a couple per connection status and of a soft-deleted couple, two strangers (no team, no couple),
    plus ``extra`` users picked at random with ``seed``.
    """
    picked: list[str] = []

    def take(u: Any) -> None:
        if u is not None and str(u) not in picked:
            picked.append(str(u))

    by_role: dict[tuple[str, str], str] = {}
    memberships: dict[str, set[str]] = {}
    gone = 0
    for (s, u), tm in sorted(world.team_rows.items()):
        if tm["deleted_at"] is not None:
            if gone < 3:
                take(u)
                gone += 1
            continue
        by_role.setdefault((s, str(tm["role"])), u)
        memberships.setdefault(u, set()).add(s)
    size = {s: sum(1 for (t, _) in by_role if t == s) for (s, _) in by_role}
    # suppliers and users named by the rarest rows (a review, a purchase) first: their relations exist nowhere else
    n_suppliers = len(world.tables.get("suppliers", []))
    rarity: dict[str, int] = {}
    for rows in sorted(world.tables.values(), key=len):
        if not 0 < len(rows) < n_suppliers:
            continue
        for r in rows[:1]:
            for c, v in r.items():
                if v is not None and c.endswith("supplier_id"):
                    rarity.setdefault(str(v), len(rows))
                elif v is not None and c.endswith("user_id") and str(v) in world.by_id.get("auth.users", {}):
                    take(v)
    live = sorted((s for s in size if world.live_supplier(s)), key=lambda s: (rarity.get(s, n_suppliers), -size[s], s))
    for key in sorted(by_role, key=lambda k: (world.live_supplier(k[0]), k)):
        if not world.live_supplier(key[0]) or key[0] in live[:teams] or key[0] in rarity:
            take(by_role[key])
    partners: dict[str, list[str]] = {}
    for couple in world.tables.get("couples", []):
        for u in (couple["partner_one_user_id"], couple["partner_two_user_id"]):
            if u is not None:
                partners.setdefault(u, []).append(couple["id"])
    freelancers = [u for u in sorted(memberships) if len(memberships[u]) > 1]
    dual = [u for u in sorted(memberships) if u in partners]
    for u in freelancers[:3] + dual[:3]:
        take(u)
    statuses: dict[Any, str] = {}
    for conn in world.tables.get("supplier_client_connections", []):
        status_key = (conn["status"], conn["deleted_at"] is None)
        statuses.setdefault(status_key, conn["couple_id"])
    for couple_id in statuses.values():
        found = world.row("couples", couple_id)
        if found is not None:
            take(found["partner_one_user_id"])
    for couple in world.tables.get("couples", []):
        if couple["deleted_at"] is not None:
            take(couple["partner_one_user_id"])
            break
    strangers = [u for u in world.users() if u not in memberships and u not in partners
                 and not any(k[1] == u for k in world.team_rows)]
    for u in strangers[:2]:
        take(u)
    rest = [u for u in world.users() if u not in picked]
    for u in random.Random(seed).sample(rest, min(extra, len(rest))):
        take(u)
    return picked


def key_personas(world: World, *, seed: int = 0, extra: int = 4, teams: int = 3) -> list[Actor]:
    """:func:`personas` restricted to :func:`key_users` (a big world's every user would take too long)."""
    return personas(world, key_users(world, seed=seed, extra=extra, teams=teams))


def read_attempts(matrix: AccessMatrix, world: World, actor: Actor, table: str, ch: Chooser) -> list[Attempt]:
    """The whole table, count(*), by id, by tenant and a group-by aggregate."""
    rows = world.tables.get(table, [])
    out = [Attempt(actor, table, "select", "all"), Attempt(actor, table, "select", "count")]
    if rows:
        target = ch.choice(rows)
        out.append(Attempt(actor, table, "select", "by_id", target=target))
        col = ch.choice(tenant_columns(matrix, table)) if tenant_columns(matrix, table) else None
        if col and col in target:
            out.append(Attempt(actor, table, "select", f"by_{col}", target=target))
            out.append(Attempt(actor, table, "select", f"group_{col}", target=target))
    return out


def _donor_value(world: World, table: str, col: str, ch: Chooser) -> Any:
    return ch.choice(world.tables[table])[col]


def _apply_insert_triggers(world: World, table: str, new: dict[str, Any]) -> None:
    """Mirror before-insert triggers that change policy columns (reviews take supplier and template from the
    purchase)."""
    if table == "reviews":
        p = world.row("template_purchases", new.get("purchase_id"))
        if p and p["template_id"] and p["buyer_supplier_id"]:
            new["template_id"], new["supplier_id"] = p["template_id"], p["buyer_supplier_id"]
    if table == "core_field_values":
        f = world.row("core_fields", new.get("core_field_id"))
        if f:
            new["field_group_id"] = f["field_group_id"]


def write_attempt(
    matrix: AccessMatrix, world: World, actor: Actor, table: str, command: str, ch: Chooser,
    target: dict[str, Any] | None = None, plain: bool = False,
) -> Attempt | None:
    """One INSERT/UPDATE/DELETE/upsert by ``actor`` on ``table``, aimed by the chooser."""
    rows = world.tables.get(table, [])
    if not rows:
        return None
    spec = matrix[table]
    target = target if target is not None else ch.choice(rows)
    columns = [c for c in target if c not in GENERATED and c != "id"]
    if command == "delete":
        return Attempt(actor, table, "delete", "row", target=target, returning=ch.flip())
    if command in ("update", "upsert"):
        kind = ch.choice(("allowed", "immutable", "move"))
        pool = {
            "allowed": list(spec.update_columns) or columns,
            "immutable": [c for c in columns if c not in spec.update_columns] or columns,
            "move": [c for c in tenant_columns(matrix, table) if c in target] or columns,
        }[kind]
        if command == "upsert":
            # the conflict target is the primary key (id, plus created_at on partitioned tables): keep it fixed
            pool = [c for c in pool if c not in ("id", "created_at")] or [c for c in columns if c != "created_at"]
        col = ch.choice(pool)
        value = _donor_value(world, table, col, ch)
        new = {**target, col: value}
        if command == "upsert":
            return Attempt(actor, table, "upsert", kind, target=target, new=new, columns=(col,),
                           returning=ch.flip())
        return Attempt(actor, table, "update", kind, target=target, new=new, columns=(col,), returning=ch.flip())
    # insert: a copy of a donor row with a new id, aimed at own or another tenant
    new = {k: v for k, v in target.items() if k not in GENERATED}
    new["id"] = str(uuid.UUID(int=ch.number() + (1 << 122) + (uuid.uuid5(uuid.NAMESPACE_DNS, table).int >> 66)))
    shape = "copy"
    uid = actor.user_id
    for col in CALLER_COLUMNS.get(table, []):
        if col in new and (plain or ch.flip()) and uid is not None:
            new[col] = uid
            shape = "as_caller"
    # foreign keys into another row's tenant (another supplier, couple, version, purchase ...)
    if not plain and ch.flip():
        fks = [c for c in new if c.endswith("_id") and c != "id"]
        if fks:
            col = ch.choice(fks)
            new[col] = _donor_value(world, table, col, ch)
            shape += f"+fk:{col}"
    if table in FRESH_TEXT:
        col, pattern = FRESH_TEXT[table]
        new[col] = pattern.format(n=ch.number())
    if table in FRESH_INT:
        new[FRESH_INT[table]] = 1000 + ch.number()
    if table == "template_purchases" or table == "reviews":
        pass
    _apply_insert_triggers(world, table, new)
    return Attempt(actor, table, "insert", shape, new=new, returning=ch.flip())
