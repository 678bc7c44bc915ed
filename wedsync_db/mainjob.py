"""The main job: server, migrate, seed, lint, prove isolation, integrity and performance, then one report.

Each step is a small function taking the shared JobContext and returning a StepResult; the job runs
them in order, shows progress, stops early only when a later step cannot run without an earlier one
(no server, no schema, no data), and exits non-zero when any gate failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from wedsync_db import catalog
from wedsync_db.config import PROJECT_ROOT, Settings
from wedsync_db.devserver import DEV_DATABASE, ensure_dev_server, recreate_database
from wedsync_db.janitor import set_test_pii_key
from wedsync_db.migrations import MigrationRunner
from wedsync_db.platform import apply_platform
from wedsync_db.report import (
    Case,
    StepResult,
    report_directory,
    write_html,
    write_json,
    write_junit,
    write_markdown,
)


@dataclass
class JobContext:
    """What the steps share: options, the server and database, where the report goes, the console."""

    console: Console
    settings: Settings
    profile: str = "ci"
    seed: int = 42
    ephemeral: bool = False
    data_dir: Path | None = None
    report_dir: Path = PROJECT_ROOT / "reports"
    skip: frozenset[str] = frozenset()
    server: Any = None
    url: str = ""
    state: dict[str, Any] = field(default_factory=dict)


Step = Callable[[JobContext], StepResult]


def _timed(name: str, step: Step) -> Step:
    def run(ctx: JobContext) -> StepResult:
        started = time.perf_counter()
        try:
            result = step(ctx)
        except Exception as error:  # a step that crashes is a failed gate, reported, not a traceback
            result = StepResult(name, "failed", f"{type(error).__name__}: {error}".splitlines()[0][:300],
                                details_markdown=f"```\n{error}\n```")
        result.seconds = time.perf_counter() - started
        return result

    return run


# -- steps ---------------------------------------------------------------------------------------------
def step_server(ctx: JobContext) -> StepResult:
    if ctx.ephemeral:
        from wedsync_db.server.local import LocalServer

        server = LocalServer(pg_bindir=ctx.settings.pg_bindir, os_user=ctx.settings.os_user,
                             in_memory=ctx.settings.in_memory)
        server.start()
    else:
        server = ensure_dev_server(ctx.settings, ctx.data_dir)
    ctx.server = server
    where = server.location()
    return StepResult("server", "passed", f"PostgreSQL {server.binaries.major} on 127.0.0.1:{server.port} ({where})",
                      metrics={"port": server.port, "major": server.binaries.major})


def step_migrate(ctx: JobContext) -> StepResult:
    recreate_database(ctx.server.url(), DEV_DATABASE)
    set_test_pii_key(ctx.server.url(), DEV_DATABASE)
    ctx.url = ctx.server.url(DEV_DATABASE)
    with psycopg.connect(ctx.url, autocommit=True) as conn:
        apply_platform(conn, auto_grants=ctx.settings.auto_grants)
    applied = MigrationRunner(ctx.url).up()
    with psycopg.connect(ctx.url, autocommit=True) as conn:
        counts = catalog.table_counts(conn)
    summary = (f"platform + {len(applied)} migrations: {counts['tables']} tables, {counts['policies']} policies, "
               f"{counts['indexes']} indexes, forced RLS on {counts['tables_with_forced_rls']}")
    ok = counts["tables"] == counts["tables_with_forced_rls"]
    return StepResult("migrate", "passed" if ok else "failed", summary, metrics={"migrations": len(applied), **counts})


def step_seed(ctx: JobContext) -> StepResult:
    from wedsync_db.worlds.checksum import world_fingerprint
    from wedsync_db.worlds.load import seed_database
    from wedsync_db.worlds.world import build_world

    world = build_world(ctx.profile, seed=ctx.seed)
    summary = seed_database(ctx.url, world, mode="replace", progress=True)
    ctx.state["seed_summary"] = summary
    with psycopg.connect(ctx.url, autocommit=True) as conn:
        # What the backend does after a bulk load: dashboards refreshed, planner statistics current.
        conn.execute("select public.refresh_dashboards(false)")
        conn.execute("vacuum analyze")
        figures = _product_rule_figures(conn)
    total, seconds = int(summary.rows), float(summary.seconds)
    text = (f"profile {ctx.profile}, seed {ctx.seed}: {total:,} rows in {seconds:.1f} s "
            f"({total / max(seconds, 1e-9):,.0f} rows/s), every foreign key verified")
    per_table: dict[str, int] = {}
    for step_name, count in summary.rows_by_table().items():
        table = step_name.split(" ")[0]  # "audit_log <- clients" counts towards audit_log
        if count and not table.startswith("("):
            per_table[table] = per_table.get(table, 0) + count
    replay = f"wedsync-db seed --profile {ctx.profile} --seed {ctx.seed} --as-of {world.as_of} --fingerprint"
    rows = [f"World fingerprint `{world_fingerprint(world)}`, as of {world.as_of}: `{replay}` loads the same "
            "rows and prints the same fingerprint on any machine with the same constraints.txt.", "",
            "| table | rows |", "| --- | ---: |"]
    rows += [f"| {table} | {count:,} |" for table, count in sorted(per_table.items())]
    rows += ["", figures]
    return StepResult("seed", "passed", text, details_markdown="\n".join(rows),
                      metrics={"rows": total, "seconds": seconds, "as_of": str(world.as_of)})


_PRODUCT_RULE_FIGURES = """
select
    (select count(*) from public.service_reviews where deleted_at is null),
    (select count(*) from public.service_reviews where deleted_at is null and reply_body is not null),
    (select round(avg(rating), 2) from public.service_reviews where deleted_at is null),
    (select count(*) from public.suppliers where rating_count > 0),
    (select count(*) from public.form_responses where status = 'draft' and completion = 1),
    (select count(*) from public.form_responses where status = 'draft'),
    (select count(*) from public.form_responses where status = 'submitted' and completion < 1),
    (select count(*) from public.form_responses where status = 'submitted'),
    (select count(*) from public.journey_instances where couple_id is not null),
    (select count(*) from public.journey_instances),
    (select count(*) from public.field_states s join public.core_fields f on f.id = s.core_field_id
     where f.is_sensitive and s.state in ('pending', 'partial'))
"""


def _product_rule_figures(conn: psycopg.Connection[Any]) -> str:
    """One paragraph on the seeded rows of the product rules of issue 23 (0080-0086)."""
    row = conn.execute(_PRODUCT_RULE_FIGURES).fetchone()
    if row is None:
        return ""
    reviews, replied, average, rated, complete_drafts, drafts, open_submitted, submitted, linked, instances, \
        sensitive_open = row
    return (f"Product rules in the seeded world: {reviews:,} live service reviews ({replied:,} replied, average "
            f"rating {average}) give {rated:,} suppliers a rating; completion is tracked apart from submission "
            f"({complete_drafts:,} of {drafts:,} drafts are complete, {open_submitted:,} of {submitted:,} "
            f"submitted responses are not); {linked:,} of {instances:,} journey instances run for a couple; "
            f"{sensitive_open:,} sensitive core fields are pending or partial (states on the plaintext).")


def step_lint(ctx: JobContext, directory: Path) -> StepResult:
    from wedsync_db import lints

    with psycopg.connect(ctx.url, autocommit=True) as conn:
        findings = lints.run_lints(conn)
    (directory / "lint.sarif").write_text(lints.findings_sarif(findings))
    errors = [f for f in findings if f.level == "ERROR"]
    cases = [Case(f"{f.lint}:{f.object}", f.level != "ERROR", f"{f.level}: {f.detail}") for f in findings]
    levels = {level: sum(1 for f in findings if f.level == level) for level in ("ERROR", "WARN", "INFO")}
    rows = ["| level | lint | object | detail |", "| --- | --- | --- | --- |"]
    rows += [f"| {f.level} | {f.lint} | {f.object} | {f.detail} |" for f in findings]
    return StepResult(
        "lint", "failed" if errors else "passed",
        f"{len(lints.lint_names())} catalog lints: {levels['ERROR']} errors, {levels['WARN']} warnings, "
        f"{levels['INFO']} notes",
        details_markdown="\n".join(rows), metrics=levels, cases=cases or [Case("no findings", True)],
        artifacts={"sarif": "lint.sarif"},
    )


def _pytest_step(name: str, paths: list[str], directory: Path, extra: list[str] | None = None) -> StepResult:
    """Run a pytest suite in a subprocess (its own throwaway server) and read its JUnit XML."""
    junit = directory / f"{name}.junit.xml"
    command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
               *(extra or [])]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if not junit.exists():
        return StepResult(name, "failed", f"pytest did not run (exit {completed.returncode})",
                          details_markdown=f"```\n{completed.stdout[-3000:]}{completed.stderr[-2000:]}\n```")
    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")  # type: ignore[assignment]
    cases = []
    for case in suite.iter("testcase"):
        failure = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        cases.append(Case(f"{case.get('classname')}::{case.get('name')}", failure is None,
                          (failure.get("message") or "") if failure is not None else
                          ((skipped.get("message") or "") if skipped is not None else ""),
                          float(case.get("time") or 0), skipped is not None))
    failed = [c for c in cases if not c.passed and not c.skipped]
    passed = sum(1 for c in cases if c.passed and not c.skipped)
    skipped_count = sum(1 for c in cases if c.skipped)
    details = "\n".join(f"- FAIL `{c.name}`: {c.message}" for c in failed) or "All tests passed."
    return StepResult(name, "failed" if failed or completed.returncode not in (0, 5) else "passed",
                      f"{passed} passed, {len(failed)} failed, {skipped_count} skipped ({' '.join(paths)})",
                      details_markdown=details, cases=cases, artifacts={"junit": junit.name})


def step_integrity(ctx: JobContext, directory: Path) -> StepResult:
    return _pytest_step("integrity", ["tests/integrity", "tests/schema"], directory)


def step_rls(ctx: JobContext, directory: Path) -> StepResult:
    from wedsync_db.rls.command import run_verification

    return run_verification(ctx.url, directory, console=ctx.console, escalation="main")


def step_perf(ctx: JobContext, directory: Path) -> StepResult:
    from wedsync_db.perf.step import run_gates

    return run_gates(ctx.url, directory, console=ctx.console)


# -- the job ---------------------------------------------------------------------------------------------
def run_main_job(ctx: JobContext) -> int:
    """Run every step, write the report, print the summary; return the exit code (1 when a gate failed)."""
    directory = report_directory(ctx.report_dir)
    steps: list[tuple[str, Step]] = [
        ("server", step_server),
        ("migrate", step_migrate),
        ("seed", step_seed),
        ("lint", lambda c: step_lint(c, directory)),
        ("rls", lambda c: step_rls(c, directory)),
        ("integrity", lambda c: step_integrity(c, directory)),
        ("perf", lambda c: step_perf(c, directory)),
    ]
    prerequisites = {"server", "migrate", "seed"}
    results: list[StepResult] = []
    for number, (name, step) in enumerate(steps, start=1):
        if name in ctx.skip:
            results.append(StepResult(name, "skipped", "skipped on request (--skip)"))
            continue
        ctx.console.rule(f"[bold][{number}/{len(steps)}] {name}")
        result = _timed(name, step)(ctx)
        results.append(result)
        style = {"passed": "green", "failed": "red"}.get(result.status, "yellow")
        ctx.console.print(f"[{style}]{result.status}[/{style}] {result.summary} ({result.seconds:.1f} s)")
        if result.status == "failed" and name in prerequisites:
            ctx.console.print(f"[red]cannot continue without {name}[/red]")
            break
    context = {"profile": ctx.profile, "seed": str(ctx.seed), "database": ctx.url or "(none)",
               "report": str(directory)}
    write_markdown(results, directory / "report.md", title="wedsync-db report", context=context)
    write_html(results, directory / "report.html", title="wedsync-db report", context=context)
    write_junit(results, directory / "junit.xml")
    write_json(results, directory / "report.json", context=context)
    _print_summary(ctx.console, results, directory)
    return 1 if any(r.status == "failed" for r in results) else 0


def _print_summary(console: Console, results: list[StepResult], directory: Path) -> None:
    table = Table(title="wedsync-db: main job")
    for column in ("step", "result", "what was checked", "time"):
        table.add_column(column)
    for result in results:
        style = {"passed": "green", "failed": "red"}.get(result.status, "yellow")
        table.add_row(result.name, f"[{style}]{result.status}[/{style}]", result.summary, f"{result.seconds:.1f} s")
    console.print(table)
    console.print(f"report: {directory / 'report.html'} (also report.md, junit.xml, lint.sarif, report.json)")
