"""Run EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) and read the plan's shape: scans, pruning, InitPlans, filters."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

# Text that betrays a per-row evaluation of the JWT lookup: auth.uid() and friends are inlined STABLE SQL
# functions, so unwrapped they show up in a scan's Filter as current_setting('request.jwt.claim...').
_HASHED_SUBPLAN = re.compile(r"hashed (SubPlan \d+)")
PER_ROW_JWT_MARKERS = ("current_setting('request.jwt", "auth.uid()", "auth.jwt()", "auth.role()")

SCAN_TYPES = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan", "Tid Scan")


@dataclass(frozen=True)
class PlanNode:
    """One node of a JSON plan, with the fields the gates read and its children."""

    node_type: str
    relation: str | None
    alias: str | None
    index_name: str | None
    parent_relationship: str | None
    subplan_name: str | None
    actual_rows: float
    actual_loops: float
    rows_removed_by_filter: float
    rows_removed_by_index_recheck: float
    filter: str | None
    index_cond: str | None
    shared_hit_blocks: int
    shared_read_blocks: int
    children: tuple[PlanNode, ...] = field(default_factory=tuple)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, node: dict[str, Any]) -> PlanNode:
        return cls(
            node_type=node.get("Node Type", ""),
            relation=node.get("Relation Name"),
            alias=node.get("Alias"),
            index_name=node.get("Index Name"),
            parent_relationship=node.get("Parent Relationship"),
            subplan_name=node.get("Subplan Name"),
            actual_rows=float(node.get("Actual Rows", 0) or 0),
            actual_loops=float(node.get("Actual Loops", 0) or 0),
            rows_removed_by_filter=float(node.get("Rows Removed by Filter", 0) or 0),
            rows_removed_by_index_recheck=float(node.get("Rows Removed by Index Recheck", 0) or 0),
            filter=node.get("Filter"),
            index_cond=node.get("Index Cond") or node.get("Recheck Cond"),
            shared_hit_blocks=int(node.get("Shared Hit Blocks", 0) or 0),
            shared_read_blocks=int(node.get("Shared Read Blocks", 0) or 0),
            children=tuple(cls.from_json(child) for child in node.get("Plans", [])),
            raw=node,
        )

    def walk(self) -> Iterator[PlanNode]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def total_rows(self) -> float:
        """Rows produced over all loops (Actual Rows is a per-loop average)."""
        return self.actual_rows * max(self.actual_loops, 1)

    @property
    def total_rows_removed(self) -> float:
        return (self.rows_removed_by_filter + self.rows_removed_by_index_recheck) * max(self.actual_loops, 1)


@dataclass(frozen=True)
class Plan:
    """A whole EXPLAIN ANALYZE result."""

    root: PlanNode
    planning_ms: float
    execution_ms: float
    raw: list[dict[str, Any]] = field(repr=False, compare=False, default_factory=list)

    def nodes(self) -> Iterator[PlanNode]:
        return self.root.walk()

    def scans(self) -> list[PlanNode]:
        return [n for n in self.nodes() if n.node_type in SCAN_TYPES and n.relation]

    def seq_scans(self) -> list[PlanNode]:
        return [n for n in self.nodes() if n.node_type == "Seq Scan"]

    def scanned_relations(self) -> set[str]:
        """Relations (partitions included) some node actually read; never-executed nodes don't count."""
        return {n.relation for n in self.scans() if n.relation and n.actual_loops > 0}

    def init_plans(self) -> list[PlanNode]:
        return [n for n in self.nodes() if n.parent_relationship == "InitPlan"]

    def once_per_statement_plans(self) -> list[PlanNode]:
        """InitPlans and hashed SubPlans: sub-queries run once per statement (a hashed SubPlan builds its hash table
        once, then each row probes it), unlike a correlated SubPlan, which runs per row."""
        hashed = {name for n in self.nodes() for name in _HASHED_SUBPLAN.findall(n.filter or "")}
        return [n for n in self.nodes() if n.parent_relationship == "InitPlan"
                or (n.parent_relationship == "SubPlan" and n.subplan_name in hashed)]

    def per_row_jwt_filters(self) -> list[PlanNode]:
        """Scan or join nodes whose per-row Filter evaluates the JWT (auth.uid() not wrapped in a sub-select)."""
        return [
            n for n in self.nodes()
            if n.parent_relationship != "InitPlan"
            and any(marker in (n.filter or "") for marker in PER_ROW_JWT_MARKERS)
        ]

    def rows_returned(self) -> float:
        return self.root.total_rows

    def rows_removed_by_filter(self) -> float:
        return sum(n.total_rows_removed for n in self.nodes())

    def buffers(self) -> int:
        return self.root.shared_hit_blocks + self.root.shared_read_blocks  # root counts include children

    def summary(self) -> str:
        """A short, indented text rendering for failure messages."""
        lines: list[str] = []

        def visit(node: PlanNode, depth: int) -> None:
            what = node.node_type
            if node.relation:
                what += f" on {node.relation}"
            if node.index_name:
                what += f" using {node.index_name}"
            if node.subplan_name:
                what += f" ({node.subplan_name})"
            extra = f" rows={node.total_rows:.0f} loops={node.actual_loops:.0f}"
            if node.total_rows_removed:
                extra += f" removed={node.total_rows_removed:.0f}"
            if node.filter:
                extra += f" filter={node.filter[:120]}"
            lines.append("  " * depth + "-> " + what + extra)
            for child in node.children:
                visit(child, depth + 1)

        visit(self.root, 0)
        lines.append(f"planning {self.planning_ms:.2f} ms, execution {self.execution_ms:.2f} ms")
        return "\n".join(lines)


def explain(
    conn: psycopg.Connection[Any], query: str, params: Sequence[Any] | dict[str, Any] | None = None,
    *, analyze: bool = True,
) -> Plan:
    """EXPLAIN the query on this connection (inside whatever impersonation is active) and parse the plan."""
    options = "analyze, buffers, format json" if analyze else "format json"
    row = conn.execute(f"explain ({options}) {query}", params).fetchone()
    assert row is not None
    document = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    top = document[0]
    return Plan(
        root=PlanNode.from_json(top["Plan"]),
        planning_ms=float(top.get("Planning Time", 0.0)),
        execution_ms=float(top.get("Execution Time", 0.0)),
        raw=document,
    )


def relation_row_estimates(conn: psycopg.Connection[Any], relations: set[str]) -> dict[str, float]:
    """Return pg_class.reltuples for the named relations (public schema unless qualified)."""
    if not relations:
        return {}
    rows = conn.execute(
        "select c.relname, greatest(c.reltuples, 0) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relname = any(%s) and n.nspname not in ('pg_catalog', 'information_schema')",
        (sorted(relations),),
    ).fetchall()
    return {str(name): float(tuples) for name, tuples in rows}
