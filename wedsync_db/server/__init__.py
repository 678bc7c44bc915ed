"""Pick and start a server: external (DATABASE_URL), local binaries (the default), or a container."""

from __future__ import annotations

from wedsync_db.config import Settings
from wedsync_db.errors import ServerUnavailable
from wedsync_db.server.base import Server
from wedsync_db.server.container import ContainerServer, docker_unavailable_reason
from wedsync_db.server.external import ExternalServer
from wedsync_db.server.local import LocalServer

__all__ = ["ContainerServer", "ExternalServer", "LocalServer", "Server", "make_server", "start_server"]


def make_server(settings: Settings) -> Server:
    """Return an unstarted server of the configured kind, or the first usable one in the documented order."""
    if settings.server == "external" or (settings.server is None and settings.database_url):
        if not settings.database_url:
            raise ServerUnavailable("--server external needs DATABASE_URL (or --database-url)")
        return ExternalServer(settings.database_url)
    if settings.server == "container":
        return ContainerServer(settings.image)
    if settings.server == "local":
        return LocalServer(
            pg_bindir=settings.pg_bindir, os_user=settings.os_user, data_dir=settings.data_dir,
            extra_settings=settings.extra_server_settings, in_memory=settings.in_memory,
        )
    tried = []
    try:
        return LocalServer(
            pg_bindir=settings.pg_bindir, os_user=settings.os_user, data_dir=settings.data_dir,
            extra_settings=settings.extra_server_settings, in_memory=settings.in_memory,
        )
    except ServerUnavailable as error:
        tried.append(f"local: {error}")
    reason = docker_unavailable_reason()
    if reason is None:
        return ContainerServer(settings.image)
    tried.append(f"container: {reason}")
    tried.append("external: DATABASE_URL is not set")
    raise ServerUnavailable(
        "no PostgreSQL server can be had. Tried:\n  - " + "\n  - ".join(tried) + "\n"
        "Get one by installing PostgreSQL 15+ from the OS packages (apt-get install postgresql-15), "
        "by running a Docker engine, or by setting DATABASE_URL to a server you run."
    )


def start_server(settings: Settings | None = None) -> Server:
    """Make and start a server; the caller stops it (temporary local servers also stop at exit)."""
    server = make_server(settings or Settings.from_env())
    server.start()
    return server
