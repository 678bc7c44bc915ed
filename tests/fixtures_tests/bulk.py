"""The bulk-load server the WAL-skip tests seed on, and a seed that measures the WAL it writes."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.worlds.load import SeedSummary, seed_database
from wedsync_db.worlds.world import World


@dataclass
class BulkServer:
    """A local server at BULK_LOAD_SETTINGS (wal_level = minimal) with a migrated template to clone."""

    janitor: Janitor
    template: str

    def fresh_db(self) -> str:
        return self.janitor.server.url(self.janitor.create(unique_name("walskip"), template=self.template))


@dataclass
class MeasuredSeed:
    summary: SeedSummary
    wal_bytes: int  # WAL the server wrote during the seed
    growth_bytes: int  # how much the database grew


def seed_measuring_wal(url: str, world: World) -> MeasuredSeed:
    """Seed ``url`` (nothing else writing on its server) and measure the WAL written and the database's growth."""
    with psycopg.connect(url, autocommit=True) as conn:
        lsn, size = conn.execute("select pg_current_wal_lsn(), pg_database_size(current_database())").fetchone()
    summary = seed_database(url, world, progress=False)
    with psycopg.connect(url, autocommit=True) as conn:
        wal, growth = conn.execute("select pg_wal_lsn_diff(pg_current_wal_lsn(), %s), "
                                   "pg_database_size(current_database()) - %s", (lsn, size)).fetchone()
    return MeasuredSeed(summary, int(wal), int(growth))
