-- 0019_create_journey_tables (down): drops the four journey tables.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.journey_instances;
drop table public.journey_modules;
drop table public.journey_nodes;
drop table public.customer_journeys;
