"""The wedsync-db command line: run the main job, manage the dev server, migrate, and open psql as an actor."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from wedsync_db.config import Settings
from wedsync_db.devserver import DEV_DATABASE, dev_server, ensure_dev_server, resolve_database_url
from wedsync_db.errors import ConfigError, WedsyncError, describe_connection_error
from wedsync_db.health import health_command
from wedsync_db.impersonate import Actor
from wedsync_db.migrations import MigrationRunner
from wedsync_db.perf.command import bench_command
from wedsync_db.platform import apply_platform, has_platform
from wedsync_db.preflight import check_migrated, writable_directory
from wedsync_db.rls.command import verify_rls_command
from wedsync_db.scaffold import new_migration
from wedsync_db.worlds.load import seed_command

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    help=(
        "The WedSync/WedMe database and the harness that proves it correct, isolated and fast.\n\n"
        "Start with 'wedsync-db run': it starts a local PostgreSQL (no Docker needed), applies the\n"
        "Supabase platform emulation and every migration, and prints a DATABASE_URL to explore."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
server_app = typer.Typer(help="Manage the persistent dev server kept in .wedsync/dev.", no_args_is_help=True)
migrate_app = typer.Typer(help="Apply, roll back and check the numbered migrations in schema/migrations.",
                          no_args_is_help=True)
app.add_typer(server_app, name="server")
app.add_typer(migrate_app, name="migrate")

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", "-d", help="libpq URL of the database (default: DATABASE_URL, else the dev server)."),
]


def _progress(message: str) -> None:
    console.print(f"  [dim]{message}[/dim]")


# -- the main job ----------------------------------------------------------------------------------
@app.command()
def run(
    profile: Annotated[str, typer.Option(help="Seed profile: tiny, ci, large or xl.")] = "ci",
    seed: Annotated[int, typer.Option(help="Seed of the generated world (same seed, same data).")] = 42,
    ephemeral: Annotated[bool, typer.Option(help="Use a throwaway server, removed when the command ends.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory of the dev server.")] = None,
    report_dir: Annotated[Path, typer.Option(help="Where reports/<timestamp>/ is written.")] = Path("reports"),
    skip: Annotated[list[str] | None, typer.Option(
        help="Skip a step (repeatable): lint, rls, integrity, perf.")] = None,
) -> None:
    """Run the main job: server, migrate, seed, lints, RLS proof, integrity proof, performance gates, report.

    Writes reports/<timestamp>/report.html and report.md (with the access-matrix heatmap and performance
    plots), junit.xml, lint.sarif and report.json; prints a summary table; exits 1 when any gate fails.

    Examples:

      wedsync-db run                      # dev server in .wedsync/dev, left running for you

      wedsync-db run --ephemeral          # everything in a temporary cluster, removed at the end

      wedsync-db run --profile tiny --skip perf
    """
    from wedsync_db.mainjob import JobContext, run_main_job

    skipped = frozenset(skip or ())
    unknown = skipped - {"lint", "rls", "integrity", "perf"}
    if unknown:
        raise typer.BadParameter(f"unknown step(s) {sorted(unknown)}", param_hint="--skip")
    writable_directory(report_dir, "--report-dir")
    context = JobContext(console=console, settings=Settings.from_env(), profile=profile, seed=seed,
                         ephemeral=ephemeral, data_dir=data_dir, report_dir=report_dir.resolve(), skip=skipped)
    code = run_main_job(context)
    if context.url and not ephemeral:
        console.print(f"DATABASE_URL={context.url}")
        console.print("The dev server keeps running; stop it with: wedsync-db server stop")
    raise typer.Exit(code)


# -- dev server ---------------------------------------------------------------------------------------
@server_app.command("start")
def server_start(
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (default: .wedsync/dev).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen on this port (kept for later starts).")] = None,
) -> None:
    """Start the persistent dev server and print its DATABASE_URL.

    On first use it runs initdb, then creates the database 'wedsync' with a development PII key
    (wedsync.pii_key, public: for throwaway data only), so 'migrate up' and 'seed' work next.

    Examples:

      wedsync-db server start && export DATABASE_URL=$(wedsync-db server status --url)

      wedsync-db server start --port 54329       # when its port was taken by another process
    """
    server = ensure_dev_server(Settings.from_env(), data_dir, port=port,
                              on_note=lambda note: err_console.print(f"note: {note}", soft_wrap=True, markup=False))
    console.print(f"running: {server.data_dir}", soft_wrap=True, markup=False)
    console.print(f"DATABASE_URL={server.url(DEV_DATABASE)}", soft_wrap=True, markup=False)


@server_app.command("stop")
def server_stop(data_dir: Annotated[Path | None, typer.Option(help="Data directory.")] = None) -> None:
    """Stop the dev server (its data stays; delete .wedsync/dev to start afresh)."""
    server = dev_server(data_dir=data_dir)
    if not server.is_running():
        console.print("not running")
        return
    server.stop()
    console.print("stopped")


@server_app.command("status")
def server_status(
    data_dir: Annotated[Path | None, typer.Option(help="Data directory.")] = None,
    url: Annotated[bool, typer.Option("--url", help="Print only the DATABASE_URL (empty when stopped).")] = False,
) -> None:
    """Say whether the dev server runs, and where."""
    server = dev_server(data_dir=data_dir)
    running = (server.data_dir / "PG_VERSION").exists() and server.is_running()
    if url:
        print(server.url(DEV_DATABASE) if running else "")
        return
    console.print(f"{'running' if running else 'stopped'}: {server.data_dir}")
    if running:
        console.print(f"DATABASE_URL={server.url(DEV_DATABASE)}")


# -- migrations ----------------------------------------------------------------------------------------
def _runner(database: str | None) -> MigrationRunner:
    url = resolve_database_url(database)
    with psycopg.connect(url, autocommit=True) as conn:
        if not has_platform(conn):
            apply_platform(conn, auto_grants=Settings.from_env().auto_grants)
    return MigrationRunner(url, on_progress=_progress)


@migrate_app.command("up")
def migrate_up(
    database: DatabaseOption = None,
    to: Annotated[int | None, typer.Option(help="Stop after this version.")] = None,
) -> None:
    """Apply pending migrations in order, each in its own transaction.

    Examples: wedsync-db migrate up ; wedsync-db migrate up --to 12
    """
    applied = _runner(database).up(to=to)
    console.print(f"applied {len(applied)} migration(s)"
                  + (": " + ", ".join(m.label for m in applied) if applied else ""))


@migrate_app.command("down")
def migrate_down(
    database: DatabaseOption = None,
    to: Annotated[int | None, typer.Option(help="Roll back every migration newer than this version.")] = None,
    steps: Annotated[int | None, typer.Option(help="Roll back this many migrations (default 1).")] = None,
) -> None:
    """Roll back applied migrations, newest first.

    Examples: wedsync-db migrate down ; wedsync-db migrate down --steps 3 ; wedsync-db migrate down --to 0
    """
    if to is not None and steps is not None:
        raise typer.BadParameter("give --to or --steps, not both", param_hint="--steps")
    rolled = _runner(database).down(to=to, steps=steps)
    console.print(f"rolled back {len(rolled)} migration(s)"
                  + (": " + ", ".join(m.label for m in rolled) if rolled else ""))


@migrate_app.command("status")
def migrate_status(database: DatabaseOption = None) -> None:
    """List every migration with its state: applied, pending, drifted or missing."""
    rows = _runner(database).status()
    table = Table()
    for column in ("version", "name", "state", "applied at", "ms"):
        table.add_column(column)
    for row in rows:
        colour = {"applied": "green", "pending": "yellow"}.get(row.state, "red")
        table.add_row(f"{row.version:04d}", row.name, f"[{colour}]{row.state}[/{colour}]",
                      row.applied_at.isoformat(timespec="seconds") if row.applied_at else "",
                      str(row.duration_ms or ""))
    console.print(table)


@migrate_app.command("new")
def migrate_new(
    name: Annotated[str, typer.Argument(help="Verb first, then the object: e.g. add_clients_archived_at.")],
) -> None:
    """Create the next numbered migration pair (up and down) in schema/migrations, headers filled in.

    Write the SQL and replace every TODO(scaffold) (a test refuses a migration that still holds one), then:
    wedsync-db migrate up ; wedsync-db migrate down ; bin/lint ; bin/test tests/integrity

    Example: wedsync-db migrate new add_clients_archived_at
    """
    for path in new_migration(name):
        console.print(f"created {os.path.relpath(path)}", soft_wrap=True)
    console.print("next: write the change and its rollback, replace each TODO(scaffold), then migrate up, "
                  "migrate down, bin/lint and bin/test tests/integrity")


@migrate_app.command("verify")
def migrate_verify(database: DatabaseOption = None) -> None:
    """Fail (exit 1) when an applied migration's file changed or disappeared."""
    problems = _runner(database).verify()
    if problems:
        print(f"wedsync-db: drift: {'; '.join(problems)}: restore the applied files (git checkout schema/migrations), "
              "or roll back and re-apply on a throwaway database", file=sys.stderr)
        raise typer.Exit(1)
    console.print("all applied migrations match their files")


# -- lints ---------------------------------------------------------------------------------------------
@app.command("lint")
def lint(
    database: DatabaseOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json or sarif.")] = "table",
    output: Annotated[Path | None, typer.Option(help="Write the report to this file instead of stdout.")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Run only these lints (repeatable).")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Suppress a finding by key lint:object; wildcards allowed (repeatable).")] = None,
) -> None:
    """Check the catalog: forced RLS everywhere, commented policies, wrapped auth.uid(), indexed FKs, grants, names.

    Exits 1 when any ERROR finding remains.

    Examples:

      wedsync-db lint

      wedsync-db lint --format sarif --output lint.sarif

      wedsync-db lint --only rls_not_forced --only unindexed_foreign_key
    """
    from wedsync_db import lints

    if output_format not in ("table", "json", "sarif"):
        raise typer.BadParameter("choose table, json or sarif", param_hint="--format")
    if output is not None:
        writable_directory(output.parent, "--output")
    url = resolve_database_url(database)
    check_migrated(url)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            findings = lints.run_lints(conn, only=only or None, ignore=frozenset(ignore or ()))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--only") from error
    if output_format == "table":
        if output is not None:
            Console(file=output.open("w"), width=160).print(lints.findings_table(findings))
        else:
            console.print(lints.findings_table(findings))
    else:
        text = lints.findings_json(findings) if output_format == "json" else lints.findings_sarif(findings)
        if output is not None:
            output.write_text(text)
        else:
            print(text)
    errors = sum(1 for finding in findings if finding.level == "ERROR")
    err_console.print(f"{len(findings)} finding(s), {errors} error(s)")
    raise typer.Exit(lints.exit_code(findings))


app.command("health")(health_command)
app.command("seed")(seed_command)
app.command("bench")(bench_command)

verify_app = typer.Typer(help="Run a proof outside pytest and write its report.", no_args_is_help=True)
verify_app.command("rls")(verify_rls_command)
app.add_typer(verify_app, name="verify")


# -- psql as an actor -------------------------------------------------------------------------------
@app.command("psql")
def psql(
    as_: Annotated[str, typer.Option("--as", help="anon, service, or user:<uuid>.")] = "anon",
    database: DatabaseOption = None,
) -> None:
    """Open psql as an API actor, with role and JWT claims set as PostgREST would.

    The settings are session-level here (an interactive session has no per-request transaction),
    so this is for exploring only; the harness itself always sets them transaction-locally.

    Examples: wedsync-db psql --as anon ; wedsync-db psql --as user:6f1c...-...
    """
    try:
        actor = Actor.parse(as_)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as") from error
    url = resolve_database_url(database)
    psql_path = shutil.which("psql")
    if psql_path is None:
        raise ConfigError("psql is not installed: apt-get install postgresql-client (Debian), or put psql on PATH")
    claims = actor.claims_json().replace("\\", "\\\\").replace(" ", "\\ ")
    env = dict(os.environ)
    env["PGOPTIONS"] = f"-c role={actor.role} -c request.jwt.claims={claims} -c search_path=public,extensions"
    console.print(f"psql as {actor.label} (role {actor.role})", style="dim")
    os.execvpe(psql_path, [psql_path, url], env)


def _is_a(error: BaseException, class_name: str) -> bool:
    """Match click's exception classes by name: typer >= 0.2x vendors its own copy of click."""
    return any(cls.__name__ == class_name for cls in type(error).__mro__)


def main() -> None:
    """Entry point: one-line errors and exit code 2 for bad arguments, 1 for failures the harness explains."""
    command = typer.main.get_command(app)
    try:
        # Without standalone mode click returns a command's exit code (typer.Exit) instead of exiting.
        result = command.main(args=sys.argv[1:], prog_name="wedsync-db", standalone_mode=False)
    except WedsyncError as error:
        print(f"wedsync-db: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
    except psycopg.OperationalError as error:
        # The commands check their database first (preflight.check_database); this catches a connection lost later.
        print(f"wedsync-db: {describe_connection_error(error, '')}", file=sys.stderr)
        sys.exit(2 if error.sqlstate is None else 1)
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"wedsync-db: cannot use{where}: {error.strerror or error}; choose another path", file=sys.stderr)
        sys.exit(2)
    except Exception as error:
        if _is_a(error, "NoArgsIsHelpError"):
            ctx = getattr(error, "ctx", None)
            print(ctx.get_help() if ctx else "", file=sys.stderr)
            sys.exit(2)
        if _is_a(error, "UsageError"):
            ctx = getattr(error, "ctx", None)
            where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            print(f"wedsync-db: error: {error.format_message()}{where}", file=sys.stderr)  # type: ignore[attr-defined]
            sys.exit(2)
        if _is_a(error, "Exit"):
            sys.exit(getattr(error, "exit_code", 0))
        if _is_a(error, "Abort"):
            print("wedsync-db: aborted", file=sys.stderr)
            sys.exit(130)
        raise
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
