"""``wedsync-db verify rls``: run the tenant-isolation proof outside pytest and write its report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import psycopg
import typer
from rich.console import Console

from wedsync_db.rls.attempts import fingerprints_of
from wedsync_db.rls.coverage import Coverage
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.reproducer import render
from wedsync_db.rls.world import World, snapshot


def _seeded_database(console: Console) -> tuple[str, Any]:
    """Start (or reach) the configured server, build a migrated database and load the sample world."""
    from wedsync_db.config import Settings
    from wedsync_db.janitor import Janitor, unique_name
    from wedsync_db.rls.sample_world import load_sample_world
    from wedsync_db.server import make_server

    settings = Settings.from_env()
    server = make_server(settings)
    server.start()
    janitor = Janitor(server)
    template = janitor.build_migrated("verifyrls", auto_grants=settings.auto_grants)
    name = janitor.create(unique_name("verifyrls"), template=template)
    url = server.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        load_sample_world(conn)
    console.print(f"[dim]seeded the sample world into {name}[/]")

    def cleanup() -> None:
        janitor.drop_all()
        server.stop()

    return url, cleanup


def verify_rls_command(
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="A migrated, seeded database to prove (never committed to). Default: build one "
        "with the sample world on the configured server (WEDSYNC_DB_SERVER / DATABASE_URL).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder (matrix.md, heatmap.html, pgtap/).")] = Path(
        ".wedsync/rls"),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sweep's random choices.")] = 0,
    rounds: Annotated[int, typer.Option("--rounds", help="Repeat the sweep (more write variants).")] = 1,
    pgtap: Annotated[bool, typer.Option("--pgtap/--no-pgtap", help="Write pgTAP files into <out>/pgtap.")] = True,
    mutants: Annotated[bool, typer.Option("--mutants/--no-mutants",
                                          help="Also run the policy mutants and print the mutation score.")] = False,
) -> None:
    """Prove tenant isolation: every actor x table x command x row against the access matrix.

    Runs the exhaustive sweep (every persona reads every table; inserts, updates, deletes and upserts aimed at
    every row), judges each statement against the oracle, and writes the matrix (matrix.md), an HTML heatmap
    (heatmap.html: table x command x actor relation, allowed/denied, proven/failed, attempts per cell) and pgTAP
    files a `supabase test db` user can run with pg_prove. Exits 1 on any disagreement or untried cell.

    Examples:

      wedsync-db verify rls

      wedsync-db verify rls --out /tmp/rls --mutants

      wedsync-db verify rls --database-url postgresql://postgres@localhost:5432/wedsync --no-pgtap
    """
    from wedsync_db.rls.sweep import sweep

    console = Console()
    cleanup = None
    if database_url is None:
        database_url, cleanup = _seeded_database(console)
    try:
        with psycopg.connect(database_url) as conn:
            oracle = Oracle(World.from_tables(snapshot(conn)))
            fingerprints = fingerprints_of(conn, oracle.matrix.tables)
            started = time.perf_counter()
            judged = sweep(conn, oracle, fingerprints, seed=seed, rounds=rounds)
            elapsed = time.perf_counter() - started
            conn.rollback()
            coverage = Coverage(oracle.matrix)
            coverage.add(judged)
            rate = len(judged) / elapsed
            console.print(f"{coverage.summary()}; {rate:.0f} attempts/s")
            extra = f"{rate:.0f} attempts/s (one attempt = one statement judged against the oracle)."
            if mutants:
                from wedsync_db.rls.mutation import mutants_for, mutation_score, run_mutant

                results = [run_mutant(conn, oracle, m) for t in sorted(oracle.matrix.tables)
                           for m in mutants_for(conn, t)]
                score = mutation_score(results)
                console.print(f"mutation score: {score:.1f}% of {len(results)} mutants")
                for r in results:
                    if not r.caught:
                        console.print(f"[red]survived: {r.mutant.name}[/]")
                extra += f"\n\nMutation score: {score:.1f}% of {len(results)} mutants."
        paths = __import__("wedsync_db.rls.report", fromlist=["write_report"]).write_report(coverage, out, extra)
        if pgtap:
            from wedsync_db.rls.pgtap import write_pgtap

            paths += write_pgtap(oracle, out / "pgtap")[:1]
            console.print(f"pgTAP files in {out / 'pgtap'} (run: pg_prove -d <url> {out / 'pgtap'}/*.sql)")
        for p in paths[:2]:
            console.print(f"wrote {p}")
        for j in coverage.failed[:3]:
            console.print(render(oracle, j), markup=False)
        if coverage.failed or coverage.untried():
            for cell in coverage.untried():
                console.print(f"[red]untried cell: {cell}[/]")
            raise typer.Exit(1)
    finally:
        if cleanup is not None:
            cleanup()
