-- 0056_add_insert_stamps_of_server_columns
-- What and why: some columns are the server's to fill, but an API INSERT carrying them was taken as sent
-- (UPDATE is column-granted; INSERT is not, and the RLS harness sends every column):
--   * templates.rating_average / rating_count (kept by refresh_template_rating from live reviews) and
--     published_at: a seller could list a template with a 5.00 rating from 9,999 reviews, published years ago;
--   * supplier_client_connections.invited_by / responded_at / revoked_at: an invitation could name another
--     user as its inviter, or claim the couple had already answered;
--   * messages.status / sent_at: a message could claim it was delivered (delivery is the backend's).
-- BEFORE INSERT triggers now set them for callers under RLS (anon, authenticated; judged on the request's
-- role, as guard_form_response does): a template starts with no rating (null, 0) and published_at = now()
-- when inserted as published (else null); a connection's invited_by is the caller (auth.uid()) and it has
-- not been responded to or revoked (null, null; its status is 'invited' by policy); a message is 'queued'
-- and not sent (null). service_role (the backend, seeds) keeps what it sends. Column insert grants were not
-- used: the harness generates inserts with every column, and a silently corrected value keeps one rule in
-- one place.
-- Lock impact: ACCESS EXCLUSIVE on templates, supplier_client_connections and messages briefly (new triggers).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.caller_is_under_rls()
returns boolean
language sql
stable
set search_path = ''
as $$
    -- The role the request runs as (a security definer caller changes current_user, not the role setting).
    select not exists (
        select 1
        from pg_catalog.pg_roles as r
        where
            r.rolname = coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), session_user)
            and r.rolbypassrls
    )
$$;
comment on function private.caller_is_under_rls() is
'True when the request''s role is subject to row level security (anon, authenticated), false for the backend.';
revoke execute on function private.caller_is_under_rls() from public;
grant execute on function private.caller_is_under_rls() to authenticated, service_role;

create function private.stamp_template_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if private.caller_is_under_rls() then
        new.rating_average := null;
        new.rating_count := 0;
        new.published_at := case when new.status = 'published' then pg_catalog.now() end;
    end if;
    return new;
end;
$$;
comment on function private.stamp_template_insert() is
'Trigger: an API-inserted template has no rating yet and is published now if inserted as published.';
revoke execute on function private.stamp_template_insert() from public;

create trigger stamp_template_insert before insert on public.templates
for each row execute function private.stamp_template_insert();

create function private.stamp_connection_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if private.caller_is_under_rls() then
        new.invited_by := auth.uid();
        new.responded_at := null;
        new.revoked_at := null;
    end if;
    return new;
end;
$$;
comment on function private.stamp_connection_insert() is
'Trigger: an API-inserted connection is invited by the caller and not yet responded to or revoked.';
revoke execute on function private.stamp_connection_insert() from public;

create trigger stamp_connection_insert before insert on public.supplier_client_connections
for each row execute function private.stamp_connection_insert();

create function private.stamp_message_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if private.caller_is_under_rls() then
        new.status := 'queued';
        new.sent_at := null;
    end if;
    return new;
end;
$$;
comment on function private.stamp_message_insert() is
'Trigger: an API-inserted message is queued and not sent; delivery status is the backend''s.';
revoke execute on function private.stamp_message_insert() from public;

create trigger stamp_message_insert before insert on public.messages
for each row execute function private.stamp_message_insert();
