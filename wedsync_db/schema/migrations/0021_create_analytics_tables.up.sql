-- 0021_create_analytics_tables
-- What and why: activities (user action feed) and analytics_events (custom events) are append-only
-- and grow fastest, so both are range-partitioned by month on created_at; the primary key is
-- (id, created_at) because it must include the partition key. Leaf partitions live in schema
-- `partitions` (no API grants, RLS enabled and forced with no policy: reachable only through the
-- parent, whose policies apply). Each parent has a default partition for rows outside the
-- prepared months. public.create_monthly_partitions() prepares months ahead (run it monthly from
-- the backend's scheduler), public.drop_expired_partitions() drops months past retention.
-- performance_metrics holds the backend's per-period aggregates (not partitioned: small).
-- Lock impact: new tables only; creating a partition later takes ACCESS EXCLUSIVE on the parent briefly.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.activities (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    actor_user_id uuid,
    couple_id uuid,
    client_id uuid,
    action text not null,  -- noqa: RF04
    entity_type text,
    entity_id uuid,
    metadata jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_activities primary key (id, created_at),
    constraint fk_activities_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_activities_actor_user_id_users foreign key (actor_user_id)
    references auth.users (id) on delete set null,
    constraint fk_activities_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete set null,
    constraint fk_activities_client_id_clients foreign key (client_id) references public.clients (id) on delete set null
) partition by range (created_at);
comment on table public.activities is 'User action feed, partitioned by month on created_at.';
-- Activity feed of one supplier, last 30 days (covers the supplier FK).
create index index_activities_on_supplier_id_and_created_at on public.activities (supplier_id, created_at desc);
create index index_activities_on_actor_user_id on public.activities (actor_user_id);
create index index_activities_on_couple_id on public.activities (couple_id);
create index index_activities_on_client_id on public.activities (client_id);

create table public.analytics_events (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    actor_user_id uuid,
    couple_id uuid,
    event_name text not null,
    properties jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_analytics_events primary key (id, created_at),
    constraint fk_analytics_events_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_analytics_events_actor_user_id_users foreign key (actor_user_id)
    references auth.users (id) on delete set null,
    constraint fk_analytics_events_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete set null,
    constraint check_analytics_events_event_name_format check (event_name ~ '^[a-z][a-z0-9_.]*$')
) partition by range (created_at);
comment on table public.analytics_events is 'Custom analytics events, partitioned by month on created_at.';
-- Analytics per day for one supplier (covers the supplier FK).
create index index_analytics_events_on_supplier_id_and_created_at
on public.analytics_events (supplier_id, created_at, event_name);
create index index_analytics_events_on_actor_user_id on public.analytics_events (actor_user_id);
create index index_analytics_events_on_couple_id on public.analytics_events (couple_id);
create index index_analytics_events_on_properties on public.analytics_events using gin (properties jsonb_path_ops);

create table partitions.activities_default partition of public.activities default;
create table partitions.analytics_events_default partition of public.analytics_events default;

create table public.performance_metrics (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    metric text not null,
    period public.metric_period not null,
    period_start date not null,
    value numeric not null,  -- noqa: RF04
    dimensions jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_performance_metrics primary key (id),
    constraint fk_performance_metrics_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint unique_performance_metrics_supplier_id_metric_period_start
    unique (supplier_id, metric, period, period_start, dimensions)
);
comment on table public.performance_metrics is 'Per-supplier aggregates computed by the backend.';

-- Creates the monthly partitions of activities or analytics_events for p_months months from p_from.
create function public.create_monthly_partitions(
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

-- Drops monthly partitions whose whole month ended before p_now - p_retention.
create function public.drop_expired_partitions(
    p_table text, p_retention interval default interval '24 months', p_now timestamptz default now()
)
returns setof text
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_partition record;
    v_month_end timestamptz;
begin
    if p_table not in ('activities', 'analytics_events') then
        raise exception 'drop_expired_partitions: % is not a monthly-partitioned table', p_table
            using errcode = 'invalid_parameter_value';
    end if;
    for v_partition in
        select c.relname
        from pg_catalog.pg_inherits as i
        inner join pg_catalog.pg_class as c on i.inhrelid = c.oid
        inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
        where
            i.inhparent = pg_catalog.to_regclass('public.' || p_table)
            and n.nspname = 'partitions'
            and c.relname ~ ('^' || p_table || '_y[0-9]{4}m[0-9]{2}$')
        order by c.relname
    loop
        v_month_end := pg_catalog.timezone(
            'UTC', pg_catalog.to_date(pg_catalog.right(v_partition.relname, 8), '"y"YYYY"m"MM')::timestamp
            + interval '1 month'
        );
        if v_month_end <= p_now - p_retention then
            execute pg_catalog.format('drop table partitions.%I', v_partition.relname);
            return next v_partition.relname;
        end if;
    end loop;
end;
$$;
comment on function public.drop_expired_partitions(text, interval, timestamptz) is
'Backend only: drops monthly partitions of activities/analytics_events that ended before p_now - p_retention.';

revoke execute on function public.create_monthly_partitions(text, date, integer) from public, anon, authenticated;
revoke execute on function public.drop_expired_partitions(text, interval, timestamptz)
from public, anon, authenticated;
grant execute on function public.create_monthly_partitions(text, date, integer) to service_role;
grant execute on function public.drop_expired_partitions(text, interval, timestamptz) to service_role;

-- Last month, this month and the next two.
select public.create_monthly_partitions('activities', (current_date - interval '1 month')::date, 4);
select public.create_monthly_partitions('analytics_events', (current_date - interval '1 month')::date, 4);

create trigger set_updated_at before update on public.activities
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.activities
for each row execute function private.write_audit_log('activities', 'supplier_id');
create trigger set_updated_at before update on public.analytics_events
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.analytics_events
for each row execute function private.write_audit_log('analytics_events', 'supplier_id');
create trigger set_updated_at before update on public.performance_metrics
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.performance_metrics
for each row execute function private.write_audit_log('performance_metrics', 'supplier_id');

alter table public.activities enable row level security;
alter table public.activities force row level security;
alter table public.analytics_events enable row level security;
alter table public.analytics_events force row level security;
alter table partitions.activities_default enable row level security;
alter table partitions.activities_default force row level security;
alter table partitions.analytics_events_default enable row level security;
alter table partitions.analytics_events_default force row level security;
alter table public.performance_metrics enable row level security;
alter table public.performance_metrics force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.activities from anon, authenticated, service_role;
revoke all on table public.analytics_events from anon, authenticated, service_role;
revoke all on table public.performance_metrics from anon, authenticated, service_role;
