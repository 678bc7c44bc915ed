"""Plan-shape gates: run a catalog query as its real actor under RLS with EXPLAIN ANALYZE and judge the plan.

Gates (each can be loosened in :class:`GateConfig`):
- ``seq_scan``: no sequential scan of a relation whose pg_class.reltuples exceeds ``seq_scan_max_rows``;
- ``pruning``: a time-ranged query on a partitioned table reads at most ``max_partitions`` partitions;
- ``initplan``: a signed-in actor's query evaluates auth.uid() once (an InitPlan, or a hashed SubPlan) and never per
  row in a Filter;
- ``filter_waste``: on relations above the seq-scan size, rows removed by filters stay within ``removed_ratio`` x
  the rows returned or read (or under ``removed_floor``);
- ``budget``: execution time under ``budget_ms`` (a backstop; the seed's alert line is one second).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

from wedsync_db.impersonate import request
from wedsync_db.perf import thresholds
from wedsync_db.perf.catalog import CatalogQuery
from wedsync_db.perf.tenants import Tenant
from wedsync_db.plans import SCAN_TYPES, Plan, explain, relation_row_estimates

GATES = ("seq_scan", "pruning", "initplan", "filter_waste", "budget")


@dataclass(frozen=True)
class GateConfig:
    """Thresholds of the gates."""

    seq_scan_max_rows: float = thresholds.SEQ_SCAN_MAX_ROWS
    removed_ratio: float = thresholds.REMOVED_RATIO
    removed_floor: float = thresholds.REMOVED_FLOOR
    budget_ms: float = thresholds.SLOW_QUERY_MS
    # The tenant curve (wedsync_db/perf/tenant_curve.py)
    point_lookup_max_slope: float = thresholds.POINT_LOOKUP_MAX_SLOPE
    point_lookup_noise_ms: float = thresholds.POINT_LOOKUP_NOISE_MS


@dataclass(frozen=True)
class GateFailure:
    """One gate that failed, with a sentence saying what was seen and what was wanted."""

    gate: str
    message: str
    relation: str | None = None
    filter: str | None = None


@dataclass
class GateResult:
    """The verdict for one query and tenant, with the plan and the numbers the report shows."""

    query: str
    tenant: str
    actor: str
    failures: list[GateFailure]
    checked: list[str]
    execution_ms: float
    planning_ms: float
    rows_returned: float
    rows_removed: float
    partitions_read: int | None
    init_plans: int
    seq_scans: list[str]
    plan: Plan | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "plan"}
        data["passed"] = self.passed
        return data

    def explain_failures(self) -> str:
        """A failure message: what failed, then the plan."""
        lines = [f"{self.query} as {self.actor} ({self.tenant}): {len(self.failures)} gate(s) failed"]
        lines += [f"  [{f.gate}] {f.message}" for f in self.failures]
        if self.plan is not None:
            lines.append(self.plan.summary())
        return "\n".join(lines)


def result_rows(plan: Plan, query: CatalogQuery) -> float:
    """Rows the app gets: inside PostgREST's envelope (one JSON row), the rows fed to the aggregate."""
    root = plan.root
    if query.envelope in ("json", "count") and root.children:
        return root.children[0].total_rows
    return root.total_rows


def partitions_of(conn: psycopg.Connection[Any], parent: str) -> set[str]:
    """Names of the leaf partitions of public.<parent>."""
    rows = conn.execute(
        "select c.relname from pg_partition_tree(%s::regclass) t join pg_class c on c.oid = t.relid where t.isleaf",
        (f"public.{parent}",),
    ).fetchall()
    return {str(r[0]) for r in rows}


def explain_as(
    conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant, *, actor_kind: str | None = None,
    analyze: bool = True,
) -> Plan:
    """EXPLAIN the query inside a PostgREST-style request by its actor (or ``actor_kind``), rolled back."""
    actor = tenant.actor(actor_kind or query.actor)
    with request(conn, actor, method=query.method, path=query.request.split(" ")[1].split("?")[0]):
        return explain(conn, query.statement(), query.params(tenant), analyze=analyze)


def judge(
    conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant, plan: Plan, config: GateConfig
) -> GateResult:
    """Apply every gate to a plan of ``query``; ``conn`` (not impersonating) reads sizes and partitions."""
    failures: list[GateFailure] = []
    checked = ["seq_scan", "filter_waste", "budget"]

    seq = [n for n in plan.seq_scans() if n.relation and n.actual_loops > 0]
    sizes = relation_row_estimates(conn, {n.relation for n in seq if n.relation})
    for node in seq:
        size = sizes.get(node.relation or "", 0.0)
        if size > config.seq_scan_max_rows:
            failures.append(GateFailure(
                "seq_scan",
                f"sequential scan of {node.relation} (~{size:.0f} rows > {config.seq_scan_max_rows:.0f}); "
                f"filter: {node.filter or '-'}",
                relation=node.relation, filter=node.filter,
            ))

    partitions_read: int | None = None
    if query.partitioned and query.max_partitions is not None:
        checked.append("pruning")
        read = plan.scanned_relations() & partitions_of(conn, query.partitioned)
        partitions_read = len(read)
        if partitions_read > query.max_partitions:
            failures.append(GateFailure(
                "pruning",
                f"read {partitions_read} partitions of {query.partitioned} (want <= {query.max_partitions}): "
                f"{', '.join(sorted(read))}",
                relation=query.partitioned,
            ))

    if query.expects_initplan:
        checked.append("initplan")
        per_row = plan.per_row_jwt_filters()
        if per_row:
            failures.append(GateFailure(
                "initplan",
                "auth.uid()/JWT read per row in a Filter on "
                + ", ".join(f"{n.relation or n.node_type} ({(n.filter or '')[:100]})" for n in per_row),
                relation=per_row[0].relation, filter=per_row[0].filter,
            ))
        elif not plan.once_per_statement_plans():
            failures.append(GateFailure(
                "initplan", "no InitPlan or hashed SubPlan: the policy's auth.uid()/helper call is not evaluated once "
                "per query",
            ))

    # Waste counts only on relations big enough to matter (the seq-scan threshold): on a 600-row partition a
    # seq scan that filters everything is the planner's right choice, and it stays right as data grows only
    # while the relation stays small -- which the large profile checks.
    returned = result_rows(plan, query)
    all_sizes = relation_row_estimates(conn, {n.relation for n in plan.scans() if n.relation})
    big = [n for n in plan.nodes() if n.relation and all_sizes.get(n.relation, 0.0) > config.seq_scan_max_rows]
    removed = sum(n.total_rows_removed for n in big)
    scan_returned = sum(n.total_rows for n in big if n.node_type in SCAN_TYPES)
    basis = max(returned, scan_returned, 1.0)
    if removed > max(config.removed_ratio * basis, config.removed_floor):
        worst = max(big, key=lambda n: n.total_rows_removed)
        failures.append(GateFailure(
            "filter_waste",
            f"{removed:.0f} rows removed by filters for {basis:.0f} rows read "
            f"(want <= {config.removed_ratio:g}x or <= {config.removed_floor:.0f}); worst: "
            f"{worst.node_type} on {worst.relation} filter {(worst.filter or '-')[:120]}",
            relation=worst.relation, filter=worst.filter,
        ))

    if plan.execution_ms > config.budget_ms:
        failures.append(GateFailure("budget", f"{plan.execution_ms:.1f} ms > budget {config.budget_ms:.0f} ms"))

    return GateResult(
        query=query.name, tenant=tenant.label, actor=query.actor, failures=failures, checked=checked,
        execution_ms=plan.execution_ms, planning_ms=plan.planning_ms, rows_returned=returned, rows_removed=removed,
        partitions_read=partitions_read, init_plans=len(plan.init_plans()),
        seq_scans=sorted({n.relation for n in seq if n.relation}), plan=plan,
    )


def run_gates(
    conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant, config: GateConfig | None = None,
    *, warm: int = 1,
) -> GateResult:
    """Run the query as its actor (``warm`` unmeasured runs first, to load the cache), then judge the plan."""
    config = config or GateConfig()
    for _ in range(warm):
        explain_as(conn, query, tenant)
    plan = explain_as(conn, query, tenant)
    return judge(conn, query, tenant, plan, config)
