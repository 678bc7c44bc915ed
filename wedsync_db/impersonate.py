"""Run SQL exactly as PostgREST runs a request: one transaction, transaction-local role and JWT claims.

Per request PostgREST does (PreQuery.hs, transactions.rst): ``begin isolation level read committed``
(read only for GET/HEAD), one ``select set_config(..., true)`` of search_path, the role's own settings,
``role``, ``request.jwt.claims``, ``request.method``, ``request.path``, ``request.headers`` and
``request.cookies``; then the statement; then commit. Nothing is ever set at session level: a stale
session-level ``request.jwt.claim.sub`` would silently win over every later ``request.jwt.claims``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import pq

API_ROLES = ("anon", "authenticated", "service_role")
SEARCH_PATH = '"public", "public", "extensions"'
ISSUER = "http://127.0.0.1:54321/auth/v1"
# Settings an API role carries through ALTER ROLE ... SET that PostgREST applies per request.
_ROLE_SETTINGS_SQL = """
select split_part(setting, '=', 1), substr(setting, strpos(setting, '=') + 1)
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
cross join lateral unnest(s.setconfig) as setting
where r.rolname = %s
  and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
"""


@dataclass(frozen=True)
class Actor:
    """Who a request runs as: the database role and the JWT claims PostgREST would put in request.jwt.claims."""

    role: str
    claims: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def user_id(self) -> str | None:
        sub = self.claims.get("sub")
        return str(sub) if sub is not None else None

    def claims_json(self) -> str:
        return json.dumps(self.claims, separators=(",", ":"), sort_keys=True, default=str)

    @classmethod
    def anon(cls) -> Actor:
        """A visitor with the anon key and no session: role anon, claims carry only the role."""
        return cls("anon", {"role": "anon"}, "anon")

    @classmethod
    def service_role(cls) -> Actor:
        """The backend with the service key: role service_role, which bypasses RLS."""
        return cls("service_role", {"role": "service_role"}, "service_role")

    @classmethod
    def user(
        cls,
        user_id: str | uuid.UUID,
        *,
        email: str | None = None,
        phone: str = "",
        app_metadata: dict[str, Any] | None = None,
        user_metadata: dict[str, Any] | None = None,
        is_anonymous: bool = False,
        label: str | None = None,
        **extra_claims: Any,
    ) -> Actor:
        """A signed-in user: the full claim set Supabase Auth puts in an access token (jwt-fields docs)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": "authenticated",
            "role": "authenticated",
            "sub": str(user_id),
            "email": email or "",
            "phone": phone,
            "aal": "aal1",
            "session_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"session:{user_id}")),
            "is_anonymous": is_anonymous,
            "app_metadata": app_metadata if app_metadata is not None else {"provider": "email", "providers": ["email"]},
            "user_metadata": user_metadata or {},
            "iss": ISSUER,
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(extra_claims)
        return cls("authenticated", claims, label or f"user:{user_id}")

    @classmethod
    def for_user(cls, conn: psycopg.Connection[Any], user_id: str | uuid.UUID, **extra_claims: Any) -> Actor:
        """A signed-in user whose email, phone and metadata are read from auth.users, as GoTrue would."""
        row = conn.execute(
            "select email, coalesce(phone, ''), raw_app_meta_data, raw_user_meta_data, is_anonymous "
            "from auth.users where id = %s",
            (str(user_id),),
        ).fetchone()
        if row is None:
            return cls.user(user_id, **extra_claims)
        email, phone, app_meta, user_meta, is_anonymous = row
        return cls.user(
            user_id, email=email, phone=phone, app_metadata=app_meta, user_metadata=user_meta,
            is_anonymous=is_anonymous, **extra_claims,
        )

    @classmethod
    def parse(cls, text: str) -> Actor:
        """Parse the CLI spelling: anon, service (or service_role), user:<uuid>."""
        if text == "anon":
            return cls.anon()
        if text in ("service", "service_role"):
            return cls.service_role()
        if text.startswith("user:"):
            value = text.removeprefix("user:")
            try:
                return cls.user(uuid.UUID(value))
            except ValueError as error:
                raise ValueError(f"user:<uuid> needs a UUID, got {value!r}") from error
        raise ValueError(f"unknown actor {text!r}; use anon, service or user:<uuid>")


def _role_settings(conn: psycopg.Connection[Any], role: str) -> list[tuple[str, str]]:
    cache: dict[str, list[tuple[str, str]]] = conn.__dict__.setdefault("_wedsync_role_settings", {})
    if role not in cache:
        rows = conn.execute(_ROLE_SETTINGS_SQL, (role,)).fetchall()
        cache[role] = [(str(name), str(value)) for name, value in rows]
    return cache[role]


def _set_request_context(
    conn: psycopg.Connection[Any], actor: Actor, method: str, path: str, headers: dict[str, str] | None
) -> None:
    """Issue PostgREST's one set_config select, every setting transaction-local."""
    settings: list[tuple[str, str]] = [("search_path", SEARCH_PATH)]
    settings += _role_settings(conn, actor.role)
    settings += [
        ("role", actor.role),
        ("request.jwt.claims", actor.claims_json()),
        ("request.method", method),
        ("request.path", path),
        ("request.headers", json.dumps(headers or {"accept": "application/json"}, separators=(",", ":"))),
        ("request.cookies", "{}"),
    ]
    calls = ", ".join("set_config(%s, %s, true)" for _ in settings)
    params = [item for pair in settings for item in pair]
    conn.execute(f"select {calls}", params)


def set_request_context(
    conn: psycopg.Connection[Any], actor: Actor, method: str = "POST", path: str = "/rpc",
    headers: dict[str, str] | None = None,
) -> None:
    """PostgREST's per-request settings, left in place for the rest of the transaction.

    For a caller that keeps a request's effects inside a longer transaction (the escalation search): it runs
    ``reset role`` itself afterwards. Everyone else wants :func:`request` or :func:`request_in_savepoint`.
    """
    _set_request_context(conn, actor, method.upper(), path, headers)


@contextmanager
def request(
    conn: psycopg.Connection[Any],
    actor: Actor,
    *,
    method: str = "POST",
    path: str = "/rpc",
    headers: dict[str, str] | None = None,
    commit: bool = False,
) -> Iterator[psycopg.Connection[Any]]:
    """Run the block as one PostgREST request by ``actor``; roll back unless ``commit`` is True.

    The connection must be idle (autocommit, no open transaction): the request is its own transaction.
    GET and HEAD requests are read only, as in PostgREST.
    """
    if conn.info.transaction_status != pq.TransactionStatus.IDLE:
        raise RuntimeError("request() needs an idle connection; inside a transaction use request_in_savepoint()")
    if not conn.autocommit:
        raise RuntimeError("request() needs an autocommit connection: it issues its own begin and commit")
    read_only = " read only" if method.upper() in ("GET", "HEAD") else ""
    conn.execute(f"begin isolation level read committed{read_only}")
    try:
        _set_request_context(conn, actor, method.upper(), path, headers)
        yield conn
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit" if commit else "rollback")


@contextmanager
def request_in_savepoint(
    conn: psycopg.Connection[Any],
    actor: Actor,
    *,
    method: str = "POST",
    path: str = "/rpc",
    headers: dict[str, str] | None = None,
) -> Iterator[psycopg.Connection[Any]]:
    """Run the block as ``actor`` inside a savepoint of an open transaction, and always roll it back.

    Fast (about a millisecond) for per-example use in property tests: rolling back to the savepoint
    undoes the block's writes and restores role and claims, so nothing leaks into the next example.
    """
    if conn.info.transaction_status not in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR):
        raise RuntimeError("request_in_savepoint() needs an open transaction; otherwise use request()")
    conn.execute("savepoint wedsync_request")
    try:
        _set_request_context(conn, actor, method.upper(), path, headers)
        yield conn
    finally:
        conn.execute("rollback to savepoint wedsync_request")
        conn.execute("release savepoint wedsync_request")
