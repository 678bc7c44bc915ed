"""Exceptions that say what went wrong and how to fix it; psycopg diagnostics turned into plain words."""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict


class WedsyncError(Exception):
    """Base of every error the harness raises on purpose."""

    exit_code = 1
    """What the command line exits with: 1 for a failed check or step, 2 for usage and configuration."""


class ConfigError(WedsyncError):
    """A setting or argument is wrong, or the database named cannot be used as it is: the message says the fix."""

    exit_code = 2


class ServerUnavailable(WedsyncError):
    """No server of the requested kind can be had here; the message says why and what to do."""

    exit_code = 2


class ServerStartError(WedsyncError):
    """A server was found but failed to start; the message ends with the tail of its log."""


class MigrationError(WedsyncError):
    """A migration failed, drifted or cannot run; nothing was changed by the failing step."""


def describe_database_error(error: psycopg.Error) -> str:
    """Return a one-paragraph description of a server error naming its SQLSTATE, constraint and table."""
    diag = error.diag
    parts = [diag.message_primary or str(error).strip()]
    sqlstate = diag.sqlstate or getattr(error, "sqlstate", None)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    if diag.constraint_name:
        parts.append(f"constraint {diag.constraint_name}")
    if diag.table_name:
        schema = f"{diag.schema_name}." if diag.schema_name else ""
        parts.append(f"table {schema}{diag.table_name}")
    if diag.column_name:
        parts.append(f"column {diag.column_name}")
    text = "; ".join(parts)
    if diag.message_detail:
        text += f"\n  detail: {diag.message_detail}"
    if diag.message_hint:
        text += f"\n  hint: {diag.message_hint}"
    if diag.context:
        text += f"\n  context: {diag.context.strip()}"
    return text


def _where(url: str) -> tuple[str, str, str]:
    """Host:port, user and database of a libpq URL, for messages (never the password)."""
    if not url:
        return "the server", "", ""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the server", "", ""
    host = str(params.get("host") or "localhost")
    where = f"{host}:{params.get('port') or 5432}"
    return where, str(params.get("user") or ""), str(params.get("dbname") or "")


def describe_connection_error(error: psycopg.OperationalError, url: str) -> str:
    """Return one line saying why ``url`` could not be reached and what to do about it."""
    text = str(error).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)
    where, user, dbname = _where(url)
    fix_url = "fix the URL (--database or DATABASE_URL)"
    lowered = text.lower()
    if "connection refused" in lowered or "no such file or directory" in lowered:
        return (f"nothing answers at {where} (connection refused): start the server ('wedsync-db server start' for "
                f"the dev server) or {fix_url}")
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return (f"the server at {where} refused the password of user {user!r}: {fix_url} with the right password "
                "(or set PGPASSWORD, or ~/.pgpass)")
    if "does not exist" in lowered and "database" in lowered:
        return (f"database {dbname!r} does not exist on {where}: create it (createdb -h {where.split(':')[0]} "
                f"-p {where.split(':')[-1]} -U {user or 'postgres'} -E UTF8 -T template0 {dbname}) or {fix_url}")
    if "does not exist" in lowered and "role" in lowered:
        return f"role {user!r} does not exist on {where}: {fix_url} with a user the server knows"
    if "timeout" in lowered or "timed out" in lowered:
        return f"{where} did not answer in time ({first}): check the host and port, or {fix_url}"
    return f"cannot connect to {where}: {first}; check that the server runs, or {fix_url}"
