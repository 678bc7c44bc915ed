"""Worlds the fixtures tests share."""

from __future__ import annotations

import dataclasses
from datetime import date

from wedsync_db.worlds.world import World, build_world

AS_OF = date(2025, 6, 14)


def streamed_tiny(seed: int = 42, as_of: date = AS_OF) -> World:
    """The tiny world loaded the way large and xl are (nothing held, server-side tables, no bulk audit)."""
    world = build_world("tiny", seed=seed, as_of=as_of)
    world.profile = dataclasses.replace(world.profile, materialize=False, audit_bulk=False)
    world._rows.clear()
    return world
