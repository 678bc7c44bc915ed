"""The benchmarks' reading of /proc/stat (bench/cpu.py) and the seed benchmark's table of what bounds a seed."""

from __future__ import annotations

import time

import pytest

from bench.cpu import cores, cpu_times
from bench.seed import add_bound_row, bound_table
from tests.fixtures_tests.worlds import AS_OF
from wedsync_db.worlds.copy_loader import LoadResult
from wedsync_db.worlds.load import SeedSummary

pytestmark = pytest.mark.skipif(cpu_times() is None, reason="no /proc/stat to read (not Linux)")


def test_machine_core_seconds_cover_the_wall_time_on_every_core_and_this_process_busy_time():
    own, wall, before = time.process_time(), time.perf_counter(), cpu_times()
    while time.perf_counter() - wall < 0.5:  # keep one core busy
        pass
    after, wall, own = cpu_times(), time.perf_counter() - wall, time.process_time() - own
    assert before is not None and after is not None
    spent = after - before
    # busy + idle is the wall time of every online core (/proc/stat sums them all; it counts in 10 ms ticks)
    assert spent.busy + spent.idle == pytest.approx(wall * cores(), abs=0.05 * cores() + 0.1 * wall * cores())
    assert spent.busy >= own - 0.05  # the machine was at least as busy as this process


def test_the_bound_row_adds_the_world_build_to_the_seed_connections_busy_time():
    summary = SeedSummary("large", 42, AS_OF, steps=[LoadResult("users", 1_000, 40.0, 1.0)], seconds=41.0)
    table = bound_table()
    add_bound_row(table, "large", 46.0, 5.0, summary, None, base_rate=100.0)
    cells = [column._cells[0] for column in table.columns]
    assert cells[:5] == ["large", "46.0", "5.0", "40.0", "45.0"]
    assert cells[5:7] == ["", ""]  # no /proc/stat reading given
    assert cells[7] == "16.7"  # 1,000 rows at 60% of 100 rows/s
