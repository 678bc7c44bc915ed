"""Seeded-world tests share the suite-wide fixed anchor date and nightly skipping set in tests/conftest.py."""

from __future__ import annotations

import pytest

from wedsync_db.janitor import unique_name


@pytest.fixture
def fresh_db(janitor, template_db):
    """A factory of migrated, empty databases, for tests that compare two loads (one database: ``db_url``)."""
    return lambda: janitor.server.url(janitor.create(unique_name("fixtures"), template=template_db))
