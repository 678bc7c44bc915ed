"""The ``wedsync-db bench`` command (registered by cli.py): gates, timings, scale, RLS overhead, load, report."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from wedsync_db.perf import thresholds
from wedsync_db.perf.gates import GateConfig
from wedsync_db.server.base import database_of

COMPARE_WITH = {"tiny": None, "ci": "tiny", "large": "ci", "xl": "large"}


def bench_command(
    profile: Annotated[str, typer.Option(help="Seed profile to measure: tiny, ci, large or xl.")] = "ci",
    compare: Annotated[str | None, typer.Option(
        help="A smaller profile to measure too, for the scale curve "
             "(default: the next smaller; 'none' to skip).")] = None,
    load_seconds: Annotated[float, typer.Option(help="Length of the load run in seconds (0 skips it).")] = 20.0,
    clients: Annotated[int, typer.Option(help="Concurrent clients in the load run (1-32).")] = 4,
    runs: Annotated[int, typer.Option(help="Timed runs per query, tenant and role.")] = 20,
    database_url: Annotated[str | None, typer.Option(
        help="Measure this already seeded database instead of seeding throwaway ones (env DATABASE_URL). "
             "The load run writes rows tagged 'load-run' and only targets loopback servers.")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default bench/results/<profile>-<time>).")] = None,
    seq_scan_max_rows: Annotated[float, typer.Option(help="Gate: largest relation a seq scan may read.")] = (
        thresholds.SEQ_SCAN_MAX_ROWS),
    budget_ms: Annotated[float, typer.Option(help="Gate: execution time backstop per query.")] = (
        thresholds.SLOW_QUERY_MS),
    curve: Annotated[bool, typer.Option("--curve", help=(
        "Also measure the data curve (wedsync_db/perf/data_curve.py): every query at ci, large and, with "
        "--profile xl, xl, warm and cold, and the large->xl growth gate. Local: seeds each profile up to "
        "--profile on disk. With --database-url: that database's warm points only."))] = False,
    seed_database: Annotated[bool, typer.Option("--seed-database", help=(
        "With --database-url: seed --profile into that migrated database first. Refused in one line when it "
        "already holds data, unless --replace."))] = False,
    replace: Annotated[bool, typer.Option("--replace", help=(
        "With --seed-database: empty the seeded tables of --database-url first (destroys its data)."))] = False,
) -> None:
    """Benchmark the app's query catalog as its real users: plan gates, latency, RLS overhead, scale, load.

    Seeds throwaway databases on a local server (the profile, and a smaller one for the scale curve),
    runs every catalog query as its actor under RLS for the whale tenant and a small one, and writes
    report.md, report.html (with SVG plots) and results.json; prints a summary table.

    Examples:

      wedsync-db bench                                  # ci vs tiny, 20 s load: about 2-3 minutes

      wedsync-db bench --profile large --load-seconds 300   # nightly: large vs ci, 5-minute load run

      wedsync-db bench --database-url postgresql://postgres@127.0.0.1:5432/wedsync --load-seconds 60

      wedsync-db bench --profile large --curve --load-seconds 0   # the data curve at ci and large, warm and cold

      wedsync-db bench --profile xl --database-url $BIG --seed-database --replace --curve   # xl on a bigger server
    """
    # Imported here, not at the top: the bench machinery and matplotlib would cost every CLI start about a second.
    from wedsync_db.perf.bench import run_bench, seed, summary_rows
    from wedsync_db.perf.data_curve import curve as curve_rows
    from wedsync_db.perf.data_curve import growth_failures, measure_profile, restarter
    from wedsync_db.perf.report import write_report

    console = Console()
    log = lambda message: console.print(f"[dim]{message}[/]")  # noqa: E731
    config = GateConfig(seq_scan_max_rows=seq_scan_max_rows, budget_ms=budget_ms)
    target = database_url or os.environ.get("DATABASE_URL")
    smaller = None if compare == "none" else (compare or COMPARE_WITH.get(profile))
    if (seed_database or replace) and not target:
        raise typer.BadParameter("--seed-database and --replace need --database-url (or DATABASE_URL)")
    server = None
    curve_docs: dict[str, dict[str, Any]] = {}
    try:
        if target:
            urls, smaller = {profile: target}, None
            if seed_database:
                seed_target(target, profile, replace=replace, log=log)
            if curve:
                curve_docs[profile] = measure_profile(target, profile, runs=runs, log=log)
        else:
            from wedsync_db.janitor import Janitor, unique_name
            from wedsync_db.server.local import LocalServer

            # large and xl hold GBs: on disk, and so does a curve (its cold figures read the disk); smaller
            # profiles where the harness's default puts them
            on_disk = profile in ("large", "xl") or curve
            server = LocalServer(in_memory=False if on_disk else None)
            server.start()
            janitor = Janitor(server)
            template = janitor.build_migrated("bench")
            janitor.mark_template(template)
            wanted = [p for p in (smaller, profile) if p]
            along = curve_profiles(profile) if curve else []
            refuse_short_disk(server.url(template), [*dict.fromkeys(along + wanted)])
            urls = {}
            for name in [*dict.fromkeys(along + wanted)]:
                log(f"seeding {name}")
                db = janitor.create(unique_name(f"bench_{name}"), template=template)
                seed(server.url(db), name)
                if name in along:
                    restart = restarter(server.restart, in_memory=server.in_memory)
                    curve_docs[name] = measure_profile(server.url(db), name, runs=runs, restart=restart, log=log)
                if name in wanted:
                    urls[name] = server.url(db)
                else:
                    janitor.drop(db)  # measured for the curve only: give its disk back
        doc = run_bench(urls=urls, profile=profile, compare=smaller, runs=runs,
                        load_seconds=load_seconds, clients=clients, config=config, log=log)
    finally:
        if server is not None:
            server.stop()
    if curve_docs:
        doc["curve"] = curve_docs
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
    failures = growth_failures(curve_rows(curve_docs)) if curve_docs else []
    for failure in failures:
        console.print(f"[red]growth:[/red] {failure}", soft_wrap=True)
    for flat in (doc.get("tenant_curve") or {}).get("curves", []):
        if not flat["passed"]:
            failures.append(flat["query"])
            console.print(f"[red]tenant curve:[/red] {flat['query']} follows the caller's tenant size "
                          f"(slope {flat['slope']:+.2f})", soft_wrap=True)
    if failures:
        raise typer.Exit(1)


def curve_profiles(profile: str) -> list[str]:
    """The curve's profiles up to ``profile`` (ci, large; xl too when it is asked for)."""
    from wedsync_db.perf.data_curve import CURVE_PROFILES

    if profile not in CURVE_PROFILES:
        return [profile]
    return list(CURVE_PROFILES[: CURVE_PROFILES.index(profile) + 1])


def refuse_short_disk(url: str, profiles: list[str]) -> None:
    """Exit 1 with one line, before any seeding, when the local server's disk cannot hold these profiles."""
    from wedsync_db.worlds.disk import check_disk, gigabytes
    from wedsync_db.worlds.profiles import get_profile

    with psycopg.connect(url, autocommit=True) as conn:
        checks = [check_disk(conn, url, get_profile(p)) for p in profiles]
    need = sum(c.need for c in checks)
    free = checks[0].free if checks else None
    if free is not None and free < need:
        Console(stderr=True).print(
            f"[red]error:[/red] refused: seeding {', '.join(profiles)} needs ~{gigabytes(need)} of disk and the "
            f"server's data directory {checks[0].where} has {gigabytes(free)} free", soft_wrap=True)
        raise typer.Exit(1)


def seed_target(url: str, profile: str, *, replace: bool, log: Callable[[str], None]) -> None:
    """Seed a database the caller named; refuse in one line (exit 1) when it holds data and --replace is absent."""
    from wedsync_db.worlds.load import holds_data, seed_database

    existing = holds_data(url)
    if existing and not replace:
        Console(stderr=True).print(
            f"[red]error:[/red] refused: {database_of(url)} already holds data ({', '.join(existing[:3])}, ...): "
            f"pass --replace to empty it and seed {profile}, or point --database-url at an empty migrated database",
            soft_wrap=True)
        raise typer.Exit(1)
    refuse_short_disk(url, [profile])
    log(f"seeding {profile} into {database_of(url)}" + (" (replacing its data)" if existing else ""))
    seed_database(url, profile, mode="replace", progress=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("select public.refresh_dashboards(false)")
        conn.execute("vacuum analyze")
