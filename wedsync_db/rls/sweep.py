"""Exhaustive sweep: every persona reads every table, and writes aimed at every table by every command."""

from __future__ import annotations

import random
from typing import Any

import psycopg

from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import Attempt, Judged, run_batch
from wedsync_db.rls.generate import WRITE_COMMANDS, RandomChooser, personas, read_attempts, write_attempt
from wedsync_db.rls.oracle import Oracle


def actor_attempts(
    oracle: Oracle, actor: Actor, ch: RandomChooser, writes: int, reads: bool = True, max_rows: int = 24,
    tables: list[str] | None = None,
) -> list[Attempt]:
    """All reads of one actor (every table), and every write command aimed at every row of every table.

    Tables with more than ``max_rows`` rows (the audit log) get a seeded sample of that many targets;
    ``writes`` extra randomly aimed attempts per table and command are added on top.
    """
    out: list[Attempt] = []
    for table in tables or sorted(oracle.matrix.tables):
        if reads:
            out += read_attempts(oracle.matrix, oracle.world, actor, table, ch)
        rows = oracle.world.tables.get(table, [])
        targets = rows if len(rows) <= max_rows else ch.rng.sample(rows, max_rows)
        for command in WRITE_COMMANDS:
            for target in [*targets, *([None] * writes)]:
                a = write_attempt(oracle.matrix, oracle.world, actor, table, command, ch, target=target)
                if a is not None:
                    out.append(a)
                if command == "insert" and target is not None:  # the donor copied as the caller, nothing else
                    a = write_attempt(oracle.matrix, oracle.world, actor, table, command, ch, target=target, plain=True)
                    if a is not None:
                        out.append(a)
    return out


def sweep(
    conn: psycopg.Connection[Any], oracle: Oracle, fingerprints: dict[tuple[str, str], str], *,
    seed: int = 0, writes: int = 2, rounds: int = 1,
) -> list[Judged]:
    """Run every persona through every table; ``conn`` must be inside a transaction (nothing is committed)."""
    ch = RandomChooser(random.Random(seed))
    out: list[Judged] = []
    for _ in range(rounds):
        for actor in personas(oracle.world):
            out += run_batch(conn, oracle, actor, actor_attempts(oracle, actor, ch, writes), fingerprints)
    return out
