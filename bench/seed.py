"""Benchmark: end-to-end seed speed (rows/s) per profile beside two COPY baselines measured in the same run.

Usage: ``.venv/bin/python -m bench.seed [--replay] [--wal-level logical] [ci large ...]`` (default: ci large).
Prints figures; asserts nothing. The machine is shared and noisy: compare ratios within a run, not absolute
figures across runs.

Baselines:

* **plain COPY**: the same number of rows, 6 narrow columns (uuid primary key, text, int, timestamptz, text,
  boolean), into a synthetic table, one transaction, in COPY's default text format. The issue's target: the
  seed at >= 60% of it. Printed beside it, for reference, the same COPY in binary format (the seed itself uses
  binary): ~1.7x faster here, a stricter baseline the target is not computed against.
* **replay** (``--replay``): the seeded database's own rows, dumped with ``COPY TO`` beforehand (not timed), COPYed
  back into a fresh migrated database as the seed loads them (one transaction, triggers off, the same secondary
  indexes deferred and rebuilt) on one connection. No generation at all: the fastest a one-connection,
  text-COPY seeder can load these rows, with these indexes, on this machine. The seed's rows are wide (audit rows
  carry a jsonb copy of the row) and the big tables have 4-6 indexes each, so this sits far below the plain
  COPY. (The seed itself uses binary COPY and, for large/xl, a second connection, so it can come close to it.)

The server is a throwaway local one with the test settings plus ``BULK_LOAD_SETTINGS`` (``wal_level =
minimal``, as PostgreSQL's docs advise for bulk loads; ``--wal-level logical`` keeps the test servers'
setting). At minimal the seed loads into new storage and writes next to no WAL (wedsync_db/worlds/wal_skip.py). The
plain COPY gains nothing from it: it is bound by its Python client (at wal_level = minimal it did 451-462k
rows/s whether its table was created in its transaction or before it).

Also reports peak resident memory of this process (the generator side) after each profile, and the load average
when the profile finished.

A second table says what bounds each seed, so that a ratio can be read without a profiler:

* **critical path**: the World build plus the seconds the seed connection was busy with its own steps. One
  transaction writes on one core (PostgreSQL 15 has no parallel COPY or INSERT; only index builds take workers),
  and only a partition can be loaded beside it (wedsync_db/worlds/partition_loader.py), so no seed takes less.
* **work**: the machine's busy core-seconds over the World build and the seed (``/proc/stat``: the seed's Python,
  its connections and the kernel's work for them, and whatever else ran), and that divided by the cores: no seed
  takes less either, however well its work is shared.
* **target**: the seconds a seed of that many rows may take to reach 60% of the plain COPY measured in the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg import sql
from rich.console import Console
from rich.table import Table

from bench.cpu import CpuTimes, cores, cpu_times
from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.server.local import BULK_LOAD_SETTINGS, LocalServer
from wedsync_db.worlds import wal_skip
from wedsync_db.worlds.columns import COLUMNS
from wedsync_db.worlds.deferred_indexes import DEFERRED_INDEX_TABLES, defer_indexes, restore_indexes
from wedsync_db.worlds.load import SeedSummary, create_partitions, seed_database
from wedsync_db.worlds.profiles import PROFILES
from wedsync_db.worlds.world import World, build_world

AS_OF = date(2025, 6, 14)
TARGET_RATIO = 0.6
CATALOG = ("core_field_groups", "core_fields")


def plain_copy(url: str, rows: int, *, binary: bool = False) -> float:
    """Seconds to COPY ``rows`` synthetic 6-column rows (uuid pk, text, int, timestamptz...) in one transaction."""
    ts = datetime(2025, 1, 1, tzinfo=UTC)
    base = uuid.uuid4().int
    with psycopg.connect(url) as conn:
        conn.execute("create table bench_copy (id uuid primary key, name text, n integer, at timestamptz, "
                     "note text, flag boolean)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor().copy("copy bench_copy from stdin" + (" (format binary)" if binary else "")) as copy:
            if binary:
                copy.set_types(["uuid", "text", "int4", "timestamptz", "text", "bool"])
            for i in range(rows):
                copy.write_row((uuid.UUID(int=base ^ i), "Zoë O'Brien", i, ts, "a plain note", i % 2 == 0))
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("drop table bench_copy")
        conn.commit()
    return seconds


def _replayed_tables() -> list[tuple[str, sql.Identifier, sql.SQL | sql.Composed]]:
    """(table, qualified name, column list) of every seeded table, audit_log last (as the seed writes it)."""
    out: list[tuple[str, sql.Identifier, sql.SQL | sql.Composed]] = []
    for table in [*COLUMNS, "public.audit_log"]:
        schema, _, name = table.rpartition(".")
        qualified = sql.Identifier(schema or "public", name)
        columns = sql.SQL("*") if name == "audit_log" else sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
        out.append((name, qualified, columns))
    return out


def replay_copy(seeded_url: str, empty_url: str, world: World) -> tuple[int, float]:
    """(rows, seconds) to COPY the seeded rows back into ``empty_url`` the way the seed loads (see module doc)."""
    dumps: list[tuple[sql.Composed, Any]] = []
    with psycopg.connect(seeded_url) as source:
        for name, qualified, columns in _replayed_tables():
            where = sql.SQL(" where table_name <> all({})").format(sql.Literal(list(CATALOG))) \
                if name == "audit_log" else sql.SQL("")
            file = tempfile.TemporaryFile(prefix="wedsync-replay-")
            query = sql.SQL("copy (select {} from {}{}) to stdout").format(columns, qualified, where)
            with source.cursor().copy(query) as copy:
                for chunk in copy:
                    file.write(chunk)
            target_columns = sql.SQL("") if name == "audit_log" else sql.SQL(" ({})").format(columns)
            dumps.append((sql.SQL("copy {}{} from stdin").format(qualified, target_columns), file))
    rows = 0
    with psycopg.connect(empty_url) as conn:
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("set local session_replication_role = replica")
            deferred = defer_indexes(conn, DEFERRED_INDEX_TABLES)
            create_partitions(conn, world)
            for statement, file in dumps:
                file.seek(0)
                with conn.cursor() as cursor:
                    with cursor.copy(statement) as copy:
                        while chunk := file.read(1 << 20):
                            copy.write(chunk)
                    rows += cursor.rowcount
                file.close()
            restore_indexes(conn, deferred)
        seconds = time.perf_counter() - started
    return rows, seconds


def bound_table() -> Table:
    """The table of what bounds each seed (see the module doc), filled by :func:`add_bound_row`."""
    table = Table(title=f"what bounds the seed ({cores()} cores): it cannot end before its critical path, nor "
                        "before its work divided by the cores")
    for col in ("profile", "seconds", "World build s", "seed connection busy s", "critical path s",
                "work core-s", "work / cores s", f"{TARGET_RATIO:.0%} of plain COPY needs s"):
        table.add_column(col, justify="right")
    return table


def add_bound_row(table: Table, profile: str, seconds: float, world_seconds: float, summary: SeedSummary,
                  work: CpuTimes | None, base_rate: float) -> None:
    """One profile's row of :func:`bound_table`; the work columns stay empty where /proc/stat is not to be read."""
    seed_connection = summary.busy_seconds()
    work_cells = [f"{work.busy:.1f}", f"{work.busy / cores():.1f}"] if work else ["", ""]
    allowed = summary.rows / (TARGET_RATIO * base_rate)
    table.add_row(profile, f"{seconds:.1f}", f"{world_seconds:.1f}", f"{seed_connection:.1f}",
                  f"{world_seconds + seed_connection:.1f}", *work_cells, f"{allowed:.1f}")


def parse_args(args: list[str]) -> argparse.Namespace:
    """The profiles to run and whether to add the replay baseline; ``--help`` prints this module's docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profiles", nargs="*", metavar="PROFILE",
                        help=f"profiles to seed, in order: {', '.join(PROFILES)} (default: ci large)")
    parser.add_argument("--replay", action="store_true",
                        help="also COPY the seeded rows back into a fresh database on one connection (needs temporary "
                             "disk: ~5.4 GB at large)")
    parser.add_argument("--wal-level", choices=("minimal", "logical"), default="minimal",
                        help="the server's wal_level: minimal (default; BULK_LOAD_SETTINGS, the seed writes next to no "
                             "WAL) or logical (the test servers' setting, which Realtime needs)")
    options = parser.parse_args(args)
    unknown = [p for p in options.profiles if p not in PROFILES]
    if unknown:
        parser.error(f"unknown profile {unknown[0]!r}: choose from {', '.join(PROFILES)}")
    options.profiles = options.profiles or ["ci", "large"]
    return options


def main(args: list[str]) -> None:
    options = parse_args(args)
    replay, profiles = options.replay, options.profiles
    console = Console(width=None if sys.stdout.isatty() else 170)
    # On disk: large holds ~7 GB and xl ~45 GB, too much for memory (wedsync_db/server/placement.py).
    server = LocalServer(extra_settings=BULK_LOAD_SETTINGS if options.wal_level == "minimal" else {}, in_memory=False)
    server.start()
    janitor = Janitor(server)
    template = janitor.build_migrated("bench_seed")
    janitor.mark_template(template)
    with psycopg.connect(server.url()) as conn:
        wal_level = wal_skip.wal_level(conn)
    table = Table(title="seed benchmark (end to end: build World + COPY + audit + FK check, one transaction; "
                        f"wal_level = {wal_level})")
    for col in ("profile", "rows", "seconds", "rows/s", "plain COPY rows/s", f"seed/plain (target {TARGET_RATIO:.0%})",
                "plain binary COPY rows/s", "seed/binary", "replay rows/s", "replay/plain", "seed/replay",
                "peak RSS MB", "load avg"):
        table.add_column(col, justify="right")
    bounds = bound_table()
    try:
        for profile in profiles:
            seeded = janitor.create(unique_name(f"bench_{profile}"), template=template)
            url = server.url(seeded)
            cpu_before, started = cpu_times(), time.perf_counter()
            world = build_world(profile, seed=42, as_of=AS_OF)
            world_seconds = time.perf_counter() - started
            summary = seed_database(url, world, progress=True, console=console)
            seconds, cpu_after = time.perf_counter() - started, cpu_times()
            work = cpu_after - cpu_before if cpu_before and cpu_after else None
            console.print(summary.render())
            if not replay:
                janitor.drop(seeded)  # its disk (~60 GB at xl) is not needed for the plain COPY
            baseline = plain_copy(server.url(janitor.create(unique_name("bench_copy"), template=template)),
                                  summary.rows)
            binary_rate = summary.rows / plain_copy(
                server.url(janitor.create(unique_name("bench_copy_binary"), template=template)), summary.rows,
                binary=True)
            rate, base_rate = summary.rows / seconds, summary.rows / baseline
            replay_cells = ["(--replay)", "", ""]
            if replay:
                empty = server.url(janitor.create(unique_name("bench_replay"), template=template))
                replay_rows, replay_seconds = replay_copy(url, empty, world)
                replay_rate = replay_rows / replay_seconds
                replay_cells = [f"{replay_rate:,.0f} ({replay_seconds:.1f} s)", f"{replay_rate / base_rate:.0%}",
                                f"{rate / replay_rate:.0%}"]
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            table.add_row(profile, f"{summary.rows:,}", f"{seconds:.1f}", f"{rate:,.0f}", f"{base_rate:,.0f}",
                          f"{rate / base_rate:.0%}", f"{binary_rate:,.0f}", f"{rate / binary_rate:.0%}", *replay_cells,
                          f"{rss:,.0f}",
                          "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
            add_bound_row(bounds, profile, seconds, world_seconds, summary, work, base_rate)
            janitor.drop_all()
            template = janitor.build_migrated("bench_seed")
            janitor.mark_template(template)
    finally:
        janitor.drop_all()
        server.stop()
    console.print(table)
    console.print(bounds)


if __name__ == "__main__":
    main(sys.argv[1:])
