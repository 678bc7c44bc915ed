"""The exhaustive sweep: every persona x every table x every command x every row; coverage of every matrix cell.

Also the benchmark: it prints attempts per second (one attempt = one statement judged against the oracle).
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

from wedsync_db.rls.attempts import fingerprints_of
from wedsync_db.rls.coverage import Coverage
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.reproducer import failure_message
from wedsync_db.rls.sweep import sweep

MIN_RATE = 300  # attempts per second, one connection, a savepoint per attempt batch


def test_every_cell_of_the_matrix_is_proven_on_every_row(
    rls_conn: psycopg.Connection[Any], oracle: Oracle, rls_counter: list[int],
) -> None:
    """Every (table, command, actor relation) cell is exercised and agrees with the oracle; untried cells fail."""
    fingerprints = fingerprints_of(rls_conn, oracle.matrix.tables)
    started = time.perf_counter()
    judged = sweep(rls_conn, oracle, fingerprints, seed=0)
    elapsed = time.perf_counter() - started
    rls_counter[0] += len(judged)
    coverage = Coverage(oracle.matrix)
    coverage.add(judged)
    rate = len(judged) / elapsed
    print(f"\nrls sweep: {len(judged)} attempts in {elapsed:.1f}s = {rate:.0f} attempts/s; {coverage.summary()}")
    assert not coverage.failed, failure_message(oracle, coverage.failed)
    untried = coverage.untried()
    assert not untried, "cells of the access matrix no attempt exercised: " + ", ".join(map(str, untried))
    assert rate >= MIN_RATE, f"{rate:.0f} attempts/s is under the {MIN_RATE}/s target"
