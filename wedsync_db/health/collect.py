"""Collect every health section from one database and decide which alerts fire."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import psycopg

from wedsync_db.health.activity import read_connections, read_migration_failures
from wedsync_db.health.latency import TAG, read_latency
from wedsync_db.health.model import (
    Alert,
    Connections,
    HealthReport,
    Latency,
    MigrationFailure,
    RlsViolations,
    TableSize,
    Thresholds,
)
from wedsync_db.health.security import DEFAULT_LOG_TABLE, measure_rls_cost, read_rls_violations
from wedsync_db.health.storage import read_index_usage, read_table_sizes
from wedsync_db.impersonate import Actor


def _short(query: str, width: int = 90) -> str:
    return query if len(query) <= width else query[: width - 1] + "…"


def decide_alerts(
    thresholds: Thresholds,
    latency: Latency,
    tables: Sequence[TableSize],
    failures: Sequence[MigrationFailure],
    violations: RlsViolations,
    connections: Connections,
) -> tuple[Alert, ...]:
    """Return the alerts the measurements fire under ``thresholds``; unknown measurements fire nothing."""
    alerts = [
        Alert("slow_query", f"{s.max_ms:.0f} ms at worst ({s.calls} calls, mean {s.mean_ms:.0f} ms): {_short(s.query)}",
              s.max_ms, thresholds.slow_query_ms)
        for s in latency.slow
    ]
    alerts += [
        Alert("table_size", f"{t.schema}.{t.table} holds {t.total_bytes:,} bytes (with indexes and TOAST)",
              t.total_bytes, thresholds.table_size_bytes)
        for t in tables if t.total_bytes > thresholds.table_size_bytes
    ]
    alerts += [
        Alert("failed_migration", f"{f.version:04d}_{f.name} {f.direction} failed at {f.failed_at:%Y-%m-%d %H:%M:%S} "
              f"(SQLSTATE {f.sqlstate}) and has not been applied since: {_short(f.error.splitlines()[0], 120)}",
              1, 0)
        for f in failures if not f.resolved
    ]
    if violations.count is not None and violations.count > thresholds.rls_violations:
        alerts.append(Alert(
            "rls_violations",
            f"{violations.count} refusals with SQLSTATE 42501 ({violations.policy_refusals} by an RLS "
            f"policy, {violations.grant_refusals} for a missing grant; last {violations.last_seen}) "
            f"in {violations.source}",
            violations.count, thresholds.rls_violations,
        ))
    if connections.use_ratio >= thresholds.connection_use:
        alerts.append(Alert(
            "connection_exhaustion", f"{connections.used} of {connections.usable} usable connections in use "
            f"(max_connections {connections.max_connections}, {connections.reserved} reserved for superusers)",
            connections.use_ratio, thresholds.connection_use,
        ))
    for pool in connections.pools:
        use = pool.servers_in_use / pool.pool_size if pool.pool_size else 0.0
        if pool.clients_waiting > thresholds.pool_waiting_clients or use >= thresholds.connection_use:
            alerts.append(Alert(
                "pool_exhaustion", f"pgbouncer pool {pool.database}/{pool.user}: {pool.servers_in_use} of "
                f"{pool.pool_size} server connections in use, {pool.clients_waiting} clients waiting "
                f"(longest {pool.max_wait_seconds:.1f} s)", pool.clients_waiting, thresholds.pool_waiting_clients,
            ))
    return tuple(alerts)


def collect_health(
    conninfo: str,
    *,
    thresholds: Thresholds | None = None,
    log_path: Path | None = None,
    log_table: str = DEFAULT_LOG_TABLE,
    pgbouncer_url: str | None = None,
    sample_seconds: float = 0.0,
    poll_interval: float = 0.02,
    top: int = 10,
    record_snapshot: bool = True,
    measure_rls: bool = True,
    rls_actor: Actor | None = None,
    rls_queries: Sequence[str] | None = None,
) -> HealthReport:
    """Read the server's statistics for one database and return the report with the alerts that fire.

    :param log_path: the server log (written with the harness's log_line_prefix) to count 42501 refusals in;
        without it a csvlog table named ``log_table`` is read, else the count is reported as unknown.
    :param sample_seconds: length of the window in which percentiles are measured; 0 estimates them.
    :param record_snapshot: store the table sizes in wedsync_meta.table_size_snapshots for the next growth figure.
    """
    thresholds = thresholds or Thresholds()
    notes: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(f"{TAG} select current_database(), current_setting('server_version'), now()").fetchone()
        assert row is not None
        database, version, now = str(row[0]), str(row[1]), row[2]
        violations = read_rls_violations(conn, database, log_path, log_table)
        latency = read_latency(conn, conninfo, slow_query_ms=thresholds.slow_query_ms, top=top,
                               sample_seconds=sample_seconds, poll_interval=poll_interval)
        tables, previous_at, recorded, note = read_table_sizes(conn, taken_at=now, record=record_snapshot)
        unused, rare, heavy = read_index_usage(conn, thresholds)
        connections = read_connections(conn, pgbouncer_url)
        failures = read_migration_failures(conn)
    for text in (latency.note, note):
        if text:
            notes.append(text)
    if violations.count is None:
        notes.append(f"RLS violations {violations.source}")
    rls_cost: tuple = ()
    if measure_rls:
        rls_cost, rls_note = measure_rls_cost(conninfo, rls_actor, rls_queries)
        if rls_note:
            notes.append(rls_note)
    alerts = decide_alerts(thresholds, latency, tables, failures, violations, connections)
    return HealthReport(
        database=database, server_version=version, collected_at=now, thresholds=thresholds, latency=latency,
        tables=tables, previous_snapshot_at=previous_at, snapshot_recorded=recorded, unused_indexes=unused,
        rarely_used_indexes=rare, seq_scan_tables=heavy, connections=connections, rls_violations=violations,
        rls_cost=rls_cost, migration_failures=failures, alerts=alerts, notes=tuple(notes),
    )


def health_exit_code(report: HealthReport) -> int:
    """Return 1 when any alert fired, else 0."""
    return 1 if report.alerts else 0
