"""The `wedsync-db health` command: options, database resolution, output and exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from psycopg.conninfo import conninfo_to_dict
from rich.console import Console

from wedsync_db.health.collect import collect_health, health_exit_code
from wedsync_db.health.model import GIB, Thresholds, health_json
from wedsync_db.health.render import render_health
from wedsync_db.impersonate import Actor
from wedsync_db.perf.thresholds import SLOW_QUERY_MS


def dev_server_log(url: str) -> Path | None:
    """Return the dev server's log file when ``url`` points at the dev server on this machine."""
    from wedsync_db.devserver import dev_server

    try:
        params = conninfo_to_dict(url)
        server = dev_server()
    except Exception:  # no server binaries or a malformed URL: simply no log to offer
        return None
    local = params.get("host") in (None, "", "127.0.0.1", "localhost", str(server.socket_dir))
    if local and str(params.get("port", "5432")) == str(server.port) and server.log_file.exists():
        return server.log_file
    return None


def health_command(
    database: Annotated[str | None, typer.Option(
        "--database", "-d", help="libpq URL of the database (default: DATABASE_URL, else the dev server).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of tables.")] = False,
    pgbouncer: Annotated[str | None, typer.Option(
        help="URL of pgbouncer's admin console (…/pgbouncer) to report pool use.")] = None,
    log_file: Annotated[Path | None, typer.Option(
        help="Server log to count 42501 refusals in (default: the dev server's log when it is the target).")] = None,
    sample_seconds: Annotated[float, typer.Option(
        help="Measure percentiles over a window of this many seconds (0: estimate them, labelled so).")] = 0.0,
    as_: Annotated[str | None, typer.Option(
        "--as", help="Actor for the RLS cost: anon or user:<uuid> (default: a user owning no rows).")] = None,
    slow_query_ms: Annotated[float, typer.Option(help="Slow-query alert: a call longer than this (ms).")] = (
        SLOW_QUERY_MS),
    table_size_bytes: Annotated[int, typer.Option(help="Table-size alert: a table larger than this.")] = GIB,
    connection_use: Annotated[float, typer.Option(help="Connection alert: used/usable at or above this.")] = 0.9,
    rls_violations: Annotated[int, typer.Option(help="RLS alert: more 42501 refusals than this.")] = 0,
    top: Annotated[int, typer.Option(help="How many statements, tables and indexes to list.")] = 10,
    snapshot: Annotated[bool, typer.Option(
        "--snapshot/--no-snapshot", help="Record table sizes for the next run's growth figures.")] = True,
    rls_cost: Annotated[bool, typer.Option("--rls-cost/--no-rls-cost", help="Measure the cost of RLS.")] = True,
) -> None:
    """Report query latency, table sizes and growth, index usage, connections and RLS; exit 1 when an alert fires.

    Alerts: a statement slower than --slow-query-ms, a table over --table-size-bytes, a failed migration in
    the ledger, 42501 refusals in the server log, connections at --connection-use of the usable slots
    (or pgbouncer clients waiting). Percentiles are estimated from pg_stat_statements (lognormal fit,
    labelled "estimated") unless --sample-seconds measures them over a window.

    Examples:

      wedsync-db health                                   # the dev server's database, as tables

      wedsync-db health --json > health.json              # for a dashboard or a cron job

      wedsync-db health --sample-seconds 30 --slow-query-ms 500

      wedsync-db health -d postgresql://postgres@db:5432/wedsync --pgbouncer postgresql://admin@db:6432/pgbouncer

      wedsync-db health --log-file /var/log/postgresql/postgresql-15-main.log --as user:6f1c...
    """
    from wedsync_db.devserver import resolve_database_url

    url = resolve_database_url(database)
    try:
        actor = Actor.parse(as_) if as_ else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as") from error
    thresholds = Thresholds(slow_query_ms=slow_query_ms, table_size_bytes=table_size_bytes,
                            connection_use=connection_use, rls_violations=rls_violations)
    report = collect_health(
        url, thresholds=thresholds, log_path=log_file or dev_server_log(url), pgbouncer_url=pgbouncer,
        sample_seconds=sample_seconds, top=top, record_snapshot=snapshot, measure_rls=rls_cost, rls_actor=actor,
    )
    if json_output:
        print(health_json(report))
    else:
        console = Console()
        console.print(render_health(report, top=top, width=console.width))
    code = health_exit_code(report)
    if code:
        # SystemExit, not typer.Exit: cli.main runs click with standalone_mode=False, where click turns
        # typer.Exit into a return value that main() drops, so the alert would exit 0.
        raise SystemExit(code)
