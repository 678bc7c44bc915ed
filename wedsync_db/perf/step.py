"""The performance step of the main job: gates, timings, RLS overhead and a short load run on the seeded database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from wedsync_db.perf.bench import run_bench
from wedsync_db.perf.gates import GateConfig
from wedsync_db.perf.report import markdown, plots, write_report
from wedsync_db.report import Case, StepResult


def run_gates(url: str, directory: Path, *, console: Console, profile: str = "ci",
              load_seconds: float = 10.0, clients: int = 4, runs: int = 15) -> StepResult:
    """Gate every catalog query for the whale and the small tenant, time it, load-test; write perf/ and summarise."""
    doc: dict[str, Any] = run_bench(
        urls={profile: url}, profile=profile, compare=None, runs=runs,
        load_seconds=load_seconds, clients=clients, config=GateConfig(),
        log=lambda m: console.print(f"  [dim]{m}[/dim]"),
    )
    figures = plots(doc)
    write_report(doc, directory / "perf", figures)
    gates = doc["gates"][profile]
    cases = [
        Case(f"{g['query']}:{g['tenant']}", g["passed"],
             "; ".join(f"[{f['gate']}] {f['message']}" for f in g.get("failures", [])))
        for g in gates
    ]
    for curve in (doc.get("tenant_curve") or {}).get("curves", []):
        if curve["point_lookup"]:
            cases.append(Case(f"tenant curve: {curve['query']} stays flat", curve["passed"],
                              f"slope {curve['slope']:+.2f} over the tenant ladder"))
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
    details, step_figures = report_details(doc, figures)
    return StepResult(
        "perf", "failed" if failed else "passed", summary, details_markdown=details, figures=step_figures,
        metrics={"gates": len(gates), "failed": len(failed), "load_p99_ms": load_p99},
        cases=cases, artifacts={"perf": "perf/report.html"},
    )


def report_details(doc: dict[str, Any], figures: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The main job's perf details: the bench report's sections, each plot referenced from perf/; the figures."""
    details = markdown(doc, figures, level=3, plot_dir="perf/")
    details.append("The bench report alone, with its results as JSON: [perf/report.html](perf/report.html).")
    return "\n".join(details), {f"perf/{name}": svg for name, svg in figures.items()}
