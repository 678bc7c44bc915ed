"""The tenant curve: in one seeded world, each tenant-scoped catalog query's latency against the acting tenant's size.

Zipf gives tenants from a few rows to the whale. The curve runs every tenant-scoped query as the real users of a
ladder of tenants spread over that range (log-spaced by clients), records the median latency and the rows
returned against the tenant's rows, and fits the slope of log(latency) over log(tenant rows). A point lookup
(``CatalogQuery.point_lookup``: one client, one couple, one record) must cost what its rows cost, not what the
caller's book costs: its slope must stay under ``GateConfig.point_lookup_max_slope``. Each tenant's record is
its *typical* connected client (message count nearest :data:`TYPICAL_MESSAGES`), so the rows a point lookup
returns stay comparable from the smallest tenant to the whale.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from wedsync_db.impersonate import request
from wedsync_db.perf import plots as charts
from wedsync_db.perf.catalog import QUERIES, CatalogQuery
from wedsync_db.perf.gates import GateConfig, explain_as
from wedsync_db.perf.measure import run_once
from wedsync_db.perf.tenants import NoTenants, Tenant, candidate_sizes, tenant_of

TYPICAL_MESSAGES = 10  # the ladder's record: the connected client whose thread is nearest this many messages

# Rows of a tenant: its rows in the supplier-scoped tables the catalog reads (index-only counts on supplier_id).
_TENANT_ROWS = """
select (select count(*) from public.clients where supplier_id = %(s)s)
     + (select count(*) from public.supplier_client_connections where supplier_id = %(s)s)
     + (select count(*) from public.messages where supplier_id = %(s)s)
     + (select count(*) from public.form_responses where supplier_id = %(s)s)
     + (select count(*) from public.journey_instances where supplier_id = %(s)s)
     + (select count(*) from public.activities where supplier_id = %(s)s)
"""


@dataclass(frozen=True)
class CurvePoint:
    """One query run as one tenant's user: the tenant's size, the median, the rows the app gets."""

    tenant: str
    tenant_rows: int
    median_ms: float
    rows_returned: int


@dataclass
class QueryCurve:
    """A query's points over the ladder, the fitted slope, and the verdict (point lookups only are gated)."""

    query: str
    actor: str
    point_lookup: bool
    points: list[CurvePoint]
    slope: float
    passed: bool
    plan: str | None = field(default=None, repr=False)  # the biggest tenant's plan, for an offender

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TenantCurve:
    """The curve of every tenant-scoped query over one ladder of tenants."""

    tenants: list[tuple[str, int]]  # (label, rows), smallest first
    curves: list[QueryCurve]
    max_slope: float
    noise_ms: float

    @property
    def offenders(self) -> list[QueryCurve]:
        return [c for c in self.curves if not c.passed]

    def to_json(self) -> dict[str, Any]:
        return {"tenants": [{"label": label, "rows": rows} for label, rows in self.tenants],
                "max_slope": self.max_slope, "noise_ms": self.noise_ms,
                "curves": [c.to_json() for c in self.curves]}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TenantCurve:
        """The curve back from :meth:`to_json` (a bench report's results.json)."""
        curves = [QueryCurve(c["query"], c["actor"], c["point_lookup"], [CurvePoint(**p) for p in c["points"]],
                             c["slope"], c["passed"], c.get("plan")) for c in doc["curves"]]
        return cls([(t["label"], t["rows"]) for t in doc["tenants"]], curves, doc["max_slope"], doc["noise_ms"])


def log_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) over log(x); 0.0 when x does not vary."""
    lx = [math.log(max(x, 1.0)) for x in xs]
    ly = [math.log(max(y, 1e-6)) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    var = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / var if var else 0.0


def tenant_ladder(conn: psycopg.Connection[Any], count: int = 7) -> list[tuple[Tenant, int]]:
    """Pick ``count`` tenants log-spaced by clients from the smallest usable one to the whale; with their rows."""
    sizes = candidate_sizes(conn)  # (supplier, clients), smallest first
    if len(sizes) < 2:
        raise NoTenants("the tenant curve needs at least two usable suppliers: seed the database")
    low, high = math.log(sizes[0][1]), math.log(sizes[-1][1])
    picked: list[tuple[Any, int]] = []
    for i in range(count):
        target = low + (high - low) * i / (count - 1)
        best = min((s for s in sizes if s not in picked), key=lambda s: (abs(math.log(s[1]) - target), str(s[0])),
                   default=None)
        if best is not None:
            picked.append(best)
    picked.sort(key=lambda s: (s[1], str(s[0])))
    as_of = conn.execute("select date_trunc('second', now())").fetchone()[0]  # type: ignore[index]
    out = []
    for i, (supplier, clients) in enumerate(picked):
        label = "whale" if i == len(picked) - 1 else f"t{i + 1}"
        tenant = tenant_of(conn, label, supplier, clients, as_of, typical_messages=TYPICAL_MESSAGES)
        rows = conn.execute(_TENANT_ROWS, {"s": supplier}).fetchone()[0]  # type: ignore[index]
        out.append((tenant, int(rows)))
    return out


def rows_returned(conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant) -> int:
    """Rows the app gets (the inner query, outside PostgREST's envelope), as the query's actor."""
    with request(conn, tenant.actor(query.actor), method=query.method):
        return len(conn.execute(query.sql, query.params(tenant)).fetchall())


def _medians_ms(conn: psycopg.Connection[Any], query: CatalogQuery, tenants: list[Tenant], runs: int,
                warm: int) -> list[float]:
    """Median ms per tenant, the tenants interleaved in each round so that noise from other work on the
    machine hits every point of the curve alike (a burst during the whale's runs alone would bend it)."""
    for _ in range(warm):
        for tenant in tenants:
            run_once(conn, query, tenant, query.actor)
    samples: list[list[float]] = [[] for _ in tenants]
    for _ in range(runs):
        for i, tenant in enumerate(tenants):
            samples[i].append(run_once(conn, query, tenant, query.actor))
    return [statistics.median(s) for s in samples]


def judge_curve(points: list[CurvePoint], *, point_lookup: bool, config: GateConfig) -> tuple[float, bool]:
    """(slope, passed): a point lookup fails when latency follows tenant size beyond the slope and the noise."""
    # A point that returns nothing is not comparable: its policy InitPlans never run (no row to filter).
    returning = [p for p in points if p.rows_returned > 0]
    points = returning if len(returning) >= 3 else points
    xs = [p.tenant_rows for p in points]
    ys = [p.median_ms for p in points]
    slope = log_slope(xs, ys)
    if not point_lookup:
        return slope, True
    # Growth over the ladder that the fit implies; below the noise line a steep slope is timer jitter.
    span = math.log(max(xs) / max(min(xs), 1))
    fitted_growth_ms = min(ys) * (math.exp(slope * span) - 1.0) if slope > 0 else 0.0
    return slope, slope <= config.point_lookup_max_slope or fitted_growth_ms <= config.point_lookup_noise_ms


def run_tenant_curve(
    conn: psycopg.Connection[Any], *, count: int = 7, runs: int = 9, warm: int = 2,
    config: GateConfig | None = None, queries: Sequence[CatalogQuery] = QUERIES,
    log: Callable[[str], None] = lambda message: None,
) -> TenantCurve:
    """Measure every tenant-scoped query over a ladder of ``count`` tenants; fit and judge each curve."""
    config = config or GateConfig()
    ladder = tenant_ladder(conn, count)
    log("tenant ladder: " + ", ".join(f"{t.label} {rows:,} rows" for t, rows in ladder))
    curves = []
    for query in (q for q in queries if q.tenant_scoped):
        medians = _medians_ms(conn, query, [t for t, _ in ladder], runs, warm)
        points = [CurvePoint(t.label, rows, ms, rows_returned(conn, query, t))
                  for (t, rows), ms in zip(ladder, medians, strict=True)]
        slope, passed = judge_curve(points, point_lookup=query.point_lookup, config=config)
        plan = None if passed else explain_as(conn, query, ladder[-1][0]).summary()
        curves.append(QueryCurve(query.name, query.actor, query.point_lookup, points, slope, passed, plan))
        log(f"{query.name}: slope {slope:+.2f}" + ("" if passed else " FAIL"))
    return TenantCurve([(t.label, rows) for t, rows in ladder], curves, config.point_lookup_max_slope,
                       config.point_lookup_noise_ms)


def markdown(curve: TenantCurve) -> list[str]:
    """The curve as Markdown lines: the ladder, one row per query (median per tenant, slope, verdict), offenders."""
    labels = [f"{label} ({rows:,})" for label, rows in curve.tenants]
    lines = [f"Median ms as each tenant's own user, tenants by rows (smallest to the whale). A point lookup's slope "
             f"of log(latency) over log(tenant rows) must stay <= {curve.max_slope:g} (or its fitted growth over "
             f"the ladder under {curve.noise_ms:g} ms), fitted over the points that return rows (at least 3); rows "
             f"returned in brackets.", "",
             "| query | point lookup | " + " | ".join(labels) + " | slope | result |",
             "|" + "---|" * (len(labels) + 4)]
    for c in curve.curves:
        cells = [f"{p.median_ms:.2f} ({p.rows_returned})" for p in c.points]
        verdict = "pass" if c.passed else "**FAIL**"
        lines.append(f"| {c.query} | {'yes' if c.point_lookup else ''} | " + " | ".join(cells)
                     + f" | {c.slope:+.2f} | {verdict if c.point_lookup else '-'} |")
    for c in curve.offenders:
        lines += ["", f"- **{c.query}** grows with the caller's tenant (slope {c.slope:+.2f}); plan for the whale:",
                  "", "```", c.plan or "", "```"]
    return lines


def plot(curve: TenantCurve, *, point_lookups: bool = True) -> str:
    """SVG lines: median latency against tenant rows (log scale), one line per query."""
    xs = [float(rows) for _, rows in curve.tenants]
    chosen = [c for c in curve.curves if c.point_lookup == point_lookups]
    kind = "point lookups" if point_lookups else "lists"
    return charts.lines(f"Tenant curve ({kind}): median ms against the tenant's rows", xs,
                     {c.query: [p.median_ms for p in c.points] for c in chosen},
                     x_label="rows of the acting tenant (log scale)", y_label="median ms", log_x=True)


def write(curve: TenantCurve, out: Path) -> Path:
    """Write tenant_curve.md (the table, then its two plots), tenant_curve.json and the plots; return the .md."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "tenant_curve_point_lookups.svg").write_text(plot(curve))
    (out / "tenant_curve_lists.svg").write_text(plot(curve, point_lookups=False))
    (out / "tenant_curve.json").write_text(json.dumps(curve.to_json(), indent=1))
    page = out / "tenant_curve.md"
    page.write_text("\n".join(["# Tenant curve", "", *markdown(curve), "",
                                "![point lookups](tenant_curve_point_lookups.svg)", "",
                                "![lists](tenant_curve_lists.svg)", ""]))
    return page


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m wedsync_db.perf.tenant_curve URL [OUT_DIR] [--count 7]``: measure a seeded database, write
    tenant_curve.md, tenant_curve.json and the two SVG plots; exit 1 when a point lookup fails the gate."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m wedsync_db.perf.tenant_curve")
    parser.add_argument("url", help="libpq URL of a seeded database (read only: every request rolls back)")
    parser.add_argument("out", nargs="?", default="bench/results/tenant-curve", help="output directory")
    parser.add_argument("--count", type=int, default=7, help="tenants on the ladder (default 7)")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per query and tenant (default 9)")
    args = parser.parse_args(argv)
    with psycopg.connect(args.url, autocommit=True) as conn:
        curve = run_tenant_curve(conn, count=args.count, runs=args.runs, log=print)
    page = write(curve, Path(args.out))
    print(f"{len(curve.offenders)} point lookup(s) follow the tenant's size; report: {page}")
    raise SystemExit(1 if curve.offenders else 0)

if __name__ == "__main__":
    main()
