"""The bench report: one JSON document (for trends between runs) rendered as Markdown and HTML with SVG plots."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from wedsync_db.page import markdown_html, render
from wedsync_db.perf import data_curve, tenant_curve
from wedsync_db.perf import plots as charts
from wedsync_db.perf import thresholds as T

TARGETS = {"median_ms": T.MEDIAN_TARGET_MS, "p99_ms": T.P99_TARGET_MS, "rls_overhead": T.RLS_OVERHEAD_TARGET,
           "growth_per_10x": T.GROWTH_PER_10X_TARGET, "load_p99_ms": T.LOAD_P99_TARGET_MS}

INTRO = f"""This report measures the queries the WedSync (suppliers) and WedMe (couples) apps send, run exactly as
the apps' users run them: through the PostgREST recipe (one transaction, the user's role and JWT claims), so
row-level security applies. For each query and two tenants -- the *whale* (the supplier with the most clients)
and a *small* supplier -- it checks the plan's shape (gates), times the query as its user and as the backend
(service_role, which skips RLS, with the same tenant filter written out), compares two data sizes, and runs a
load test of many users at once. Targets: median <= {T.MEDIAN_TARGET_MS:g} ms and p99 <= {T.P99_TARGET_MS:g} ms per
query, RLS overhead <= {T.RLS_OVERHEAD_TARGET:g}x, growth <= {T.GROWTH_PER_10X_TARGET:g}x for 10x data, load p99 <=
{T.LOAD_P99_TARGET_MS:g} ms with zero errors."""


def _fmt(v: Any, digits: int = 2) -> str:
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table; a column whose first value is a number is right-aligned."""
    numeric = [isinstance(c, int | float) for c in rows[0]] if rows else [False] * len(headers)
    out = ["| " + " | ".join(headers) + " |", "|" + "".join("---:|" if n else "---|" for n in numeric)]
    out += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return out


def sections(doc: dict[str, Any]) -> list[tuple[str, list[str], str | None]]:
    """(heading, markdown lines, plot file or None) in report order."""
    main = doc["profile"]
    out: list[tuple[str, list[str], str | None]] = []
    meta = [f"- profile: **{main}** (compared with {doc.get('compare') or 'nothing'}); "
            f"server {doc['server_version']}; run at {doc['started_at']}; {doc['seconds']:.0f} s",
            "- data size: " + ", ".join(f"{p}: {n:,.0f} rows" for p, n in doc["rows"].items())]
    out.append(("Run", meta, None))

    gates = doc["gates"].get(main, [])
    failed = [g for g in gates if not g["passed"]]
    lines = [f"{len(gates) - len(failed)} of {len(gates)} query/tenant pairs pass every gate at `{main}`.",
             "Gates: no sequential scan of a big relation; partitions pruned; `auth.uid()` evaluated once (InitPlan);"
             " few rows thrown away by filters; under the time budget.", ""]
    lines += _table(["query", "tenant", "actor", "result", "ms", "rows", "removed", "partitions", "InitPlans"],
                    [[g["query"], g["tenant"], g["actor"], "pass" if g["passed"] else "**FAIL**",
                      g["execution_ms"], int(g["rows_returned"]), int(g["rows_removed"]),
                      g["partitions_read"] if g["partitions_read"] is not None else "-", g["init_plans"]]
                     for g in gates])
    for g in failed:
        lines.append(f"- **{g['query']} ({g['tenant']})**: " + "; ".join(f["message"] for f in g["failures"]))
        for advice in doc.get("advice", {}).get(f"{g['query']}/{g['tenant']}", []):
            lines.append(f"  - HypoPG proposes `{advice}`")
    out.append(("Plan-shape gates", lines, None))

    timings = doc["timings"].get(main, [])
    lines = ["Median and p99 of the statement as the query's own user (under RLS), and as service_role.", ""]
    lines += _table(["query", "tenant", "median ms", "p99 ms", "service median ms", "RLS overhead", "RLS adds ms"],
                    [[t["query"], t["tenant"], t["as_actor"]["median_ms"], t["as_actor"]["p99_ms"],
                      t["as_service"]["median_ms"], f"{t['rls_overhead']:.2f}x" if t["rls_baseline"] else "n/a",
                      t.get("rls_added_ms", 0.0) if t["rls_baseline"] else "n/a"]
                     for t in timings])
    out.append(("Latency per query", lines, "latency.svg"))
    over = [t for t in timings if t["rls_baseline"] and t["rls_overhead"] > TARGETS["rls_overhead"]]
    lines = ["On sub-millisecond queries the ratio is dominated by a fixed cost per statement (the policy helpers "
             "run once, in InitPlans); the 'RLS adds ms' column shows that absolute cost.",
             "RLS overhead = median as the user / median as service_role, same SQL. "
             f"Target <= {T.RLS_OVERHEAD_TARGET:g}x. "
             f"{len(over)} pair(s) above target" + (": " + ", ".join(f"{t['query']} ({t['tenant']}, "
                                                                      f"{t['rls_overhead']:.2f}x)" for t in over)
                                                    if over else ".")]
    out.append(("RLS overhead", lines, "rls_overhead.svg"))
    if doc.get("growth"):
        g = doc["growth"]
        lines = [f"Data grew {g['data_factor']:.1f}x from `{doc['compare']}` to `{main}`; the allowance is "
                 f"2x latency per 10x data (here {g['allowed']:.2f}x).", ""]
        lines += _table(["query", "tenant", f"{doc['compare']} ms", f"{main} ms", "growth"],
                        [[r["query"], r["tenant"], r["small_ms"], r["large_ms"], f"{r['growth']:.2f}x"]
                         for r in g["rows"]])
        out.append(("Scale", lines, "scale.svg"))
    if doc.get("load"):
        load = doc["load"]
        lines = [f"{load['clients']} concurrent clients for {load['seconds']:.0f} s: {load['requests']:,} requests "
                 f"({load['throughput_per_s']:.0f}/s), **{load['errors']} errors**, p50 "
                 f"{load['overall']['median_ms']:.2f} ms, p95 {load['overall']['p95_ms']:.2f} ms, p99 "
                 f"{load['overall']['p99_ms']:.2f} ms (target <= {T.LOAD_P99_TARGET_MS:g} ms). Isolation re-check: "
                 f"{load['isolation_violations']} of {load['writes_checked']} audited writes landed in a tenant "
                 f"the writer does not belong to.", ""]
        lines += _table(["request", "n", "p50 ms", "p95 ms", "p99 ms"],
                        [[k, v["runs"], v["median_ms"], v["p95_ms"], v["p99_ms"]] for k, v in load["by_query"].items()])
        if load["error_examples"]:
            lines.append("Errors: " + "; ".join(load["error_examples"]))
        out.append(("Load run", lines, "load.svg"))
    if doc.get("tenant_curve"):
        ladder = tenant_curve.TenantCurve.from_json(doc["tenant_curve"])
        out.append(("Tenant curve", tenant_curve.markdown(ladder), "tenant_curve_point_lookups.svg"))
        out.append(("Tenant curve: lists", [], "tenant_curve_lists.svg"))
    if doc.get("curve"):
        out.append(("Data curve", data_curve.markdown(doc["curve"]), "data_curve_whale.svg"))
        out.append(("Data curve: the small tenant", [], "data_curve_small.svg"))
    return out


def plots(doc: dict[str, Any]) -> dict[str, str]:
    """SVG files of the report."""
    main = doc["profile"]
    files: dict[str, str] = {}
    timings = doc["timings"].get(main, [])
    labels = [f"{t['query']} ({t['tenant']})" for t in timings]
    series: dict[str, list[float]] = {}
    for profile, rows in doc["timings"].items():
        by = {(r["query"], r["tenant"]): r["as_actor"]["median_ms"] for r in rows}
        series[f"median at {profile}"] = [by.get((t["query"], t["tenant"]), 0.0) for t in timings]
    series[f"p99 at {main}"] = [t["as_actor"]["p99_ms"] for t in timings]
    files["latency.svg"] = charts.bars("Latency as the query's user (ms)", labels, series, marker=T.MEDIAN_TARGET_MS,
                                    marker_label=f"{T.MEDIAN_TARGET_MS:g} ms median target")
    base = [t for t in timings if t["rls_baseline"]]
    files["rls_overhead.svg"] = charts.bars(
        "RLS overhead (user median / service_role median)", [f"{t['query']} ({t['tenant']})" for t in base],
        {"overhead": [t["rls_overhead"] for t in base]}, unit="x", marker=T.RLS_OVERHEAD_TARGET,
        marker_label=f"{T.RLS_OVERHEAD_TARGET:g}x target")
    if doc.get("growth"):
        rows = doc["growth"]["rows"]
        xs = [doc["rows"][doc["compare"]], doc["rows"][main]]
        files["scale.svg"] = charts.lines(
            "Median latency vs data size (whale)", [x / 1000 for x in xs],
            {r["query"]: [r["small_ms"], r["large_ms"]] for r in rows if r["tenant"] == "whale"},
            x_label="thousand rows in the database", y_label="median ms")
    if doc.get("load"):
        over = doc["load"]["over_time"]
        files["load.svg"] = charts.lines(
            "Load run: latency percentiles over time", [p["t"] for p in over],
            {"p50": [p["median_ms"] for p in over], "p95": [p["p95_ms"] for p in over],
             "p99": [p["p99_ms"] for p in over]}, x_label="seconds into the run", y_label="ms")
    if doc.get("tenant_curve"):
        ladder = tenant_curve.TenantCurve.from_json(doc["tenant_curve"])
        files["tenant_curve_point_lookups.svg"] = tenant_curve.plot(ladder)
        files["tenant_curve_lists.svg"] = tenant_curve.plot(ladder, point_lookups=False)
    if doc.get("curve"):
        files.update(data_curve.plots(doc["curve"]))
    return files


def markdown(doc: dict[str, Any], figures: Collection[str], *, level: int = 2, plot_dir: str = "") -> list[str]:
    """The report's Markdown: the introduction, then each section with its plot among ``figures`` as an image."""
    lines = [INTRO, ""]
    for heading, body, plot in sections(doc):
        lines += ["#" * level + " " + heading, "", *body, ""]
        if plot and plot in figures:
            lines += [f"![{heading}]({plot_dir}{plot})", ""]
    return lines


def write_report(doc: dict[str, Any], out_dir: Path, figures: dict[str, str] | None = None) -> dict[str, Path]:
    """Write results.json, report.md, report.html and the SVG plots (``figures``, else drawn); return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "results.json", "md": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["json"].write_text(json.dumps(doc, indent=1, default=str))
    figures = plots(doc) if figures is None else figures
    for name, content in figures.items():
        (out_dir / name).write_text(content)
    title = f"wedsync-db bench: {doc['profile']}"
    text = "\n".join(markdown(doc, figures))
    paths["md"].write_text(f"# {title}\n\n{text}")
    paths["html"].write_text(render("document.html.j2", title=title, body=markdown_html(text, figures)))
    return paths
