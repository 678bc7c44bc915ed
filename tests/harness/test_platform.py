"""The Supabase platform emulation: roles, auth functions and privileges behave as on Supabase."""

from __future__ import annotations

import psycopg
import pytest

from wedsync_db.impersonate import Actor, request
from wedsync_db.platform import apply_platform


def test_platform_is_idempotent(blank_db_url: str) -> None:
    """Applying platform.sql twice changes nothing and raises nothing."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        apply_platform(conn)
        apply_platform(conn)


def test_api_roles_have_supabase_attributes(blank_db_url: str) -> None:
    """anon/authenticated are NOLOGIN without BYPASSRLS; service_role bypasses RLS; authenticator is LOGIN NOINHERIT."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        roles = {
            name: (login, inherit, bypass)
            for name, login, inherit, bypass in conn.execute(
                "select rolname, rolcanlogin, rolinherit, rolbypassrls from pg_roles "
                "where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')"
            )
        }
    assert roles == {
        "anon": (False, True, False),
        "authenticated": (False, True, False),
        "service_role": (False, True, True),
        "authenticator": (True, False, False),
    }


def test_anon_cannot_read_auth_users(blank_db_url: str) -> None:
    """auth.users holds no privilege for API roles: anon gets 42501."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with request(conn, Actor.anon()):
                conn.execute("select * from auth.users")


def test_legacy_claim_setting_wins_over_json_claims_as_in_supabase(blank_db_url: str) -> None:
    """auth.uid() prefers a non-empty request.jwt.claim.sub over request.jwt.claims (supabase/auth 20220224000811)."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute(
                "select set_config('request.jwt.claims', '{\"sub\":\"00000000-0000-0000-0000-000000000001\"}', true),"
                " set_config('request.jwt.claim.sub', '00000000-0000-0000-0000-000000000002', true)"
            )
            assert str(conn.execute("select auth.uid()").fetchone()[0]).endswith("2")
        with conn.transaction():
            conn.execute("select set_config('request.jwt.claim.sub', '', true)")
            assert conn.execute("select auth.uid()").fetchone() == (None,)
