"""A server in a Docker container through testcontainers; unavailable, with the reason, when no engine answers."""

from __future__ import annotations

from typing import Any

from wedsync_db.errors import ServerUnavailable
from wedsync_db.server.base import with_database


def docker_unavailable_reason() -> str | None:
    """Return why no Docker engine can be used here, or None when one answers."""
    try:
        import docker
        import testcontainers  # noqa: F401
    except ImportError:
        return ("testcontainers is not installed: pip install 'wedsync-db[container]' "
                "(in a checkout: .venv/bin/pip install -c constraints.txt -e '.[dev,container]')")
    try:
        client = docker.from_env(timeout=3)
        client.ping()
    except Exception as error:  # docker raises many unrelated types for "no engine"
        return f"no Docker engine is reachable ({type(error).__name__}: {str(error).splitlines()[0][:160]})"
    return None


class ContainerServer:
    """PostgreSQL in a container; supabase/postgres images are used as they are, without the emulation."""

    kind = "container"
    owns_cluster = True

    def __init__(self, image: str = "postgres:15") -> None:
        self.image = image
        self.is_supabase = image.startswith("supabase/postgres")
        self._container: Any = None  # a testcontainers PostgresContainer once started
        self._url = ""

    def start(self) -> None:
        reason = docker_unavailable_reason()
        if reason is not None:
            raise ServerUnavailable(f"container server skipped: {reason}")
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer(self.image, driver=None)
        container.with_command(
            "postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c shared_preload_libraries=pg_stat_statements -c wal_level=logical"
        )
        container.start()
        self._container = container
        self._url = container.get_connection_url()

    def stop(self) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None

    def url(self, dbname: str | None = None) -> str:
        return self._url if dbname is None else with_database(self._url, dbname)
