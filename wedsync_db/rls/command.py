"""``wedsync-db verify rls``: run the tenant-isolation proof outside pytest and write its report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import psycopg
import typer
from rich.console import Console

from wedsync_db.report import Case, StepResult
from wedsync_db.rls.attempts import fingerprints_of
from wedsync_db.rls.completion import Completion, complete
from wedsync_db.rls.coverage import Coverage
from wedsync_db.rls.escalation_budgets import BUDGETS, PROFILES
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.report import report_details, write_report
from wedsync_db.rls.reproducer import render
from wedsync_db.rls.world import World, snapshot

if TYPE_CHECKING:
    from wedsync_db.rls.escalation_machine import EscalationReport


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


@dataclass
class Proof:
    """One run of the proof against one database: the oracle, the coverage, rate and optional mutation score."""

    oracle: Oracle
    coverage: Coverage
    seconds: float
    personas: int
    mutants: list[Any] = field(default_factory=list)
    completion: Completion = field(default_factory=Completion)

    @property
    def rate(self) -> float:
        return self.coverage.total / max(self.seconds, 1e-9)

    @property
    def mutation_score(self) -> float | None:
        from wedsync_db.rls.mutation import mutation_score

        return mutation_score(self.mutants) if self.mutants else None

    @property
    def passed(self) -> bool:
        """No disagreement, no untried cell the world could reach, no surviving mutant.

        Cells unreachable in this world (no actor-row pair in the data) do not fail the proof; they are listed.
        """
        return not self.coverage.failed and not self.coverage.missed() and all(m.caught for m in self.mutants)

    def summary(self) -> str:
        cells = self.coverage.matrix.cells()
        failed = sum(1 for c in cells if self.coverage.failures[c])
        proven = sum(1 for c in cells if self.coverage.attempts[c] and not self.coverage.failures[c])
        unreachable = len(self.coverage.untried()) - len(self.coverage.missed())
        text = (f"{self.coverage.total:,} attempts by {self.personas} personas, {proven}/{len(cells)} cells proven"
                f" ({len(self.completion.completed)} by the completion pass), {failed} failed,"
                f" {len(self.coverage.missed())} untried, {unreachable} unreachable in this world;"
                f" {self.rate:,.0f} attempts/s")
        if self.mutants:
            text += f"; mutation score {self.mutation_score:.1f}% of {len(self.mutants)} mutants"
        return text


def prove(conn: psycopg.Connection[Any], *, seed: int = 0, rounds: int = 1, mutants: bool = False,
          all_users: bool = False, max_rows: int = 6, read_rows: int = 1_000) -> Proof:
    """Run the sweep (and optionally the mutants) on ``conn`` inside one transaction, and roll it back.

    Nothing is committed: every attempt runs in a savepoint, mutants are DDL in a transaction that is rolled
    back. Big worlds are sampled: key personas (every relation kind) unless ``all_users``, a few rows per
    relation per table, big tables read through a sample of ids. Then the completion pass aims a few attempts
    at every cell the sample missed, from (actor, row) pairs found in the whole world; cells for which the
    world holds no such pair are recorded as unreachable (``coverage.unreachable``).
    """
    from wedsync_db.rls.generate import key_personas, personas
    from wedsync_db.rls.sweep import sweep

    try:
        oracle = Oracle(World.from_tables(snapshot(conn)))
        actors = personas(oracle.world) if all_users else key_personas(oracle.world, seed=seed)
        fingerprints = fingerprints_of(conn, oracle.matrix.tables)
        started = time.perf_counter()
        judged = sweep(conn, oracle, fingerprints, seed=seed, rounds=rounds, writes=1, actors=actors,
                       max_rows=max_rows, per_relation=1, read_rows=read_rows)
        coverage = Coverage(oracle.matrix)
        coverage.add(judged)
        completion = complete(conn, oracle, coverage, fingerprints, seed=seed)
        elapsed = time.perf_counter() - started
    finally:
        conn.rollback()
    proof = Proof(oracle, coverage, elapsed, len(actors), completion=completion)
    if mutants:
        from wedsync_db.rls.mutation import mutants_for, run_mutant

        try:
            tables = sorted(oracle.matrix.tables)
            found = [m for t in tables for m in mutants_for(conn, t)]
            proof.mutants = [run_mutant(conn, oracle, m, actors=actors) for m in found]
        finally:
            conn.rollback()
    return proof


def cases(proof: Proof) -> list[Case]:
    """One JUnit case per matrix cell, named ``table:command:relation``."""
    out = []
    cov = proof.coverage
    for cell in cov.matrix.cells():
        n = cov.attempts[cell]
        if n == 0 and cov.is_unreachable(cell):
            out.append(Case(":".join(cell), True, f"unreachable in this world: no actor stands in relation {cell[2]}"
                            f" to any row of {cell[0]} (a data gap, not a proof gap)", skipped=True))
            continue
        if n == 0:
            out.append(Case(":".join(cell), False, f"untried: no attempt exercised {':'.join(cell)}"))
            continue
        failing = next((j for j in cov.failed if cell in j.cells), None)
        if failing is not None:
            out.append(Case(":".join(cell), False, f"{cov.failures[cell]} of {n} attempts disagree with the matrix;"
                            f" first: {failing.attempt.describe()}: {failing.why}\n\n{render(proof.oracle, failing)}"))
        else:
            kind = "allowed" if cov.allowed[cell] and not cov.refused[cell] else (
                "partly allowed" if cov.allowed[cell] else "denied")
            out.append(Case(":".join(cell), True, f"proven {kind}, {n} attempts"))
    return out


def _print_gaps(console: Console, cov: Coverage) -> None:
    """Untried cells (a proof gap: fails) in red, cells unreachable in this world (a data gap) as a warning."""
    for cell in cov.missed():
        console.print(f"[red]untried cell: {':'.join(cell)}[/]")
    gaps = [c for c in cov.untried() if c not in set(cov.missed())]
    if gaps:
        console.print(f"[yellow]warning: {len(gaps)} cell(s) unreachable in this world (no actor-row pair in the "
                      f"data; not a failure): {', '.join(':'.join(c) for c in gaps)}[/]")


def _escalate(url: str, directory: Path, profile: str, console: Console) -> tuple[EscalationReport, str]:
    """The escalation search on the same database: printed as it goes, its first failure saved as SQL."""
    console.print(f"[dim]escalation search ({profile} budget): an attacker from a bare sign-up, through the API...[/]")
    from wedsync_db.rls.escalation_machine import search_database  # Hypothesis: only when the search runs

    report, failure = search_database(url, profile, directory / "escalation-first-failure.sql")
    console.print(f"rls: {report.summary()}")
    if failure:
        console.print(failure, style="red", markup=False, highlight=False)
        console.print(f"replay script: {directory / 'escalation-first-failure.sql'}")
    return report, failure


def run_verification(url: str, directory: Path, *, console: Console, mutants: bool = False,
                     seed: int = 0, escalation: str = "ci") -> StepResult:
    """Prove tenant isolation on the database at ``url`` (never committed to) and write the report into ``directory``.

    Writes matrix.md, heatmap.html and pgtap/<table>.test.sql (checks of the database's own rows, for a few
    personas); returns the main job's step result: one case per matrix cell, the matrix and the heatmap.
    """
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        proof = prove(conn, seed=seed, mutants=mutants)
    extra = f"{proof.rate:,.0f} attempts/s (one attempt = one statement judged against the oracle)."
    if proof.mutants:
        extra += f"\n\nMutation score: {proof.mutation_score:.1f}% of {len(proof.mutants)} mutants."
    directory.mkdir(parents=True, exist_ok=True)
    paths = write_report(proof.coverage, directory, extra)
    from wedsync_db.rls.generate import key_personas
    from wedsync_db.rls.pgtap import write_pgtap

    pgtap_actors = key_personas(proof.oracle.world, seed=seed, extra=0, teams=1)
    pgtap = write_pgtap(proof.oracle, directory / "pgtap", actors=pgtap_actors, load_world=False, max_ids=200)
    for j in proof.coverage.failed[:3]:
        console.print(render(proof.oracle, j), markup=False)
    summary = proof.summary()
    console.print(f"rls: {summary}")
    cov = proof.coverage
    _print_gaps(console, cov)
    escalated, failure = _escalate(url, directory, escalation, console)
    metrics: dict[str, Any] = {
        "attempts": cov.total, "attempts_per_second": round(proof.rate, 1), "personas": proof.personas,
        "cells": len(cov.matrix.cells()), "cells_failed": sum(1 for c in cov.matrix.cells() if cov.failures[c]),
        "cells_untried": len(cov.missed()), "cells_unreachable": len(cov.untried()) - len(cov.missed()),
        "cells_completed": len(proof.completion.completed), "completion_attempts": len(proof.completion.judged),
        "attempts_failed": len(cov.failed), "sweep_seconds": proof.seconds,
    }
    if proof.mutants:
        metrics["mutation_score"] = proof.mutation_score
        metrics["mutants"] = len(proof.mutants)
    metrics.update({"escalation_examples": escalated.examples, "escalation_steps": escalated.steps,
                    "escalation_reads_judged": escalated.reads_judged,
                    "escalation_violations": len(escalated.violations)})
    details, figures = report_details(cov, summary, _escalation_markdown(escalated, failure))
    return StepResult(
        "rls", "passed" if proof.passed and not failure else "failed", f"{summary}; {escalated.summary()}",
        seconds=time.perf_counter() - started,
        details_markdown=details, figures=figures,
        metrics=metrics, cases=[*cases(proof), Case("escalation:search", not failure, failure or escalated.summary())],
        artifacts={"matrix": str(paths[0]), "heatmap": str(paths[1]), "pgtap": str(pgtap[0].parent)},
    )


def _escalation_markdown(report: EscalationReport, failure: str) -> str:
    """The escalation result for the report: what ran, and the first violation with its replay script."""
    text = f"**Escalation search** (second oracle: schema/ownership.yaml, never the matrix): {report.summary()}."
    if failure:
        text += f"\n\n```sql\n{failure}\n```"
    return text


ESCALATION_HELP = "Budget of the escalation search (ci is derandomised): " + ", ".join(
    f"{name} ({examples} examples of up to {steps} API steps)" for name, (examples, steps, _) in BUDGETS.items()
) + ", or off."


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
    all_users: Annotated[bool, typer.Option("--all-users", help="Try every user of the world, not only the key "
                                            "personas (one per relation kind); slow on big worlds.")] = False,
    escalation: Annotated[str, typer.Option("--escalation", help=ESCALATION_HELP)] = "ci",
) -> None:
    """Prove tenant isolation: every actor x table x command x row against the access matrix.

    Runs the sweep (key personas, one per relation kind, read every table; inserts, updates, deletes and upserts
    aimed at rows of every relation they hold, big tables sampled), then a completion pass that aims a few
    attempts at every cell the sample missed (an actor and row found in the whole world); judges each statement
    against the oracle in one transaction that is rolled back, and writes the matrix (matrix.md), an HTML
    heatmap (heatmap.html: table x command x actor relation, allowed/denied, proven/failed, attempts per cell)
    and pgTAP files that check the same database with pg_prove. Exits 1 on any disagreement, untried cell or
    surviving mutant; cells the world's data cannot reach at all are listed as a warning.

    Then the escalation search: an attacker who starts from a bare sign-up takes sequences of API actions derived
    from the catalog (every insert, column update, delete and RPC granted to authenticated), and after every step
    a second oracle (schema/ownership.yaml, never the matrix) judges what every user reads and what the step
    wrote. The first violation is saved as a replay script (<out>/escalation-first-failure.sql).

    Examples:

    \b
      # build a database with the sample world on the configured server, prove it, report into .wedsync/rls
      wedsync-db verify rls
    \b
      # a seeded database you already have (nothing is committed), with the policy mutants
      wedsync-db verify rls --database-url postgresql://postgres@localhost:5432/wedsync_ci --mutants
    \b
      # more write variants, another seed, every user rather than the key personas
      wedsync-db verify rls --database-url $DATABASE_URL --rounds 3 --seed 7 --all-users --out /tmp/rls
    \b
      # then run the generated pgTAP files against the same database
      pg_prove -d postgresql://postgres@localhost:5432/wedsync_ci .wedsync/rls/pgtap/*.sql
    """
    from wedsync_db.preflight import check_database, writable_directory

    if escalation != "off" and escalation not in PROFILES:
        raise typer.BadParameter(f"choose one of {', '.join(PROFILES)}, off; not {escalation!r}",
                                 param_hint="--escalation")
    writable_directory(out, "--out")  # before minutes of proof, not after
    if database_url is not None:
        check_database(database_url)
    console = Console()
    cleanup = None
    if database_url is None:
        database_url, cleanup = _seeded_database(console)
    try:
        with psycopg.connect(database_url) as conn:
            proof = prove(conn, seed=seed, rounds=rounds, mutants=mutants, all_users=all_users)
        console.print(proof.summary())
        extra = f"{proof.rate:.0f} attempts/s (one attempt = one statement judged against the oracle)."
        for r in proof.mutants:
            if not r.caught:
                console.print(f"[red]survived: {r.mutant.name}[/]")
        if proof.mutants:
            extra += f"\n\nMutation score: {proof.mutation_score:.1f}% of {len(proof.mutants)} mutants."
        paths = write_report(proof.coverage, out, extra)
        for p in paths:
            console.print(f"wrote {p}")
        if pgtap:
            from wedsync_db.rls.generate import key_personas
            from wedsync_db.rls.pgtap import write_pgtap

            actors = key_personas(proof.oracle.world, seed=seed, extra=0, teams=1)
            write_pgtap(proof.oracle, out / "pgtap", actors=actors, load_world=False, max_ids=200)
            console.print(f"pgTAP files in {out / 'pgtap'} (run against the same database: "
                          f"pg_prove -d <url> {out / 'pgtap'}/*.sql)")
        for j in proof.coverage.failed[:3]:
            console.print(render(proof.oracle, j), markup=False)
        _print_gaps(console, proof.coverage)
        failure = ""
        if escalation != "off":
            if escalation not in PROFILES:
                console.print(f"[red]--escalation must be one of {', '.join(PROFILES)}, off; not {escalation!r}[/]")
                raise typer.Exit(2)
            _, failure = _escalate(database_url, out, escalation, console)
        if not proof.passed or failure:
            raise typer.Exit(1)
    finally:
        if cleanup is not None:
            cleanup()
