-- 0015_create_form_tables (down): drops the four form tables and their guard functions.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.field_mappings;
drop table public.form_responses;
drop table public.form_versions;
drop table public.forms;
drop function private.guard_form_response();
drop function private.stamp_form_version_publication();
drop function private.guard_form_version();
