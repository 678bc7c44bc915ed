"""Exhaustive sweep: every persona reads every table, and writes aimed at every table by every command.

Small tables are swept row by row. Big ones (a seeded world's audit log, every table of the ``ci`` world) get a
seeded, tenant-stratified sample: a few rows per tenant value, then per persona a few rows per actor relation
the persona holds to them, so every cell is tried without trying every row.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import psycopg

from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import Attempt, Judged, run_batch
from wedsync_db.rls.generate import (
    WRITE_COMMANDS,
    RandomChooser,
    personas,
    read_attempts,
    tenant_columns,
    write_attempt,
)
from wedsync_db.rls.oracle import Caller, Oracle

READ_ROWS = 5_000  # tables bigger than this are read through a sample of ids, not as a whole


def target_pool(
    oracle: Oracle, table: str, *, seed: int = 0, per_tenant: int = 2, cap: int = 200
) -> list[dict[str, Any]]:
    """A seeded sample of a table: up to ``per_tenant`` rows per value of each tenant column, ``cap`` rows at most.

    Memoised per (table, seed); a table of at most ``cap`` rows is returned whole.
    """
    memo: dict[tuple[str, int], list[dict[str, Any]]] = oracle.__dict__.setdefault("_pools", {})
    if (table, seed) in memo:
        return memo[(table, seed)]
    rows = oracle.world.tables.get(table, [])
    if len(rows) <= cap:
        memo[(table, seed)] = rows
        return rows
    rng = random.Random(f"{seed}:{table}")
    shuffled = rng.sample(rows, len(rows))
    picked: dict[str, dict[str, Any]] = {}
    counts: dict[tuple[str, Any], int] = {}
    for col in tenant_columns(oracle.matrix, table) + ["deleted_at"]:
        for r in shuffled:
            key = (col, r.get(col) is None if col == "deleted_at" else r.get(col))
            if counts.get(key, 0) < per_tenant and len(picked) < cap:
                counts[key] = counts.get(key, 0) + 1
                picked.setdefault(r["id"], r)
    for r in shuffled:  # fill up with random rows
        if len(picked) >= min(cap, len(rows)) // 2:
            break
        picked.setdefault(r["id"], r)
    memo[(table, seed)] = list(picked.values())
    return memo[(table, seed)]


def targets_for(oracle: Oracle, actor: Actor, table: str, rng: random.Random, *, max_rows: int,
                per_relation: int = 2, seed: int = 0) -> list[dict[str, Any]]:
    """Rows to aim writes at: all of a small table, else ``per_relation`` rows per relation the actor holds."""
    rows = oracle.world.tables.get(table, [])
    if len(rows) <= max_rows:
        return rows
    caller = Caller.of(actor)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in target_pool(oracle, table, seed=seed):
        groups.setdefault(tuple(oracle.cell_relations(caller, table, r)), []).append(r)
    out: list[dict[str, Any]] = []
    for key in sorted(groups):
        group = groups[key]
        out += rng.sample(group, min(per_relation, len(group)))
    return out[:max(max_rows, len(groups))]


def big_table_reads(oracle: Oracle, actor: Actor, table: str, ch: RandomChooser, seed: int = 0) -> list[Attempt]:
    """Reads of a big table: the sampled ids (``id = any(...)``), one row by id and one tenant."""
    pool = target_pool(oracle, table, seed=seed)
    out = [Attempt(actor, table, "select", "in_sample", ids=tuple(r["id"] for r in pool))]
    target = ch.choice(pool)
    out.append(Attempt(actor, table, "select", "by_id", target=target))
    cols = [c for c in tenant_columns(oracle.matrix, table) if c in target]
    if cols:
        out.append(Attempt(actor, table, "select", f"by_{ch.choice(cols)}", target=target))
    return out


def actor_attempts(
    oracle: Oracle, actor: Actor, ch: RandomChooser, writes: int, reads: bool = True, max_rows: int = 24,
    tables: Sequence[str] | None = None, seed: int = 0, per_relation: int = 2, read_rows: int = READ_ROWS,
) -> list[Attempt]:
    """All reads of one actor (every table), and every write command aimed at the rows of every table.

    Tables with more than ``max_rows`` rows get a seeded sample (:func:`targets_for`); tables with more than
    ``read_rows`` rows are read through a sample of ids. ``writes`` extra randomly aimed attempts per table
    and command are added on top.
    """
    out: list[Attempt] = []
    for table in tables or sorted(oracle.matrix.tables):
        rows = oracle.world.tables.get(table, [])
        if reads:
            out += (big_table_reads(oracle, actor, table, ch, seed) if len(rows) > read_rows
                    else read_attempts(oracle.matrix, oracle.world, actor, table, ch))
        targets = targets_for(oracle, actor, table, ch.rng, max_rows=max_rows, seed=seed,
                              per_relation=per_relation)
        donors = target_pool(oracle, table, seed=seed)
        for command in WRITE_COMMANDS:
            extra = [ch.choice(donors) for _ in range(writes)] if donors else []
            for target in [*targets, *extra]:
                a = write_attempt(oracle.matrix, oracle.world, actor, table, command, ch, target=target)
                if a is not None:
                    out.append(a)
            if command == "insert":  # each donor copied as the caller, nothing else
                for target in targets:
                    a = write_attempt(oracle.matrix, oracle.world, actor, table, command, ch, target=target,
                                      plain=True)
                    if a is not None:
                        out.append(a)
    return out


def sweep(
    conn: psycopg.Connection[Any], oracle: Oracle, fingerprints: dict[tuple[str, str], str] | None, *,
    seed: int = 0, writes: int = 2, rounds: int = 1, actors: Sequence[Actor] | None = None, max_rows: int = 24,
    per_relation: int = 2, read_rows: int = READ_ROWS,
) -> list[Judged]:
    """Run every persona (or ``actors``) through every table; ``conn`` must be inside a transaction (nothing is
    committed)."""
    ch = RandomChooser(random.Random(seed))
    out: list[Judged] = []
    for _ in range(rounds):
        for actor in actors if actors is not None else personas(oracle.world):
            attempts = actor_attempts(oracle, actor, ch, writes, max_rows=max_rows, seed=seed,
                                      per_relation=per_relation, read_rows=read_rows)
            out += run_batch(conn, oracle, actor, attempts, fingerprints)
    return out
