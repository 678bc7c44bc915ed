"""Statement latency from pg_stat_statements: measured percentiles from a sampling window, else a labelled estimate.

pg_stat_statements keeps, per statement, only calls, total, min, max, mean and standard deviation, so
percentiles need one of two methods, and the report always says which one it used:

- sampled (``sample_seconds > 0``): the counters of this database's statements are polled every
  ``poll_interval`` seconds (the cheap ``pg_stat_statements(false)``, no query texts). A statement's
  calls that finished in one interval add ``delta total / delta calls``: exact when it was the only
  call in that interval (always true for calls longer than the interval, the ones that matter for
  p99), the interval's mean otherwise. Percentiles are nearest-rank over these samples, and the
  report gives how many calls were sampled and how many of them exactly.
- estimated (no window, or a statement without calls in it): a lognormal distribution fitted to the
  mean and standard deviation since the statistics were reset (method of moments), clamped to the
  observed [min, max]. It is labelled "estimated" everywhere: it is a model, not a measurement.

A log-based method (log_min_duration_statement = 0 for a window) was rejected: it changes a
cluster-wide setting, needs superuser and the log file, and log lines carry the raw statement text,
which does not map back to pg_stat_statements' normalised statements.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from statistics import NormalDist
from typing import Any

import psycopg
from psycopg import sql

from wedsync_db.health.model import Latency, StatementLatency

TAG = "/* wedsync_db.health */"
"""Every statement the monitor runs carries this comment, so its own statements are left out of the report."""
PERCENTILES = (50.0, 95.0, 99.0)

_DB = "(select oid from pg_catalog.pg_database where datname = current_database())"


def pgss_schema(conn: psycopg.Connection[Any]) -> str | None:
    """Return the schema pg_stat_statements is installed in for this database, or None."""
    row = conn.execute(
        f"{TAG} select n.nspname from pg_catalog.pg_extension e "
        "join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_stat_statements'"
    ).fetchone()
    return str(row[0]) if row else None


def nearest_rank(samples: list[tuple[float, int]], percentile: float) -> float:
    """Return the nearest-rank percentile of weighted samples (value, how many calls had it)."""
    ordered = sorted(samples)
    total = sum(count for _, count in ordered)
    rank = max(1, math.ceil(percentile / 100.0 * total))
    seen = 0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return value
    return ordered[-1][0]


def lognormal_percentile(mean: float, stddev: float, low: float, high: float, percentile: float) -> float:
    """Return a percentile of the lognormal with this mean and deviation, clamped to [low, high]."""
    if mean <= 0 or stddev <= 0:
        return mean
    sigma2 = math.log(1.0 + (stddev / mean) ** 2)
    mu = math.log(mean) - sigma2 / 2.0
    value = math.exp(mu + math.sqrt(sigma2) * NormalDist().inv_cdf(percentile / 100.0))
    return min(max(value, low), high)


def _poll(conn: psycopg.Connection[Any], schema: str) -> dict[int, tuple[int, float]]:
    query = sql.SQL(
        TAG + " select queryid, sum(calls)::bigint, sum(total_exec_time) from {}.pg_stat_statements(false) "
        "where dbid = " + _DB + " and toplevel group by queryid"
    ).format(sql.Identifier(schema))
    return {int(qid): (int(calls), float(total)) for qid, calls, total in conn.execute(query).fetchall()}


def sample_window(
    conninfo: str, schema: str, seconds: float, poll_interval: float = 0.02
) -> dict[int, list[tuple[float, int]]]:
    """Poll the counters for ``seconds``; return per statement the (duration ms, calls) samples of the window."""
    samples: dict[int, list[tuple[float, int]]] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        previous = _poll(conn, schema)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(poll_interval)
            current = _poll(conn, schema)
            for qid, (calls, total) in current.items():
                before_calls, before_total = previous.get(qid, (0, 0.0))
                if calls > before_calls:  # a reset in between shows as fewer calls: skip that interval
                    delta = calls - before_calls
                    samples.setdefault(qid, []).append(((total - before_total) / delta, delta))
            previous = current
    return samples


def _statement(row: tuple[Any, ...], samples: list[tuple[float, int]] | None) -> StatementLatency:
    qid, query, calls, total, mean, stddev, low, high = row
    calls, total, mean, stddev, low, high = (
        int(calls), float(total), float(mean), float(stddev), float(low), float(high))
    if samples:
        p50, p95, p99 = (nearest_rank(samples, p) for p in PERCENTILES)
        method = "sampled"
    elif calls == 1:
        p50 = p95 = p99 = mean
        method = "single"
    else:
        p50, p95, p99 = (lognormal_percentile(mean, stddev, low, high, p) for p in PERCENTILES)
        method = "estimated"
    return StatementLatency(
        queryid=int(qid), query=" ".join(str(query).split()), calls=calls, total_ms=total, mean_ms=mean,
        max_ms=high, p50_ms=p50, p95_ms=p95, p99_ms=p99, percentile_method=method,
        sampled_calls=sum(n for _, n in samples or ()), exact_calls=sum(n for _, n in samples or () if n == 1),
    )


def read_latency(
    conn: psycopg.Connection[Any],
    conninfo: str,
    *,
    slow_query_ms: float,
    top: int = 10,
    sample_seconds: float = 0.0,
    poll_interval: float = 0.02,
) -> Latency:
    """Return this database's top statements with percentiles, and every statement slower than ``slow_query_ms``."""
    schema = pgss_schema(conn)
    if schema is None:
        return Latency(False, "unavailable", note="pg_stat_statements is not installed in this database "
                       "(create extension pg_stat_statements; it needs shared_preload_libraries): latency unknown")
    windows: dict[int, list[tuple[float, int]]] = {}
    if sample_seconds > 0:
        windows = sample_window(conninfo, schema, sample_seconds, poll_interval)
    rows = conn.execute(
        sql.SQL(
            TAG + " select queryid, min(query), sum(calls)::bigint, sum(total_exec_time), "
            "sum(total_exec_time) / nullif(sum(calls), 0), "
            # pooled deviation over the rows of one statement (one row per role that ran it)
            "sqrt(greatest(sum(calls * (stddev_exec_time ^ 2 + mean_exec_time ^ 2)) / nullif(sum(calls), 0) "
            "  - (sum(total_exec_time) / nullif(sum(calls), 0)) ^ 2, 0)), "
            "min(min_exec_time), max(max_exec_time) "
            "from {}.pg_stat_statements(true) where dbid = " + _DB + " and toplevel and calls > 0 "
            "and query not like %s group by queryid"
        ).format(sql.Identifier(schema)),
        ("%wedsync_db.health%",),
    ).fetchall()
    statements = [_statement(row, windows.get(int(row[0]))) for row in rows]
    window_total = {qid: sum(v * n for v, n in s) for qid, s in windows.items()}
    statements.sort(key=lambda s: (window_total.get(s.queryid, 0.0), s.total_ms), reverse=True)
    slow = tuple(sorted((s for s in statements if s.max_ms > slow_query_ms), key=lambda s: s.max_ms, reverse=True))
    since_row = conn.execute(
        sql.SQL(TAG + " select stats_reset from {}.pg_stat_statements_info").format(sql.Identifier(schema))
    ).fetchone()
    since: datetime | None = since_row[0] if since_row else None
    if sample_seconds > 0:
        sampled = sum(s.sampled_calls for s in statements)
        exact = sum(s.exact_calls for s in statements)
        method = (
            f"sampled: pg_stat_statements polled every {poll_interval * 1000:.0f} ms for {sample_seconds:g} s; "
            f"{sampled} calls seen, {exact} measured exactly (alone in their interval), the rest as interval means; "
            "statements without calls in the window are estimated (lognormal fit)"
        )
    else:
        method = ("estimated: lognormal fit to pg_stat_statements' mean and stddev since the statistics reset, "
                  "clamped to [min, max]; run with --sample-seconds for measured percentiles")
    return Latency(True, method, tuple(statements[:top]), slow, since)
