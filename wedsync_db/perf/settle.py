"""Let a freshly seeded server go quiet before its queries are timed.

Right after a seed the server is still busy for minutes: autovacuum works through the tables just loaded, and
the kernel writes back gigabytes of dirty pages (the test clusters run with fsync off, so a checkpoint only
hands them to the kernel). Timing queries then measures that work beside the queries, and a profile measured
right after its seed looks slower than the same database minutes later: enough to fail a growth gate of 2x.
:func:`settle` checkpoints, waits for the database's autovacuum workers to finish (up to a bound) and flushes the
kernel's dirty pages, and says what it did.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

# How long to wait for autovacuum at most: a worker still busy after that is measured beside (and reported).
AUTOVACUUM_WAIT_S = 900.0
POLL_S = 2.0

_AUTOVACUUM_WORKERS = """
select count(*) from pg_stat_activity
where backend_type = 'autovacuum worker' and datname = current_database()
"""


@dataclass(frozen=True)
class Settled:
    """What :func:`settle` did: the figures' conditions, kept in the measurement's document."""

    checkpoint: bool  # False: the role may not run CHECKPOINT (a managed server)
    autovacuum_wait_s: float
    autovacuum_still_running: int  # workers left when the wait gave up (0: quiet)
    os_synced: bool  # False: the server is not on this machine

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        done = ["checkpoint" if self.checkpoint else "no checkpoint (not permitted)",
                f"autovacuum waited for {self.autovacuum_wait_s:.0f} s"
                + (f", {self.autovacuum_still_running} worker(s) still running" if self.autovacuum_still_running
                   else ""),
                "OS dirty pages flushed" if self.os_synced else "OS dirty pages not flushed (remote server)"]
        return "; ".join(done)


def settle(conn: psycopg.Connection[Any], *, local: bool, max_wait_s: float = AUTOVACUUM_WAIT_S,
           log: Callable[[str], None] = print) -> Settled:
    """Checkpoint, wait for autovacuum on this database, and (``local``: the server runs here) flush the kernel's
    dirty pages. ``conn`` is in autocommit mode."""
    checkpoint = _checkpoint(conn)
    started = time.monotonic()
    running = _autovacuum_workers(conn)
    if running:
        log(f"waiting for {running} autovacuum worker(s) to finish before timing (at most {max_wait_s:.0f} s)")
    while running and time.monotonic() - started < max_wait_s:
        time.sleep(POLL_S)
        running = _autovacuum_workers(conn)
    waited = time.monotonic() - started
    if running == 0 and waited >= POLL_S:
        checkpoint = _checkpoint(conn) and checkpoint  # what autovacuum dirtied goes to the kernel too
    synced = False
    if local:
        os.sync()
        synced = True
    return Settled(checkpoint, waited, running, synced)


def _checkpoint(conn: psycopg.Connection[Any]) -> bool:
    try:
        conn.execute("checkpoint")
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def _autovacuum_workers(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(_AUTOVACUUM_WORKERS).fetchone()
    return int(row[0]) if row else 0
