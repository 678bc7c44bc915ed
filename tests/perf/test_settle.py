"""Before a profile is timed, the server is settled: checkpointed, autovacuum done, the kernel's dirty pages
flushed; the curve's document and its Markdown say so."""

from __future__ import annotations

from typing import Any

import psycopg

from wedsync_db.perf.data_curve import markdown, measure_profile
from wedsync_db.perf.settle import Settled, settle


def test_a_local_server_is_checkpointed_left_to_autovacuum_and_synced(perf_conn: psycopg.Connection[Any]) -> None:
    settled = settle(perf_conn, local=True, max_wait_s=60, log=lambda _: None)
    assert settled.checkpoint and settled.os_synced
    assert settled.autovacuum_still_running == 0
    assert "checkpoint" in settled.describe() and "flushed" in settled.describe()


def test_a_role_that_may_not_checkpoint_is_measured_all_the_same(perf_db_url: str) -> None:
    """A managed server's user (no superuser, no pg_checkpoint): the curve still runs and says what it skipped."""
    with psycopg.connect(perf_db_url, autocommit=True) as conn:
        conn.execute("set role authenticated")
        settled = settle(conn, local=False, max_wait_s=0, log=lambda _: None)
    assert not settled.checkpoint and not settled.os_synced
    assert "not permitted" in settled.describe() and "remote" in settled.describe()


def test_the_curve_document_and_its_markdown_say_how_the_server_was_settled(perf_db_url: str) -> None:
    measured = measure_profile(perf_db_url, "ci", runs=1, warm=0, settle_wait_s=60, log=lambda _: None)
    assert Settled(**measured["settled"]).checkpoint
    assert any(line.startswith("- before timing: ci: checkpoint") for line in markdown({"ci": measured}))
