"""PostgREST-style impersonation: transaction-local role and claims that never leak."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from wedsync_db.impersonate import Actor, request, request_in_savepoint

USER = uuid.UUID("11111111-1111-4111-8111-111111111111")


@pytest.fixture
def rls_table(blank_db_url: str) -> str:
    """A table with forced RLS letting each user see only its own rows, holding one row per user."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        conn.execute(
            """
            create table public.notes (id serial primary key, owner uuid not null, body text);
            alter table public.notes enable row level security;
            alter table public.notes force row level security;
            create policy notes_select_owner on public.notes for select to authenticated
              using (owner = (select auth.uid()));
            grant select on public.notes to anon, authenticated, service_role;
            insert into public.notes (owner, body) values
              ('11111111-1111-4111-8111-111111111111', 'mine'),
              ('22222222-2222-4222-8222-222222222222', 'theirs');
            """
        )
    return blank_db_url


def _one(conn: psycopg.Connection[Any], query: str) -> Any:
    row = conn.execute(query).fetchone()
    return None if row is None else row[0]


def test_user_sees_its_sub_as_auth_uid_and_null_after_the_request(blank_db_url: str) -> None:
    """Inside the request auth.uid() is the sub; after it, nothing is left set."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        with request(conn, Actor.user(USER, email="a@example.com")):
            assert _one(conn, "select auth.uid()") == USER
            assert _one(conn, "select current_user") == "authenticated"
            assert _one(conn, "select auth.role()") == "authenticated"
            assert _one(conn, "select auth.jwt() ->> 'aud'") == "authenticated"
            assert _one(conn, "select auth.email()") == "a@example.com"
        assert _one(conn, "select auth.uid()") is None
        assert _one(conn, "select current_user") == "postgres"


def test_settings_never_leak_into_the_next_transaction(blank_db_url: str) -> None:
    """Role, claims and request settings are transaction-local: the next transaction starts clean."""
    with psycopg.connect(blank_db_url, autocommit=True) as conn:
        with request(conn, Actor.user(USER), method="PATCH", path="/notes"):
            assert _one(conn, "select current_setting('request.method')") == "PATCH"
        conn.execute("begin")
        assert _one(conn, "select coalesce(current_setting('request.jwt.claims', true), '')") == ""
        assert _one(conn, "select coalesce(current_setting('request.method', true), '')") == ""
        assert _one(conn, "select current_user") == "postgres"
        conn.execute("rollback")


def test_a_failing_request_rolls_back_and_leaks_nothing(rls_table: str) -> None:
    """An error inside the block rolls the request back; role and claims are gone afterwards."""
    with psycopg.connect(rls_table, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.DivisionByZero):
            with request(conn, Actor.user(USER)):
                conn.execute("select 1 / 0")
        assert _one(conn, "select current_user") == "postgres"


def test_service_role_bypasses_rls_and_authenticated_does_not(rls_table: str) -> None:
    """service_role sees every row; an authenticated user only its own; anon none."""
    with psycopg.connect(rls_table, autocommit=True) as conn:
        with request(conn, Actor.service_role()):
            assert _one(conn, "select count(*) from public.notes") == 2
        with request(conn, Actor.user(USER)):
            assert conn.execute("select body from public.notes").fetchall() == [("mine",)]
        with request(conn, Actor.anon()):
            assert _one(conn, "select count(*) from public.notes") == 0


def test_get_requests_are_read_only_as_in_postgrest(rls_table: str) -> None:
    """A GET request runs in a read-only transaction: writes fail with 25006."""
    with psycopg.connect(rls_table, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            with request(conn, Actor.service_role(), method="GET"):
                conn.execute("delete from public.notes")


def test_savepoint_request_undoes_its_writes_and_restores_the_role(rls_table: str) -> None:
    """request_in_savepoint rolls back to its savepoint: writes and role switch both vanish."""
    with psycopg.connect(rls_table) as conn:
        conn.execute("select 1")
        with request_in_savepoint(conn, Actor.service_role()):
            conn.execute("delete from public.notes")
            assert _one(conn, "select count(*) from public.notes") == 0
        assert _one(conn, "select current_user") == "postgres"
        assert _one(conn, "select count(*) from public.notes") == 2
        with request_in_savepoint(conn, Actor.user(USER)):
            assert _one(conn, "select count(*) from public.notes") == 1
        conn.rollback()


def test_claims_carry_the_full_supabase_claim_set() -> None:
    """A user actor has every claim Supabase Auth puts in an access token."""
    claims = Actor.user(USER).claims
    assert {"aud", "role", "sub", "email", "phone", "aal", "session_id", "is_anonymous",
            "app_metadata", "user_metadata", "iss", "iat", "exp"} <= set(claims)


def test_actor_spelling_for_the_cli_is_parsed_or_refused() -> None:
    """anon, service and user:<uuid> parse; anything else is a clear error."""
    assert Actor.parse("anon").role == "anon"
    assert Actor.parse("service").role == "service_role"
    assert Actor.parse(f"user:{USER}").user_id == str(USER)
    with pytest.raises(ValueError, match="UUID"):
        Actor.parse("user:42")
    with pytest.raises(ValueError, match="unknown actor"):
        Actor.parse("root")
