"""Read the change feed Supabase Realtime reads, and authorise each change per subscriber as Realtime does.

Realtime's postgres_changes (supabase/walrus) decodes a logical replication slot with wal2json
(format-version 2, with primary keys), keeps the tables of the ``supabase_realtime`` publication, and for
each change and subscriber re-selects the row by primary key as that subscriber (role + JWT claims), so the
table's SELECT policies decide who is sent it. DELETE events cannot be re-read and are not RLS-checked.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from wedsync_db.impersonate import Actor, request

PUBLICATION = "supabase_realtime"
ACTIONS = {"I": "insert", "U": "update", "D": "delete"}


@dataclass(frozen=True)
class Change:
    """One decoded row change: action, table, the new columns (insert/update) and the identity (update/delete)."""

    action: str
    schema: str
    table: str
    columns: dict[str, Any] = field(default_factory=dict)
    identity: dict[str, Any] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()

    @property
    def key(self) -> dict[str, Any]:
        """The primary-key values of the changed row (from the new row, else from the old identity)."""
        source = self.columns or self.identity
        return {name: source.get(name) for name in self.primary_key}


def published_tables(conn: psycopg.Connection[Any], publication: str = PUBLICATION) -> list[str]:
    """Return schema.table of every table in the publication."""
    rows = conn.execute(
        "select schemaname || '.' || tablename from pg_publication_tables where pubname = %s order by 1",
        (publication,),
    ).fetchall()
    return [name for (name,) in rows]


class ChangeFeed:
    """A wal2json logical slot filtered to the publication's tables; a context manager that drops the slot."""

    def __init__(self, conn: psycopg.Connection[Any], publication: str = PUBLICATION) -> None:
        self.conn = conn
        self.publication = publication
        self.slot = f"wedsync_realtime_{uuid.uuid4().hex[:12]}"
        self.tables: list[str] = []

    def __enter__(self) -> ChangeFeed:
        self.tables = published_tables(self.conn, self.publication)
        self.conn.execute("select pg_create_logical_replication_slot(%s, 'wal2json')", (self.slot,))
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("select pg_drop_replication_slot(%s)", (self.slot,))

    def _wait_for_wal_flush(self, timeout: float = 5.0) -> None:
        """Logical decoding stops at the flushed WAL position; with synchronous_commit off (our test servers)
        a commit reaches it only when the WAL writer runs (every 200 ms), so wait for it."""
        target = self.conn.execute("select pg_current_wal_insert_lsn()").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.conn.execute("select pg_current_wal_flush_lsn() >= %s::pg_lsn", (target,)).fetchone()
            if row and row[0]:
                return
            time.sleep(0.01)

    def changes(self) -> list[Change]:
        """Consume and return the changes committed since the last call, in commit order."""
        if not self.tables:
            return []
        self._wait_for_wal_flush()
        rows = self.conn.execute(
            "select data from pg_logical_slot_get_changes(%s, null, null, "
            "'format-version', '2', 'include-pk', '1', 'include-transaction', 'false', "
            "'actions', 'insert,update,delete', 'add-tables', %s)",
            (self.slot, ",".join(self.tables)),
        ).fetchall()
        return [_parse(json.loads(data)) for (data,) in rows]


def _parse(message: dict[str, Any]) -> Change:
    def as_dict(items: list[dict[str, Any]] | None) -> dict[str, Any]:
        return {item["name"]: item.get("value") for item in items or []}

    return Change(
        action=ACTIONS[message["action"]],
        schema=message["schema"],
        table=message["table"],
        columns=as_dict(message.get("columns")),
        identity=as_dict(message.get("identity")),
        primary_key=tuple(item["name"] for item in message.get("pk") or []),
    )


def subscriber_may_receive(conn: psycopg.Connection[Any], change: Change, subscriber: Actor) -> bool:
    """Decide as Realtime does: re-select the changed row by primary key as the subscriber.

    Deletes are sent without an RLS check (the row is gone), as in Realtime; callers that care should
    treat them separately.
    """
    if change.action == "delete":
        return True
    if not change.primary_key:
        raise ValueError(f"{change.schema}.{change.table} has no primary key: Realtime refuses it (error 400)")
    condition = sql.SQL(" and ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder()) for name in change.primary_key
    )
    query = sql.SQL("select exists (select 1 from {}.{} where {})").format(
        sql.Identifier(change.schema), sql.Identifier(change.table), condition
    )
    try:
        with request(conn, subscriber, method="GET"):
            row = conn.execute(query, list(change.key.values())).fetchone()
    except psycopg.errors.InsufficientPrivilege:
        return False  # Realtime answers 401 (no SELECT on the table): nothing is sent
    return bool(row and row[0])
