"""One frozen Settings object and the one place that resolves it (CLI > environment > defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any


def _package_schema() -> Path:
    """The schema shipped inside the package (wedsync_db/schema/; a checkout's top-level schema/ links to it)."""
    found = resources.files("wedsync_db") / "schema"
    if not isinstance(found, Path):  # a zipped or otherwise virtual install: the SQL is read as files
        raise RuntimeError(f"wedsync_db's schema is not a folder on disk ({found!r}): install the package unzipped")
    return found


PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKOUT: Path | None = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else None
"""The source checkout this package runs from (editable install, PYTHONPATH), or None when installed from a wheel."""
SCHEMA_DIR = _package_schema()
MIGRATIONS_DIR = SCHEMA_DIR / "migrations"
PLATFORM_FILE = SCHEMA_DIR / "platform.sql"
# In a checkout its .wedsync folder; installed, the user's state folder (XDG), never the site-packages folder.
STATE_DIR = CHECKOUT / ".wedsync" if CHECKOUT else (
    Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "wedsync-db")
STATE_DIR_VARIABLE = "WEDSYNC_DB_STATE_DIR"

SERVER_KINDS = ("local", "container", "external")


def state_dir() -> Path:
    """Where the dev server and reports of single commands live: WEDSYNC_DB_STATE_DIR, else STATE_DIR."""
    configured = os.environ.get(STATE_DIR_VARIABLE)
    return Path(configured).absolute() if configured else STATE_DIR


@dataclass(frozen=True)
class Settings:
    """Everything the harness needs to know to find or start a server.

    Precedence, highest first: explicit arguments (CLI flags), environment variables
    (WEDSYNC_DB_SERVER, DATABASE_URL, WEDSYNC_DB_PG_BINDIR, WEDSYNC_DB_OS_USER, WEDSYNC_DB_IMAGE,
    WEDSYNC_DB_AUTO_GRANTS), then the defaults below.
    """

    server: str | None = None
    """local, container or external; None picks the first usable in that order after external."""
    database_url: str | None = None
    """An existing server to use (external): the harness creates and drops only its own databases there."""
    pg_bindir: str | None = None
    """Directory holding initdb/postgres; None searches PATH, pg_config --bindir, /usr/lib/postgresql/*/bin."""
    os_user: str = "postgres"
    """The unprivileged OS user that runs initdb and the server when the harness runs as root."""
    data_dir: Path | None = None
    """A persistent data directory for a reusable dev server; None means a temporary one removed at exit."""
    image: str = "postgres:15"
    """Container image; supabase/postgres:<tag> images already hold the platform, so no emulation is applied."""
    auto_grants: bool = True
    """Supabase's classic default privileges on schema public; False emulates the 2026 'no automatic grants' mode."""
    extra_server_settings: dict[str, str] = field(default_factory=dict)
    in_memory: bool | None = None
    """A temporary local cluster in memory (True), on disk (False), or None: WEDSYNC_DB_IN_MEMORY, then memory
    when a tmpfs has room (wedsync_db/server/placement.py)."""

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings from the environment, then apply non-None overrides (usually CLI flags)."""
        env = os.environ
        settings = cls(
            server=env.get("WEDSYNC_DB_SERVER") or None,
            database_url=env.get("DATABASE_URL") or None,
            pg_bindir=env.get("WEDSYNC_DB_PG_BINDIR") or None,
            os_user=env.get("WEDSYNC_DB_OS_USER") or "postgres",
            image=env.get("WEDSYNC_DB_IMAGE") or "postgres:15",
            auto_grants=env.get("WEDSYNC_DB_AUTO_GRANTS", "on").lower() not in ("0", "off", "false", "no"),
        )
        given: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
        settings = replace(settings, **given)
        if settings.server is not None and settings.server not in SERVER_KINDS:
            from wedsync_db.errors import ConfigError

            raise ConfigError(f"unknown server kind {settings.server!r}; choose one of {', '.join(SERVER_KINDS)}")
        return settings
