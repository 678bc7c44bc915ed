"""The exhaustive sweep: key personas x every table x every command x (sampled) rows, on two worlds.

The seeded tiny world brings real data shapes (soft-deleted rows, dual-role users, a big audit log); the
hand-built sample world holds every relation of the matrix by construction (the tiny world has, for instance,
no admin on a team that sells templates). After the sampled sweep, the completion pass aims attempts at every
cell the sample missed; on the tiny world no cell may stay untried except those its data cannot reach (listed
by name), and those must be tried on the sample world. Untried cells fail by name. Also the benchmark: it
prints attempts per second (one attempt = one statement judged against the oracle).
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest

from wedsync_db.rls.attempts import fingerprints_of
from wedsync_db.rls.completion import complete
from wedsync_db.rls.coverage import Coverage
from wedsync_db.rls.generate import key_personas
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.reproducer import failure_message
from wedsync_db.rls.sweep import sweep

MIN_RATE = 300  # attempts per second, one connection, a savepoint per attempt batch


def _run(conn: psycopg.Connection[Any], oracle: Oracle, fps: dict[tuple[str, str], str], name: str,
         **options: Any) -> tuple[Coverage, float]:
    actors = key_personas(oracle.world, seed=0)
    started = time.perf_counter()
    judged = sweep(conn, oracle, fps, seed=0, writes=1, actors=actors, **options)
    elapsed = time.perf_counter() - started
    coverage = Coverage(oracle.matrix)
    coverage.add(judged)
    rate = len(judged) / elapsed
    print(f"\nrls sweep ({name}, {len(actors)} personas): {len(judged)} attempts in {elapsed:.1f}s"
          f" = {rate:.0f} attempts/s; {coverage.summary()}")
    assert not coverage.failed, failure_message(oracle, coverage.failed)
    return coverage, rate


def _names(cells: list[tuple[str, str, str]]) -> str:
    return ", ".join(":".join(c) for c in cells) or "(none)"


@pytest.mark.exclusive  # measures time: alone under pytest-xdist (tests/conftest.py)
def test_every_cell_of_the_matrix_is_proven_on_the_tiny_and_sample_worlds(
    tiny_conn: psycopg.Connection[Any], tiny_oracle: Oracle, tiny_fingerprints: dict[tuple[str, str], str],
    rls_conn: psycopg.Connection[Any], oracle: Oracle, rls_counter: list[int],
) -> None:
    """Every (table, command, actor relation) cell is exercised and agrees with the oracle; untried cells fail."""
    tiny, tiny_rate = _run(tiny_conn, tiny_oracle, tiny_fingerprints, "tiny world", max_rows=6,
                            per_relation=1)
    sampled_gaps = tiny.untried()
    completion = complete(tiny_conn, tiny_oracle, tiny, tiny_fingerprints, seed=0)
    print(f"completion pass (tiny world): {len(completion.judged)} attempts in {completion.seconds:.2f}s for"
          f" {len(sampled_gaps)} cells the sample missed; completed: {_names(completion.completed)};"
          f" unreachable in the tiny world: {_names(tiny.unreachable)}")
    assert not tiny.failed, failure_message(tiny_oracle, tiny.failed)
    assert not tiny.missed(), (
        f"untried after the completion pass although the tiny world holds actor-row pairs for them:"
        f" {_names(tiny.missed())}; unreachable in the tiny world (allowed): {_names(tiny.unreachable)}")
    assert set(tiny.untried()) == set(tiny.unreachable), (
        f"cells marked unreachable but tried: {_names(sorted(set(tiny.unreachable) - set(tiny.untried())))}")
    # cells the tiny world's data cannot reach: the marketplace tables hold only a couple of rows
    assert {t for t, _, _ in tiny.unreachable} <= {"templates", "template_purchases", "reviews", "service_reviews"}, (
        f"unreachable in the tiny world outside the marketplace tables: {_names(tiny.unreachable)}")
    sample, _ = _run(rls_conn, oracle, fingerprints_of(rls_conn, oracle.matrix.tables), "sample world",
                     max_rows=4, per_relation=1)
    rls_counter[0] += tiny.total + sample.total
    untried = [c for c in tiny.unreachable if not sample.attempts[c]]
    assert not untried, ("cells unreachable in the tiny world and untried on the sample world: " + _names(untried))
    assert tiny_rate >= MIN_RATE, f"{tiny_rate:.0f} attempts/s is under the {MIN_RATE}/s target"
