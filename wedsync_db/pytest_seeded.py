"""pytest fixtures for seeded data: a migrated + seeded template per profile, clones of it, and the World.

Load with ``-p wedsync_db.pytest_seeded`` (or list it in ``pytest_plugins``); needs ``wedsync_db.pytest_plugin``.

- ``seed_as_of`` / ``seed_value``: the session's anchor date (today UTC, fixed once) and seed (env WEDSYNC_SEED, 42).
- ``seeded_template(profile)``: name of a template database with that profile loaded, built once per session.
- ``seeded_db_url(profile)``: URL of a fresh clone of it, dropped after the test (per test).
- ``tiny_world``: the World of the tiny profile for the same seed and as_of as the seeded databases.
- ``tiny_db_url``: one session-wide clone of the tiny template; tests must not commit to it (use savepoints).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.worlds.load import seed_database
from wedsync_db.worlds.world import World, build_world


@pytest.fixture(scope="session")
def seed_as_of() -> date:
    """The date every seeded world of the session is anchored on (env WEDSYNC_SEED_AS_OF, else today UTC)."""
    fixed = os.environ.get("WEDSYNC_SEED_AS_OF")
    return date.fromisoformat(fixed) if fixed else datetime.now(UTC).date()


@pytest.fixture(scope="session")
def seed_value() -> int:
    """The seed of the session's worlds (env WEDSYNC_SEED, default 42)."""
    return int(os.environ.get("WEDSYNC_SEED", "42"))


@pytest.fixture(scope="session")
def seeded_worlds(seed_value: int, seed_as_of: date) -> Callable[[str], World]:
    """``seeded_worlds(profile)``: the World of a profile for the session's seed and date, built once."""
    cache: dict[str, World] = {}

    def get(profile: str = "tiny") -> World:
        if profile not in cache:
            cache[profile] = build_world(profile, seed=seed_value, as_of=seed_as_of)
        return cache[profile]

    return get


@pytest.fixture(scope="session")
def seeded_template(
    janitor: Janitor, template_db: str, seeded_worlds: Callable[[str], World]
) -> Callable[[str], str]:
    """``seeded_template(profile)``: a migrated template database with the profile seeded, built once per session."""
    cache: dict[str, str] = {}

    def get(profile: str = "tiny") -> str:
        if profile not in cache:
            name = janitor.create(unique_name(f"seed_{profile}"), template=template_db)
            world = seeded_worlds(profile)
            seed_database(janitor.server.url(name), world, progress=False)
            janitor.mark_template(name)
            cache[profile] = name
        return cache[profile]

    return get


@pytest.fixture
def seeded_db_url(janitor: Janitor, seeded_template: Callable[[str], str]) -> Iterator[Callable[[str], str]]:
    """``seeded_db_url(profile)``: URL of a fresh clone of the seeded template, dropped after the test."""
    made: list[str] = []

    def make(profile: str = "tiny") -> str:
        name = janitor.create(unique_name(f"test_{profile}"), template=seeded_template(profile))
        made.append(name)
        return janitor.server.url(name)

    try:
        yield make
    finally:
        for name in made:
            janitor.drop(name)


@pytest.fixture(scope="session")
def tiny_world(seeded_worlds: Callable[[str], World]) -> World:
    """The World of the tiny profile (same seed and as_of as ``tiny_db_url``)."""
    return seeded_worlds("tiny")


@pytest.fixture(scope="session")
def tiny_db_url(janitor: Janitor, seeded_template: Callable[[str], str]) -> str:
    """URL of a session-wide clone of the seeded tiny template; roll back (savepoints), never commit."""
    return janitor.server.url(janitor.create(unique_name("tiny_shared"), template=seeded_template("tiny")))
