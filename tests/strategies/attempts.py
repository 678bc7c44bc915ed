"""Hypothesis strategies for access attempts: reads of every table, writes aimed at own and foreign rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import strategies as st

from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import Attempt
from wedsync_db.rls.generate import WRITE_COMMANDS, read_attempts, write_attempt
from wedsync_db.rls.oracle import Oracle

T = TypeVar("T")


@dataclass
class HypothesisChooser:
    """The generator's choices drawn from Hypothesis, so each shrinks towards its first option."""

    data: Any

    def choice(self, options: Sequence[T]) -> T:
        return self.data.draw(st.sampled_from(list(options)))

    def flip(self) -> bool:
        return self.data.draw(st.booleans())

    def number(self) -> int:
        return self.data.draw(st.integers(0, 999_999))


def read_batches(data: Any, oracle: Oracle, actor: Actor) -> list[Attempt]:
    """Every read shape of every table for one actor. Shrinks towards the first row of each table."""
    ch = HypothesisChooser(data)
    return [a for t in sorted(oracle.matrix.tables) for a in read_attempts(oracle.matrix, oracle.world, actor, t, ch)]


def access_attempts(data: Any, oracle: Oracle, actor: Actor, *, min_size: int = 1, max_size: int = 40) -> list[Attempt]:
    """A batch of writes (insert, update, delete, upsert) by one actor on any tables.

    Shrinks towards one INSERT into the first table, copying its first row.
    """
    ch = HypothesisChooser(data)
    size = data.draw(st.integers(min_size, max_size))
    out = []
    tables = sorted(oracle.matrix.tables)
    for _ in range(size):
        a = write_attempt(oracle.matrix, oracle.world, actor, ch.choice(tables), ch.choice(WRITE_COMMANDS), ch)
        if a is not None:
            out.append(a)
    return out
