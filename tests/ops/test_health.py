"""`wedsync-db health`: every alert provoked for real, quiet databases fire nothing, growth, JSON and the CLI."""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from wedsync_db.errors import MigrationError
from wedsync_db.health import (
    Thresholds,
    collect_health,
    health_command,
    health_exit_code,
    health_from_json,
    health_json,
    render_health,
)
from wedsync_db.health.latency import lognormal_percentile, nearest_rank
from wedsync_db.impersonate import Actor, request
from wedsync_db.migrations import MigrationRunner
from wedsync_db.server.local import LocalServer


def _kinds(report: Any) -> list[str]:
    return [alert.kind for alert in report.alerts]


def _wait_for_log(path: Path, needle: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in path.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.05)


# -- negative controls ---------------------------------------------------------------------------
def test_quiet_database_fires_no_alert(db_url: str, server_log: Path | None) -> None:
    """A fresh migrated database with nothing slow, big, failed or refused: no alert, exit code 0."""
    report = collect_health(db_url, log_path=server_log)
    assert report.alerts == ()
    assert health_exit_code(report) == 0
    assert report.latency.available
    assert report.connections.pooler == "no pooler"
    screen = io.StringIO()
    Console(file=screen, width=160).print(render_health(report))
    assert "no alerts" in screen.getvalue() and "[min, max]" in screen.getvalue()


def test_without_a_log_rls_violations_are_unknown_not_zero(db_url: str) -> None:
    """With no server log and no csvlog table the count is None ("unknown"), and no alert fires on it."""
    report = collect_health(db_url, measure_rls=False)
    assert report.rls_violations.count is None
    assert report.rls_violations.source.startswith("unknown")
    assert "rls_violations" not in _kinds(report)


# -- each alert provoked -------------------------------------------------------------------------
def test_statement_slower_than_a_second_fires_the_slow_query_alert(db: psycopg.Connection[Any], db_url: str) -> None:
    """A pg_sleep(1.1) call in this database is a slow query: the alert names it and the exit code is 1."""
    db.execute("select pg_sleep(1.1)")
    report = collect_health(db_url, measure_rls=False)
    slow = [a for a in report.alerts if a.kind == "slow_query"]
    assert len(slow) == 1 and "pg_sleep" in slow[0].message
    assert slow[0].value >= 1100 and slow[0].threshold == 1000
    assert health_exit_code(report) == 1


def test_slow_query_in_another_database_does_not_fire_here(db: psycopg.Connection[Any], blank_db_url: str) -> None:
    """pg_stat_statements is cluster-wide; the report filters by database, so another's slow call is not ours."""
    db.execute("select pg_sleep(1.1)")
    report = collect_health(blank_db_url, measure_rls=False)
    assert "slow_query" not in _kinds(report)


def test_table_over_the_size_threshold_fires_the_table_size_alert(db: psycopg.Connection[Any], db_url: str) -> None:
    """A table over a lowered threshold (256 kB) fires; the same table under the default 1 GiB does not."""
    db.execute("create table public.health_ballast (id int, pad text)")
    db.execute("insert into public.health_ballast select i, repeat('x', 200) from generate_series(1, 5000) i")
    lowered = collect_health(db_url, thresholds=Thresholds(table_size_bytes=256 * 1024), measure_rls=False)
    sized = [a for a in lowered.alerts if a.kind == "table_size"]
    assert [a.message.split()[0] for a in sized] == ["public.health_ballast"]
    default = collect_health(db_url, measure_rls=False)
    assert "table_size" not in _kinds(default)


def test_failed_migration_in_the_ledger_fires_the_failed_migration_alert(
    blank_db_url: str, broken_migrations_dir: Path
) -> None:
    """A migration that fails is recorded in wedsync_meta.migration_failures and fires until it is applied."""
    runner = MigrationRunner(blank_db_url, directory=broken_migrations_dir)
    with pytest.raises(MigrationError):
        runner.up()
    report = collect_health(blank_db_url, measure_rls=False)
    failed = [a for a in report.alerts if a.kind == "failed_migration"]
    assert len(failed) == 1 and "0002_add_probes_note up" in failed[0].message and "22012" in failed[0].message
    assert health_exit_code(report) == 1

    (broken_migrations_dir / "0002_add_probes_note.up.sql").write_text(
        "alter table public.probes add column note text;\n")
    runner.up()
    fixed = collect_health(blank_db_url, measure_rls=False)
    assert "failed_migration" not in _kinds(fixed)
    assert [f.resolved for f in fixed.migration_failures] == [True]


def test_authenticated_write_refused_by_rls_is_counted_as_a_violation(
    db: psycopg.Connection[Any], db_url: str, server_log: Path | None
) -> None:
    """An insert as authenticated into a table with RLS and no insert policy (42501) is counted and fires."""
    if server_log is None:
        pytest.skip("the server log is only readable when the harness runs the server")
    db.execute("create table public.health_notes (id int, body text)")
    db.execute("alter table public.health_notes enable row level security")
    db.execute("grant select, insert on public.health_notes to authenticated")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with request(db, Actor.user(uuid.uuid4())) as conn:
            conn.execute("insert into public.health_notes values (1, 'refused')")
    _wait_for_log(server_log, "health_notes")
    report = collect_health(db_url, log_path=server_log, measure_rls=False)
    assert report.rls_violations.count == 1
    assert report.rls_violations.policy_refusals == 1
    assert "rls_violations" in _kinds(report)
    tolerant = collect_health(db_url, log_path=server_log, thresholds=Thresholds(rls_violations=1), measure_rls=False)
    assert "rls_violations" not in _kinds(tolerant)


@pytest.mark.slow
def test_connections_held_up_to_the_limit_fire_connection_exhaustion() -> None:
    """With max_connections 10 (3 reserved), 7 held connections leave an ordinary role no slot: the alert fires."""
    server = LocalServer(extra_settings={"max_connections": "10"})
    server.start()
    held: list[psycopg.Connection[Any]] = []
    try:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute("create role health_app login")
        calm = collect_health(server.url(), measure_rls=False)
        assert "connection_exhaustion" not in _kinds(calm)
        assert calm.connections.usable == 7
        held = [psycopg.connect(server.url()) for _ in range(7)]
        with pytest.raises(psycopg.OperationalError, match="reserved"):
            psycopg.connect(server.url().replace("postgres@", "health_app@"), connect_timeout=5)
        report = collect_health(server.url(), measure_rls=False, record_snapshot=False)
        assert report.connections.used == 7
        exhausted = [a for a in report.alerts if a.kind == "connection_exhaustion"]
        assert len(exhausted) == 1 and exhausted[0].value == 1.0
        assert health_exit_code(report) == 1
    finally:
        for conn in held:
            conn.close()
        server.stop()


def test_clients_waiting_for_a_full_pgbouncer_pool_fire_pool_exhaustion(db_url: str, pgbouncer_for: Any) -> None:
    """Behind pgbouncer (session pooling, pool_size 2), two held sessions make a third client wait: the alert fires."""
    client_url, admin_url = pgbouncer_for(db_url, 2)
    database = db_url.rsplit("/", 1)[1]
    quiet = collect_health(db_url, pgbouncer_url=admin_url, measure_rls=False, record_snapshot=False)
    assert quiet.connections.pooler == "pgbouncer"
    assert "pool_exhaustion" not in _kinds(quiet)
    held = [psycopg.connect(client_url.format(db=database), autocommit=True) for _ in range(2)]
    waiting = psycopg.connect(client_url.format(db=database), autocommit=True)
    try:
        for conn in held:
            conn.execute("select 1")  # session pooling: each keeps its server connection from now on
        waiter = threading.Thread(target=lambda: waiting.execute("select 1"))
        waiter.start()
        time.sleep(0.3)
        report = collect_health(db_url, pgbouncer_url=admin_url, measure_rls=False, record_snapshot=False)
        (pool,) = [p for p in report.connections.pools if p.database == database]
        assert pool.pool_size == 2 and pool.servers_in_use == 2 and pool.clients_waiting == 1
        assert "pool_exhaustion" in _kinds(report)
    finally:
        for conn in held:
            conn.close()
        waiter.join(timeout=10)
        waiting.close()


# -- metrics -------------------------------------------------------------------------------------
def test_growth_is_the_size_difference_since_the_previous_snapshot(db: psycopg.Connection[Any], db_url: str) -> None:
    """The second run reports each table's growth against the first run's snapshot, and that snapshot's time."""
    db.execute("create table public.health_growth (id int, pad text)")
    first = collect_health(db_url, measure_rls=False)
    assert first.snapshot_recorded
    db.execute("insert into public.health_growth select i, repeat('y', 100) from generate_series(1, 2000) i")
    second = collect_health(db_url, measure_rls=False)
    assert second.previous_snapshot_at == first.collected_at
    grown = {f"{t.schema}.{t.table}": t for t in second.tables}["public.health_growth"]
    before = {f"{t.schema}.{t.table}": t for t in first.tables}["public.health_growth"]
    assert grown.previous_bytes == before.total_bytes
    assert grown.growth_bytes == grown.total_bytes - before.total_bytes > 200_000


@pytest.mark.exclusive  # measures time: alone under pytest-xdist (tests/conftest.py)
def test_sampled_percentiles_are_measured_from_the_window(db_url: str) -> None:
    """Nine 50 ms calls and one 300 ms call in the window: p50 is about 50 ms, p95 and p99 about 300 ms, all exact."""

    def workload() -> None:
        time.sleep(0.3)
        with psycopg.connect(db_url, autocommit=True) as conn:
            for seconds in [0.05] * 9 + [0.3]:
                conn.execute("select pg_sleep(%s)", (seconds,))

    worker = threading.Thread(target=workload)
    worker.start()
    report = collect_health(db_url, sample_seconds=2.0, measure_rls=False)
    worker.join()
    sleep = next(s for s in report.latency.statements if "pg_sleep" in s.query)
    assert sleep.percentile_method == "sampled"
    assert sleep.sampled_calls == sleep.exact_calls == 10
    assert 50 <= sleep.p50_ms < 80
    assert 300 <= sleep.p95_ms < 340 and 300 <= sleep.p99_ms < 340
    assert report.latency.method.startswith("sampled")


def test_percentiles_without_a_window_are_labelled_estimated(db: psycopg.Connection[Any], db_url: str) -> None:
    """Without a window the percentiles are a lognormal fit, said so, ordered, and within the observed min and max."""
    for seconds in (0.01, 0.02, 0.03, 0.08):
        db.execute("select pg_sleep(%s)", (seconds,))
    report = collect_health(db_url, measure_rls=False)
    sleep = next(s for s in report.latency.statements if "pg_sleep" in s.query)
    assert sleep.percentile_method == "estimated" and report.latency.method.startswith("estimated")
    assert 10 <= sleep.p50_ms <= sleep.p95_ms <= sleep.p99_ms <= sleep.max_ms


def test_percentile_helpers_follow_nearest_rank_and_stay_within_bounds() -> None:
    """Nearest rank over weighted samples; the lognormal estimate never leaves [min, max]."""
    samples = [(1.0, 98), (50.0, 1), (100.0, 1)]
    assert [nearest_rank(samples, p) for p in (50, 99, 100)] == [1.0, 50.0, 100.0]
    assert lognormal_percentile(10.0, 0.0, 10.0, 10.0, 99) == 10.0
    assert lognormal_percentile(10.0, 30.0, 1.0, 40.0, 99.9) == 40.0


def test_unused_indexes_and_seq_scan_heavy_tables_are_listed(db: psycopg.Connection[Any], db_url: str) -> None:
    """An index never scanned is unused; a 2000-row table read only by seq scans is sequential-scan heavy."""
    db.execute("create table public.health_scans (id int, tag text)")
    db.execute("create index index_health_scans_on_tag on public.health_scans (tag)")
    db.execute("insert into public.health_scans select i, 't' || i from generate_series(1, 2000) i")
    db.execute("analyze public.health_scans")
    for _ in range(3):
        db.execute("select count(*) from public.health_scans where id > 5")
    time.sleep(0.6)  # table statistics reach the shared stats at most once a second per backend idle
    db.execute("select pg_stat_force_next_flush()")
    db.execute("select 1")
    report = collect_health(db_url, measure_rls=False)
    assert "index_health_scans_on_tag" in [i.index for i in report.unused_indexes]
    assert "health_scans" in [t.table for t in report.seq_scan_tables]


def test_rls_cost_compares_the_actor_with_service_role(db_url: str) -> None:
    """Representative count(*) queries run as service_role and as an authenticated user, with both times."""
    report = collect_health(db_url, rls_queries=["select count(*) from public.audit_log"])
    (cost,) = report.rls_cost
    assert cost.error == ""
    assert cost.service_role_ms is not None and cost.actor_ms is not None and cost.ratio is not None
    assert cost.actor.startswith("authenticated")


# -- output --------------------------------------------------------------------------------------
def test_json_round_trip_gives_back_the_same_report(db: psycopg.Connection[Any], db_url: str) -> None:
    """health_from_json(health_json(report)) equals the report, alerts and datetimes included."""
    db.execute("select pg_sleep(0.01)")
    report = collect_health(db_url, thresholds=Thresholds(table_size_bytes=1))
    text = health_json(report)
    assert json.loads(text)["alerts"][0]["kind"] == "table_size"
    assert health_from_json(text) == report


def test_health_command_prints_json_and_exits_1_when_an_alert_fires(db_url: str) -> None:
    """The typer command: --json prints the report, a lowered threshold exits 1, a quiet run exits 0."""
    app = typer.Typer()
    app.command("health")(health_command)
    app.command("noop")(lambda: None)  # two commands keep "health" a subcommand, as in the real CLI
    runner = CliRunner()
    fired = runner.invoke(app, ["health", "--database", db_url, "--json", "--table-size-bytes", "1", "--no-rls-cost"])
    assert fired.exit_code == 1, fired.output
    assert json.loads(fired.stdout)["alerts"]
    quiet = runner.invoke(app, ["health", "-d", db_url, "--no-snapshot"])
    assert quiet.exit_code == 0, quiet.output
    assert "no alerts" in quiet.stdout
    assert "Examples" in runner.invoke(app, ["health", "--help"]).stdout
    # as cli.main runs commands (standalone_mode=False), the alert must still end the process with status 1
    with pytest.raises(SystemExit) as exited:
        typer.main.get_command(app).main(
            args=["health", "-d", db_url, "--table-size-bytes", "1", "--no-rls-cost"], standalone_mode=False
        )
    assert exited.value.code == 1
