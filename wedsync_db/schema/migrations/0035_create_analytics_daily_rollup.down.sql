-- 0035_create_analytics_daily_rollup (down): restores refresh_dashboards as 0025 defined it, then drops the
-- analytics dashboard function, its reader and the materialized view (with its unique index).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

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
    else
        refresh materialized view private.dashboard_clients_by_status;
        refresh materialized view private.dashboard_responses_per_form;
        refresh materialized view private.dashboard_messages_per_day;
    end if;
end;
$$;

drop function public.dashboard_analytics_per_day(date, date);
drop function private.read_dashboard_analytics_per_day(date, date);
drop index private.unique_dashboard_analytics_per_day_supplier_id_day_event_name;
drop materialized view private.dashboard_analytics_per_day;
