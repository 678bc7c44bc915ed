-- 0004_create_audit_log
-- What and why: the append-only audit trail. Every table gets an AFTER row trigger calling
-- private.write_audit_log() (a security definer function: API roles hold no INSERT on this table).
-- Rows are never updated or deleted: API roles get no UPDATE/DELETE/TRUNCATE grant, and the guard
-- trigger below refuses UPDATE, DELETE and TRUNCATE for every role (service_role included) unless a
-- maintenance function owned by the migration role (private.purge_audit_log, private.erase_couple)
-- has switched wedsync.audit_maintenance on for its own transaction.
-- supplier_id has no foreign key on purpose: the trail must outlive the supplier it describes.
-- The read policy is added in 0009 (it needs the access helpers of 0008).
-- Lock impact: creates a new table only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.audit_log (
    id uuid not null default gen_random_uuid(),
    table_name text not null,
    row_id uuid,
    supplier_id uuid,
    actor_user_id uuid,
    actor_role text not null,
    action public.audit_action not null,  -- noqa: RF04
    old_values jsonb,
    new_values jsonb,
    changed_columns text[] not null default '{}',
    transaction_id bigint not null default txid_current(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_audit_log primary key (id),
    constraint check_audit_log_values_present check (old_values is not null or new_values is not null)
);
comment on table public.audit_log is
'Append-only trail of every insert, update and delete; written by triggers only; 7-year retention.';

-- Audit trail of one record, newest first.
create index index_audit_log_on_table_name_and_row_id_and_created_at
on public.audit_log (table_name, row_id, created_at desc);
-- A supplier's trail (the admin read policy filters on supplier_id).
create index index_audit_log_on_supplier_id_and_created_at on public.audit_log (supplier_id, created_at desc);
-- Retention scans by age; GDPR erasure looks rows up by actor.
create index index_audit_log_on_created_at on public.audit_log (created_at);
create index index_audit_log_on_actor_user_id on public.audit_log (actor_user_id);

-- Refuses any change to the trail outside the maintenance functions.
create function private.refuse_audit_log_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if pg_catalog.current_setting('wedsync.audit_maintenance', true) = 'on'
        and current_user not in ('anon', 'authenticated', 'service_role', 'authenticator') then
        if tg_op = 'DELETE' then
            return old;
        end if;
        return new;
    end if;
    raise exception 'audit_log is append-only: % refused for role %', tg_op, current_user
        using errcode = 'insufficient_privilege',
        constraint = 'audit_log_append_only',
        hint = 'Only private.purge_audit_log() (retention) and private.erase_couple() (GDPR) may change it.';
end;
$$;
comment on function private.refuse_audit_log_change() is
'Trigger: raises 42501 (constraint audit_log_append_only) on UPDATE, DELETE or TRUNCATE of audit_log.';
revoke execute on function private.refuse_audit_log_change() from public;

create trigger refuse_audit_log_change before update or delete on public.audit_log
for each row execute function private.refuse_audit_log_change();
create trigger refuse_audit_log_truncate before truncate on public.audit_log
for each statement execute function private.refuse_audit_log_change();
create trigger set_updated_at before update on public.audit_log
for each row execute function private.set_updated_at();

alter table public.audit_log enable row level security;
alter table public.audit_log force row level security;
revoke all on table public.audit_log from anon, authenticated, service_role;
grant select on table public.audit_log to authenticated, service_role;
