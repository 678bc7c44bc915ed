"""Properties 1 and 2: what each actor reads and writes equals what the access matrix (the oracle) allows.

One Hypothesis example = one actor and a batch of attempts in one savepoint; an attempt = one statement judged.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies.actors import actors
from tests.strategies.attempts import access_attempts, read_batches
from wedsync_db.rls.attempts import fingerprints_of, run_batch
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.reproducer import failure_message

# ci: 150 read examples x ~140 reads + 150 write examples x ~20 writes (~24k attempts, ~25 s), plus the sweep.
PROFILE_EXAMPLES = {"dev": (60, 60), "ci": (150, 150), "nightly": (8000, 8000)}  # nightly: >1.1M attempts


def _profile_examples(kind: int) -> int:
    name = getattr(settings, "_current_profile", None) or "dev"
    return PROFILE_EXAMPLES.get(name, (60, 60))[kind]


@pytest.fixture
def fingerprints(rls_conn: psycopg.Connection[Any], oracle: Oracle) -> dict[tuple[str, str], str]:
    return fingerprints_of(rls_conn, oracle.matrix.tables)


def test_every_actor_reads_exactly_what_the_matrix_allows(
    rls_conn: psycopg.Connection[Any], oracle: Oracle, rls_counter: list[int],
) -> None:
    """Property 1: SELECT (whole table, by id, by tenant, count(*), group by) returns the oracle's rows, no more."""

    @settings(max_examples=_profile_examples(0))
    @given(data=st.data())
    def prop(data: Any) -> None:
        actor = data.draw(actors(oracle.world), label="actor")
        judged = run_batch(rls_conn, oracle, actor, read_batches(data, oracle, actor))
        rls_counter[0] += len(judged)
        failed = [j for j in judged if not j.passed]
        assert not failed, failure_message(oracle, failed)

    prop()


def test_every_write_succeeds_exactly_when_the_matrix_allows_it(
    rls_conn: psycopg.Connection[Any], oracle: Oracle, fingerprints: dict[tuple[str, str], str],
    rls_counter: list[int],
) -> None:
    """Property 2: INSERT/UPDATE/DELETE/upsert succeed iff the oracle allows; refused ones change nothing."""

    @settings(max_examples=_profile_examples(1))
    @given(data=st.data())
    def prop(data: Any) -> None:
        actor = data.draw(actors(oracle.world), label="actor")
        judged = run_batch(rls_conn, oracle, actor, access_attempts(data, oracle, actor), fingerprints)
        rls_counter[0] += len(judged)
        failed = [j for j in judged if not j.passed]
        assert not failed, failure_message(oracle, failed)

    prop()
