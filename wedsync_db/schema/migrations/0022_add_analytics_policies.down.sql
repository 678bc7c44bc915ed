-- 0022_add_analytics_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy performance_metrics_select_team_admin on public.performance_metrics;
revoke all on table public.performance_metrics from anon, authenticated, service_role;
drop policy analytics_events_insert_team on public.analytics_events;
drop policy analytics_events_select_team_admin on public.analytics_events;
revoke all on table public.analytics_events from anon, authenticated, service_role;
drop policy activities_insert_team on public.activities;
drop policy activities_select_team on public.activities;
revoke all on table public.activities from anon, authenticated, service_role;
