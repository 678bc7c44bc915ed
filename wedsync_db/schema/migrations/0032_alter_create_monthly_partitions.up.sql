-- 0032_alter_create_monthly_partitions
-- What and why: public.create_monthly_partitions could not create a month whose rows already sat
-- in the default partition: PostgreSQL refuses the new partition (23514, "updated partition
-- constraint for default partition ... would be violated"), so a month missed once never got its
-- partition and the default kept growing. Each missing month is now built detached and then
-- attached:
--   1. create partitions.<table>_yYYYYmMM as a plain table like the parent (columns, defaults,
--      CHECK and NOT NULL constraints; no indexes, which the attach builds with the same generated
--      names a "partition of" leaf gets; no grants, like every leaf);
--   2. if the default partition holds rows of that month, move them:
--      with moved as (delete from <default> ... returning *) insert into <new leaf> select * from moved.
--      The default's audit trigger (a clone of write_audit_log) is disabled around the move: the
--      rows are not deleted, only relocated, and the audit trail must not say otherwise;
--   3. alter table <parent> attach partition <leaf>: PostgreSQL clones the parent's indexes,
--      foreign keys and row triggers (set_updated_at, write_audit_log) onto the leaf, checks the
--      leaf's rows against the bounds and the default's rows against the new range;
--   4. enable and force row level security on the leaf (no policies: reachable only through the
--      parent), as before.
-- The resulting leaf's catalog (columns, constraints, indexes, triggers, grants, RLS flags) is
-- the same as that of a leaf created with "create table ... partition of", which 0021 used.
-- Lock impact of this migration: create or replace function only. Lock impact of each call, per
-- missing month: SHARE UPDATE EXCLUSIVE on the parent (reads and writes go on; the old
-- "partition of" took ACCESS EXCLUSIVE) and ACCESS EXCLUSIVE on the default partition, both taken
-- up front in that order (as ATTACH takes them) so that no row can reach the default between the
-- move and the attach; held until the caller's transaction ends. Meanwhile statements that touch
-- the default partition wait (writes routed to it; reads the planner cannot confine to prepared
-- months by constant created_at bounds); the others do not. Concurrent calls queue on the parent.
-- Down checked: tests/integrity/test_migration_round_trips.py (up, down, catalog compared with the
-- state before, up again); the down restores the body and comment of 0021 verbatim.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function public.create_monthly_partitions(
    p_table text, p_from date default current_date, p_months integer default 3
)
returns setof text
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_start timestamptz;
    v_end timestamptz;
    v_name text;
    v_default text := p_table || '_default';
    v_has_rows boolean;
begin
    if p_table not in ('activities', 'analytics_events') then
        raise exception 'create_monthly_partitions: % is not a monthly-partitioned table', p_table
            using errcode = 'invalid_parameter_value';
    end if;
    for i in 0 .. p_months - 1 loop
        -- Month bounds are UTC midnights, whatever the session's time zone.
        v_start := pg_catalog.timezone(
            'UTC', pg_catalog.date_trunc('month', p_from::timestamp) + pg_catalog.make_interval(months => i)
        );
        v_end := pg_catalog.timezone(
            'UTC', pg_catalog.date_trunc('month', p_from::timestamp) + pg_catalog.make_interval(months => i + 1)
        );
        v_name := p_table || '_' || pg_catalog.to_char(pg_catalog.timezone('UTC', v_start), '"y"YYYY"m"MM');
        if pg_catalog.to_regclass('partitions.' || v_name) is null then
            -- The locks ATTACH takes, in its order, before looking at the default's rows.
            execute pg_catalog.format('lock table only public.%I in share update exclusive mode', p_table);
            execute pg_catalog.format('lock table partitions.%I in access exclusive mode', v_default);
            -- A concurrent call may have built the month while this one waited for the locks.
            continue when pg_catalog.to_regclass('partitions.' || v_name) is not null;
            execute pg_catalog.format(
                'create table partitions.%I (like public.%I including defaults including constraints)',
                v_name, p_table
            );
            execute pg_catalog.format(
                'select exists (select 1 from partitions.%I where created_at >= $1 and created_at < $2)', v_default
            ) into v_has_rows using v_start, v_end;
            if v_has_rows then
                execute pg_catalog.format('alter table partitions.%I disable trigger write_audit_log', v_default);
                execute pg_catalog.format(
                    'with moved as (delete from partitions.%I where created_at >= $1 and created_at < $2'
                    ' returning *) insert into partitions.%I select * from moved',
                    v_default, v_name
                ) using v_start, v_end;
                execute pg_catalog.format('alter table partitions.%I enable trigger write_audit_log', v_default);
            end if;
            execute pg_catalog.format(
                'alter table public.%I attach partition partitions.%I for values from (%L) to (%L)',
                p_table, v_name, v_start, v_end
            );
            execute pg_catalog.format('alter table partitions.%I enable row level security', v_name);
            execute pg_catalog.format('alter table partitions.%I force row level security', v_name);
            return next v_name;
        end if;
    end loop;
end;
$$;
comment on function public.create_monthly_partitions(text, date, integer) is
'Backend only: creates missing monthly partitions (partitions.<table>_yYYYYmMM) of activities/analytics_events, '
'moving rows of those months out of the default partition (without audit rows: they are relocated, not deleted).';
