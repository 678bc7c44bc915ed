"""Connection use against max_connections, pgbouncer pools, and failed migrations from the ledger."""

from __future__ import annotations

from typing import Any

import psycopg

from wedsync_db.health.latency import TAG
from wedsync_db.health.model import Connections, MigrationFailure, PoolUse


def _setting(conn: psycopg.Connection[Any], name: str) -> int:
    row = conn.execute(f"{TAG} select setting from pg_catalog.pg_settings where name = %s", (name,)).fetchone()
    return int(row[0]) if row else 0


def read_pools(pgbouncer_url: str) -> tuple[PoolUse, ...]:
    """Read SHOW POOLS and SHOW DATABASES from pgbouncer's admin console (simple query protocol only)."""
    with psycopg.connect(pgbouncer_url, autocommit=True) as conn:
        cur = psycopg.ClientCursor(conn)  # the admin console rejects the extended protocol
        cur.execute("show databases")
        names = [d.name for d in cur.description or ()]
        sizes = {row[names.index("name")]: row[names.index("pool_size")] for row in cur.fetchall()}
        cur.execute("show pools")
        names = [d.name for d in cur.description or ()]
        pools = []
        for row in cur.fetchall():
            value = dict(zip(names, row, strict=True))
            if value["database"] == "pgbouncer":
                continue  # the admin console itself
            in_use = sum(int(value.get(key) or 0)
                         for key in ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"))
            size = sizes.get(value["database"])
            pools.append(PoolUse(
                database=str(value["database"]), user=str(value["user"]), pool_mode=str(value.get("pool_mode", "")),
                clients_active=int(value["cl_active"]), clients_waiting=int(value["cl_waiting"]),
                servers_in_use=in_use, pool_size=int(size) if size is not None else None,
                max_wait_seconds=float(value.get("maxwait", 0)) + float(value.get("maxwait_us", 0)) / 1e6,
            ))
        return tuple(pools)


def read_connections(conn: psycopg.Connection[Any], pgbouncer_url: str | None = None) -> Connections:
    """Count client backends (not this monitor's) against the slots ordinary roles may use."""
    max_connections = _setting(conn, "max_connections")
    reserved = _setting(conn, "superuser_reserved_connections") + _setting(conn, "reserved_connections")
    rows = conn.execute(
        f"{TAG} select coalesce(state, 'unknown'), count(*), count(*) filter (where datname = current_database()) "
        "from pg_catalog.pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid() "
        "group by 1 order by 1"
    ).fetchall()
    used = sum(int(count) for _, count, _ in rows)
    usable = max(max_connections - reserved, 1)
    pools: tuple[PoolUse, ...] = ()
    pooler = "no pooler"
    if pgbouncer_url:
        pools = read_pools(pgbouncer_url)
        pooler = "pgbouncer"
    return Connections(
        used=used, max_connections=max_connections, reserved=reserved, usable=usable, use_ratio=used / usable,
        by_state=tuple((str(state), int(count)) for state, count, _ in rows),
        in_this_database=sum(int(here) for _, _, here in rows), pooler=pooler, pools=pools,
    )


def read_migration_failures(conn: psycopg.Connection[Any], limit: int = 20) -> tuple[MigrationFailure, ...]:
    """Return the newest ledger failures; one is resolved when the ledger shows that step done after it."""
    exists = conn.execute(f"{TAG} select to_regclass('wedsync_meta.migration_failures') is not null").fetchone()
    if not exists or not exists[0]:
        return ()
    rows = conn.execute(
        f"""{TAG}
        select f.version, f.name, f.direction, f.sqlstate, f.error, f.failed_at,
               case f.direction
                 when 'up' then m.applied_at is not null and m.applied_at > f.failed_at
                 else m.version is null  -- a failed down is resolved once the version is rolled back
               end
        from wedsync_meta.migration_failures f
        left join wedsync_meta.schema_migrations m on m.version = f.version
        order by f.failed_at desc, f.id desc
        limit %s""",
        (limit,),
    ).fetchall()
    return tuple(MigrationFailure(int(v), str(n), str(d), s, str(e), t, bool(r)) for v, n, d, s, e, t, r in rows)
