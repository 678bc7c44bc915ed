"""Every performance threshold of the harness, in one place.

The gates' defaults (:class:`wedsync_db.perf.gates.GateConfig`), the ``wedsync-db bench`` and ``health`` option
defaults, the targets the reports state, the data curve's growth gate and the tests all read them from here, so
a threshold changes in one line.
"""

from __future__ import annotations

# The product's slow-query line (its one-second alert): the plan gates' time backstop per query, and the health
# command's slow-query alert.
SLOW_QUERY_MS = 1_000.0

# Plan gates: the largest relation a sequential scan may read at `ci` (smaller tables are read whole on purpose) ...
SEQ_SCAN_MAX_ROWS = 1_000
# ... and at `large` and `xl`, where the small lookup tables (categories, core fields) are still read whole.
SEQ_SCAN_MAX_ROWS_AT_SCALE = 10_000
# Rows a filter may throw away, as a multiple of the rows returned or read, or under a floor.
REMOVED_RATIO = 10.0
REMOVED_FLOOR = 1_000

# The tenant curve: a point lookup's slope of log(latency) over log(tenant rows) stays at or under this (0.15: at
# most 2.8x over a 1,000x range of tenant sizes), unless the growth it implies over the ladder is under
# POINT_LOOKUP_NOISE_MS (timer jitter on sub-ms queries).
POINT_LOOKUP_MAX_SLOPE = 0.15
POINT_LOOKUP_NOISE_MS = 0.3

# The data curve: from `large` to `xl` (~6.7x the rows) a tenant-scoped query's warm median may grow at most
# GROWTH_LIMIT; below GROWTH_FLOOR_MS at xl a ratio is the machine's noise, not the data's growth.
GROWTH_LIMIT = 2.0
GROWTH_FLOOR_MS = 1.0

# Targets the reports state beside the figures (not gates): per query, RLS overhead, growth, load run.
MEDIAN_TARGET_MS = 10.0
P99_TARGET_MS = 50.0
RLS_OVERHEAD_TARGET = 1.5
GROWTH_PER_10X_TARGET = 2.0
LOAD_P99_TARGET_MS = 100.0
