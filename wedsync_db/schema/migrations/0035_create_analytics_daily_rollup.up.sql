-- 0035_create_analytics_daily_rollup
-- What and why: the "analytics per day, last 90 days" chart read analytics_events under RLS and grouped
-- every event of the range (58 ms median for the whale at the large profile, target 10 ms). Following
-- 0025, the daily counts per supplier and event name become a materialized view in schema `private`
-- (materialized views ignore RLS: no grant to anon or authenticated) with a unique index, so that
-- public.refresh_dashboards() can refresh it concurrently. Callers reach it only through
-- public.dashboard_analytics_per_day(p_from, p_to) (security invoker), which calls a private security
-- definer reader returning only the rows of suppliers where the caller is a team admin or owner, the
-- same rule as the analytics_events_select_team_admin policy; days are UTC, p_from inclusive, p_to
-- exclusive. refresh_dashboards() is replaced (same signature, owner, grants) to refresh the new view too.
-- Lock impact: new objects; the initial build reads every live analytics_event once (an ACCESS SHARE
-- lock: writers are not blocked); refresh_dashboards is replaced in place.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create materialized view private.dashboard_analytics_per_day as
select
    ae.supplier_id,
    ae.event_name,
    (ae.created_at at time zone 'UTC')::date as day,  -- noqa: RF04
    count(*) as events
from public.analytics_events as ae
where ae.deleted_at is null
group by ae.supplier_id, ae.event_name, (ae.created_at at time zone 'UTC')::date;
create unique index unique_dashboard_analytics_per_day_supplier_id_day_event_name
on private.dashboard_analytics_per_day (supplier_id, day, event_name);

revoke all on private.dashboard_analytics_per_day from public, anon, authenticated;

create function private.read_dashboard_analytics_per_day(p_from date, p_to date)
returns table (supplier_id uuid, day date, event_name text, events bigint)
language sql
stable
security definer
set search_path = ''
as $$
    select d.supplier_id, d.day, d.event_name, d.events
    from private.dashboard_analytics_per_day as d
    where
        d.supplier_id = any(array(select private.my_supplier_ids('admin')))
        and d.day >= p_from
        and d.day < p_to
$$;

create function public.dashboard_analytics_per_day(p_from date, p_to date)
returns table (supplier_id uuid, day date, event_name text, events bigint)
language sql
stable
set search_path = ''
as $$
    select r.supplier_id, r.day, r.event_name, r.events
    from private.read_dashboard_analytics_per_day(p_from, p_to) as r
$$;
comment on function public.dashboard_analytics_per_day(date, date) is
'Analytics events per UTC day and event name in [p_from, p_to) for the caller''s suppliers (team admin and up).';

-- Refreshes every dashboard view (concurrently by default: readers are not blocked).
create or replace function public.refresh_dashboards(p_concurrently boolean default true)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    if p_concurrently then
        refresh materialized view concurrently private.dashboard_clients_by_status;
        refresh materialized view concurrently private.dashboard_responses_per_form;
        refresh materialized view concurrently private.dashboard_messages_per_day;
        refresh materialized view concurrently private.dashboard_analytics_per_day;
    else
        refresh materialized view private.dashboard_clients_by_status;
        refresh materialized view private.dashboard_responses_per_form;
        refresh materialized view private.dashboard_messages_per_day;
        refresh materialized view private.dashboard_analytics_per_day;
    end if;
end;
$$;

revoke execute on function private.read_dashboard_analytics_per_day(date, date) from public;
grant execute on function private.read_dashboard_analytics_per_day(date, date) to authenticated;
revoke execute on function public.dashboard_analytics_per_day(date, date) from public, anon;
grant execute on function public.dashboard_analytics_per_day(date, date) to authenticated;
