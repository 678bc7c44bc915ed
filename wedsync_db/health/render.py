"""Render a health report as rich tables for the terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from wedsync_db.health.model import HealthReport


def _bytes(value: int | None) -> str:
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    size = float(abs(value))
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{sign}{size:.0f} {unit}" if unit == "B" else f"{sign}{size:.1f} {unit}"
        size /= 1024
    return str(value)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _alerts(report: HealthReport) -> RenderableType:
    if not report.alerts:
        return Text("no alerts", style="bold green")
    table = Table(title=f"{len(report.alerts)} alert(s)", title_style="bold red")
    for column in ("alert", "what", "value", "threshold"):
        table.add_column(column)
    for alert in report.alerts:
        table.add_row(f"[red]{alert.kind}[/red]", escape(alert.message), f"{alert.value:g}", f"{alert.threshold:g}")
    return table


def _latency(report: HealthReport, top: int, width: int = 120) -> RenderableType:
    latency = report.latency
    if not latency.available:
        return Text(f"query latency: {latency.note}", style="yellow")
    since = f" since {latency.stats_since:%Y-%m-%d %H:%M}" if latency.stats_since else ""
    table = Table(title=f"top statements{since} (ms)")
    # One line per statement: the normalised text, whitespace folded, cut with an ellipsis to fit.
    for column in ("calls", "mean", "p50", "p95", "p99", "max"):
        table.add_column(column, justify="right", no_wrap=True, min_width=7 if column == "calls" else None)
    table.add_column("how", no_wrap=True)
    # Last, so it takes whatever width is left and is cut with an ellipsis rather than wrapped.
    table.add_column("statement", no_wrap=True, overflow="ellipsis", max_width=max(8, width - 70))
    for s in latency.statements[:top]:
        how = s.percentile_method + (f" {s.exact_calls}/{s.sampled_calls} exact" if s.sampled_calls else "")
        table.add_row(f"{s.calls:,}", _ms(s.mean_ms), _ms(s.p50_ms), _ms(s.p95_ms), _ms(s.p99_ms), _ms(s.max_ms), how,
                      escape(" ".join(s.query.split())[:200]))
    # Below the table, not as its caption: a caption wraps at the table's width, this one at the screen's.
    return Group(table, Text(f"percentiles: {latency.method}", style="dim"))


def _tables(report: HealthReport, top: int) -> RenderableType:
    previous = f"{report.previous_snapshot_at:%Y-%m-%d %H:%M:%S}" if report.previous_snapshot_at else "none"
    table = Table(title=f"largest tables (growth since the snapshot of {previous})")
    for column in ("table", "size", "growth"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for t in report.tables[:top]:
        style = "red" if t.total_bytes > report.thresholds.table_size_bytes else ""
        table.add_row(escape(f"{t.schema}.{t.table}"), Text(_bytes(t.total_bytes), style=style), _bytes(t.growth_bytes))
    return table


def _indexes(report: HealthReport, top: int) -> RenderableType:
    table = Table(title="index usage")
    for column in ("index", "table", "scans", "size", "note"):
        table.add_column(column)
    for kind, rows in (("unused", report.unused_indexes), ("rarely used", report.rarely_used_indexes)):
        for i in rows[:top]:
            note = kind + (" (enforces a constraint: keep)" if i.enforces_constraint else "")
            table.add_row(escape(i.index), escape(f"{i.schema}.{i.table}"), str(i.scans), _bytes(i.size_bytes), note)
    for s in report.seq_scan_tables[:top]:
        table.add_row("—", escape(f"{s.schema}.{s.table}"), f"{s.seq_scans} seq / {s.index_scans} idx", "",
                      f"sequential-scan heavy: {s.live_rows:,} rows, {s.rows_read_by_seq_scans:,} read by seq scans")
    return table


def _connections(report: HealthReport) -> RenderableType:
    c = report.connections
    states = ", ".join(f"{state} {count}" for state, count in c.by_state) or "none"
    style = "red" if c.use_ratio >= report.thresholds.connection_use else "green"
    usable = f"{c.used}/{c.usable} usable ({c.use_ratio:.0%})"
    lines: list[RenderableType] = [Text.assemble(("connections ", "bold"), (usable, style),
                                                 f"; max_connections {c.max_connections}, {c.reserved} reserved; "
                                                 f"{states}; {c.in_this_database} in this database; {c.pooler}")]
    if c.pools:
        table = Table(title="pgbouncer pools")
        for column in ("pool", "mode", "clients active", "clients waiting", "servers in use", "pool size"):
            table.add_column(column)
        for p in c.pools:
            table.add_row(escape(f"{p.database}/{p.user}"), p.pool_mode, str(p.clients_active), str(p.clients_waiting),
                          str(p.servers_in_use), str(p.pool_size if p.pool_size is not None else "—"))
        lines.append(table)
    return Group(*lines)


def _rls(report: HealthReport) -> RenderableType:
    v = report.rls_violations
    count = "unknown" if v.count is None else f"{v.count} ({v.policy_refusals} policy, {v.grant_refusals} grant)"
    parts: list[RenderableType] = [Text.assemble(("RLS violations (42501) ", "bold"), f"{count} from {v.source}")]
    if report.rls_cost:
        table = Table(title="RLS cost: execution time as service_role vs as the actor (ms, median of 3)")
        for column in ("query", "actor", "service_role", "actor", "ratio"):
            table.add_column(column)
        for cost in report.rls_cost:
            ratio = escape(cost.error) or ("—" if cost.ratio is None else f"{cost.ratio:.2f}x")
            table.add_row(escape(cost.query), escape(cost.actor), _ms(cost.service_role_ms), _ms(cost.actor_ms), ratio)
        parts.append(table)
    return Group(*parts)


def render_health(report: HealthReport, top: int = 10, width: int = 120) -> RenderableType:
    """Return the report as a group of rich renderables: alerts first, then each metric."""
    header = Text.assemble(("wedsync-db health ", "bold"), f"{report.database} on PostgreSQL {report.server_version} "
                           f"at {report.collected_at:%Y-%m-%d %H:%M:%S %Z}")
    parts: list[RenderableType] = [header, _alerts(report), _latency(report, top, width), _tables(report, top),
                                   _indexes(report, top), _connections(report), _rls(report)]
    if report.migration_failures:
        table = Table(title="migration failures (wedsync_meta.migration_failures)")
        for column in ("migration", "direction", "sqlstate", "failed at", "state"):
            table.add_column(column)
        for f in report.migration_failures:
            table.add_row(escape(f"{f.version:04d}_{f.name}"), f.direction, f.sqlstate or "",
                          f"{f.failed_at:%Y-%m-%d %H:%M:%S}",
                          "[green]resolved[/green]" if f.resolved else "[red]unresolved[/red]")
        parts.append(table)
    parts += [Text(f"note: {note}", style="yellow") for note in report.notes]
    return Group(*parts)
