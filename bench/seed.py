"""Benchmark: end-to-end seed speed (rows/s) per profile beside a plain COPY of as many rows, same run.

Usage: ``.venv/bin/python -m bench.seed [ci large ...]`` (default: ci large). Prints figures; asserts nothing.
Also reports peak resident memory of this process (the generator side) after each profile, and the load
average when the profile finished (the machine is shared: compare ratios, not absolute figures).
"""

from __future__ import annotations

import os
import resource
import sys
import time
import uuid
from datetime import date, datetime, timezone

import psycopg
from rich.console import Console
from rich.table import Table

from fixtures.load import seed_database
from fixtures.world import build_world
from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.server.local import LocalServer

AS_OF = date(2025, 6, 14)
TARGET_RATIO = 0.6


def plain_copy(url: str, rows: int) -> float:
    """Seconds to COPY ``rows`` synthetic 6-column rows (uuid pk, text, int, timestamptz...) in one transaction."""
    ts = datetime(2025, 1, 1, tzinfo=timezone.utc)
    base = uuid.uuid4().int
    with psycopg.connect(url) as conn:
        conn.execute("create table bench_copy (id uuid primary key, name text, n integer, at timestamptz, "
                     "note text, flag boolean)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor().copy("copy bench_copy from stdin") as copy:
            for i in range(rows):
                copy.write_row((uuid.UUID(int=base ^ i), "Zoë O'Brien", i, ts, "a plain note", i % 2 == 0))
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("drop table bench_copy")
        conn.commit()
    return seconds


def main(profiles: list[str]) -> None:
    console = Console()
    server = LocalServer()
    server.start()
    janitor = Janitor(server)
    template = janitor.build_migrated("bench_seed")
    janitor.mark_template(template)
    table = Table(title="seed benchmark (end to end: build World + COPY + audit + FK check, one transaction)")
    for col in ("profile", "rows", "seconds", "rows/s", "plain COPY rows/s", "ratio", "peak RSS MB", "load avg"):
        table.add_column(col, justify="right")
    try:
        for profile in profiles:
            url = server.url(janitor.create(unique_name(f"bench_{profile}"), template=template))
            started = time.perf_counter()
            summary = seed_database(url, build_world(profile, seed=42, as_of=AS_OF), progress=True, console=console)
            seconds = time.perf_counter() - started
            console.print(summary.render())
            baseline = plain_copy(server.url(janitor.create(unique_name("bench_copy"), template=template)),
                                  summary.rows)
            rate, base_rate = summary.rows / seconds, summary.rows / baseline
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            table.add_row(profile, f"{summary.rows:,}", f"{seconds:.1f}", f"{rate:,.0f}", f"{base_rate:,.0f}",
                          f"{rate / base_rate:.0%} (target {TARGET_RATIO:.0%})", f"{rss:,.0f}",
                          "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
            janitor.drop_all()
            template = janitor.build_migrated("bench_seed")
            janitor.mark_template(template)
    finally:
        janitor.drop_all()
        server.stop()
    console.print(table)


if __name__ == "__main__":
    main(sys.argv[1:] or ["ci", "large"])
