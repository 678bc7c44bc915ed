"""Benchmark: cold start to a migrated database, and the cost of per-test isolation (clone vs rollback)."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.server import placement
from wedsync_db.server.local import LocalServer

TARGETS = {"cold start": 2.0, "clone": 0.030, "rollback": 0.001}


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


@dataclass
class Figures:
    booted: float
    cold: float
    clone: float
    pooled: float
    rollback: float


def measure(in_memory: bool) -> Figures:
    """Start a server with its cluster in memory or on disk and time start-up, clones and rollbacks on it."""
    started = time.perf_counter()
    server = LocalServer(in_memory=in_memory)
    server.start()
    booted = time.perf_counter() - started
    janitor = Janitor(server)
    template = janitor.build_migrated("bench")
    janitor.mark_template(template)
    cold = time.perf_counter() - started

    def clone_and_drop() -> None:
        name = janitor.create(unique_name("clone"), template=template)
        janitor.drop(name)

    clone = _median_seconds(clone_and_drop, 15)

    # With the pool: what a test waits for when the clone was made while the previous test ran.
    from wedsync_db.clone_pool import ClonePool

    pool = ClonePool(janitor, template)
    waits = []
    for _ in range(10):
        started = time.perf_counter()
        name = pool.acquire()
        waits.append(time.perf_counter() - started)
        time.sleep(0.4)  # a short test: enough for the worker to make the next clone and drop this one
        pool.release(name)
    pool.close()
    pooled = statistics.median(waits)

    with psycopg.connect(server.url(janitor.create(unique_name("rb"), template=template))) as conn:
        conn.execute("select 1")
        conn.rollback()

        def begin_rollback() -> None:
            conn.execute("select 1")
            conn.rollback()

        rollback = _median_seconds(begin_rollback, 200)
    janitor.drop_all()
    server.stop()
    return Figures(booted, cold, clone, pooled, rollback)


def main() -> None:
    placements = {"in memory": True, "on disk": False} if placement.memory_unusable_reason() is None \
        else {"on disk": False}
    figures = {label: measure(in_memory) for label, in_memory in placements.items()}
    rows = [
        ("server start (initdb + postgres)", "booted", None, 1.0, "s"),
        ("cold start to migrated template", "cold", TARGETS["cold start"], 1.0, "s"),
        ("per-test clone + drop (median)", "clone", TARGETS["clone"], 1000.0, "ms"),
        ("per-test clone from the pool", "pooled", TARGETS["clone"], 1000.0, "ms"),
        ("per-test rollback (median)", "rollback", TARGETS["rollback"], 1000.0, "ms"),
    ]
    print(f"{'measure':<34}" + "".join(f"{label:>12}" for label in figures) + f"{'target':>10}")
    for title, attribute, target, scale, unit in rows:
        values = "".join(f"{getattr(f, attribute) * scale:>10.2f}{unit:<2}" for f in figures.values())
        print(f"{title:<34}{values}" + (f"{target * scale:>8.2f}{unit}" if target is not None else ""))
    for label, f in figures.items():
        print(f"clone / rollback ratio {label}: {f.clone / f.rollback:.0f}x")
    if len(placements) == 1:
        print(f"(no cluster in memory here: {placement.memory_unusable_reason()})")


if __name__ == "__main__":
    argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__ + " Prints figures beside their "
                            f"targets in seconds {TARGETS}, for a cluster in memory (when a tmpfs has room) and "
                            "one on disk; asserts nothing.").parse_args()
    main()
