"""Load driver: concurrent simulated app users run the catalog mix plus writes, then isolation is re-checked.

Why a psycopg thread driver rather than pgbench: every request must be PostgREST's (begin, one set_config of
role and claims for a random actor, the statement, commit/rollback). pgbench script files could do that, but
the actors, their arguments and the catalog SQL would have to be re-encoded as pgbench variables, pgbench
reports per-statement averages only (no per-query p95/p99 without parsing --log), and its errors stop or skip
a client silently. A thread per client with its own connection reuses the exact code the gates run
(``impersonate.request``), records every latency and error by query, and psycopg releases the GIL while it
waits on the server. The cost is client overhead (~0.1-0.3 ms per request here), included in the latencies.

Safety: loopback servers only, at most 32 clients, at most an hour, and it stops by itself at the deadline.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from wedsync_db.errors import WedsyncError
from wedsync_db.impersonate import request
from wedsync_db.perf.catalog import QUERIES, CatalogQuery
from wedsync_db.perf.measure import Latency
from wedsync_db.perf.tenants import NoTenants, Tenant, tenant_of
from wedsync_db.worlds.disk import on_this_machine

MAX_CLIENTS = 32
MAX_SECONDS = 3600
READ_SHARE = 0.85  # the rest are writes: messages sent, client notes edited, notifications read


class LoadRefused(WedsyncError):
    """The load run was refused (a non-loopback server, too many clients, too long)."""


@dataclass(frozen=True)
class Sample:
    name: str
    started: float  # seconds since the run began
    ms: float
    error: str | None = None


@dataclass
class LoadResult:
    """Everything a load run measured, plus the isolation re-check."""

    clients: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    isolation_violations: int = 0
    writes_checked: int = 0

    @property
    def errors(self) -> list[Sample]:
        return [s for s in self.samples if s.error]

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    def by_query(self) -> dict[str, Latency]:
        groups: dict[str, list[float]] = defaultdict(list)
        for s in self.samples:
            if not s.error:
                groups[s.name].append(s.ms)
        return {name: Latency.of(ms) for name, ms in sorted(groups.items())}

    def overall(self) -> Latency:
        return Latency.of([s.ms for s in self.samples if not s.error])

    def over_time(self, bucket_seconds: float = 5.0) -> list[tuple[float, Latency]]:
        """Percentiles per time bucket (for the report's load-over-time plot)."""
        buckets: dict[int, list[float]] = defaultdict(list)
        for s in self.samples:
            if not s.error:
                buckets[int(s.started // bucket_seconds)].append(s.ms)
        return [(k * bucket_seconds, Latency.of(v)) for k, v in sorted(buckets.items())]

    def to_json(self) -> dict[str, Any]:
        overall = self.overall()
        return {
            "clients": self.clients, "seconds": self.seconds, "requests": len(self.samples),
            "throughput_per_s": self.throughput, "errors": len(self.errors),
            "error_examples": sorted({s.error or "" for s in self.errors})[:5],
            "overall": overall.__dict__, "by_query": {k: v.__dict__ for k, v in self.by_query().items()},
            "over_time": [{"t": t, **lat.__dict__} for t, lat in self.over_time()],
            "isolation_violations": self.isolation_violations, "writes_checked": self.writes_checked,
        }


def check_loopback(conninfo: str) -> None:
    """Refuse any server that is not on this machine."""
    host = conninfo_to_dict(conninfo).get("host") or ""
    if not on_this_machine(str(host)):
        raise LoadRefused(f"load runs only against loopback servers; {host!r} is not (use a local copy)")


def load_tenants(conn: psycopg.Connection[Any], count: int = 40) -> list[Tenant]:
    """A random sample of usable tenants (the whale always among them) for the actors of the run."""
    as_of = conn.execute("select date_trunc('second', now())").fetchone()[0]  # type: ignore[index]
    rows = conn.execute(
        "select s.id, (select count(*) from public.clients c where c.supplier_id = s.id) from public.suppliers s "
        "where s.deleted_at is null and exists (select 1 from public.supplier_client_connections scc "
        "where scc.supplier_id = s.id and scc.status = 'active') and exists (select 1 from public.forms f "
        "where f.supplier_id = s.id) order by 2 desc limit 1"
    ).fetchall()
    rows += conn.execute(
        "select s.id, 0 from public.suppliers s tablesample bernoulli (50) where s.deleted_at is null "
        "and exists (select 1 from public.supplier_client_connections scc where scc.supplier_id = s.id "
        "and scc.status = 'active') and exists (select 1 from public.forms f where f.supplier_id = s.id) limit %s",
        (count,),
    ).fetchall()
    tenants: list[Tenant] = []
    for supplier_id, clients in rows:
        try:
            tenants.append(tenant_of(conn, "whale" if not tenants else "sampled", supplier_id, int(clients), as_of))
        except NoTenants:
            continue
    if not tenants:
        raise NoTenants("no usable tenant for the load run: seed the database")
    return tenants


def _write(conn: psycopg.Connection[Any], tenant: Tenant, kind: str, run_tag: str) -> None:
    if kind == "send_message":
        with request(conn, tenant.actor("supplier"), method="POST", path="/messages", commit=True):
            conn.execute(
                "insert into public.messages (supplier_id, couple_id, sender, sender_user_id, body, channel) "
                "values (%s, %s, 'supplier', %s, %s, 'in_app')",
                (tenant.supplier_id, tenant.couple_id, tenant.owner_user_id, f"{run_tag} hello"),
            )
    elif kind == "couple_reply":
        with request(conn, tenant.actor("couple"), method="POST", path="/messages", commit=True):
            conn.execute(
                "insert into public.messages (supplier_id, couple_id, sender, sender_user_id, body, channel) "
                "values (%s, %s, 'couple', %s, %s, 'in_app')",
                (tenant.supplier_id, tenant.couple_id, tenant.couple_user_id, f"{run_tag} reply"),
            )
    elif kind == "edit_client_notes":
        with request(conn, tenant.actor("supplier"), method="PATCH", path="/clients", commit=True):
            conn.execute("update public.clients set notes = %s where supplier_id = %s and id = %s",
                         (f"{run_tag} called", tenant.supplier_id, tenant.client_id))
    elif kind == "read_notifications":
        with request(conn, tenant.actor("supplier"), method="PATCH", path="/notifications", commit=True):
            conn.execute(
                "update public.notifications set read_at = now() where id in (select id from public.notifications "
                "where user_id = %s and read_at is null limit 3)", (tenant.owner_user_id,),
            )


WRITES = ("send_message", "couple_reply", "edit_client_notes", "read_notifications")


def _worker(conninfo: str, tenants: list[Tenant], queries: list[CatalogQuery], deadline: float, t0: float,
            seed: int, run_tag: str, out: list[Sample], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    local: list[Sample] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while time.perf_counter() < deadline:
            tenant = rng.choice(tenants)
            query = rng.choice(queries) if rng.random() < READ_SHARE else None
            name = query.name if query else rng.choice(WRITES)
            started = time.perf_counter()
            error = None
            try:
                if query:
                    _read(conn, query, tenant)
                else:
                    _write(conn, tenant, name, run_tag)
            except psycopg.Error as exc:
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                if conn.closed:
                    break
            local.append(Sample(name, started - t0, (time.perf_counter() - started) * 1000.0, error))
    with lock:
        out.extend(local)


def _read(conn: psycopg.Connection[Any], query: CatalogQuery, tenant: Tenant) -> None:
    with request(conn, tenant.actor(query.actor), method=query.method):
        conn.execute(query.statement(), query.params(tenant)).fetchall()


_ISOLATION_CHECK = """
select count(*) filter (where a.actor_user_id is not null and a.supplier_id is not null
    and not exists (select 1 from public.team_members tm
                    where tm.user_id = a.actor_user_id and tm.supplier_id = a.supplier_id and tm.deleted_at is null)
    and not exists (select 1 from public.couples cp join public.supplier_client_connections scc
                      on scc.couple_id = cp.id and scc.status = 'active'
                    where a.actor_user_id in (cp.partner_one_user_id, cp.partner_two_user_id)
                      and scc.supplier_id = a.supplier_id)),
       count(*)
from public.audit_log a
where a.created_at >= %s and a.actor_role = 'authenticated'
"""


def run_load(
    conninfo: str, *, seconds: float = 30.0, clients: int = 4, queries: list[CatalogQuery] | None = None,
    seed: int = 42,
) -> LoadResult:
    """Run the mix for ``seconds`` with ``clients`` threads, then re-check isolation from the audit log."""
    check_loopback(conninfo)
    if not 1 <= clients <= MAX_CLIENTS or not 0 < seconds <= MAX_SECONDS:
        raise LoadRefused(f"clients must be 1..{MAX_CLIENTS} and seconds 0..{MAX_SECONDS}")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tenants = load_tenants(conn)
        started_at = conn.execute("select now()").fetchone()[0]  # type: ignore[index]
    run_tag = f"load-run {uuid.uuid4().hex[:8]}"
    mix = queries or list(QUERIES)
    out: list[Sample] = []
    lock = threading.Lock()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    threads = [threading.Thread(target=_worker, daemon=True,
                                args=(conninfo, tenants, mix, deadline, t0, seed + i, run_tag, out, lock))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result = LoadResult(clients, time.perf_counter() - t0, sorted(out, key=lambda s: s.started))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        violations, checked = conn.execute(_ISOLATION_CHECK, (started_at,)).fetchone()  # type: ignore[misc]
    result.isolation_violations, result.writes_checked = int(violations), int(checked)
    return result
