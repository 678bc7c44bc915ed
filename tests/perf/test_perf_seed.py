"""The set-based perf seed reads its row counts from the one table of seed profiles."""

from __future__ import annotations

import psycopg

from wedsync_db.perf.seed import seed_perf_world, seed_size
from wedsync_db.worlds.profiles import PROFILES


def test_perf_seed_sizes_are_the_seed_profiles_counts() -> None:
    """Every seed profile gives the perf seed its suppliers, couples, clients and months (worlds/profiles.py)."""
    for name, profile in PROFILES.items():
        size = seed_size(name)
        assert (size.suppliers, size.couples, size.clients, size.months) == (
            profile.suppliers, profile.couples, profile.clients, profile.months)


def test_perf_seed_at_tiny_loads_the_profiles_suppliers_couples_and_clients(db_url: str) -> None:
    """seed_perf_world('tiny') writes exactly the tiny profile's suppliers, couples and clients."""
    seed_perf_world(db_url, "tiny")
    profile = PROFILES["tiny"]
    with psycopg.connect(db_url) as conn:
        counts = tuple(conn.execute(f"select count(*) from public.{table}").fetchone()[0]  # type: ignore[index]
                       for table in ("suppliers", "couples", "clients"))
    assert counts == (profile.suppliers, profile.couples, profile.clients)
