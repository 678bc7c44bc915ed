-- 0025_create_dashboard_views (down): drops the dashboard functions and materialized views.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function public.refresh_dashboards(boolean);
drop function public.dashboard_messages_per_day();
drop function public.dashboard_responses_per_form();
drop function public.dashboard_clients_by_status();
drop function private.read_dashboard_messages_per_day();
drop function private.read_dashboard_responses_per_form();
drop function private.read_dashboard_clients_by_status();
drop materialized view private.dashboard_messages_per_day;
drop materialized view private.dashboard_responses_per_form;
drop materialized view private.dashboard_clients_by_status;
