"""pytest fixtures: a server per session, a migrated template built once, and per-test databases or rollbacks.

Registered by the repository's root conftest.py; other projects can load it with ``-p wedsync_db.pytest_plugin``.

Fixtures, cheapest first:
- ``tx``: a connection to a shared migrated database inside a transaction rolled back after the test
  (about a millisecond; use ``request_in_savepoint`` within it).
- ``db``: an autocommit connection to a fresh clone of the migrated template (tens of milliseconds;
  use it when the test commits, opens other connections or changes the schema). ``db_url`` is its URL.
- ``as_actor(actor, ...)``: a PostgREST-style request on ``db`` as ``actor``.
- ``blank_db_url``: a database with only the platform emulation (no migrations), for migration and lint tests.
- ``observer``: a second connection to the same database as ``db``, bypassing RLS, to check what a write left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
import pytest

from wedsync_db.clone_pool import ClonePool
from wedsync_db.config import Settings
from wedsync_db.errors import ServerUnavailable
from wedsync_db.impersonate import Actor, request
from wedsync_db.janitor import Janitor, unique_name
from wedsync_db.platform import apply_platform
from wedsync_db.server import Server, make_server


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = Settings.from_env()
    kind = settings.server or ("external" if settings.database_url else "local (embedded default)")
    return [f"wedsync-db: server={kind}"]


@pytest.fixture(scope="session")
def wedsync_settings() -> Settings:
    """The harness settings from the environment (WEDSYNC_DB_SERVER, DATABASE_URL, ...)."""
    return Settings.from_env()


@pytest.fixture(scope="session")
def pg_server(wedsync_settings: Settings) -> Iterator[Server]:
    """A started PostgreSQL server for the whole session, stopped at the end."""
    try:
        server = make_server(wedsync_settings)
        server.start()
    except ServerUnavailable as error:
        pytest.exit(str(error), returncode=3)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def janitor(pg_server: Server) -> Iterator[Janitor]:
    """Creates the session's databases and drops exactly those at the end."""
    keeper = Janitor(pg_server)
    try:
        yield keeper
    finally:
        keeper.drop_all()


@pytest.fixture(scope="session")
def template_db(janitor: Janitor, wedsync_settings: Settings) -> str:
    """Name of a database with the platform and every migration applied, marked as a template."""
    name = janitor.build_migrated("tpl", auto_grants=wedsync_settings.auto_grants)
    janitor.mark_template(name)
    return name


@pytest.fixture(scope="session")
def clone_pool(janitor: Janitor, template_db: str) -> Iterator[ClonePool]:
    """Fresh clones of the migrated template, made and dropped in the background between tests."""
    pool = ClonePool(janitor, template_db)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def db_url(janitor: Janitor, clone_pool: ClonePool) -> Iterator[str]:
    """URL of a fresh clone of the migrated template, dropped (in the background) after the test."""
    name = clone_pool.acquire()
    try:
        yield janitor.server.url(name)
    finally:
        clone_pool.release(name)


@pytest.fixture
def blank_db_url(janitor: Janitor, wedsync_settings: Settings) -> Iterator[str]:
    """URL of a database with the platform emulation and no migrations, dropped after the test."""
    name = janitor.create(unique_name("blank"))
    url = janitor.server.url(name)
    if not janitor.server.is_supabase:
        with psycopg.connect(url, autocommit=True) as conn:
            apply_platform(conn, auto_grants=wedsync_settings.auto_grants)
    try:
        yield url
    finally:
        janitor.drop(name)


@pytest.fixture
def db(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection (as the cluster's superuser) to a fresh migrated database."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def observer(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A second connection to the same database as ``db``: sees every committed row, RLS or not."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def as_actor(db: psycopg.Connection[Any]) -> Callable[..., AbstractContextManager[psycopg.Connection[Any]]]:
    """Return ``as_actor(actor, method=..., commit=...)``: a PostgREST-style request on ``db``."""

    def _as_actor(actor: Actor, **options: Any) -> AbstractContextManager[psycopg.Connection[Any]]:
        return request(db, actor, **options)

    return _as_actor


@contextmanager
def rolled_back_connection(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A new connection to ``url`` with a transaction open; everything the caller did is rolled back at exit.

    For fixtures over a shared seeded database: each test writes freely and leaves nothing behind.
    """
    with psycopg.connect(url) as conn:
        conn.execute("select 1")  # opens the transaction (autocommit is off)
        try:
            yield conn
        finally:
            conn.rollback()


@pytest.fixture(scope="session")
def shared_db_url(janitor: Janitor, template_db: str) -> str:
    """URL of one migrated database shared by every ``tx`` test of the session."""
    return janitor.server.url(janitor.create(unique_name("shared"), template=template_db))


@pytest.fixture(scope="session")
def _shared_conn(shared_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(shared_db_url) as conn:
        yield conn


@pytest.fixture
def tx(_shared_conn: psycopg.Connection[Any]) -> Iterator[psycopg.Connection[Any]]:
    """A connection inside an open transaction on the shared database, rolled back after the test."""
    _shared_conn.execute("select 1")  # opens the transaction (autocommit is off)
    try:
        yield _shared_conn
    finally:
        _shared_conn.rollback()
