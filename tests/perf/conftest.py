"""Fixtures for plan-shape gates: a seeded template per perf profile, a read-only connection, the tenants.

The profile is ``ci`` (env WEDSYNC_PERF_PROFILE overrides); ``nightly`` tests use ``large`` and are skipped
unless WEDSYNC_NIGHTLY=1. The seed is the seeded world of that profile (wedsync_db.worlds), as wedsync-db bench's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.perf.bench import seed
from wedsync_db.perf.tenants import Tenant, resolve_tenants

PROFILE = os.environ.get("WEDSYNC_PERF_PROFILE", "ci")


@pytest.fixture(scope="session")
def perf_template(janitor: Janitor, template_db: str) -> Callable[[str], str]:
    """``perf_template(profile)``: name of a migrated + seeded template database, built once per session."""
    cache: dict[str, str] = {}

    def get(profile: str = PROFILE) -> str:
        if profile not in cache:
            name = janitor.create(unique_name(f"perf_{profile}"), template=template_db)
            seed(janitor.server.url(name), profile)
            with psycopg.connect(janitor.server.url(name), autocommit=True) as conn:
                conn.execute("create extension if not exists hypopg")
            janitor.mark_template(name)
            cache[profile] = name
        return cache[profile]

    return get


@pytest.fixture(scope="session")
def perf_db_url(janitor: Janitor, perf_template: Callable[[str], str]) -> str:
    """A session-wide clone of the seeded template at PROFILE; tests only read it (requests roll back)."""
    return janitor.server.url(janitor.create(unique_name("perf_ro"), template=perf_template(PROFILE)))


@pytest.fixture(scope="session")
def perf_conn(perf_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(perf_db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def tenants(perf_conn: psycopg.Connection[Any]) -> dict[str, Tenant]:
    """The whale and the small tenant of the seeded world."""
    return resolve_tenants(perf_conn)


@pytest.fixture
def scratch_conn(janitor: Janitor, perf_template: Callable[[str], str]) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to a throwaway clone of the seeded template: break things here."""
    name = janitor.create(unique_name("perf_brk"), template=perf_template(PROFILE))
    try:
        with psycopg.connect(janitor.server.url(name), autocommit=True) as conn:
            yield conn
    finally:
        janitor.drop(name)
