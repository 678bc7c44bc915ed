-- 0028_create_audit_retention_function
-- What and why: the only way audit rows disappear. public.purge_audit_log(p_now, p_retention)
-- (backend only, e.g. nightly) deletes audit rows created before p_now - p_retention (default
-- 7 years), except rows about financial records (template_purchases), which are kept. p_now is a
-- parameter (default now()) so tests can move time. Returns the number of rows deleted.
-- Lock impact: creates functions only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.purge_audit_log(p_now timestamptz, p_retention interval)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_count bigint;
begin
    if p_retention < interval '7 years' then
        raise exception 'purge_audit_log: retention % is shorter than the required 7 years', p_retention
            using errcode = 'invalid_parameter_value';
    end if;
    perform pg_catalog.set_config('wedsync.audit_maintenance', 'on', true);
    delete from public.audit_log as a
    where a.created_at < p_now - p_retention and a.table_name not in ('template_purchases');
    get diagnostics v_count = row_count;
    perform pg_catalog.set_config('wedsync.audit_maintenance', 'off', true);
    return v_count;
end;
$$;
comment on function private.purge_audit_log(timestamptz, interval) is
'Implementation of public.purge_audit_log (security definer).';
revoke execute on function private.purge_audit_log(timestamptz, interval) from public;

create function public.purge_audit_log(p_now timestamptz default now(), p_retention interval default interval '7 years')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
    return private.purge_audit_log(p_now, p_retention);
end;
$$;
comment on function public.purge_audit_log(timestamptz, interval) is
'Backend only: deletes audit rows older than p_retention (>= 7 years) before p_now, keeping financial records.';
revoke execute on function public.purge_audit_log(timestamptz, interval) from public, anon, authenticated;
grant execute on function public.purge_audit_log(timestamptz, interval) to service_role;
