-- 0029_add_realtime_publication_tables (down): removes the five tables from the publication.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter publication supabase_realtime drop table
public.messages,
public.notifications,
public.form_responses,
public.journey_instances,
public.core_field_values;
