"""Run the whole benchmark: seed each scale, gate and time the catalog, run the load, build the report document."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg

from wedsync_db.perf.advisor import advise
from wedsync_db.perf.catalog import QUERIES
from wedsync_db.perf.gates import GateConfig, run_gates
from wedsync_db.perf.load import run_load
from wedsync_db.perf.measure import growth, time_query
from wedsync_db.perf.tenant_curve import run_tenant_curve
from wedsync_db.perf.tenants import resolve_tenants
from wedsync_db.worlds.load import seed_database

# Tenants on the tenant curve's ladder per profile (7 for bigger ones): ci has five sizes worth fitting a slope
# over, tiny too few (none: no tenant curve).
TENANT_LADDER = {"tiny": 0, "ci": 5}


def seed(url: str, profile: str) -> None:
    """Seed a migrated database with the profile's world, refresh dashboards, analyze."""
    seed_database(url, profile, progress=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("select public.refresh_dashboards(false)")
        conn.execute("vacuum analyze")


def database_rows(conn: psycopg.Connection[Any]) -> float:
    """Rows in the app's tables (pg_class estimates after analyze)."""
    row = conn.execute(
        "select sum(greatest(c.reltuples, 0)) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind = 'r' and n.nspname in ('public', 'partitions', 'auth')"
    ).fetchone()
    return float(row[0] or 0) if row else 0.0


def measure_database(url: str, *, runs: int, config: GateConfig, log: Callable[[str], None]) -> dict[str, Any]:
    """Gates (with HypoPG advice on failure) and timings of every catalog query for the whale and small tenant."""
    out: dict[str, Any] = {"gates": [], "timings": [], "advice": {}}
    with psycopg.connect(url, autocommit=True) as conn:
        out["rows"] = database_rows(conn)
        out["server_version"] = conn.info.server_version
        tenants = resolve_tenants(conn)
        for query in QUERIES:
            for tenant in tenants.values():
                result = run_gates(conn, query, tenant, config)
                out["gates"].append(result.to_json())
                if not result.passed:
                    try:
                        advice = advise(conn, query, tenant, result)
                    except psycopg.Error as error:  # no hypopg on this server: say so, keep going
                        advice = []
                        log(f"HypoPG unavailable: {error}")
                    out["advice"][f"{query.name}/{tenant.label}"] = [str(a) for a in advice[:3]]
                timing = time_query(conn, query, tenant, runs=runs)
                out["timings"].append({**timing.to_json(), "rls_baseline": query.rls_baseline})
            log(f"measured {query.name}")
    return out


def run_bench(
    *, urls: dict[str, str], profile: str, compare: str | None, runs: int, load_seconds: float,
    clients: int, config: GateConfig, log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure the databases in ``urls`` (profile -> seeded URL); load-test the main one; return the document."""
    started = time.perf_counter()
    doc: dict[str, Any] = {
        "profile": profile, "compare": compare,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"), "targets": {},
        "gates": {}, "timings": {}, "advice": {}, "rows": {},
    }
    for name, url in urls.items():
        log(f"measuring {name}")
        measured = measure_database(url, runs=runs if name == profile else max(runs // 2, 5), config=config, log=log)
        doc["gates"][name], doc["timings"][name] = measured["gates"], measured["timings"]
        doc["rows"][name] = measured["rows"]
        doc["server_version"] = measured["server_version"]
        if name == profile:
            doc["advice"] = measured["advice"]
    if compare and compare in doc["timings"]:
        factor = doc["rows"][profile] / max(doc["rows"][compare], 1.0)
        allowed = 2.0 ** math.log10(max(factor, 1.0))  # 2x per 10x data
        before = {(t["query"], t["tenant"]): t["as_actor"]["median_ms"] for t in doc["timings"][compare]}
        rows = [{"query": t["query"], "tenant": t["tenant"], "small_ms": before[(t["query"], t["tenant"])],
                 "large_ms": t["as_actor"]["median_ms"],
                 "growth": growth(before[(t["query"], t["tenant"])], t["as_actor"]["median_ms"])}
                for t in doc["timings"][profile] if (t["query"], t["tenant"]) in before]
        doc["growth"] = {"data_factor": factor, "allowed": allowed, "rows": rows}
    if ladder_size := TENANT_LADDER.get(profile, 7):
        log(f"tenant curve at {profile}")
        with psycopg.connect(urls[profile], autocommit=True) as conn:
            ladder = run_tenant_curve(conn, count=ladder_size, config=config, log=log)
        doc["tenant_curve"] = ladder.to_json()
    if load_seconds > 0:
        log(f"load run: {clients} clients for {load_seconds:.0f} s")
        doc["load"] = run_load(urls[profile], seconds=load_seconds, clients=clients).to_json()
    doc["seconds"] = time.perf_counter() - started
    return doc


def summary_rows(doc: dict[str, Any]) -> list[list[str]]:
    """One row per query/tenant at the main profile: gates, median, p99, RLS overhead, growth."""
    main = doc["profile"]
    gates = {(g["query"], g["tenant"]): g for g in doc["gates"].get(main, [])}
    grow = {(r["query"], r["tenant"]): r["growth"] for r in doc.get("growth", {}).get("rows", [])}
    rows = []
    for t in doc["timings"].get(main, []):
        key = (t["query"], t["tenant"])
        gate = gates.get(key)
        rows.append([
            t["query"], t["tenant"], "pass" if gate and gate["passed"] else "FAIL",
            f"{t['as_actor']['median_ms']:.2f}", f"{t['as_actor']['p99_ms']:.2f}",
            f"{t['rls_overhead']:.2f}x" if t["rls_baseline"] else "n/a",
            f"{grow[key]:.2f}x" if key in grow else "-",
        ])
    return rows
