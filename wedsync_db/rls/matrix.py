"""Load schema/access_matrix.yaml into typed rules (the contract the oracle implements)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from wedsync_db.config import SCHEMA_DIR

COMMANDS = ("select", "insert", "update", "delete")
TEAM_ROLES = ("viewer", "member", "admin", "owner")
DEFAULT_PATH = SCHEMA_DIR / "access_matrix.yaml"


@dataclass(frozen=True)
class Rule:
    """One policy: who (OR'ed relations) and conditions on the stored row (when) or the new row (check)."""

    policy: str
    who: tuple[str, ...]
    when: tuple[Any, ...] = ()
    check: tuple[Any, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """Everything the matrix says about one table."""

    name: str
    family: str
    tenant_key: str
    team_column: str
    couple_column: str
    user_column: str
    update_columns: tuple[str, ...]
    rules: dict[str, tuple[Rule, ...]]
    service_role: tuple[str, ...]
    guards: tuple[str, ...] = ()
    partitioned: bool = False
    hidden_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per API role: columns it may not read

    def relations(self) -> list[str]:
        """Every actor relation named by any rule of this table, team roles expanded, in matrix order."""
        seen: list[str] = []
        for command in COMMANDS:
            for rule in self.rules[command]:
                for who in rule.who:
                    for name in expand_relation(who):
                        if name not in seen:
                            seen.append(name)
        return seen

    def policies(self, command: str) -> list[str]:
        return [rule.policy for rule in self.rules[command]]

    def authenticated_may(self, command: str) -> bool:
        """Whether the matrix implies a grant of ``command`` to authenticated (some rule admits a signed-in user)."""
        return any(who != "anon" for rule in self.rules[command] for who in rule.who)

    def anon_may(self, command: str) -> bool:
        return any(who == "anon" for rule in self.rules[command] for who in rule.who)


@dataclass(frozen=True)
class AccessMatrix:
    """The parsed matrix: tables by name, plus the vocabulary text for reports."""

    tables: dict[str, TableSpec]
    vocabulary: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, table: str) -> TableSpec:
        return self.tables[table]

    def cells(self) -> list[tuple[str, str, str]]:
        """Every (table, command, actor relation) cell a run must exercise.

        Relations per table: anon, stranger (signed in, no relation), service_role, every relation named by the
        table's rules (team relations expanded to every team role, so viewer-cannot-write is a cell of its own).
        Unreachable cells are left out: INSERT into suppliers by its own team (the row's id is new).
        """
        out: list[tuple[str, str, str]] = []
        for name, spec in sorted(self.tables.items()):
            relations = ["anon", "stranger", "service_role"] + [
                r for r in spec.relations() if r not in ("anon", "any_authenticated")
            ]
            for command in COMMANDS:
                for relation in relations:
                    if command == "insert" and spec.team_column == "id" and relation.split(":")[0] in (
                        "team", "connected_partner"
                    ):
                        continue  # nobody can be on the team of (or connected to) a row that does not exist yet
                    out.append((name, command, relation))
        return out


def expand_relation(who: str) -> list[str]:
    """``team:member`` -> team:viewer ... team:owner (every role is its own cell); others unchanged."""
    if ":" in who:
        kind, _ = who.split(":", 1)
        return [f"{kind}:{role}" for role in TEAM_ROLES]
    return [who]


def _rules(raw: Any) -> tuple[Rule, ...]:
    if raw in (None, "nobody") or raw == []:
        return ()
    out = []
    for item in raw:
        who = item.get("who", [])
        out.append(Rule(
            policy=item["policy"],
            who=tuple([who] if isinstance(who, str) else who),
            when=tuple(item.get("when") or ()),
            check=tuple(item.get("check") or ()),
        ))
    return tuple(out)


def parse_matrix(data: dict[str, Any]) -> AccessMatrix:
    """Build an AccessMatrix from the YAML document."""
    tables = {}
    for name, raw in data["tables"].items():
        tables[name] = TableSpec(
            name=name,
            family=raw.get("family", ""),
            tenant_key=str(raw.get("tenant_key", "")),
            team_column=raw.get("team_column", "supplier_id"),
            couple_column=raw.get("couple_column", "couple_id"),
            user_column=raw.get("user_column", "user_id"),
            update_columns=tuple(raw.get("update_columns") or ()),
            rules={command: _rules(raw.get(command)) for command in COMMANDS},
            service_role=tuple(raw.get("service_role") or ()),
            guards=tuple(str(g) for g in raw.get("guards") or ()),
            partitioned=bool(raw.get("partitioned")),
            hidden_columns={role: tuple(cols) for role, cols in (raw.get("hidden_columns") or {}).items()},
        )
    return AccessMatrix(tables=tables, vocabulary=data.get("vocabulary", {}))


@lru_cache(maxsize=4)
def load_matrix(path: str | Path = DEFAULT_PATH) -> AccessMatrix:
    """Read and parse the access matrix (cached per path)."""
    return parse_matrix(yaml.safe_load(Path(path).read_text()))
