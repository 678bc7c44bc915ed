"""The data curve: every catalog query at ci, large and xl, warm and cold, and the gate on its growth to xl.

One profile is measured per database (:func:`measure_profile`, a JSON-ready dict); :func:`curve` joins the
profiles' documents into one row per query and tenant with the ratio xl/large, and :func:`growth_failures`
applies the gate: a tenant-scoped query whose warm median grows more than ``GROWTH_LIMIT`` from ``large`` to
``xl`` fails, naming what changed in its plan between the two profiles.

Warm: the median and p99 of ``runs`` executions after ``warm`` unmeasured ones. Cold: one execution on a new
connection after a server restart, with the OS page cache dropped before the start when the harness may
(root, /proc/sys/vm/drop_caches writable); otherwise after a restart alone, which empties shared_buffers but
keeps the kernel's cache; the document says which (``cold_method``).

Run it alone against any seeded database (the cold figures need a server the harness restarts):

    python -m wedsync_db.perf.data_curve measure --url URL --profile xl --out xl.json [--data-dir DIR]
    python -m wedsync_db.perf.data_curve report ci.json large.json xl.json --out curve/
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psycopg

from wedsync_db.impersonate import request
from wedsync_db.perf import plots as charts
from wedsync_db.perf.catalog import QUERIES
from wedsync_db.perf.gates import explain_as, partitions_of
from wedsync_db.perf.measure import Latency, run_once
from wedsync_db.perf.settle import AUTOVACUUM_WAIT_S, Settled, settle
from wedsync_db.perf.tenants import resolve_tenants
from wedsync_db.perf.thresholds import GROWTH_FLOOR_MS, GROWTH_LIMIT, P99_TARGET_MS, SLOW_QUERY_MS
from wedsync_db.plans import SCAN_TYPES, Plan, PlanNode
from wedsync_db.worlds.disk import on_this_machine

CURVE_PROFILES = ("ci", "large", "xl")
GATE_FROM, GATE_TO = "large", "xl"
MIN_RUNS = 5  # timed runs of a query however slow it is (see _warm_samples)
DROP_CACHES = Path("/proc/sys/vm/drop_caches")
_PARTITION_SUFFIX = re.compile(r"_(?:y\d{4}m\d{2}|default)")

Restart = Callable[[], str]  # restart the server cold; return how (the cold method)


def _fold(name: str | None) -> str:
    """A partition's (or its index's) name as its parent's: activities_y2025m06_pkey -> activities_*_pkey."""
    return _PARTITION_SUFFIX.sub("_*", name or "")


def plan_shape(plan: Plan, partitioned: set[str], *, analyzed: bool = True) -> dict[str, Any]:
    """What the growth gate compares between profiles: scans (partitions folded), partitions read, buffers.

    A Bitmap Index Scan names no relation: it is counted on its Bitmap Heap Scan's. ``analyzed`` False (a plain
    EXPLAIN of a statement that timed out): every planned scan counts as read.
    """
    read: set[tuple[str, str, str | None]] = set()
    partitions: set[str] = set()

    def visit(node: PlanNode, relation: str | None) -> None:
        relation = node.relation or relation
        ran = node.actual_loops > 0 or not analyzed
        if ran and node.node_type in SCAN_TYPES and relation:
            read.add((node.node_type, _fold(relation), _fold(node.index_name) or None))
            if relation in partitioned:
                partitions.add(relation)
        for child in node.children:
            visit(child, relation if node.node_type.startswith("Bitmap") else None)

    visit(plan.root, None)
    return {"scans": [list(s) for s in sorted(read, key=str)], "partitions_read": len(partitions),
            "buffers": plan.buffers(), "rows": plan.rows_returned(), "execution_ms": plan.execution_ms,
            "planning_ms": plan.planning_ms, "analyzed": analyzed}


def plan_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed in a plan's shape from one profile to the next: scans that appeared or changed index,
    partitions no longer pruned, a plan that timed out; empty when the shape is the same."""
    was = {tuple(s) for s in before["scans"]}
    now = {tuple(s) for s in after["scans"]}
    said: list[str] = []
    old_seq = {rel for node, rel, _ in was if node == "Seq Scan"}
    for rel in sorted({rel for node, rel, _ in now if node == "Seq Scan"} - old_seq):
        said.append(f"a Seq Scan on {rel} appeared")
    by_rel = lambda scans: {rel: {(node, ix) for node, r, ix in scans if r == rel} for _, rel, _ in scans}  # noqa: E731
    old, new = by_rel(was), by_rel(now)
    for rel in sorted(set(old) & set(new)):
        gone = {ix for _, ix in old[rel] if ix} - {ix for _, ix in new[rel] if ix}
        came = {ix for _, ix in new[rel] if ix} - {ix for _, ix in old[rel] if ix}
        if gone or came:
            said.append(f"{rel}: index {', '.join(sorted(gone)) or '(none)'} -> {', '.join(sorted(came)) or '(none)'}")
    if after["partitions_read"] > max(before["partitions_read"], 1):
        said.append(f"partitions not pruned: {after['partitions_read']} read (was {before['partitions_read']})")
    if not after.get("analyzed", True):
        said.append("timed out (the statement timeout), so its plan was not run; it plans "
                    + ", ".join(f"{node} on {rel}" + (f" using {ix}" if ix else "") for node, rel, ix in now))
    return said


def plan_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """One sentence on what changed in a plan from one profile to the next (or that nothing did)."""
    said = plan_changes(before, after)
    return "; ".join(said) if said else (
        f"same plan shape; it reads more: {before['buffers']:,} -> {after['buffers']:,} buffers")


def drop_os_cache() -> bool:
    """sync, then drop the kernel's page cache; False when this process may not (not root, or refused)."""
    try:
        subprocess.run(["sync"], check=False)
        DROP_CACHES.write_text("3\n")
        return True
    except OSError:
        return False


def restarter(restart_server: Callable[[], None], *, in_memory: bool = False) -> Restart:
    """A cold restart of a server the harness runs: restart it, then drop the OS page cache when permitted."""
    def restart() -> str:
        restart_server()
        if in_memory:  # a tmpfs is not the page cache: its files stay in memory whatever is dropped
            return "server restart only (cluster in memory: no disk read to make cold)"
        if drop_os_cache():
            return "server restart + OS page cache dropped"
        return "server restart only (OS page cache kept: not permitted to drop it)"
    return restart


def measure_profile(url: str, profile: str, *, runs: int = 20, warm: int = 3, budget_s: float = 10.0,
                    restart: Restart | None = None, settle_wait_s: float = AUTOVACUUM_WAIT_S,
                    log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every catalog query for the whale and the small tenant at one profile: warm (and cold) latency, plan.

    First the server settles (:func:`wedsync_db.perf.settle.settle`), waiting at most ``settle_wait_s`` for
    autovacuum.
    """
    doc: dict[str, Any] = {"profile": profile, "points": [], "cold_method": None, "runs": runs, "warm": warm}
    with psycopg.connect(url, autocommit=True) as conn:
        doc["settled"] = settle(conn, local=on_this_machine(conn.info.host), max_wait_s=settle_wait_s,
                               log=log).to_json()
        row = conn.execute("select sum(greatest(c.reltuples, 0)) from pg_class c join pg_namespace n "
                           "on n.oid = c.relnamespace where c.relkind = 'r' "
                           "and n.nspname in ('public', 'partitions', 'auth')").fetchone()
        doc["rows"] = float(row[0] or 0) if row else 0.0
        tenants = resolve_tenants(conn)
        doc["tenants"] = {label: {"supplier_id": str(t.supplier_id), "clients": t.clients}
                          for label, t in tenants.items()}
        partitioned = {p for q in QUERIES if q.partitioned for p in partitions_of(conn, q.partitioned)}
        for query in QUERIES:
            for tenant in tenants.values():
                samples, timed_out = _warm_samples(conn, query, tenant, runs=runs, warm=warm, budget_s=budget_s)
                # A statement past the actor's statement_timeout: its plan without running it (every scan counts).
                plan, analyzed = _plan(conn, query, tenant, analyze=not timed_out)
                doc["points"].append({
                    "query": query.name, "tenant": tenant.label, "actor": query.actor,
                    "tenant_scoped": query.tenant_scoped, "warm": asdict(Latency.of(samples)), "cold_ms": None,
                    "timed_out": timed_out, "shape": plan_shape(plan, partitioned, analyzed=analyzed),
                })
            log(f"{profile}: warm {query.name}")
    if restart is not None:
        for point in doc["points"]:
            doc["cold_method"] = restart()
            query = next(q for q in QUERIES if q.name == point["query"])
            with psycopg.connect(url, autocommit=True) as conn:  # the tenants read before: no other page warmed
                point["cold_ms"] = _cold_once(conn, query, tenants[point["tenant"]])
        log(f"{profile}: cold ({doc['cold_method']})")
    else:
        doc["cold_method"] = "not measured: the server is not one the harness restarts"
    return doc


def _warm_samples(conn: psycopg.Connection[Any], query: Any, tenant: Any, *, runs: int, warm: int,
                  budget_s: float) -> tuple[list[float], bool]:
    """``runs`` timed runs after ``warm`` untimed ones, fewer (at least MIN_RUNS) past ``budget_s`` seconds.

    A query that takes seconds at xl would otherwise hold the curve for minutes: its p99 is then over fewer runs
    (the document keeps the count).
    """
    started = time.perf_counter()
    samples: list[float] = []
    for i in range(warm + runs):
        began = time.perf_counter()
        ms = _timed(conn, query, tenant)
        if ms is None:  # cancelled by the statement timeout: the time until then is the last sample
            return [*samples, (time.perf_counter() - began) * 1000.0], True
        if i == 0 and ms >= 1000:
            warm = 1  # seconds per run: one unmeasured run warms it as well as three
        if i >= warm:
            samples.append(ms)
        if len(samples) >= runs or (len(samples) >= MIN_RUNS and time.perf_counter() - started >= budget_s):
            break
    return samples, False


def _plan(conn: psycopg.Connection[Any], query: Any, tenant: Any, *, analyze: bool) -> tuple[Plan, bool]:
    """EXPLAIN ANALYZE as the actor, or a plain EXPLAIN when asked or when the analyzed run times out."""
    if analyze:
        try:
            return explain_as(conn, query, tenant), True
        except psycopg.errors.QueryCanceled:
            pass
    return explain_as(conn, query, tenant, analyze=False), False


def _timed(conn: psycopg.Connection[Any], query: Any, tenant: Any) -> float | None:
    """One run's milliseconds, or None when the actor's statement_timeout cancelled it."""
    try:
        return run_once(conn, query, tenant, query.actor)
    except psycopg.errors.QueryCanceled:
        return None


def _cold_once(conn: psycopg.Connection[Any], query: Any, tenant: Any) -> float:
    """The first run of ``query`` on a new connection after a restart: the catalog and data pages all cold."""
    started = time.perf_counter()
    try:
        with request(conn, tenant.actor(query.actor), method=query.method):
            conn.execute(query.statement(), query.params(tenant)).fetchall()
    except psycopg.errors.QueryCanceled:  # the statement timeout: the time until then, a lower bound
        pass
    return (time.perf_counter() - started) * 1000.0


def _by_size(docs: dict[str, dict[str, Any]]) -> list[str]:
    """The measured profiles, smallest database first."""
    return sorted(docs, key=lambda p: docs[p]["rows"])


def curve(docs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per query and tenant: each profile's warm median/p99 and cold figure, the ratios, the plans."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for profile in _by_size(docs):
        for point in docs[profile]["points"]:
            row = rows.setdefault((point["query"], point["tenant"]), {
                "query": point["query"], "tenant": point["tenant"], "tenant_scoped": point["tenant_scoped"],
                "at": {}})
            row["at"][profile] = {"median_ms": point["warm"]["median_ms"], "p99_ms": point["warm"]["p99_ms"],
                                  "cold_ms": point["cold_ms"], "shape": point["shape"],
                                  "timed_out": point.get("timed_out", False)}
    for row in rows.values():
        at = row["at"]
        for a, b in (("ci", "large"), (GATE_FROM, GATE_TO)):
            if a in at and b in at and at[a]["median_ms"]:
                row[f"{b}/{a}"] = at[b]["median_ms"] / at[a]["median_ms"]
        if GATE_FROM in docs and GATE_TO in docs:
            clients = [docs[p].get("tenants", {}).get(row["tenant"], {}).get("clients") for p in (GATE_FROM, GATE_TO)]
            row["tenant_growth"] = clients[1] / clients[0] if all(clients) else 1.0
    return list(rows.values())


def allowed_growth(row: dict[str, Any], limit: float = GROWTH_LIMIT) -> float:
    """The growth a row may show from large to xl: ``limit``, times the tenant's own growth for a query whose work
    is the tenant's matching rows (CatalogQuery.ranks_tenant_rows)."""
    ranks = any(q.ranks_tenant_rows for q in QUERIES if q.name == row["query"])
    return limit * max(row.get("tenant_growth", 1.0), 1.0) if ranks else limit


def _server_ms(shape: dict[str, Any]) -> float:
    return float(shape.get("execution_ms") or 0.0) + float(shape.get("planning_ms") or 0.0)


def growth_confirmed(before: dict[str, Any], after: dict[str, Any], allowed: float) -> bool:
    """Whether the plan confirms a timing growth: its shape changed, or it reads more than ``allowed`` times the
    buffers, or the server's own planning and execution time grew more than that. A warm median that grew while
    the plan did the same work in the same time is the machine's noise (other processes on two shared cores)."""
    if plan_changes(before["shape"], after["shape"]):
        return True
    ratio = lambda f: f(after["shape"]) / max(f(before["shape"]), 1e-9)  # noqa: E731
    return ratio(lambda s: float(s["buffers"])) > allowed or ratio(_server_ms) > allowed


def _grown(rows: list[dict[str, Any]], limit: float) -> list[tuple[dict[str, Any], float]]:
    """Tenant-scoped rows whose warm median grew past their allowance from large to xl (above the noise floor)."""
    key = f"{GATE_TO}/{GATE_FROM}"
    grown = []
    for row in rows:
        ratio, allowed = row.get(key), allowed_growth(row, limit)
        if ratio is None or not row["tenant_scoped"] or ratio <= allowed:
            continue
        if row["at"][GATE_TO]["median_ms"] >= GROWTH_FLOOR_MS:
            grown.append((row, allowed))
    return grown


def _growth_line(row: dict[str, Any], allowed: float) -> str:
    before, after = row["at"][GATE_FROM], row["at"][GATE_TO]
    scaled = f" (the tenant grew {row['tenant_growth']:.1f}x)" if allowed > GROWTH_LIMIT else ""
    return (f"{row['query']} ({row['tenant']}): {before['median_ms']:.2f} -> {after['median_ms']:.2f} ms median, "
            f"{row[f'{GATE_TO}/{GATE_FROM}']:.2f}x > {allowed:.3g}x{scaled} from {GATE_FROM} to {GATE_TO}: "
            f"{plan_change(before['shape'], after['shape'])}; server time {_server_ms(before['shape']):.2f} -> "
            f"{_server_ms(after['shape']):.2f} ms")


def growth_failures(rows: list[dict[str, Any]], limit: float = GROWTH_LIMIT) -> list[str]:
    """The gate: tenant-scoped queries whose warm median grew more than allowed from large to xl, confirmed by
    their plan (:func:`growth_confirmed`), each with what changed."""
    return [_growth_line(row, allowed) for row, allowed in _grown(rows, limit)
            if growth_confirmed(row["at"][GATE_FROM], row["at"][GATE_TO], allowed)]


def unconfirmed_growth(rows: list[dict[str, Any]], limit: float = GROWTH_LIMIT) -> list[str]:
    """Warm medians that grew past their allowance while the plan did the same work in the same server time."""
    return [_growth_line(row, allowed) for row, allowed in _grown(rows, limit)
            if not growth_confirmed(row["at"][GATE_FROM], row["at"][GATE_TO], allowed)]


def markdown(docs: dict[str, dict[str, Any]]) -> list[str]:
    """The curve as Markdown: what was measured, the table, the gate's verdict."""
    rows = curve(docs)
    profiles = _by_size(docs)
    first = docs[profiles[0]] if profiles else {}
    runs, warm = first.get("runs", 20), first.get("warm", 3)
    lines = [f"Warm: median and p99 of {runs} runs after {warm} unmeasured ones (at least {MIN_RUNS}, fewer when a "
             "query's runs pass 10 s), as the query's own user under RLS. "
             "Cold: the first run after a restart ("
             + "; ".join(f"{p}: {docs[p]['cold_method']}" for p in profiles) + ").",
             "- before timing: " + "; ".join(f"{p}: {_settled(docs[p])}" for p in profiles),
             "- data: " + ", ".join(f"{p} {docs[p]['rows']:,.0f} rows (whale {docs[p]['tenants']['whale']['clients']:,}"
                                   f" clients, small {docs[p]['tenants']['small']['clients']:,})" for p in profiles),
             f"- gate: tenant-scoped queries grow <= {GROWTH_LIMIT:g}x (warm median) from {GATE_FROM} to {GATE_TO}, "
             f"counted when the {GATE_TO} median is >= {GROWTH_FLOOR_MS:g} ms", ""]
    headers = ["query", "tenant"]
    for p in profiles:
        headers += [f"{p} median", f"{p} p99", f"{p} cold"]
    headers += [r for r in ("large/ci", "xl/large") if any(r in row for row in rows)]
    lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        cells = [row["query"] + ("" if row["tenant_scoped"] else " (cross-tenant)"), row["tenant"]]
        for p in profiles:
            at = row["at"].get(p)
            cells += ([f"{at['median_ms']:.2f}" + (" (timeout)" if at.get("timed_out") else ""), f"{at['p99_ms']:.2f}",
                       f"{at['cold_ms']:.1f}" if at["cold_ms"] is not None else "-"] if at else ["-"] * 3)
        cells += [f"{row[r]:.2f}x" if r in row else "-" for r in headers[2 + 3 * len(profiles):]]
        lines.append("| " + " | ".join(cells) + " |")
    failures = growth_failures(rows)
    if GATE_TO in docs and GATE_FROM in docs:
        lines += ["", f"**{len(failures)} growth failure(s)**" + (":" if failures else ".")]
        lines += [f"- {f}" for f in failures]
        noise = unconfirmed_growth(rows)
        if noise:
            lines += ["", f"{len(noise)} warm median(s) grew past the limit while the plan did the same work in the "
                      "same server time (same shape, buffers and planning + execution within the limit): the "
                      "machine's noise, not counted:"]
            lines += [f"- {n}" for n in noise]
    if GATE_FROM in docs:
        over = [r for r in rows if GATE_FROM in r["at"] and r["at"][GATE_FROM]["p99_ms"] > P99_TARGET_MS]
        lines += ["", f"Goal: p99 <= {P99_TARGET_MS:g} ms at {GATE_FROM} (warm): "
                  + (", ".join(f"{r['query']} ({r['tenant']}) {r['at'][GATE_FROM]['p99_ms']:.1f} ms" for r in over)
                     if over else "every query meets it.")]
    points = [(r["at"][p]["median_ms"], r["query"], r["tenant"], p) for r in rows for p in r["at"]]
    if points:
        slowest = max(points)
        lines += [f"Slowest warm median: {slowest[1]} ({slowest[2]}) at {slowest[3]}, {slowest[0]:.1f} ms "
                  f"(the slow-query line is {SLOW_QUERY_MS:g} ms)."]
    return lines


def _settled(doc: dict[str, Any]) -> str:
    settled = doc.get("settled")
    return Settled(**settled).describe() if settled else "not recorded"


def plots(docs: dict[str, dict[str, Any]]) -> dict[str, str]:
    """data_curve_<tenant>.svg: warm median against rows in the database, one line per query."""
    profiles = _by_size(docs)
    rows = curve(docs)
    xs = [docs[p]["rows"] / 1e6 for p in profiles]
    files = {}
    for tenant in ("whale", "small"):
        series = {r["query"]: [r["at"].get(p, {}).get("median_ms", 0.0) for p in profiles]
                  for r in rows if r["tenant"] == tenant}
        files[f"data_curve_{tenant}.svg"] = charts.lines(
            f"Warm median vs data size ({tenant} tenant's users)", xs, series,
            x_label="million rows in the database (" + ", ".join(profiles) + ")", y_label="median ms", log_x=True)
    return files


def write(docs: dict[str, dict[str, Any]], out: Path) -> Path:
    """Write curve.json, curve.md and the plots into ``out``; return the Markdown file."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "curve.json").write_text(json.dumps({"profiles": docs, "rows": curve(docs),
                                                "failures": growth_failures(curve(docs))}, indent=1))
    md = ["# The data curve", "", *markdown(docs), ""]
    for name, content in plots(docs).items():
        (out / name).write_text(content)
        md += [f"![{name}]({name})", ""]
    (out / "curve.md").write_text("\n".join(md))
    return out / "curve.md"


def main(argv: list[str] | None = None) -> int:
    """``measure`` one seeded database into JSON; ``report`` several into the curve; exit 1 on a growth failure."""
    parser = argparse.ArgumentParser(prog="python -m wedsync_db.perf.data_curve", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="measure one seeded database")
    m.add_argument("--url", required=True)
    m.add_argument("--profile", required=True)
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--runs", type=int, default=20)
    m.add_argument("--data-dir", type=Path, help="a persistent local cluster (wedsync-db server start --data-dir): "
                   "restart it for the cold figures")
    r = sub.add_parser("report", help="join measured profiles into the curve")
    r.add_argument("docs", nargs="+", type=Path)
    r.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "measure":
        restart = None
        if args.data_dir:
            from wedsync_db.devserver import dev_server

            restart = restarter(dev_server(data_dir=args.data_dir).restart)
        doc = measure_profile(args.url, args.profile, runs=args.runs, restart=restart)
        args.out.write_text(json.dumps(doc, indent=1))
        return 0
    docs = {d["profile"]: d for d in (json.loads(p.read_text()) for p in args.docs)}
    print(write(docs, args.out).read_text())
    return 1 if growth_failures(curve(docs)) else 0


if __name__ == "__main__":
    raise SystemExit(main())
