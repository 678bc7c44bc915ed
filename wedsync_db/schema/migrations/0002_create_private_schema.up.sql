-- 0002_create_private_schema
-- What and why: schema `private` holds everything the Data API must not expose: the access helper
-- functions the policies call, the shared trigger functions (updated_at, audit), materialized views.
-- PostgREST only exposes `public`, so nothing here is reachable over HTTP; API roles get USAGE only
-- so that policies (evaluated as the caller) can call the helpers they are granted EXECUTE on.
-- Partitions of range-partitioned tables live in schema `partitions` (never granted to API roles).
-- Lock impact: creates new objects only; no existing relation is locked.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create schema private;
comment on schema private is 'Not exposed by the Data API: access helpers, trigger functions, dashboards.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create schema partitions;
comment on schema partitions is 'Leaf partitions of range-partitioned tables; reached only through their parents.';
revoke all on schema partitions from public;

-- Keeps updated_at current on every update.
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;
comment on function private.set_updated_at() is 'Trigger: sets updated_at to now() on every update.';
revoke execute on function private.set_updated_at() from public;

-- Writes one audit_log row per inserted, updated or deleted row.
-- tg_argv[0]: logical table name (the parent's name for partitions); tg_argv[1]: the column that holds
-- the row's supplier ('none' when the table has no supplier).
create function private.write_audit_log()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_old jsonb;
    v_new jsonb;
    v_row jsonb;
    v_supplier_column text := coalesce(tg_argv[1], 'supplier_id');
    v_changed text[] := '{}';
begin
    if tg_op in ('UPDATE', 'DELETE') then
        v_old := pg_catalog.to_jsonb(old);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        v_new := pg_catalog.to_jsonb(new);
    end if;
    v_row := coalesce(v_new, v_old);
    if tg_op = 'UPDATE' then
        select coalesce(pg_catalog.array_agg(n.key order by n.key), '{}')
        into v_changed
        from pg_catalog.jsonb_each(v_new) as n (key, value)
        where n.value is distinct from v_old -> n.key;
    end if;
    insert into public.audit_log (
        table_name, row_id, supplier_id, actor_user_id, actor_role, action,
        old_values, new_values, changed_columns
    )
    values (
        coalesce(tg_argv[0], tg_table_name),
        (v_row ->> 'id')::uuid,
        case when v_supplier_column <> 'none' then (v_row ->> v_supplier_column)::uuid end,
        auth.uid(),
        coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), session_user),
        pg_catalog.lower(tg_op)::public.audit_action,
        v_old,
        v_new,
        v_changed
    );
    return null;
end;
$$;
comment on function private.write_audit_log() is
'Trigger: appends one audit_log row (table, row id, supplier, actor, action, old/new values, changed columns).';
revoke execute on function private.write_audit_log() from public;
