"""The ``wedsync-db bench`` command (registered by cli.py): gates, timings, scale, RLS overhead, load, report."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wedsync_db.perf.bench import default_seed_source, run_bench, seed, summary_rows
from wedsync_db.perf.gates import GateConfig
from wedsync_db.perf.report import write_report

COMPARE_WITH = {"tiny": None, "ci": "tiny", "large": "ci", "xl": "large"}


def bench_command(
    profile: Annotated[str, typer.Option(help="Seed profile to measure: tiny, ci, large or xl.")] = "ci",
    compare: Annotated[str | None, typer.Option(
        help="A smaller profile to measure too, for the scale curve "
             "(default: the next smaller; 'none' to skip).")] = None,
    load_seconds: Annotated[float, typer.Option(help="Length of the load run in seconds (0 skips it).")] = 20.0,
    clients: Annotated[int, typer.Option(help="Concurrent clients in the load run (1-32).")] = 4,
    runs: Annotated[int, typer.Option(help="Timed runs per query, tenant and role.")] = 20,
    seed_source: Annotated[str | None, typer.Option(
        "--seed",
        help="fixtures (issue 4 worlds) or perf (fast set-based seed); default fixtures if installed.")] = None,
    database_url: Annotated[str | None, typer.Option(
        help="Measure this already seeded database instead of seeding throwaway ones (env DATABASE_URL). "
             "The load run writes rows tagged 'load-run' and only targets loopback servers.")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default bench/results/<profile>-<time>).")] = None,
    seq_scan_max_rows: Annotated[float, typer.Option(help="Gate: largest relation a seq scan may read.")] = 1_000,
    budget_ms: Annotated[float, typer.Option(help="Gate: execution time backstop per query.")] = 1_000.0,
) -> None:
    """Benchmark the app's query catalog as its real users: plan gates, latency, RLS overhead, scale, load.

    Seeds throwaway databases on a local server (the profile, and a smaller one for the scale curve),
    runs every catalog query as its actor under RLS for the whale tenant and a small one, and writes
    report.md, report.html (with SVG plots) and results.json; prints a summary table.

    Examples:

      wedsync-db bench                                  # ci vs tiny, 20 s load: about 2-3 minutes

      wedsync-db bench --profile large --load-seconds 300   # nightly: large vs ci, 5-minute load run

      wedsync-db bench --database-url postgresql://postgres@127.0.0.1:5432/wedsync --load-seconds 60
    """
    console = Console()
    log = lambda message: console.print(f"[dim]{message}[/]")  # noqa: E731
    source = seed_source or default_seed_source()
    config = GateConfig(seq_scan_max_rows=seq_scan_max_rows, budget_ms=budget_ms)
    target = database_url or os.environ.get("DATABASE_URL")
    smaller = None if compare == "none" else (compare or COMPARE_WITH.get(profile))
    server = None
    try:
        if target:
            urls, smaller = {profile: target}, None
        else:
            from wedsync_db.janitor import Janitor, unique_name
            from wedsync_db.server.local import LocalServer

            # large and xl hold GBs: on disk; smaller profiles where the harness's default puts them
            server = LocalServer(in_memory=False if profile in ("large", "xl") else None)
            server.start()
            janitor = Janitor(server)
            template = janitor.build_migrated("bench")
            janitor.mark_template(template)
            urls = {}
            for name in [p for p in (smaller, profile) if p]:
                log(f"seeding {name} ({source})")
                db = janitor.create(unique_name(f"bench_{name}"), template=template)
                seed(server.url(db), name, source)
                urls[name] = server.url(db)
        doc = run_bench(urls=urls, profile=profile, compare=smaller, seed_source=source, runs=runs,
                        load_seconds=load_seconds, clients=clients, config=config, log=log)
    finally:
        if server is not None:
            server.stop()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    paths = write_report(doc, out or Path("bench/results") / f"{profile}-{stamp}")

    table = Table(title=f"wedsync-db bench: {profile}" + (f" (growth vs {smaller})" if smaller else ""))
    for column in ("query", "tenant", "gates", "median ms", "p99 ms", "RLS overhead", "growth"):
        table.add_column(column, justify="left" if column in ("query", "tenant") else "right")
    for row in summary_rows(doc):
        table.add_row(*row, style="red" if row[2] == "FAIL" else None)
    console.print(table)
    if doc.get("load"):
        load = doc["load"]
        console.print(f"load: {load['requests']:,} requests in {load['seconds']:.0f} s, {load['errors']} errors, "
                      f"p50 {load['overall']['median_ms']:.2f} / p95 {load['overall']['p95_ms']:.2f} / p99 "
                      f"{load['overall']['p99_ms']:.2f} ms, isolation violations {load['isolation_violations']}")
    console.print(f"report: {paths['md']}  {paths['html']}  {paths['json']}")
