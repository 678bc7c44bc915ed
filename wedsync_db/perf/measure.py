"""Latency of catalog queries as their actor, RLS overhead against service_role, and growth between scales.

Timings are the statement's wall time seen by the client inside the PostgREST-style request (begin, set_config
and rollback excluded), so they compare like with like. The actor and service_role runs are interleaved so
that noise from other work on the machine hits both sides of a ratio equally.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from wedsync_db.impersonate import request
from wedsync_db.perf.catalog import CatalogQuery
from wedsync_db.perf.tenants import Tenant


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    k = (len(ordered) - 1) * q / 100.0
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass(frozen=True)
class Latency:
    """Summary of timing samples in milliseconds."""

    runs: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples: list[float]) -> Latency:
        return cls(len(samples), statistics.median(samples) if samples else 0.0, percentile(samples, 95),
                   percentile(samples, 99), max(samples, default=0.0))


@dataclass(frozen=True)
class QueryTiming:
    """One query for one tenant: latency as its actor, as service_role, and the ratio of medians."""

    query: str
    tenant: str
    actor: str
    as_actor: Latency
    as_service: Latency

    @property
    def rls_overhead(self) -> float:
        return self.as_actor.median_ms / self.as_service.median_ms if self.as_service.median_ms else 0.0

    def to_json(self) -> dict[str, Any]:
        added = self.as_actor.median_ms - self.as_service.median_ms if self.as_service.runs else 0.0
        return {**asdict(self), "rls_overhead": self.rls_overhead, "rls_added_ms": added}


def run_once(conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant, actor_kind: str) -> float:
    """Execute the query once as ``actor_kind`` in its own request; return the statement's milliseconds."""
    statement, params = query.statement(), query.params(tenant)
    with request(conn, tenant.actor(actor_kind), method=query.method):
        started = time.perf_counter()
        conn.execute(statement, params).fetchall()
        return (time.perf_counter() - started) * 1000.0


def time_query(
    conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant, *, runs: int = 30, warm: int = 3,
) -> QueryTiming:
    """Time the query as its actor and as service_role (same SQL, tenant predicate written out), interleaved.

    Queries without a service_role meaning (``rls_baseline`` False) are timed as the actor only.
    """
    baseline = query.rls_baseline
    for _ in range(warm):
        run_once(conn, query, tenant, query.actor)
        if baseline:
            run_once(conn, query, tenant, "service_role")
    actor: list[float] = []
    service: list[float] = []
    for _ in range(runs):
        actor.append(run_once(conn, query, tenant, query.actor))
        if baseline:
            service.append(run_once(conn, query, tenant, "service_role"))
    return QueryTiming(query.name, tenant.label, query.actor, Latency.of(actor), Latency.of(service))


def growth(small_ms: float, large_ms: float) -> float:
    """Latency growth factor between two scales (1.0 = flat)."""
    return large_ms / small_ms if small_ms else 0.0
