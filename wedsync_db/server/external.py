"""A server someone else runs, reached through DATABASE_URL: the harness only adds and drops its own databases."""

from __future__ import annotations

import psycopg

from wedsync_db.errors import ServerUnavailable, describe_connection_error
from wedsync_db.server.base import database_of, with_database


class ExternalServer:
    """A no-op executor for a server the harness did not start (like pytest-postgresql's NoopExecutor)."""

    kind = "external"
    owns_cluster = False

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self.is_supabase = False

    def start(self) -> None:
        """Check the server answers and learn whether it is a Supabase image."""
        try:
            with psycopg.connect(self._url, autocommit=True, connect_timeout=10) as conn:
                row = conn.execute(
                    "select exists (select 1 from pg_catalog.pg_roles where rolname = 'supabase_admin')"
                ).fetchone()
                self.is_supabase = bool(row and row[0])
        except psycopg.OperationalError as error:
            raise ServerUnavailable(
                f"DATABASE_URL does not answer: {describe_connection_error(error, self._url)}; or unset DATABASE_URL "
                "to use a local throwaway server"
            ) from error

    def stop(self) -> None:
        """Leave the server running: it is not ours."""

    def url(self, dbname: str | None = None) -> str:
        return self._url if dbname is None else with_database(self._url, dbname)

    @property
    def admin_database(self) -> str:
        return database_of(self._url)
