-- Supabase platform emulation for plain PostgreSQL 15+.
--
-- What this file fakes, and where each fact comes from (see also docs in schema/README.md):
--   * API roles anon, authenticated, service_role, the LOGIN NOINHERIT authenticator and
--     supabase_auth_admin, with the attributes asserted by supabase/postgres
--     nix/tests/expected/roles.out (anon/authenticated/service_role are NOLOGIN INHERIT since
--     migration 20230529180330; service_role has BYPASSRLS; authenticator is NOINHERIT and a
--     member of the three API roles).
--   * Per-role statement timeouts: anon 3s, authenticated 8s (supabase/postgres initial schema).
--   * Schema auth with auth.users (GoTrue columns, supabase/auth migrations up to
--     20240214120130_add_is_anonymous_column) and auth.identities; RLS on with no policies,
--     no table privileges for API roles (supabase/auth 20240612123726).
--   * auth.uid(), auth.role(), auth.email(), auth.jwt() with the bodies of supabase/auth
--     20220224000811 and 20220531120530: the legacy request.jwt.claim.* setting wins when non-empty,
--     then the request.jwt.claims JSON; an empty string counts as NULL.
--   * Schema extensions holding uuid-ossp, pgcrypto and (when preloaded) pg_stat_statements.
--   * Default privileges on schema public: ALL to anon, authenticated, service_role for objects the
--     migrating role creates (supabase/postgres initial schema). Our migrations still grant
--     explicitly per table, so the newer "no automatic grants" mode (Supabase 2026) works too: set
--     the custom setting wedsync.auto_expose_new_tables = 'off' before running this file
--     (the harness does it for --no-auto-grants) and the defaults are revoked instead.
--   * Publication supabase_realtime, created empty (supabase/postgres initial schema).
--
-- Idempotent: every statement can run again. Role attributes are re-asserted every time because
-- roles are cluster-wide and outlive a dropped database.

-- Roles -----------------------------------------------------------------------------------------
do $roles$
declare
    role_name text;
begin
    foreach role_name in array array['anon', 'authenticated', 'service_role', 'authenticator', 'supabase_auth_admin']
    loop
        if not exists (select 1 from pg_catalog.pg_roles where rolname = role_name) then
            execute format('create role %I', role_name);
        end if;
    end loop;
end
$roles$;

alter role anon nologin inherit nobypassrls;
alter role authenticated nologin inherit nobypassrls;
alter role service_role nologin inherit bypassrls;
alter role authenticator login noinherit nobypassrls;
alter role supabase_auth_admin nologin noinherit nobypassrls;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- authenticator may switch into each API role. The role running migrations (our stand-in for
-- Supabase's postgres role) must be able to "set role" to each API role too, as postgres can.
-- (Role grants run through execute: sqlfluff's postgres dialect cannot parse "grant role to role".)
do $memberships$
begin
    execute 'grant anon, authenticated, service_role to authenticator';
    execute format('grant anon, authenticated, service_role to %I', current_user);
end
$memberships$;

-- Extensions ------------------------------------------------------------------------------------
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
do $pgss$
begin
    if current_setting('shared_preload_libraries', true) like '%pg_stat_statements%' then
        create extension if not exists pg_stat_statements with schema extensions;
    end if;
end
$pgss$;

do $search_path$
begin
    execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$search_path$;

-- Schema auth -----------------------------------------------------------------------------------
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
    instance_id uuid,
    id uuid not null primary key,
    aud varchar(255),
    role varchar(255),  -- noqa: RF04
    email varchar(255),
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    invited_at timestamptz,
    confirmation_token varchar(255),
    confirmation_sent_at timestamptz,
    recovery_token varchar(255),
    recovery_sent_at timestamptz,
    email_change_token_new varchar(255),
    email_change varchar(255),
    email_change_sent_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text unique default null,
    phone_confirmed_at timestamptz,
    phone_change text default '',
    phone_change_token varchar(255) default '',
    phone_change_sent_at timestamptz,
    confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current varchar(255) default '',
    email_change_confirm_status smallint default 0,
    banned_until timestamptz,
    reauthentication_token varchar(255) default '',
    reauthentication_sent_at timestamptz,
    is_sso_user boolean not null default false,
    deleted_at timestamptz,
    is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
alter table auth.users owner to supabase_auth_admin;
alter table auth.users enable row level security;

create table if not exists auth.identities (
    provider_id text not null,
    user_id uuid not null references auth.users (id) on delete cascade,
    identity_data jsonb not null,
    provider text not null,  -- noqa: RF04
    last_sign_in_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    email text generated always as (lower(identity_data ->> 'email')) stored,
    id uuid not null default gen_random_uuid() primary key,
    constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);
alter table auth.identities owner to supabase_auth_admin;
alter table auth.identities enable row level security;

-- API roles hold no privilege on auth tables (they read users only through our own functions).
revoke all on auth.users, auth.identities from anon, authenticated, service_role;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.email', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
to anon, authenticated, service_role;

-- Schema public: Supabase's default privileges ---------------------------------------------------
grant usage on schema public to anon, authenticated, service_role;

do $default_privileges$
begin
    if coalesce(current_setting('wedsync.auto_expose_new_tables', true), 'on') = 'off' then
        alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
        alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;
        alter default privileges in schema public revoke all on functions from anon, authenticated, service_role;
    else
        alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
        alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
        alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
    end if;
end
$default_privileges$;

-- Realtime --------------------------------------------------------------------------------------
do $publication$
begin
    if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$publication$;
