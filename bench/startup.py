"""Benchmark: cold start to a migrated database, and the cost of per-test isolation (clone vs rollback)."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import psycopg

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.server.local import LocalServer

TARGETS = {"cold start": 2.0, "clone": 0.030, "rollback": 0.001}


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    started = time.perf_counter()
    server = LocalServer()
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

    print(f"{'measure':<34}{'value':>10}{'target':>10}")
    print(f"{'server start (initdb + postgres)':<34}{booted:>9.2f}s")
    print(f"{'cold start to migrated template':<34}{cold:>9.2f}s{TARGETS['cold start']:>9.2f}s")
    print(f"{'per-test clone + drop (median)':<34}{clone * 1000:>8.1f}ms{TARGETS['clone'] * 1000:>8.0f}ms")
    print(f"{'per-test clone from the pool':<34}{pooled * 1000:>8.1f}ms{TARGETS['clone'] * 1000:>8.0f}ms")
    print(f"{'per-test rollback (median)':<34}{rollback * 1000:>8.2f}ms{TARGETS['rollback'] * 1000:>8.0f}ms")
    print(f"clone / rollback ratio: {clone / rollback:.0f}x")


if __name__ == "__main__":
    argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__ + " Prints figures beside their "
                            f"targets in seconds {TARGETS}; asserts nothing.").parse_args()
    main()
