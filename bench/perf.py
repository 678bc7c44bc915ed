"""Benchmark the query catalog as real users (gates, latency, RLS overhead, scale, load): ``python -m bench.perf``.

Same as ``wedsync-db bench`` once that is registered; takes the same options.
"""

from __future__ import annotations

import typer

from wedsync_db.perf.command import bench_command

if __name__ == "__main__":
    typer.run(bench_command)
