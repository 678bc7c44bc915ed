"""Hypothesis strategies for callers: anon, strangers, team roles, partners, dual-role users, bad callers."""

from __future__ import annotations

from hypothesis import strategies as st

from wedsync_db.impersonate import Actor
from wedsync_db.rls.generate import personas
from wedsync_db.rls.world import World


def actors(world: World) -> st.SearchStrategy[Actor]:
    """Every persona of the world, bad callers and service_role included. Shrinks towards anon (the first)."""
    return st.sampled_from(personas(world))
