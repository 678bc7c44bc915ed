"""The completion pass's relation index finds an (actor, row) pair for a cell exactly when the world holds one.

Checked against brute force (every user x every row, judged by the oracle) on the tiny world's small tables, so
a cell reported as unreachable in a world really is a gap in its data.
"""

from __future__ import annotations

import random

from wedsync_db.impersonate import Actor
from wedsync_db.rls.completion import RelationIndex
from wedsync_db.rls.oracle import Caller, Oracle

SMALL = 600  # rows: brute force is users x rows x relations


def test_the_relation_index_finds_a_pair_exactly_when_brute_force_does(tiny_oracle: Oracle) -> None:
    index = RelationIndex(tiny_oracle)
    w = tiny_oracle.world
    callers = [Caller.of(Actor.user(u)) for u in w.users()]
    checked, differ = 0, []
    for table in sorted(tiny_oracle.matrix.tables):
        rows = w.tables.get(table, [])
        if not rows or len(rows) > SMALL:
            continue
        for relation, _, _ in tiny_oracle.cell_kinds(table):
            found = next(index.pairs(table, relation, random.Random(0)), None)
            if found is not None:
                actor, row = found
                assert tiny_oracle.holds_cell(Caller.of(actor), table, relation, row)
            brute = any(tiny_oracle.holds_cell(c, table, relation, r) for r in rows for c in callers)
            checked += 1
            if brute != (found is not None):
                differ.append(f"{table}:{relation} (index {found is not None}, brute force {brute})")
    print(f"{checked} (table, relation) pairs checked")
    assert checked > 20
    assert not differ, "the relation index and brute force disagree: " + ", ".join(differ)
