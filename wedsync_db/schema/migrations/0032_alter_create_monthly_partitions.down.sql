-- 0032_alter_create_monthly_partitions (down): restores public.create_monthly_partitions as created by 0021.
-- Partitions the new body created stay: they are the same as those the old body creates.
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
            execute pg_catalog.format(
                'create table partitions.%I partition of public.%I for values from (%L) to (%L)',
                v_name, p_table, v_start, v_end
            );
            execute pg_catalog.format('alter table partitions.%I enable row level security', v_name);
            execute pg_catalog.format('alter table partitions.%I force row level security', v_name);
            return next v_name;
        end if;
    end loop;
end;
$$;
comment on function public.create_monthly_partitions(text, date, integer) is
'Backend only: creates missing monthly partitions (partitions.<table>_yYYYYmMM) of activities/analytics_events.';
