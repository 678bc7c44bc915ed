"""Fixtures for integrity tests: blank databases (platform emulation only, no migrations) for building broken
objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest


@pytest.fixture
def blank_db(blank_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection (as the cluster's superuser) to a blank platform-only database."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        yield conn


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "schema_lints: the fully migrated schema passes the catalog lints (fails while the schema has findings; "
        "the assertion message lists them)",
    )
