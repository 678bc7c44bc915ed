"""The performance step of the main job: gates, timings, RLS overhead and a short load run on the seeded database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from wedsync_db.perf.bench import run_bench, summary_rows
from wedsync_db.perf.gates import GateConfig
from wedsync_db.perf.report import html_fragment, plots, write_report
from wedsync_db.report import Case, StepResult


def run_gates(url: str, directory: Path, *, console: Console, profile: str = "ci",
              load_seconds: float = 10.0, clients: int = 4, runs: int = 15) -> StepResult:
    """Gate every catalog query for the whale and the small tenant, time it, load-test; write perf/ and summarise."""
    doc: dict[str, Any] = run_bench(
        urls={profile: url}, profile=profile, compare=None, seed_source="fixtures", runs=runs,
        load_seconds=load_seconds, clients=clients, config=GateConfig(),
        log=lambda m: console.print(f"  [dim]{m}[/dim]"),
    )
    write_report(doc, directory / "perf")
    gates = doc["gates"][profile]
    cases = [
        Case(f"{g['query']}:{g['tenant']}", g["passed"],
             "; ".join(f"[{f['gate']}] {f['message']}" for f in g.get("failures", [])))
        for g in gates
    ]
    load = doc.get("load") or {}
    load_errors = int(load.get("errors", 0) or 0)
    load_p99 = float((load.get("overall") or {}).get("p99_ms", 0.0))
    if load:
        cases.append(Case("load run has no errors", load_errors == 0, f"{load_errors} errors"))
        violations = int(load.get("isolation_violations", 0) or 0)
        cases.append(Case("load run wrote nothing across tenants", violations == 0,
                          f"{violations} cross-tenant writes among {load.get('writes_checked', 0)} checked"))
    failed = [c for c in cases if not c.passed]
    medians = [t["as_actor"]["median_ms"] for t in doc["timings"][profile]]
    overheads = [t["rls_overhead"] for t in doc["timings"][profile] if t["rls_baseline"]]
    summary = (f"{len(gates) - sum(1 for g in gates if not g['passed'])}/{len(gates)} plan gates pass; "
               f"slowest median {max(medians):.1f} ms")
    if overheads:
        summary += f"; RLS overhead median {sorted(overheads)[len(overheads) // 2]:.2f}x"
    if load:
        summary += f"; load {load.get('requests', 0)} requests, p99 {load_p99:.1f} ms, {load_errors} errors"
    table = ["| query | tenant | gates | median ms | p99 ms | RLS overhead | growth |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    table += ["| " + " | ".join(row) + " |" for row in summary_rows(doc)]
    return StepResult(
        "perf", "failed" if failed else "passed", summary,
        details_markdown="\n".join(table) + "\n\nFull report with plots: perf/report.html",
        details_html=html_fragment(doc, plots(doc)),
        metrics={"gates": len(gates), "failed": len(failed), "load_p99_ms": load_p99},
        cases=cases, artifacts={"perf": "perf/report.html"},
    )
