"""The health report as frozen dataclasses, its alert thresholds, and a lossless JSON form."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wedsync_db.perf.thresholds import SLOW_QUERY_MS

GIB = 1024**3


@dataclass(frozen=True)
class Thresholds:
    """When each alert fires; every value can be overridden by keyword or CLI option."""

    slow_query_ms: float = SLOW_QUERY_MS
    """A statement whose slowest execution took longer than this (ms) is a slow query."""
    table_size_bytes: int = GIB
    """A table (with its indexes and TOAST) larger than this fires the table-size alert."""
    connection_use: float = 0.9
    """Connections in use over usable slots (max_connections minus reserved) at or above this ratio."""
    rls_violations: int = 0
    """More 42501 refusals than this (in the log that was read) fire the RLS-violation alert."""
    pool_waiting_clients: int = 0
    """More pgbouncer clients waiting for a server connection than this fire the pool-exhaustion alert."""
    rare_index_scans: int = 50
    """An index scanned fewer times than this (but at least once) is listed as rarely used."""
    seq_scan_min_rows: int = 1000
    """Tables smaller than this are never called sequential-scan heavy (a seq scan is right for them)."""


@dataclass(frozen=True)
class StatementLatency:
    """One top statement of this database (pg_stat_statements, top level only) and its latency percentiles."""

    queryid: int
    query: str
    calls: int
    total_ms: float
    mean_ms: float
    max_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    percentile_method: str
    """"sampled" (measured in the window), "estimated" (lognormal fit) or "single" (one call: exact)."""
    sampled_calls: int = 0
    exact_calls: int = 0


@dataclass(frozen=True)
class Latency:
    """The latency section: statements, how the percentiles were obtained, and since when the counters run."""

    available: bool
    method: str
    statements: tuple[StatementLatency, ...] = ()
    slow: tuple[StatementLatency, ...] = ()
    stats_since: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class TableSize:
    """A table's size now and at the previous snapshot."""

    schema: str
    table: str
    total_bytes: int
    previous_bytes: int | None = None
    growth_bytes: int | None = None


@dataclass(frozen=True)
class IndexUsage:
    """An index that was never, or rarely, scanned since the statistics were reset."""

    schema: str
    table: str
    index: str
    scans: int
    size_bytes: int
    enforces_constraint: bool
    """Primary key or unique: unused for reads, but it still guards the data, so keep it."""


@dataclass(frozen=True)
class SeqScanTable:
    """A table read mostly by sequential scans although it holds enough rows for an index to matter."""

    schema: str
    table: str
    seq_scans: int
    index_scans: int
    live_rows: int
    rows_read_by_seq_scans: int


@dataclass(frozen=True)
class PoolUse:
    """One pgbouncer pool (SHOW POOLS joined with SHOW DATABASES for its size)."""

    database: str
    user: str
    pool_mode: str
    clients_active: int
    clients_waiting: int
    servers_in_use: int
    pool_size: int | None
    max_wait_seconds: float


@dataclass(frozen=True)
class Connections:
    """Client connections against the slots that ordinary roles may use."""

    used: int
    """Client backends other than the monitor's own connection."""
    max_connections: int
    reserved: int
    """superuser_reserved_connections (plus reserved_connections on PostgreSQL 16+)."""
    usable: int
    use_ratio: float
    by_state: tuple[tuple[str, int], ...] = ()
    in_this_database: int = 0
    pooler: str = "no pooler"
    pools: tuple[PoolUse, ...] = ()


@dataclass(frozen=True)
class RlsViolations:
    """42501 (insufficient privilege) refusals for this database: RLS WITH CHECK failures and missing grants."""

    count: int | None
    """None when no log could be read: unknown, never guessed."""
    source: str
    policy_refusals: int | None = None
    grant_refusals: int | None = None
    last_seen: str | None = None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class RlsCost:
    """One representative query's execution time as service_role (RLS bypassed) and as the actor."""

    query: str
    actor: str
    service_role_ms: float | None
    actor_ms: float | None
    ratio: float | None
    error: str = ""


@dataclass(frozen=True)
class MigrationFailure:
    """A row of wedsync_meta.migration_failures; resolved once the ledger shows the step done afterwards."""

    version: int
    name: str
    direction: str
    sqlstate: str | None
    error: str
    failed_at: datetime
    resolved: bool


@dataclass(frozen=True)
class Alert:
    """A fired alert: its kind, what fired it, the measured value and the threshold it crossed."""

    kind: str
    message: str
    value: float
    threshold: float


@dataclass(frozen=True)
class HealthReport:
    """Everything `wedsync-db health` reports about one database and its server."""

    database: str
    server_version: str
    collected_at: datetime
    thresholds: Thresholds
    latency: Latency
    tables: tuple[TableSize, ...]
    previous_snapshot_at: datetime | None
    snapshot_recorded: bool
    unused_indexes: tuple[IndexUsage, ...]
    rarely_used_indexes: tuple[IndexUsage, ...]
    seq_scan_tables: tuple[SeqScanTable, ...]
    connections: Connections
    rls_violations: RlsViolations
    rls_cost: tuple[RlsCost, ...]
    migration_failures: tuple[MigrationFailure, ...]
    alerts: tuple[Alert, ...]
    notes: tuple[str, ...] = ()


# -- JSON ------------------------------------------------------------------------------------------
def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_encode(item) for item in value]
    return value


def _decode(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return None if value is None else _decode(options[0], value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in value)
        return tuple(_decode(arg, item) for arg, item in zip(args, value, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _decode(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.name in value})
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is float and isinstance(value, int):
        return float(value)
    return value


def health_json(report: HealthReport) -> str:
    """Return the report as indented JSON (datetimes in ISO 8601); health_from_json reads it back."""
    return json.dumps(_encode(report), indent=2, sort_keys=False)


def health_from_json(text: str) -> HealthReport:
    """Read a report written by health_json back into the same dataclasses."""
    return typing.cast(HealthReport, _decode(HealthReport, json.loads(text)))
