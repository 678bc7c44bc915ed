"""Seeded-world tests share the suite-wide fixed anchor date and nightly skipping set in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures_tests.bulk import BulkServer
from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.server.local import BULK_LOAD_SETTINGS, LocalServer


@pytest.fixture
def fresh_db(janitor, template_db):
    """A factory of migrated, empty databases, for tests that compare two loads (one database: ``db_url``)."""
    return lambda: janitor.server.url(janitor.create(unique_name("fixtures"), template=template_db))


@pytest.fixture(scope="session")
def bulk_server() -> Iterator[BulkServer]:
    """A server of its own (the session's runs wal_level = logical), started only for the tests that ask.

    On disk: the nightly test loads the large profile into it (~7 GB), too much for memory.
    """
    server = LocalServer(extra_settings=BULK_LOAD_SETTINGS, in_memory=False)
    server.start()
    janitor = Janitor(server)
    try:
        template = janitor.build_migrated("walskip_tpl")
        janitor.mark_template(template)
        yield BulkServer(janitor, template)
    finally:
        janitor.drop_all()
        server.stop()
