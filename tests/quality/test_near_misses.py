"""The worlds the proofs run on hold the near miss of every relation: a row that almost opens something.

A proof that only walks the happy relations misses the defects that matter (a helper that forgets an archived
supplier, an invitation counted as a membership). Each near miss must be in the seeded tiny world (the sweep and
the property tests) and in the sample world (the escalation search and the oracle's unit tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.world import World

Rows = list[dict[str, Any]]


def _live(world: World, table: str, row_id: Any) -> bool:
    row = world.row(table, row_id)
    return row is not None and row["deleted_at"] is None


def _archived_parent_with_live_children(world: World, parent: str, child: str, column: str) -> bool:
    return any(not _live(world, parent, r[column]) and r["deleted_at"] is None and world.row(parent, r[column])
               for r in world.tables.get(child, []))


NEAR_MISSES: dict[str, Callable[[World], bool]] = {
    "a pending team invitation": lambda w: any(
        r["accepted_at"] is None and r["deleted_at"] is None for r in w.tables["team_members"]),
    "a removed team member": lambda w: any(r["deleted_at"] is not None for r in w.tables["team_members"]),
    "an invited partner two": lambda w: any(
        r["partner_two_user_id"] and r["partner_two_accepted_at"] is None for r in w.tables["couples"]),
    "an invited connection": lambda w: any(r["status"] == "invited" for r in w.tables["supplier_client_connections"]),
    "a revoked connection": lambda w: any(r["status"] == "revoked" for r in w.tables["supplier_client_connections"]),
    "a declined connection": lambda w: any(r["status"] == "declined" for r in w.tables["supplier_client_connections"]),
    "an archived supplier with a live connection": lambda w: _archived_parent_with_live_children(
        w, "suppliers", "supplier_client_connections", "supplier_id"),
    "an archived couple with a live connection": lambda w: _archived_parent_with_live_children(
        w, "couples", "supplier_client_connections", "couple_id"),
    "an archived form with a live version": lambda w: _archived_parent_with_live_children(
        w, "forms", "form_versions", "form_id"),
    "a refunded purchase": lambda w: any(r["status"] == "refunded" for r in w.tables["template_purchases"]),
}


@pytest.mark.parametrize("near_miss", sorted(NEAR_MISSES))
def test_the_sample_world_holds(near_miss: str, oracle: Oracle) -> None:
    assert NEAR_MISSES[near_miss](oracle.world), f"the sample world has no {near_miss}"


@pytest.mark.parametrize("near_miss", sorted(NEAR_MISSES))
def test_the_tiny_world_holds(near_miss: str, tiny_oracle: Oracle) -> None:
    assert NEAR_MISSES[near_miss](tiny_oracle.world), f"the seeded tiny world has no {near_miss}"
