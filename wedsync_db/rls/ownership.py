"""Load schema/ownership.yaml: whose data each row is, and which consent edges may open it to another party.

The model is written from the product's rules, apart from the policies and from access_matrix.yaml; the
invariant oracle (:mod:`wedsync_db.rls.invariants`) reads it and nothing else of the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from wedsync_db.config import SCHEMA_DIR

DEFAULT_PATH = SCHEMA_DIR / "ownership.yaml"
PARTIES = ("user", "supplier", "couple", "platform")
EDGES = ("membership", "partnership", "connection", "purchase", "publication")
COMMANDS = ("select", "insert", "update", "delete")


@dataclass(frozen=True)
class PrivateColumn:
    """A column closed even on a row the caller sees; ``opened_by`` opens it, ``free_when`` makes it public."""

    opened_by: str
    free_when: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TableOwnership:
    """Whose rows these are, and how they may be opened to others."""

    name: str
    owners: dict[str, str]  # column -> party
    opened_by: dict[str, tuple[str, ...]] = field(default_factory=dict)  # edge -> commands
    published_when: dict[str, Any] | None = None
    opened_when: dict[str, dict[str, Any]] = field(default_factory=dict)  # edge -> row condition it also needs
    private_columns: dict[str, PrivateColumn] = field(default_factory=dict)
    group_column: str | None = None
    parents: tuple[tuple[str, str], ...] = ()  # (parent table, column): soft delete closes the subtree
    parent_closed_by: str | None = None  # the trigger archiving the children with the parent (not a policy)
    every_user_reads: bool = False
    removable_by: tuple[str, ...] = ()  # parties that may delete a row several parties own
    audit_of_table_column: str | None = None  # audit_log: the column naming the audited table
    founded_by: str | None = None  # suppliers, couples: the column naming the user whose insert creates the party
    linked_after_connection: bool = False  # a joint row written across a connection that is active or has ended

    def owner_columns(self, party: str) -> list[str]:
        return [column for column, p in self.owners.items() if p == party]

    def opens(self, edge: str, command: str) -> bool:
        return command in self.opened_by.get(edge, ())


@dataclass(frozen=True)
class Ownership:
    tables: dict[str, TableOwnership]
    user_id_columns: frozenset[str]
    edges: dict[str, dict[str, Any]]
    functions: dict[str, tuple[str, str]] = field(default_factory=dict)  # RPC -> (table, private column) it returns

    def __getitem__(self, table: str) -> TableOwnership:
        return self.tables[table]

    def parents(self) -> dict[str, dict[str, str]]:
        """``{child: {parent table: column}}`` of the parents policies close (access_matrix.yaml's vocabulary)."""
        return {name: dict(t.parents) for name, t in self.tables.items() if t.parents and not t.parent_closed_by}


class OwnershipError(ValueError):
    """schema/ownership.yaml names a party, edge or command that does not exist."""


def _table(name: str, raw: dict[str, Any]) -> TableOwnership:
    owners = {str(c): str(p) for c, p in (raw.get("owners") or {}).items()}
    for party in owners.values():
        if party not in PARTIES:
            raise OwnershipError(f"ownership.yaml: table {name}: unknown party {party!r}")
    opened = {str(e): tuple(cmds) for e, cmds in (raw.get("opened_by") or {}).items()}
    for edge, cmds in opened.items():
        if edge not in EDGES or not set(cmds) <= set(COMMANDS):
            raise OwnershipError(f"ownership.yaml: table {name}: opened_by {edge}: {list(cmds)} is not valid")
    private = {}
    for column, spec in (raw.get("private_columns") or {}).items():
        spec = spec if isinstance(spec, dict) else {"opened_by": spec}
        private[str(column)] = PrivateColumn(str(spec["opened_by"]), dict(spec.get("free_when") or {}))
    return TableOwnership(
        name=name,
        owners=owners,
        opened_by=opened,
        published_when=raw.get("published_when"),
        opened_when={str(e): dict(c) for e, c in (raw.get("opened_when") or {}).items()},
        private_columns=private,
        group_column=raw.get("group_column"),
        parents=tuple((str(t), str(c)) for t, c in (raw.get("parent") or {}).items()),
        parent_closed_by=raw.get("parent_closed_by"),
        every_user_reads=bool(raw.get("every_user_reads")),
        removable_by=tuple(raw.get("removable_by") or ()),
        audit_of_table_column=raw.get("audit_of"),
        founded_by=raw.get("founded_by"),
        linked_after_connection=bool(raw.get("linked_after_connection")),
    )


def _table_column(text: str) -> tuple[str, str]:
    table, _, column = text.partition(".")
    if not column:
        raise OwnershipError(f"ownership.yaml: functions: {text!r} is not table.column")
    return table, column


@lru_cache(maxsize=4)
def load_ownership(path: str | Path = DEFAULT_PATH) -> Ownership:
    """Read and check schema/ownership.yaml (cached per path)."""
    data = yaml.safe_load(Path(path).read_text())
    return Ownership(
        tables={name: _table(name, raw) for name, raw in data["tables"].items()},
        user_id_columns=frozenset(data.get("user_id_columns") or ()),
        edges=dict(data.get("edges") or {}),
        functions={name: _table_column(str(spec)) for name, spec in (data.get("functions") or {}).items()},
    )
