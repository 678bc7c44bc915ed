"""The one interface every kind of server offers: start it, stop it, and hand out connection URLs."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote, urlsplit, urlunsplit


class Server(Protocol):
    """A PostgreSQL server the harness can create databases on."""

    kind: str
    """local, container or external."""
    is_supabase: bool
    """True when the server already is a Supabase image, so the platform emulation must not be applied."""
    owns_cluster: bool
    """True when the harness started the whole cluster and may run anything on it."""

    def start(self) -> None:
        """Start the server (or check it answers) and return when it accepts connections."""

    def stop(self) -> None:
        """Stop the server if the harness started it; never touch a server it did not start."""

    def url(self, dbname: str | None = None) -> str:
        """Return a libpq URL for the given database (the admin database when None)."""


def with_database(url: str, dbname: str) -> str:
    """Return the URL with its database name replaced."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(dbname), parts.query, parts.fragment))


def database_of(url: str) -> str:
    """Return the database name a URL points at (libpq's default, the user name, is not guessed)."""
    path = urlsplit(url).path.lstrip("/")
    return path or "postgres"
