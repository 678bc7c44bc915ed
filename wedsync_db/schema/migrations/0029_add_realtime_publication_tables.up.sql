-- 0029_add_realtime_publication_tables
-- What and why: Supabase Realtime streams changes of the tables in publication supabase_realtime;
-- the app subscribes to messages, notifications, form_responses, journey_instances and
-- core_field_values. Realtime re-reads each changed row as the subscriber, so the tables' SELECT
-- policies decide who hears what.
-- Lock impact: ALTER PUBLICATION takes SHARE UPDATE EXCLUSIVE on each table briefly.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog, publication membership included,
-- equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter publication supabase_realtime add table
public.messages,
public.notifications,
public.form_responses,
public.journey_instances,
public.core_field_values;
