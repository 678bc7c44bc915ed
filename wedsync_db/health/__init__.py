"""Database health: latency percentiles, table growth, index usage, connections, RLS, and the alerts on them.

``collect_health(url)`` reads one database's statistics into a frozen ``HealthReport``;
``render_health`` draws it, ``health_json``/``health_from_json`` serialise it, ``health_exit_code``
turns its alerts into an exit status, and ``health_command`` is the ``wedsync-db health`` command.

How each figure is obtained (and said so in the report):

- Latency percentiles: pg_stat_statements keeps only mean and deviation. With ``sample_seconds`` the
  counters of this database's top-level statements are polled during a window and each interval's
  per-call delta is a sample (exact when one call finished in the interval, the interval mean
  otherwise; the report counts both); nearest-rank percentiles over those. Without a window the
  percentiles come from a lognormal fit to mean and deviation, clamped to [min, max], labelled
  "estimated". Details and the rejected log-based method: ``wedsync_db.health.latency``.
- Slow queries: any statement of this database whose slowest call (max_exec_time since the
  statistics reset) exceeds the threshold. pg_stat_statements is cluster-wide; rows are filtered by
  dbid, and the monitor's own statements (tagged ``/* wedsync_db.health */``) are left out.
- Growth: sizes are stored in wedsync_meta.table_size_snapshots on each run; growth is the
  difference to the previous snapshot, whose time the report gives.
- RLS violations: ERROR lines with SQLSTATE 42501 for this database in the server log (the
  harness's log_line_prefix puts user@database and the SQLSTATE in each line), else in a csvlog
  table (``postgres_log``), else "unknown" — never a guessed number.
- RLS cost: EXPLAIN ANALYZE of representative queries as service_role and as an actor, each inside a
  PostgREST-style request (``impersonate.request``), median of three; the ratio is actor/service_role.
- Connections: client backends other than the monitor's own against max_connections minus the
  reserved slots; pgbouncer pools from its admin console when ``pgbouncer_url`` is given.
"""

from wedsync_db.health.collect import collect_health, decide_alerts, health_exit_code
from wedsync_db.health.command import health_command
from wedsync_db.health.model import (
    Alert,
    Connections,
    HealthReport,
    IndexUsage,
    Latency,
    MigrationFailure,
    PoolUse,
    RlsCost,
    RlsViolations,
    SeqScanTable,
    StatementLatency,
    TableSize,
    Thresholds,
    health_from_json,
    health_json,
)
from wedsync_db.health.render import render_health

__all__ = [
    "Alert", "Connections", "HealthReport", "IndexUsage", "Latency", "MigrationFailure", "PoolUse", "RlsCost",
    "RlsViolations", "SeqScanTable", "StatementLatency", "TableSize", "Thresholds", "collect_health",
    "decide_alerts", "health_command", "health_exit_code", "health_from_json", "health_json", "render_health",
]
