"""Exceptions that say what went wrong and how to fix it; psycopg diagnostics turned into plain words."""

from __future__ import annotations

import psycopg


class WedsyncError(Exception):
    """Base of every error the harness raises on purpose."""


class ConfigError(WedsyncError):
    """A setting or argument is wrong."""


class ServerUnavailable(WedsyncError):
    """No server of the requested kind can be had here; the message says why and what to do."""


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
