-- 0021_create_analytics_tables (down): drops the partition functions and the three tables
-- (dropping a partitioned parent drops all its partitions).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function public.drop_expired_partitions(text, interval, timestamptz);
drop function public.create_monthly_partitions(text, date, integer);
drop table public.performance_metrics;
drop table public.analytics_events;
drop table public.activities;
