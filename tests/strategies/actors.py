"""Hypothesis strategies for callers: anon, strangers, team roles, partners, dual-role users, bad callers."""

from __future__ import annotations

from hypothesis import strategies as st

from wedsync_db.impersonate import Actor
from wedsync_db.rls.generate import key_personas, personas
from wedsync_db.rls.world import World


def actors(world: World) -> st.SearchStrategy[Actor]:
    """Any persona of the world, the key ones (every relation kind, bad callers) as often as all the others.

    Shrinks towards anon (the first persona).
    """
    key = ("strategy", "actors")
    if key not in world._memo:  # a world never changes: build the persona lists once
        world._memo[key] = st.one_of(st.sampled_from(key_personas(world, extra=0)), st.sampled_from(personas(world)))
    return world._memo[key]  # type: ignore[no-any-return]
